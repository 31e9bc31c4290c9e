"""A type checker catches wrong arguments to create() in both packages: mypy --strict over small snippets.

examples/typed_usage.py shows what must type-check (nox runs mypy over it); this shows what must not.
Each line marked `# error` must draw a mypy error, and no other line may."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from codegen import flavours

SNIPPET = """\
from {package} import {client}


async def calls(client: {client}) -> None:
    {await_}client.interactions.create(model="m", input="Hi", tools=[{{"type": "function", "name": "f"}}])
    {await_}client.interactions.create(model="m", input=[{{"type": "text", "text": "Hi"}}])
    {await_}client.interactions.create(model="m", input={{"type": "text", "text": "Hi"}})
    {await_}client.interactions.create(model="m", input=[{{"type": "function_result", "call_id": "c", "result": "ok"}}])
    {await_}client.interactions.create(model="m", input="Hi", response_format=[{{"type": "text"}}, {{"type": "image"}}])
    {await_}client.interactions.create(agent="a", input="Hi", agent_config={{"type": "deep-research"}}, background=True)
    {await_}client.interactions.create(model="m", input="Hi", tools=[{{"type": "function", "name": 5}}])  # error
    {await_}client.interactions.create(model="m", input="Hi", tools=[{{"type": "google_search", "bogus": 1}}])  # error
    {await_}client.interactions.create(model="m", input="Hi", generation_config={{"temperature": "hot"}})  # error
    {await_}client.interactions.create(model="m", input=[{{"type": "text"}}])  # error
    {await_}client.interactions.create(model="m", input="Hi", safety_settings=[{{"type": "harassment"}}])  # error
    {await_}client.interactions.create(model="m", input="Hi", temprature=1)  # error
    {await_}client.interactions.create(model="m", input="Hi", labels={{"team": 1}})  # error
"""
pytestmark = pytest.mark.generator  # runs mypy

FLAVOURS = {f.name: {"package": f.package, "client": f.client_class, "await_": f.await_} for f in flavours.FLAVOURS}


@pytest.fixture(scope="module")
def mypy_output(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """One mypy run over a snippet per package (one run: mypy's start-up dominates)."""
    root = tmp_path_factory.mktemp("typing")
    for flavour, words in FLAVOURS.items():
        (root / f"snippet_{flavour}.py").write_text(SNIPPET.format(**words), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "--cache-dir", str(root / "cache")]
        + [str(root / f"snippet_{flavour}.py") for flavour in sorted(FLAVOURS)],
        capture_output=True,
        text=True,
        check=False,
    )
    return root, result.stdout


@pytest.mark.parametrize("flavour", sorted(FLAVOURS))
def test_mypy_rejects_wrong_dict_arguments(flavour: str, mypy_output: tuple[Path, str]) -> None:
    root, stdout = mypy_output
    source = (root / f"snippet_{flavour}.py").read_text(encoding="utf-8")
    flagged = {int(n) for n in re.findall(rf"snippet_{flavour}\.py:(\d+): error", stdout)}
    expected = {n for n, line in enumerate(source.splitlines(), start=1) if line.endswith("# error")}
    assert flagged == expected, stdout
