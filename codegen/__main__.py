"""`python -m codegen generate [--check] [--revision R] [--out DIR]`."""

from __future__ import annotations

import argparse
import filecmp
import sys
import tempfile
from pathlib import Path

from .ir import build_api
from .loader import REPO_ROOT, SpecError, current_revision, load_spec, spec_path
from .render import generate

GENERATED = REPO_ROOT / "generated"


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
    gen.add_argument("--spec", type=Path, help="an OpenAPI file to generate from instead of spec/")
    gen.add_argument("--out", type=Path, default=GENERATED, help="output folder (default: generated/)")
    gen.add_argument(
        "--check", action="store_true", help="fail, naming the files, if --out is not what the spec produces"
    )
    args = parser.parse_args(argv)

    path = args.spec or spec_path(args.revision or current_revision())
    try:
        api = build_api(load_spec(path))
    except SpecError as exc:
        print(f"spec error: {exc}", file=sys.stderr)
        return 2
    if not args.check:
        written = generate(api, args.out)
        print(f"generated {len(written)} files for revision {api.revision} into {args.out}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp)
        generate(api, fresh)
        problems = [
            line.replace(": ", f": {args.out.name}/{root.name}/", 1)
            for root in sorted(fresh.iterdir())
            for line in _differences(fresh / root.name, args.out / root.name)
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
