"""`python -m codegen generate [--check] [--revision R | --spec FILE] [--out DIR]`,
`python -m codegen spec-diff OLD NEW [--fail-on-breaking]`."""

from __future__ import annotations

import argparse
import filecmp
import sys
import tempfile
from pathlib import Path

from . import spec_diff
from .ir import Api, build_api
from .loader import REPO_ROOT, SpecError, current_revision, find_spec, load_spec, spec_path
from .project import GENERATED_DIR
from .render import generate

GENERATED = REPO_ROOT / GENERATED_DIR


def _differences(expected: Path, actual: Path) -> list[str]:
    """Files that differ, are missing or are extra in `actual` compared with `expected`."""

    def files(root: Path) -> set[str]:
        return {
            p.relative_to(root).as_posix()
            for p in root.rglob("*")
            if p.is_file()
            and "__pycache__" not in p.parts
            and not p.name.endswith(".egg-info")
            and ".egg-info" not in p.as_posix()
            and "/build/" not in f"/{p.relative_to(root).as_posix()}"
        }

    want, have = files(expected), files(actual)
    lines = [f"missing: {name}" for name in sorted(want - have)]
    lines += [f"not generated (extra): {name}" for name in sorted(have - want)]
    lines += [
        f"differs: {name}"
        for name in sorted(want & have)
        if not filecmp.cmp(expected / name, actual / name, shallow=False)
    ]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codegen")
    commands = parser.add_subparsers(dest="command", required=True)
    gen = commands.add_parser("generate", help="render the client packages from a spec revision")
    gen.add_argument("--revision", help="spec/<REVISION>/ to generate from (default: spec/CURRENT)")
    gen.add_argument("--spec", type=Path, help="an OpenAPI file (or an overlay of one) instead of spec/")
    gen.add_argument("--out", type=Path, default=GENERATED, help="output folder (default: generated/)")
    gen.add_argument(
        "--check", action="store_true", help="fail, naming the files, if --out is not what the spec produces"
    )
    diff = commands.add_parser("spec-diff", help="changelog between two revisions, each change marked breaking or not")
    diff.add_argument("old", help="a revision under spec/ (2026-05-20) or a spec or overlay file")
    diff.add_argument("new", help="the same, for the newer revision")
    diff.add_argument("--fail-on-breaking", action="store_true", help="exit with 1 when a change is breaking")
    args = parser.parse_args(argv)

    try:
        if args.command == "spec-diff":
            return _spec_diff(_load(find_spec(args.old)), _load(find_spec(args.new)), args.fail_on_breaking)
        return _generate(_load(args.spec or spec_path(args.revision or current_revision())), args.out, args.check)
    except SpecError as exc:
        print(f"spec error: {exc}", file=sys.stderr)
        return 2


def _load(path: Path) -> Api:
    return build_api(load_spec(path))


def _spec_diff(old_api: Api, new_api: Api, fail_on_breaking: bool) -> int:
    old, new = spec_diff.surface(old_api), spec_diff.surface(new_api)
    changes = spec_diff.diff(old, new)
    print(spec_diff.report(old, new, changes), end="")
    return 1 if fail_on_breaking and any(c.breaking for c in changes) else 0


def _generate(api: Api, out: Path, check: bool) -> int:
    if not check:
        written = generate(api, out)
        print(f"generated {len(written)} files for revision {api.revision} into {out}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp)
        generate(api, fresh)
        problems = [
            line.replace(": ", f": {out.name}/{root.name}/", 1)
            for root in sorted(fresh.iterdir())
            for line in _differences(fresh / root.name, out / root.name)
        ]
    if problems:
        print(
            "generated code is stale or was edited by hand (run `nox -s generate` and commit):\n  "
            + "\n  ".join(problems),
            file=sys.stderr,
        )
        return 1
    print(f"generated code matches spec revision {api.revision}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
