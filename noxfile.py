"""Sessions: generate, spec-diff, lint, typecheck, tests (all of those plus pytest), demo, bench."""

from __future__ import annotations

import sys
from pathlib import Path

import nox

ROOT = Path(__file__).parent
sys.path.insert(0, str(ROOT))  # codegen.project holds the facts below; it needs nothing but the standard library
from codegen.project import GENERATED_RUFF, MIN_PYTHON, PACKAGE_DIRS, PACKAGE_PROJECTS  # noqa: E402

nox.options.sessions = ["tests"]
nox.options.reuse_existing_virtualenvs = True
nox.options.default_venv_backend = "venv"

PYTHON = "3.11"  # the Python the sessions run on (the generated packages support MIN_PYTHON and up)
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
