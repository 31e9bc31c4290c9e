"""Sessions: generate, spec-diff, lint, typecheck, tests (all of those plus pytest, then the runtime tests under
every other supported Python present), peer, lowest, typescore, build, docs, demo, bench."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nox

ROOT = Path(__file__).parent
sys.path.insert(0, str(ROOT))  # codegen.project holds the facts below; it needs nothing but the standard library
from codegen import release  # noqa: E402
from codegen.project import GENERATED_RUFF, MIN_PYTHON, PACKAGE_DIRS, PACKAGE_PROJECTS  # noqa: E402

nox.options.sessions = ["tests"]
nox.options.reuse_existing_virtualenvs = True
nox.options.default_venv_backend = "venv"

PYTHON = "3.11"  # the Python the sessions run on (the generated packages support MIN_PYTHON and up)
# The tests marked `generator` need the generator's tools (codegen/requirements.txt, mypy); the rest, the
# runtime tests, need only the packages and tests/requirements-runtime.txt.
RUNTIME_TESTS = ["-m", "not generator"]
TYPE_SCORE_FLOOR = 100.0  # pyright --verifytypes, per package: every public name fully typed
LINTED = ["codegen", "tests", "examples", "bench", "noxfile.py"]
# mypy --strict over the repository's own code (not the noxfile: nox is not installed in the sessions).
# codegen/runtime* is checked as part of the packages it is copied into; tests/fixtures holds inputs that tests
# type-check against particular generated packages.
TYPECHECKED = ["codegen", "tests", "examples", "bench"]
TYPECHECK_EXCLUDE = ["^codegen/runtime", "^tests/fixtures/"]


def _install_generator(session: nox.Session) -> None:
    session.install("-r", "codegen/requirements.txt")


def _install_packages(session: nox.Session) -> None:
    # Reinstalled every time (not editable): tests run against the packages as users install them.
    session.install("--force-reinstall", "--no-deps", *PACKAGE_PROJECTS)
    session.install(*PACKAGE_PROJECTS)


@nox.session(python=PYTHON)
def generate(session: nox.Session) -> None:
    """Render generated/ from spec/ (`-- --check` only compares; `-- --revision R` picks a revision)."""
    _install_generator(session)
    session.run("python", "-m", "codegen", "generate", *session.posargs)


@nox.session(name="spec-diff", python=PYTHON)
def spec_diff(session: nox.Session) -> None:
    """Changelog between two revisions, each change marked breaking or not: `-- OLD NEW` (revisions or files)."""
    _install_generator(session)
    session.run("python", "-m", "codegen", "spec-diff", *session.posargs)


@nox.session(name="import-reference", python=PYTHON)
def import_reference(session: nox.Session) -> None:
    """Merge Google's published document into spec/: `-- DOCUMENT --revision R` (default: ../shared's, spec/CURRENT)."""
    _install_generator(session)
    args = session.posargs or [
        str(ROOT.parent / "shared" / "reference" / "interactions.openapi.json"),
        "--revision",
        (ROOT / "spec" / "CURRENT").read_text(encoding="utf-8").strip(),
    ]
    session.run("python", "-m", "codegen", "import-reference", *args)


def _lint(session: nox.Session) -> None:
    session.run("ruff", "check", *LINTED)
    session.run("ruff", "format", "--check", *LINTED)
    # The generated packages are checked with the settings the generator formats them with.
    session.run("ruff", "check", *GENERATED_RUFF, "--select", "E,F,W,I,B,UP", *PACKAGE_DIRS)
    session.run("ruff", "format", "--check", *GENERATED_RUFF, *PACKAGE_DIRS)


def _typecheck(session: nox.Session) -> None:
    for package in PACKAGE_DIRS:
        session.run("mypy", "--strict", "--python-version", MIN_PYTHON, package)
    excludes = [arg for pattern in TYPECHECK_EXCLUDE for arg in ("--exclude", pattern)]
    session.run("mypy", "--strict", *excludes, *TYPECHECKED)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff over the generator, the tests and the generated packages."""
    _install_generator(session)
    _lint(session)


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    """mypy --strict over both generated packages (with their lowest Python's rules), the generator and the tests."""
    _install_generator(session)
    session.install("-r", "tests/requirements.txt")
    _install_packages(session)
    _typecheck(session)


def _pyenv_versions() -> None:
    """pyenv's shims (python3.10, ...) run only the versions PYENV_VERSION names (a shim running nox sets it to its
    own): add every installed supported version after the ones named."""
    if shutil.which("pyenv") is None:
        return
    listed = subprocess.run(["pyenv", "versions", "--bare"], capture_output=True, text=True, check=False).stdout
    wanted = [v for v in listed.split() if re.fullmatch(r"3\.\d+\.\d+", v) and v.rsplit(".", 1)[0] in SUPPORTED]
    named = [v for v in os.environ.get("PYENV_VERSION", "").split(":") if v]
    if wanted:
        os.environ["PYENV_VERSION"] = ":".join(dict.fromkeys([*named, *wanted]))


def _present(version: str) -> bool:
    found = shutil.which(f"python{version}")
    return found is not None and subprocess.run([found, "-c", ""], capture_output=True, check=False).returncode == 0


SUPPORTED = release.PYTHON_VERSIONS
_pyenv_versions()
OTHER_PYTHONS = [v for v in SUPPORTED if v != PYTHON and _present(v)]
for _absent in sorted(set(SUPPORTED) - {PYTHON, *OTHER_PYTHONS}):
    print(f"nox: no python{_absent} on this machine: its runtime tests are skipped", file=sys.stderr)
LOWEST_PYTHON = SUPPORTED[0] if SUPPORTED[0] in OTHER_PYTHONS else PYTHON


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """The whole gate: generated code matches the spec, lint, types, pytest; then the runtime tests on the other
    supported Pythons present (the `runtime` sessions)."""
    _install_generator(session)
    session.install("-r", "tests/requirements.txt")
    session.run("python", "-m", "codegen", "generate", "--check")
    _install_packages(session)
    _lint(session)
    _typecheck(session)
    session.run("pytest", *session.posargs)
    for version in OTHER_PYTHONS:
        session.notify(f"runtime-{version}", posargs=session.posargs)


@nox.session(python=OTHER_PYTHONS)
def runtime(session: nox.Session) -> None:
    """The runtime tests (not those needing the generator's tools) on one more Python; `nox -s tests` runs each."""
    session.install("-r", "tests/requirements-runtime.txt")
    _install_packages(session)
    # 5: the selection (e.g. posargs naming only generator tests) holds no runtime test.
    session.run("pytest", *RUNTIME_TESTS, *session.posargs, success_codes=[0, 5])


def _floors() -> list[str]:
    """Every dependency the packages declare, pinned to its floor: `urllib3>=2.2.3,<3` -> `urllib3==2.2.3`."""
    pins: dict[str, str] = {}
    for package in PACKAGE_PROJECTS:
        pyproject = (ROOT / package / "pyproject.toml").read_text(encoding="utf-8")
        block = re.search(r"^dependencies = \[\n(.*?)^\]", pyproject, re.MULTILINE | re.DOTALL)
        assert block is not None, f"{package}: no dependencies list"
        for requirement in re.findall(r'"([^"]+)"', block.group(1)):
            floor = re.fullmatch(r"([A-Za-z0-9_.-]+)>=([0-9.]+)(,<[0-9.]+)?", requirement)
            assert floor is not None, f"{package}: {requirement!r} has no >= floor"
            pins[floor.group(1)] = f"{floor.group(1)}=={floor.group(2)}"
    return sorted(pins.values())


@nox.session(python=LOWEST_PYTHON)
def lowest(session: nox.Session) -> None:
    """The runtime tests with every dependency at its declared floor, on the lowest supported Python present."""
    floors = _floors()
    session.install("-r", "tests/requirements-runtime.txt", *floors)
    session.install("--force-reinstall", "--no-deps", *PACKAGE_PROJECTS)
    installed = session.run("python", "-m", "pip", "freeze", silent=True) or ""
    versions = {line.split("==")[0].lower().replace("_", "-"): line for line in installed.splitlines() if "==" in line}
    for pin in floors:
        name, version = pin.split("==")
        have = versions.get(name.lower().replace("_", "-"), "")
        if have.split("==")[-1] not in (version, f"{version}.0"):
            session.error(f"{name}: wanted {version}, installed {have or 'nothing'}")
    session.run("python", "-m", "pip", "check")
    session.run("pytest", *RUNTIME_TESTS, *session.posargs)


@nox.session(python=PYTHON)
def typescore(session: nox.Session) -> None:
    """pyright --verifytypes: each package's public names must all have complete types (one ambiguous name fails it)."""
    session.install("pyright==1.1.414")
    _install_packages(session)
    for package in PACKAGE_DIRS:
        name = Path(package).name
        # Exit code 1 means "not 100%"; the score decides.
        args = ["pyright", "--verifytypes", name, "--ignoreexternal", "--outputjson"]
        report = json.loads(session.run(*args, silent=True, success_codes=[0, 1]) or "{}")
        completeness = report["typeCompleteness"]
        score = completeness["completenessScore"] * 100
        counts = completeness["exportedSymbolCounts"]
        known, ambiguous, unknown = (counts[k] for k in ("withKnownType", "withAmbiguousType", "withUnknownType"))
        session.log(f"{name}: {score:.1f}% typed ({known} known, {ambiguous} ambiguous, {unknown} unknown symbols)")
        if score < TYPE_SCORE_FLOOR:
            untyped = [s["name"] for s in completeness["symbols"] if not s["isTypeKnown"]][:20]
            session.error(f"{name}: type completeness {score:.1f}% < {TYPE_SCORE_FLOOR}%; e.g. {untyped}")


@nox.session(python=PYTHON)
def build(session: nox.Session) -> None:
    """sdists and wheels of both packages into dist/, `twine check --strict`, then their contents and a smoke test."""
    session.install("build==1.6.1", "twine==7.0.0", "-r", "tests/requirements-runtime.txt")
    dist = ROOT / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    for package in PACKAGE_PROJECTS:
        # sdist first, then the wheel from the sdist: a file missing from the sdist breaks the wheel.
        session.run("python", "-m", "build", "--outdir", str(dist), package)
    session.run("twine", "check", "--strict", *(str(p) for p in sorted(dist.iterdir())))
    # The tests' conftest imports both packages: here, the wheels just built.
    session.install("--force-reinstall", *(str(p) for p in sorted(dist.glob("*.whl"))))
    session.run("pytest", "tests/test_distributions.py", "-p", "no:cacheprovider", env={"GEMINI_DIST_DIR": str(dist)})


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """The reference site (mkdocs, strict) into site/; a test renders it in headless Chromium (build/docs/*.png)."""
    session.install("-r", "docs/requirements.txt", "-r", "tests/requirements-runtime.txt")
    _install_packages(session)
    env = {"GEMINI_DOCS_BUILD": "1", "NO_MKDOCS_2_WARNING": "1"}  # the second: mkdocs-material's banner
    session.run("pytest", "tests/test_docs_site.py", "-p", "no:cacheprovider", env=env)


@nox.session(python=PYTHON)
def peer(session: nox.Session) -> None:
    """google-genai 3.3.0 against the test server's continuation scenarios: the same hops, text and ids as ours."""
    # A session of its own: google-genai needs Python >= 3.11 and a newer pydantic than the packages' floor.
    session.install("-r", "tests/requirements.txt", "google-genai==3.3.0")
    _install_packages(session)
    session.run("pytest", "-p", "no:cacheprovider", "tests/test_peer_continuation.py", *session.posargs)


@nox.session(python=PYTHON)
def demo(session: nox.Session) -> None:
    """Stream the guide's scenarios through both clients: the embedded server, or the API if GEMINI_API_KEY is set."""
    _install_packages(session)
    session.run("python", "examples/demo.py", *session.posargs)


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Every client side by side with FLOOR and google-genai (bench/); writes bench/results/ and README's table."""
    session.install("-r", "bench/requirements.txt")
    _install_packages(session)
    session.run("python", "-m", "bench", "--readme", *session.posargs)
    session.run("python", "-m", "bench.scale")  # 1,000 streams at once: bench/results/scale.{json,md}
    session.run("python", "-m", "bench.import_cost")  # own import cost: bench/results/import_cost.{json,md}
