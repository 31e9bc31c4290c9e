"""Shared fixtures: the fake server and a `flavour` adapter that drives the sync or the async client the same way."""

from __future__ import annotations

import asyncio
import importlib.util
from collections.abc import AsyncIterator, Iterator
from types import ModuleType
from typing import Any

import gemini_interactions
import gemini_interactions_async
import pytest
from gemini_interactions.testing import InteractionsTestServer

# Both packages' plugins, opted into as a user would: each brings its own fixture (<package>_server).
pytest_plugins = [
    "pytester",
    "gemini_interactions.testing.pytest_plugin",
    "gemini_interactions_async.testing.pytest_plugin",
]

API_KEY = "test-key"

# The runtime-only sessions (`runtime`, `lowest`) have no generator tools: a module importing the generator
# itself is not even collected there (its tests are all marked `generator`).
collect_ignore = [] if importlib.util.find_spec("jinja2") else ["test_revisions.py"]


class Flavour:
    """One client flavour behind a single awaitable interface (sync calls simply run inline)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.is_async = name == "async"
        self.pkg: ModuleType = gemini_interactions_async if self.is_async else gemini_interactions
        self.types: Any = self.pkg.types
        self.client_class: Any = self.pkg.AsyncClient if self.is_async else self.pkg.Client
        self.stream_class: Any = self.pkg.AsyncStream if self.is_async else self.pkg.Stream
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


@pytest.fixture(params=["sync", "async"])
def flavour(request: pytest.FixtureRequest) -> Flavour:
    return Flavour(request.param)


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
