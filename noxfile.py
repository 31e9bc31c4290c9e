"""Sessions: generate, spec-diff, lint, typecheck, tests (all of those plus pytest), demo, bench."""

from __future__ import annotations

import re
from pathlib import Path

import nox

nox.options.sessions = ["tests"]
nox.options.reuse_existing_virtualenvs = True
nox.options.default_venv_backend = "venv"

ROOT = Path(__file__).parent
PYTHON = "3.11"
GENERATED_PACKAGES = ["generated/sync", "generated/async"]
PACKAGE_DIRS = ["generated/sync/gemini_interactions", "generated/async/gemini_interactions_async"]
LINTED = ["codegen", "tests", "examples", "bench", "noxfile.py"]


def _install_generator(session: nox.Session) -> None:
    session.install("-r", "codegen/requirements.txt")


def _install_packages(session: nox.Session) -> None:
    # Reinstalled every time (not editable): tests run against the packages as users install them.
    session.install("--force-reinstall", "--no-deps", *GENERATED_PACKAGES)
    session.install(*GENERATED_PACKAGES)


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


# The generated packages are checked with the settings the generator formats them with.
GENERATED_RUFF = ["--isolated", "--line-length", "120", "--target-version", "py310"]


def _lint(session: nox.Session) -> None:
    session.run("ruff", "check", *LINTED)
    session.run("ruff", "format", "--check", *LINTED)
    session.run("ruff", "check", *GENERATED_RUFF, "--select", "E,F,W,I,B,UP", *PACKAGE_DIRS)
    session.run("ruff", "format", "--check", *GENERATED_RUFF, *PACKAGE_DIRS)


def _lowest_python(package_dir: str) -> str:
    """The lowest Python a generated package declares (requires-python = ">=X.Y"): mypy checks with its rules."""
    # A regex, not tomllib: the noxfile itself may run on a Python older than 3.11.
    pyproject = (ROOT / Path(package_dir).parent / "pyproject.toml").read_text(encoding="utf-8")
    match = re.search(r'^requires-python = ">=(\d+\.\d+)"$', pyproject, re.MULTILINE)
    if match is None:
        raise ValueError(f"{package_dir}: pyproject.toml declares no requires-python >=X.Y")
    return match.group(1)


def _typecheck(session: nox.Session) -> None:
    for package in PACKAGE_DIRS:
        session.run("mypy", "--strict", "--python-version", _lowest_python(package), package)
    # codegen/runtime* is checked above, as part of the packages it is copied into.
    session.run("mypy", "--strict", "--exclude", "^codegen/runtime", "codegen", "examples", "bench")


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff over the generator, the tests and the generated packages."""
    _install_generator(session)
    _lint(session)


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    """mypy --strict over both generated packages (with their lowest Python's typing rules) and the generator."""
    _install_generator(session)
    session.install("-r", "tests/requirements.txt")
    _install_packages(session)
    _typecheck(session)


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """The whole gate: generated code matches the spec, lint, types, then pytest."""
    _install_generator(session)
    session.install("-r", "tests/requirements.txt")
    session.run("python", "-m", "codegen", "generate", "--check")
    _install_packages(session)
    _lint(session)
    _typecheck(session)
    session.run("pytest", *session.posargs)


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
