"""examples/tool_loop.py and examples/structured_extraction.py run as users run them, against the embedded server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def run(name: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("GEMINI_API_KEY", "GOOGLE_API_KEY")}
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / name)], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_tool_loop_runs_both_functions_and_answers() -> None:
    out = run("tool_loop.py").splitlines()
    assert out[0].startswith("get_weather({'city': ") and "'temperature': 21" in out[0]
    assert out[1] == "local_time({'city': 'city sample'}) -> 14:05"
    assert out[2].startswith("2 turns: Results: get_weather: ") and 'local_time: "14:05"' in out[2]


def test_structured_extraction_streams_partial_objects_then_the_model() -> None:
    out = run("structured_extraction.py").splitlines()
    partial = [line for line in out if line.startswith("so far: ")]
    assert len(set(partial)) >= 3, "the object grows over several deltas"
    assert partial[0].startswith("so far: {'name': '") and "known_for" in partial[-1]
    assert "parsed: name='name sample' born=3 known_for=['known_for sample', 'known_for sample']" in out
    assert out[-1] == "everyone: ['name sample', 'name sample']"
