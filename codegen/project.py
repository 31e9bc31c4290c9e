"""Facts about the repository that the generator, the noxfile and the tests all need: each is written here only.

Standard library only: the noxfile imports this module on whatever Python runs nox."""

from __future__ import annotations

from pathlib import Path

from .flavours import FLAVOURS

REPO_ROOT = Path(__file__).resolve().parent.parent
GENERATED_DIR = "generated"  # below the repository root: one folder per flavour

MIN_PYTHON = "3.10"  # the lowest Python the generated packages support
RUFF_TARGET = "py" + MIN_PYTHON.replace(".", "")  # ruff's spelling of MIN_PYTHON
LINE_LENGTH = 120  # of the generated code and of the repository's own

# Each flavour's installable project, and the import package inside it, relative to the repository root.
PACKAGE_PROJECTS = tuple(f"{GENERATED_DIR}/{flavour.name}" for flavour in FLAVOURS)
PACKAGE_DIRS = tuple(f"{GENERATED_DIR}/{flavour.name}/{flavour.package}" for flavour in FLAVOURS)
PACKAGES = tuple(flavour.package for flavour in FLAVOURS)

# ruff's settings for the generated packages: the generator formats with them and the lint session checks with
# them, isolated from any configuration so the output never depends on where it is produced.
GENERATED_RUFF = ("--isolated", "--line-length", str(LINE_LENGTH), "--target-version", RUFF_TARGET)
