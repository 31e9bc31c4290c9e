"""The sdists and wheels `nox -s build` writes to dist/: exactly the package's files plus license and metadata,
and each wheel, installed into a fresh virtual environment, streams from its embedded server.

Run by `nox -s build` (which sets GEMINI_DIST_DIR); skipped, with a message, anywhere else."""

from __future__ import annotations

import email.parser
import os
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DIST = Path(os.environ["GEMINI_DIST_DIR"]) if os.environ.get("GEMINI_DIST_DIR") else None
pytestmark = pytest.mark.skipif(DIST is None, reason="checks dist/: run `nox -s build`")

PACKAGES = {"sync": "gemini_interactions", "async": "gemini_interactions_async"}

SMOKE = """
import asyncio, importlib, sys
package = importlib.import_module(sys.argv[1])
from importlib import import_module
testing = import_module(sys.argv[1] + ".testing")
assert package.__file__.startswith(sys.prefix), package.__file__  # the wheel's copy, not the repository's

async def main():
    with testing.InteractionsTestServer() as server:
        kwargs = dict(api_key="test-key", base_url=server.base_url)
        request = dict(model="gemini-3-flash-preview", input="Count to 25.", stream=True)
        if sys.argv[1].endswith("_async"):
            async with package.AsyncClient(**kwargs) as client:
                async with await client.interactions.create(**request) as stream:
                    return [event async for event in stream]
        with package.Client(**kwargs) as client:
            with client.interactions.create(**request) as stream:
                return list(stream)

events = asyncio.run(main())
text = "".join(e.delta.text for e in events if e.event_type == "step.delta" and e.delta.type == "text")
assert events[-1].event_type == "interaction.completed", events[-1]
print(package.__version__, len(events), text)
"""


def _package_files(flavour: str) -> set[str]:
    """The files the wheel must hold: generated/<flavour>/<package>/**, as the generator wrote them."""
    root = REPO / "generated" / flavour
    return {
        p.relative_to(root).as_posix()
        for p in (root / PACKAGES[flavour]).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def _version(flavour: str) -> str:
    source = (REPO / "generated" / flavour / PACKAGES[flavour] / "_version.py").read_text(encoding="utf-8")
    return source.split('__version__: Final = "', 1)[1].split('"', 1)[0]


def _artifact(flavour: str, suffix: str) -> Path:
    assert DIST is not None
    name = f"{PACKAGES[flavour]}-{_version(flavour)}{suffix}"
    path = DIST / name
    assert path.is_file(), f"{name} not in {sorted(p.name for p in DIST.iterdir())}"
    return path


def test_dist_holds_one_sdist_and_one_wheel_per_package() -> None:
    assert DIST is not None
    expected = {_artifact(f, s).name for f in PACKAGES for s in (".tar.gz", "-py3-none-any.whl")}
    assert {p.name for p in DIST.iterdir()} == expected


@pytest.mark.parametrize("flavour", PACKAGES)
def test_wheel_holds_the_package_the_license_and_nothing_else(flavour: str) -> None:
    wheel = _artifact(flavour, "-py3-none-any.whl")
    dist_info = f"{PACKAGES[flavour]}-{_version(flavour)}.dist-info"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = email.parser.Parser().parsestr(archive.read(f"{dist_info}/METADATA").decode())
        license_text = archive.read(f"{dist_info}/licenses/LICENSE").decode()
    package = {n for n in names if not n.startswith(dist_info + "/")}
    assert package == _package_files(flavour)  # no tests, caches or stray files, nothing missing
    assert f"{PACKAGES[flavour]}/py.typed" in package
    assert any(n.startswith(f"{PACKAGES[flavour]}/testing/scenarios/") and n.endswith(".json") for n in package)
    assert license_text == (REPO / "LICENSE").read_text(encoding="utf-8")
    assert metadata["License-Expression"] == "Apache-2.0"
    assert metadata.get_all("License-File") == ["LICENSE"]
    assert metadata["Version"] == _version(flavour)
    assert {url.split(",")[0] for url in metadata.get_all("Project-URL") or []} >= {"Documentation", "Repository"}
    assert "Operating System :: OS Independent" in (metadata.get_all("Classifier") or [])
    assert f"pip install {metadata['Name']}" in metadata.get_payload()  # the PyPI page: the package's README
    assert not [n for n in names if "__pycache__" in n or n.endswith((".pyc", ".orig", ".rej"))]


@pytest.mark.parametrize("flavour", PACKAGES)
def test_sdist_holds_the_package_readme_license_and_pyproject(flavour: str) -> None:
    sdist = _artifact(flavour, ".tar.gz")
    top = sdist.name.removesuffix(".tar.gz")
    with tarfile.open(sdist) as archive:
        names = {m.name.removeprefix(top + "/") for m in archive.getmembers() if m.isfile()}
    assert names == _package_files(flavour) | {"LICENSE", "README.md", "pyproject.toml", "PKG-INFO", ".gitignore"}


@pytest.mark.parametrize("flavour", PACKAGES)
def test_the_wheel_installed_alone_streams_from_its_embedded_server(flavour: str, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    wheel = _artifact(flavour, "-py3-none-any.whl")
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)], check=True, timeout=600
    )
    result = subprocess.run(
        [python, "-c", SMOKE, PACKAGES[flavour]], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    version, count, text = result.stdout.split(" ", 2)
    assert version == _version(flavour) and int(count) > 2
    assert text.startswith("1, 2, 3") and text.strip().endswith("25.")
    assert sys.prefix not in result.stdout
