"""Publishing facts of both packages: the SDK's release number per API revision, authors, links, classifiers.

The version is PEP 440 `YYYY.M.D.N`: the revision's date, then the SDK's own release number for
that revision, so a fix that changes no API type still gets a version of its own. N lives here
only (regenerating never resets it); bump it for every release and add the matching CHANGELOG.md
entry (a test keeps the two in step)."""

from __future__ import annotations

from typing import Final

from .project import MIN_PYTHON

# Release N of the SDK for each API revision; a revision that is not listed is at release 0.
SDK_RELEASES: Final[dict[str, int]] = {"2026-05-20": 0}

AUTHORS: Final = ({"name": "Gemini Interactions SDK authors"},)
LICENSE: Final = "Apache-2.0"
REPOSITORY: Final = "https://github.com/gemini-interactions/gemini-interactions-python"
DOCUMENTATION: Final = "https://gemini-interactions.github.io/gemini-interactions-python/"
CHANGELOG: Final = f"{REPOSITORY}/blob/main/CHANGELOG.md"
URLS: Final = (
    ("Homepage", REPOSITORY),
    ("Documentation", DOCUMENTATION),
    ("Repository", REPOSITORY),
    ("Issues", f"{REPOSITORY}/issues"),
    ("Changelog", CHANGELOG),
)
MAX_PYTHON_MINOR: Final = 13  # the newest Python the packages are tested on and declare
# Every supported Python, from project.MIN_PYTHON up: the classifiers list them and `nox -s tests` runs each present.
PYTHON_VERSIONS: Final = tuple(f"3.{minor}" for minor in range(int(MIN_PYTHON.split(".")[1]), MAX_PYTHON_MINOR + 1))
CLASSIFIERS: Final = (
    "Development Status :: 4 - Beta",
    "Intended Audience :: Developers",
    "Operating System :: OS Independent",
    "Programming Language :: Python :: 3",
    "Programming Language :: Python :: 3 :: Only",
    *(f"Programming Language :: Python :: {version}" for version in PYTHON_VERSIONS),
    "Topic :: Internet :: WWW/HTTP",
    "Topic :: Scientific/Engineering :: Artificial Intelligence",
    "Topic :: Software Development :: Libraries :: Python Modules",
    "Typing :: Typed",
)


def package_version(revision: str) -> str:
    """`2026-05-20` at release 3 -> `2026.5.20.3` (PEP 440: no leading zeros)."""
    year, month, day = (int(part) for part in revision.split("-"))
    return f"{year}.{month}.{day}.{SDK_RELEASES.get(revision, 0)}"


def pin(revision: str) -> str:
    """The specifier that pins a revision and takes every SDK release for it: `==2026.5.20.*`."""
    year, month, day = (int(part) for part in revision.split("-"))
    return f"=={year}.{month}.{day}.*"
