"""Stream the scenarios of the Interactions API streaming guide through the sync and the async client.

    nox -s demo                # or: python examples/demo.py

Without GEMINI_API_KEY in the environment the demo starts the embedded fake server
(`gemini_interactions.testing.InteractionsTestServer`) and needs no network; with it, the same
requests go to the real API. Each scenario prints what arrives as it arrives: answer text, thought
summaries (💭), tool calls with their arguments, Google Search queries, image chunks and the final
token usage. Function calls are answered with a canned get_weather result in a second turn.

The printing lives in one `Printer` fed by both loops: the sync and the async packages generate the
same models in two modules, so it checks each event against both (`t.StepStart` and `at.StepStart`).
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TextIO

import gemini_interactions as gi
import gemini_interactions_async as gia
from gemini_interactions import types as t
from gemini_interactions.testing import InteractionsTestServer
from gemini_interactions_async import types as at

Event = t.InteractionSSEEvent | at.InteractionSSEEvent
Request = dict[str, Any]  # keyword arguments of client.interactions.create

WEATHER_TOOL: dict[str, Any] = {
    "type": "function",
    "name": "get_weather",
    "description": "Get the current weather in a given location",
    "parameters": {
        "type": "object",
        "properties": {
            "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
        },
        "required": ["location"],
    },
}


@dataclass(frozen=True)
class Scenario:
    title: str
    request: Request


# The guide's examples, in its order. The fake server picks its canned answer from the same fields
# (the input text, the tool types, the model or agent name), so no test headers are needed.
SCENARIOS = [
    Scenario("count to 25", {"model": "gemini-3-flash-preview", "input": "Count from 1 to 25."}),
    Scenario(
        "function calling",
        {
            "model": "gemini-3-flash-preview",
            "tools": [WEATHER_TOOL],
            "input": "What is the weather in Paris right now?",
        },
    ),
    Scenario(
        "google search + function",
        {
            "model": "gemini-3-flash-preview",
            "tools": [{"type": "google_search"}, WEATHER_TOOL],
            "input": "Search what is the highest mountain in Europe and what the weather is there right now?",
        },
    ),
    Scenario(
        "thinking summaries",
        {
            "model": "gemini-3-flash-preview",
            "input": "What is the greatest common divisor of 1071 and 462?",
            "generation_config": {"thinking_summaries": "auto"},
        },
    ),
    Scenario(
        "deep research agent",
        {
            "agent": "deep-research-preview-04-2026",
            "input": "Research the latest advances in quantum computing.",
            "background": True,
            "agent_config": {"type": "deep-research", "thinking_summaries": "auto"},
        },
    ),
    Scenario(
        "interleaved text and images",
        {
            "model": "gemini-3.1-flash-image-preview",
            "tools": [{"type": "google_search", "search_types": ["web_search", "image_search"]}],
            "input": "Search for the history of the Colosseum and write a short illustrated story about a gladiator "
            "named Marcus. Interleave text and generated images.",
            "response_format": [{"type": "text"}, {"type": "image"}],
        },
    ),
]

MAX_TURNS = 4  # a scenario that keeps asking for function results is a failure, not a loop


class DemoError(Exception):
    """A scenario did not end the way the demo expects."""


@dataclass
class FunctionCall:
    id: str
    name: str
    arguments: str = ""  # JSON, accumulated from arguments_delta chunks
    start_arguments: dict[str, Any] = field(default_factory=dict)  # what step.start carried (usually {})

    def parsed_arguments(self) -> dict[str, Any]:
        if not self.arguments:
            return self.start_arguments
        parsed = json.loads(self.arguments)
        if not isinstance(parsed, dict):
            raise DemoError(f"{self.name}: arguments are not a JSON object: {self.arguments!r}")
        return parsed


@dataclass
class Printer:
    """Prints one interaction's events as they arrive and remembers what the next turn needs."""

    out: TextIO = sys.stdout
    dim: bool = False
    interaction_id: str | None = None
    status: str | None = None
    total_tokens: int = 0
    text_chars: int = 0
    calls: list[FunctionCall] = field(default_factory=list)
    error: str | None = None
    _pending: dict[int, FunctionCall] = field(default_factory=dict)  # function_call steps by index
    _channel: str | None = None  # "text" or "thought" while a delta run is printing inline
    _at_line_start: bool = True

    def feed(self, event: Event) -> None:
        if isinstance(event, (t.InteractionCreatedEvent, at.InteractionCreatedEvent)):
            self.interaction_id = event.interaction.id
        elif isinstance(event, (t.StepStart, at.StepStart)):
            self._step_start(event.index, event.step)
        elif isinstance(event, (t.StepDelta, at.StepDelta)):
            self._delta(event.index, event.delta)
        elif isinstance(event, (t.StepStop, at.StepStop)):
            self._step_stop(event.index)
        elif isinstance(event, (t.InteractionStatusUpdate, at.InteractionStatusUpdate)):
            self.status = event.status
        elif isinstance(event, (t.InteractionCompletedEvent, at.InteractionCompletedEvent)):
            self.status = event.interaction.status
            usage = event.interaction.usage
            self.total_tokens = (usage.total_tokens or 0) if usage else 0
            self._line(f"✔ {self.status}, {self.total_tokens} tokens")
        elif isinstance(event, (t.ErrorEvent, at.ErrorEvent)):
            message = event.error.message if event.error else None
            code = event.error.code if event.error else None
            self.error = f"{code or 'error'}: {message or 'no message'}"
            self._line(f"✘ {self.error}")

    def _step_start(self, index: int, step: t.Step | at.Step) -> None:
        if isinstance(step, (t.FunctionCallStep, at.FunctionCallStep)):
            self._pending[index] = FunctionCall(step.id, step.name, start_arguments=step.arguments)
        elif isinstance(step, (t.GoogleSearchCallStep, at.GoogleSearchCallStep)) and step.arguments:
            self._queries(step.arguments.queries)

    def _delta(self, index: int, delta: t.StepDeltaData | at.StepDeltaData) -> None:
        if isinstance(delta, (t.TextDelta, at.TextDelta)):
            self._inline("text", delta.text)
            self.text_chars += len(delta.text)
        elif isinstance(delta, (t.ThoughtSummaryDelta, at.ThoughtSummaryDelta)):
            if isinstance(delta.content, (t.TextContent, at.TextContent)):
                self._inline("thought", delta.content.text)
        elif isinstance(delta, (t.ArgumentsDelta, at.ArgumentsDelta)):
            if index in self._pending:
                self._pending[index].arguments += delta.arguments or ""
        elif isinstance(delta, (t.GoogleSearchCallDelta, at.GoogleSearchCallDelta)):
            self._queries(delta.arguments.queries)
        elif isinstance(delta, (t.ImageDelta, at.ImageDelta)):
            size = len(base64.b64decode(delta.data)) if delta.data else 0
            self._line(f"[image: {size} bytes, {delta.mime_type or 'unknown type'}]")

    def _step_stop(self, index: int) -> None:
        self._end_inline()  # each thought or text step ends its own paragraph
        call = self._pending.pop(index, None)
        if call is not None:
            self._line(f"🔧 {call.name}({json.dumps(call.parsed_arguments(), ensure_ascii=False)})")
            self.calls.append(call)

    def _queries(self, queries: list[str] | None) -> None:
        if queries:
            self._line("🔎 google_search: " + "; ".join(queries))

    # Output: text and thought summaries stream inline; everything else gets a line of its own.
    def _inline(self, channel: str, text: str) -> None:
        if channel != self._channel:
            self._end_inline()
            self._channel = channel
            if channel == "thought":
                self._write(self._dimmed("💭 "))
        self._write(self._dimmed(text) if channel == "thought" else text)

    def _line(self, text: str) -> None:
        self._end_inline()
        self._write(text + "\n")

    def _end_inline(self) -> None:
        if self._channel is not None:
            self._channel = None
            if not self._at_line_start:
                self._write("\n")

    def _dimmed(self, text: str) -> str:
        return f"\x1b[2m{text}\x1b[0m" if self.dim else text

    def _write(self, text: str) -> None:
        if text:
            self._at_line_start = text.endswith(("\n", "\n\x1b[0m"))
        self.out.write(text)
        self.out.flush()


def next_turn(first: Request, printer: Printer) -> Request | None:
    """The request answering the function calls of a `requires_action` interaction, or None when it is done."""
    if printer.error:
        raise DemoError(printer.error)
    if printer.status != "requires_action":
        if printer.status not in ("completed", None):
            raise DemoError(f"interaction {printer.interaction_id} ended {printer.status}")
        return None
    if not printer.calls or printer.interaction_id is None:
        raise DemoError("requires_action without a function call to answer")
    results = [
        {
            "type": "function_result",
            "name": call.name,
            "call_id": call.id,
            "result": {
                "content": [
                    {"type": "text", "text": json.dumps(get_weather(str(call.parsed_arguments().get("location"))))}
                ]
            },
        }
        for call in printer.calls
    ]
    owner: Request = {key: first[key] for key in ("model", "agent") if key in first}
    return {**owner, "previous_interaction_id": printer.interaction_id, "input": results}


def get_weather(location: str) -> dict[str, str]:
    """The demo's stand-in for a real weather service."""
    return {"location": location, "weather": "Sunny and 22°C"}


@dataclass
class Totals:
    flavour: str
    scenarios: int = 0
    turns: int = 0
    tokens: int = 0
    text_chars: int = 0
    started: float = field(default_factory=time.monotonic)

    def add(self, printer: Printer) -> None:
        self.turns += 1
        self.tokens += printer.total_tokens
        self.text_chars += printer.text_chars

    def summary(self) -> str:
        return (
            f"{self.flavour}: {self.scenarios} scenarios, {self.turns} interactions, {self.text_chars} characters "
            f"of text, {self.tokens} tokens in {time.monotonic() - self.started:.2f} s"
        )


def banner(flavour: str, scenario: Scenario, turn: int) -> None:
    suffix = f" (turn {turn})" if turn > 1 else ""
    print(f"\n── {flavour} · {scenario.title}{suffix} ──", flush=True)


def use_dim() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def run_sync(connection: dict[str, Any]) -> Totals:
    totals = Totals("sync")
    with gi.Client(**connection) as client:
        for scenario in SCENARIOS:
            request: Request | None = scenario.request
            turn = 0
            while request is not None:
                turn += 1
                if turn > MAX_TURNS:
                    raise DemoError(f"{scenario.title}: still asking for function results after {MAX_TURNS} turns")
                banner("sync", scenario, turn)
                printer = Printer(dim=use_dim())
                with client.interactions.create(**request, stream=True) as stream:
                    for event in stream:
                        printer.feed(event)
                totals.add(printer)
                request = next_turn(scenario.request, printer)
            totals.scenarios += 1
    return totals


async def run_async(connection: dict[str, Any]) -> Totals:
    totals = Totals("async")
    async with gia.AsyncClient(**connection) as client:
        for scenario in SCENARIOS:
            request: Request | None = scenario.request
            turn = 0
            while request is not None:
                turn += 1
                if turn > MAX_TURNS:
                    raise DemoError(f"{scenario.title}: still asking for function results after {MAX_TURNS} turns")
                banner("async", scenario, turn)
                printer = Printer(dim=use_dim())
                async with await client.interactions.create(**request, stream=True) as stream:
                    async for event in stream:
                        printer.feed(event)
                totals.add(printer)
                request = next_turn(scenario.request, printer)
            totals.scenarios += 1
    return totals


@contextmanager
def connection() -> Iterator[dict[str, Any]]:
    """Client settings: the real API when GEMINI_API_KEY is set, else the embedded fake server."""
    api_key = os.environ.get("GEMINI_API_KEY")
    if api_key:
        print("Using the Gemini API (GEMINI_API_KEY is set).")
        yield {"api_key": api_key}
        return
    with InteractionsTestServer() as server:
        print(f"GEMINI_API_KEY is not set: using the embedded test server at {server.base_url}")
        yield {"api_key": "test-key", "base_url": server.base_url}


def main() -> int:
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(errors="replace")  # emoji on consoles that cannot show them
    flavour = "sync"
    try:
        with connection() as settings:
            sync_totals = run_sync(settings)
            flavour = "async"
            async_totals = asyncio.run(run_async(settings))
    except (gi.GeminiInteractionsError, gia.GeminiInteractionsError, DemoError) as exc:
        print(f"\ndemo failed ({flavour} client): {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    print()
    print(sync_totals.summary())
    print(async_totals.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
