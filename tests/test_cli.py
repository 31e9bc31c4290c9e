"""The `gemini-interactions` terminal command and examples/demo.py, run as users run them: subprocesses."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from gemini_interactions.testing import InteractionsTestServer

from .conftest import API_KEY

ROOT = Path(__file__).resolve().parent.parent
COUNT_TEXT = "1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25."
TIMEOUT = 60


def _command() -> list[str]:
    """The installed console script next to this interpreter, else the module."""
    script = shutil.which("gemini-interactions", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "gemini_interactions.cli"]


def _env() -> dict[str, str]:
    """The environment without API keys, so only --api-key decides."""
    env = {k: v for k, v in os.environ.items() if k not in ("GEMINI_API_KEY", "GOOGLE_API_KEY", "NO_COLOR")}
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*_command(), *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=_env(),
        timeout=TIMEOUT,
        check=False,
    )


def connect(server: InteractionsTestServer) -> list[str]:
    return ["--base-url", server.base_url, "--api-key", API_KEY]


def test_streams_the_answer(server: InteractionsTestServer) -> None:
    result = run_cli("Count to 25", "--model", "gemini-3-flash-preview", *connect(server))
    assert result.returncode == 0, result.stderr
    assert COUNT_TEXT in result.stdout
    assert "\x1b[" not in result.stdout  # not a terminal: no ANSI codes
    assert server.requests[-1].body["model"] == "gemini-3-flash-preview"
    assert server.requests[-1].body["stream"] is True


def test_thinking_shows_summaries_only_when_asked(server: InteractionsTestServer) -> None:
    plain = run_cli("What is the greatest common divisor of 1071 and 462?", *connect(server))
    assert plain.returncode == 0, plain.stderr
    assert "is **21**" in plain.stdout
    assert "Applying the Euclidean algorithm" not in plain.stdout
    assert "generation_config" not in server.requests[-1].body

    thinking = run_cli("What is the greatest common divisor of 1071 and 462?", "--thinking", *connect(server))
    assert thinking.returncode == 0, thinking.stderr
    assert "Applying the Euclidean algorithm" in thinking.stdout
    assert thinking.stdout.index("Applying the Euclidean") < thinking.stdout.index("is **21**")
    assert server.requests[-1].body["generation_config"] == {"thinking_summaries": "auto"}


def test_prompt_from_stdin(server: InteractionsTestServer) -> None:
    result = run_cli("-", *connect(server), stdin="Please count from 1 to 25\n")
    assert result.returncode == 0, result.stderr
    assert COUNT_TEXT in result.stdout
    assert server.requests[-1].body["input"] == "Please count from 1 to 25\n"


def test_tool_calls_are_shown() -> None:
    with InteractionsTestServer(default_scenario="search_and_function") as server:
        result = run_cli("Highest mountain in Europe and its weather?", *connect(server))
    assert result.returncode == 0, result.stderr
    assert "google_search: highest mountain in the Alps" in result.stdout
    assert 'get_weather({"location":"Mont Blanc, France"})' in result.stdout


def test_json_prints_one_event_per_line(server: InteractionsTestServer) -> None:
    result = run_cli("Count to 25", "--json", *connect(server))
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert all("event_type" in event for event in events)
    assert events[0]["event_type"] == "interaction.created"
    assert events[-1]["event_type"] == "interaction.completed"
    deltas = [e["delta"] for e in events if e["event_type"] == "step.delta"]
    text = "".join(d["text"] for d in deltas if d["type"] == "text")
    assert text == COUNT_TEXT


def test_no_stream_prints_the_final_text(server: InteractionsTestServer) -> None:
    result = run_cli("Count to 25", "--no-stream", *connect(server))
    assert result.returncode == 0, result.stderr
    assert result.stdout == COUNT_TEXT + "\n"
    assert "stream" not in server.requests[-1].body


def test_agent_runs_in_the_background(server: InteractionsTestServer) -> None:
    result = run_cli("Research quantum computing.", "--agent", "deep-research-preview-04-2026", *connect(server))
    assert result.returncode == 0, result.stderr
    assert "# Quantum Computing in 2026" in result.stdout
    body = server.requests[-1].body
    assert body["agent"] == "deep-research-preview-04-2026"
    assert body["background"] is True
    assert "model" not in body


def test_a_queued_agent_run_is_waited_for_not_left_silently(server: InteractionsTestServer) -> None:
    server.add_scenario(
        {
            "name": "queued_agent",
            "match": {"agent": ["deep-research*"]},
            "priority": 10,
            "agent": "deep-research-preview-04-2026",
            "queued_polls": 1,
            "polls_until_done": 1,
            "steps": [{"step": {"type": "model_output"}, "deltas": [{"type": "text", "text": "The report."}]}],
        }
    )
    result = run_cli("Research it.", "--agent", "deep-research-preview-04-2026", "--no-stream", *connect(server))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "The report.\n"
    assert ": queued" in result.stderr and ": in_progress" in result.stderr and ": completed" in result.stderr
    assert [r.method for r in server.requests] == ["POST", "GET", "GET", "GET"]
    assert server.requests[0].body["background"] is True


def test_a_failed_agent_run_exits_with_an_error(server: InteractionsTestServer) -> None:
    server.add_scenario(
        {
            "name": "failing_agent",
            "match": {"agent": ["deep-research*"]},
            "priority": 10,
            "polls_until_done": 1,
            "steps": [],
            "status": "failed",
        }
    )
    result = run_cli("Research it.", "--agent", "deep-research-preview-04-2026", "--no-stream", *connect(server))
    assert result.returncode == 1
    assert "status failed" in result.stderr


def test_missing_key_is_a_usage_error(server: InteractionsTestServer) -> None:
    result = run_cli("Count to 25", "--base-url", server.base_url)
    assert result.returncode == 2
    assert "No API key" in result.stderr
    assert "GEMINI_API_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_wrong_key_is_an_api_error_without_the_key(server: InteractionsTestServer) -> None:
    secret = "AIza-wrong-key-3f9c1e"
    result = run_cli("Count to 25", "--base-url", server.base_url, "--api-key", secret)
    assert result.returncode == 1
    assert "403" in result.stderr
    assert "API key not valid" in result.stderr
    assert secret not in result.stderr
    assert secret not in result.stdout
    assert "Traceback" not in result.stderr


def test_usage_errors_exit_2() -> None:
    assert run_cli().returncode == 2
    conflicting = run_cli("hi", "--model", "m", "--agent", "a", "--api-key", API_KEY)
    assert conflicting.returncode == 2
    assert "not allowed" in conflicting.stderr


def test_module_entry_point(server: InteractionsTestServer) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "gemini_interactions.cli", "Count to 25", *connect(server)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=_env(),
        timeout=TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert COUNT_TEXT in result.stdout


def test_demo_runs_every_scenario_in_both_flavours() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "demo.py")],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=_env(),
        cwd=ROOT,
        timeout=TIMEOUT * 2,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "embedded test server" in out
    for flavour in ("sync", "async"):
        assert f"── {flavour} · count to 25 ──" in out
        assert f"\n{flavour}: 6 scenarios, 8 interactions" in out
    assert out.count(COUNT_TEXT) == 2
    assert out.count("It is currently sunny and 22°C in Paris, France.") == 4  # two tool scenarios, two flavours
    assert out.count('🔧 get_weather({"location": "Paris, France"})') == 2
    assert out.count("🔎 google_search: highest mountain in the Alps") == 2
    assert out.count("💭 **Applying the Euclidean algorithm**") == 2
    assert out.count("[image: 74 bytes, image/png]") == 4
    assert out.count("✔ completed, 231 tokens") == 2
