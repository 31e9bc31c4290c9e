"""Shared fixtures and constants: the fake server, and a `flavour` adapter that drives the sync or the async client
the same way, so one test body covers both."""

from __future__ import annotations

import asyncio
import functools
import importlib
import importlib.util
import json
from collections.abc import AsyncIterator, Iterator
from types import ModuleType
from typing import Any

import pytest
from gemini_interactions.testing import InteractionsTestServer

from codegen import flavours
from codegen.loader import current_revision, load_spec, spec_path
from codegen.project import REPO_ROOT

from .hostile import HostileServer

REPO = REPO_ROOT
REVISION = current_revision()  # spec/CURRENT: the revision both packages pin; the others: test_revisions.py
# Both packages' plugins, opted into as a user would: each brings its own fixture (<package>_server).
pytest_plugins = [
    "pytester",
    "gemini_interactions.testing.pytest_plugin",
    "gemini_interactions_async.testing.pytest_plugin",
]

API_KEY = "test-key"
SECRET = "AIzaSy-very-secret-key-0123456789"  # a key that must never show up outside the request headers
MODEL = "gemini-3-flash-preview"
WEATHER_TOOL: dict[str, Any] = {
    "type": "function",
    "name": "get_weather",
    "description": "Get the current weather in a given location",
    "parameters": {
        "type": "object",
        "properties": {"location": {"type": "string"}},
        "required": ["location"],
    },
}
FUNCTION_RESULT_INPUT: list[dict[str, Any]] = [
    {
        "type": "function_result",
        "name": "get_weather",
        "call_id": "fc_1",
        "result": {"content": [{"type": "text", "text": "Sunny, 22°C"}]},
    }
]

# scenario name -> create() kwargs that select it without x-test-scenario
SCENARIO_REQUESTS: dict[str, dict[str, Any]] = {
    "text": {"model": MODEL, "input": "Count from 1 to 25."},
    "thinking": {
        "model": MODEL,
        "input": "What is the greatest common divisor of 1071 and 462?",
        "generation_config": {"thinking_summaries": "auto"},
    },
    "function_call": {"model": MODEL, "input": "What is the weather in Paris right now?", "tools": [WEATHER_TOOL]},
    "function_call_result": {"model": MODEL, "input": FUNCTION_RESULT_INPUT},
    "search_and_function": {
        "model": MODEL,
        "input": "Highest mountain in the Alps and its weather now?",
        "tools": [{"type": "google_search"}, WEATHER_TOOL],
    },
    "interleaved_image": {
        "model": "gemini-3.1-flash-image-preview",
        "input": "Write a short illustrated story. Interleave text and images.",
        "response_format": [{"type": "text"}, {"type": "image"}],
    },
    "deep_research_agent": {
        "agent": "deep-research-preview-04-2026",
        "input": "Research the latest advances in quantum computing.",
        "background": True,
        "agent_config": {"type": "deep-research", "thinking_summaries": "auto"},
    },
}
TEXT = SCENARIO_REQUESTS["text"]  # the plain text scenario: what most tests send


@functools.cache
def current_spec() -> dict[str, Any]:
    """spec/<REVISION>/openapi.yaml, read once (do not modify it)."""
    return load_spec(spec_path(REVISION)).document


def dump(event: Any) -> dict[str, Any]:
    """An event or model as the JSON it was parsed from."""
    data: dict[str, Any] = event.model_dump(mode="json", by_alias=True, exclude_unset=True)
    return data


def sent_events(server: InteractionsTestServer, interaction_id: str) -> list[dict[str, Any]]:
    """The exact JSON payloads the server streams for an interaction."""
    events: list[dict[str, Any]] = json.loads(json.dumps(server.interactions[interaction_id].events))
    return events


# The runtime-only sessions (`runtime`, `lowest`) have no generator tools: a module importing the generator
# or a 3.11-only module is not even collected there (its tests are all marked `generator`).
# (test_generation.py also reads pyproject files with tomllib, which Python 3.10 lacks.)
collect_ignore = (
    []
    if importlib.util.find_spec("jinja2")
    else ["test_revisions.py", "test_generation.py", "test_import_reference.py", "test_models_module.py"]
)


class Flavour:
    """One client flavour behind a single awaitable interface (sync calls simply run inline).

    The clients, streams and models it hands out are typed `Any`: each test body serves two packages whose classes
    share a shape but not a type."""

    def __init__(self, spec: flavours.Flavour) -> None:
        self.spec = spec
        self.name = spec.name
        self.is_async = spec.is_async
        self.pkg: ModuleType = importlib.import_module(spec.package)
        self.types: Any = self.pkg.types
        self.client_class: Any = getattr(self.pkg, spec.client_class)
        self.stream_class: Any = getattr(self.pkg, spec.stream_class)
        self.logger_name = self.pkg.__name__

    def __repr__(self) -> str:
        return self.name

    def client(self, server: InteractionsTestServer | None = None, **kwargs: Any) -> Any:
        if server is not None:
            kwargs.setdefault("base_url", server.base_url)
        kwargs.setdefault("api_key", API_KEY)
        return self.client_class(**kwargs)

    async def aw(self, value: Any) -> Any:
        return await value if self.is_async else value

    async def create(self, client: Any, **kwargs: Any) -> Any:
        return await self.aw(client.interactions.create(**kwargs))

    async def get(self, client: Any, interaction_id: str, **kwargs: Any) -> Any:
        return await self.aw(client.interactions.get(interaction_id, **kwargs))

    async def cancel(self, client: Any, interaction_id: str, **kwargs: Any) -> Any:
        return await self.aw(client.interactions.cancel(interaction_id, **kwargs))

    async def delete(self, client: Any, interaction_id: str, **kwargs: Any) -> Any:
        return await self.aw(client.interactions.delete(interaction_id, **kwargs))

    async def events(self, stream: Any) -> list[Any]:
        if self.is_async:
            return [event async for event in stream]
        return list(stream)

    async def stream_events(self, client: Any, **kwargs: Any) -> tuple[Any, list[Any]]:
        stream = await self.create(client, stream=True, **kwargs)
        return stream, await self.events(stream)

    async def first_n(self, stream: Any, n: int) -> list[Any]:
        """Take n events, then break out of the loop."""
        got: list[Any] = []
        if self.is_async:
            async for event in stream:
                got.append(event)
                if len(got) == n:
                    break
        else:
            for event in stream:
                got.append(event)
                if len(got) == n:
                    break
        return got

    def iterator(self, stream: Any) -> Any:
        return aiter(stream) if self.is_async else iter(stream)

    async def next(self, iterator: Any) -> Any:
        return await anext(iterator) if self.is_async else next(iterator)

    async def final(self, stream: Any) -> Any:
        return await self.aw(stream.final_interaction())

    async def wait_for_disconnects(self, server: InteractionsTestServer, count: int = 1) -> list[Any]:
        # Off the event loop: asyncio closes a socket on the loop's next turn, so blocking it would hide the close.
        return await asyncio.to_thread(server.wait_for_disconnects, count, 5.0)

    async def close(self, obj: Any) -> None:
        await self.aw(obj.close())


@pytest.fixture(params=flavours.FLAVOURS, ids=[f.name for f in flavours.FLAVOURS])
def flavour(request: pytest.FixtureRequest) -> Flavour:
    return Flavour(request.param)


@pytest.fixture
def hostile() -> Iterator[list[HostileServer]]:
    """The hostile servers a test starts (tests/hostile.py), closed after it."""
    servers: list[HostileServer] = []
    yield servers
    for server in servers:
        server.close()


@pytest.fixture
def server() -> Iterator[InteractionsTestServer]:
    with InteractionsTestServer() as srv:
        yield srv


@pytest.fixture
async def client(flavour: Flavour, server: InteractionsTestServer) -> AsyncIterator[Any]:
    c = flavour.client(server)
    try:
        yield c
    finally:
        await flavour.close(c)
