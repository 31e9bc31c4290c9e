"""What a stream may hold: one event at most `max_event_size` bytes (a line that never ends raises
EventTooLargeError at the bound), and, over a plain loop, nothing per event delivered."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import tracemalloc
from typing import Any

import pytest
from gemini_interactions._sse import BlockTooLargeError, SSEDecoder
from gemini_interactions.testing import InteractionsTestServer, Scenario, assemble

from .conftest import Flavour
from .local_http import LocalHTTPServer, QuietHandler

MODEL = "gemini-3-flash-preview"
TEXT = {"model": MODEL, "input": "Count to 25."}
MiB = 1024 * 1024

# --------------------------------------------------------------------------- the framer's bound


def test_an_unterminated_block_raises_once_it_passes_the_bound() -> None:
    decoder = SSEDecoder(max_event_size=100)
    assert [e.data for e in decoder.feed(b"data: " + b"x" * 94 + b"\n\n")] == ["x" * 94]  # 100 bytes: allowed
    assert decoder.feed(b"data: " + b"y" * 60) == []
    with pytest.raises(BlockTooLargeError) as info:
        decoder.feed(b"y" * 60)  # 126 pending bytes
    assert info.value.limit == 100 and info.value.blocks == []
    assert decoder._pending == 0 and decoder._pieces == []  # nothing of it is kept
    assert [e.data for e in decoder.feed(b"data: ok\n\n")] == ["ok"]


@pytest.mark.parametrize(
    "chunks",
    [
        [b"data: a\n\ndata: " + b"z" * 200 + b"\n\ndata: c\n\n"],  # a whole large block inside one chunk
        [b"data: a\n\ndata: " + b"z" * 200],  # its unterminated start
        [b"data: a\n\ndata: " + b"z" * 50, b"z" * 200 + b"\n\n"],  # completed by a later chunk
        [b"data: a\n\n", b"data: " + b"z" * 200 + b"\n\n"],  # the one-event-per-chunk fast path
        [b"data: a\r\n\r\ndata: " + b"z" * 200 + b"\r\n\r\n"],  # CRLF line endings
    ],
)
def test_the_events_before_a_too_large_one_are_kept(chunks: list[bytes]) -> None:
    decoder = SSEDecoder(max_event_size=100)
    seen: list[bytes] = []
    with pytest.raises(BlockTooLargeError) as info:
        for chunk in chunks:
            seen += decoder.blocks(chunk)
    assert seen + info.value.blocks == [b"data: a"]


def test_without_a_bound_large_blocks_pass() -> None:
    decoder = SSEDecoder()
    assert [len(e.data) for e in decoder.feed(b"data: " + b"x" * (3 * MiB) + b"\n\n")] == [3 * MiB]


async def test_the_client_setting(flavour: Flavour) -> None:
    client = flavour.client(base_url="http://127.0.0.1:9")
    try:
        assert client.max_event_size == 64 * MiB  # the documented default
    finally:
        await flavour.close(client)
    with pytest.raises(ValueError, match="max_event_size"):
        flavour.client(base_url="http://127.0.0.1:9", max_event_size=0)


# --------------------------------------------------------------------------- a line that never ends, over a socket

ENDLESS = 1024 * MiB  # what the server would send if the client kept reading


class EndlessLineHandler(QuietHandler):
    """One created event, then a step.delta whose data line goes on for 1 GiB, in 64 KiB chunks."""

    sent = 0

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        created = {"event_type": "interaction.created", "interaction": {"id": "v1_endless", "status": "in_progress"}}
        head = b"event: interaction.created\ndata: %s\n\n" % json.dumps(created).encode()
        first = head + b'event: step.delta\ndata: {"index": 0, "delta": {"type": "text", "text": "'
        piece = b"A" * (64 * 1024)
        try:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(first), first))
            sent = 0
            while sent < ENDLESS:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                sent += len(piece)
                type(self).sent = sent
        except OSError:  # the client closed the connection
            pass
        self.close_connection = True


async def test_a_line_that_never_ends_raises_at_the_bound(flavour: Flavour) -> None:
    limit = 8 * MiB
    EndlessLineHandler.sent = 0
    server = LocalHTTPServer(EndlessLineHandler)
    client = flavour.client(base_url=server.base_url, max_event_size=limit, max_retries=0)
    seen: list[str] = []
    tracemalloc.start()
    try:
        stream = await flavour.create(client, **TEXT, stream=True)
        with pytest.raises(flavour.pkg.EventTooLargeError) as info:
            if flavour.is_async:
                async for event in stream:
                    seen.append(event.event_type)
            else:
                for event in stream:
                    seen.append(event.event_type)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        await flavour.close(client)
        server.close()
    assert seen == ["interaction.created"]  # what came before it was delivered
    assert info.value.limit == limit and "max_event_size" in str(info.value)
    assert isinstance(info.value, flavour.pkg.APIError)
    # Read up to the bound, then the connection is closed: not the 1 GiB the server had to send.
    assert EndlessLineHandler.sent < limit + 64 * MiB, EndlessLineHandler.sent
    assert peak < 2 * limit + 8 * MiB, f"peak traced memory {peak / MiB:.1f} MiB"


# --------------------------------------------------------------------------- a plain loop keeps nothing per event

# In a child process: only the client is traced (the server, in this process, builds the events).
MEASURE = textwrap.dedent(
    """
    import asyncio, gc, json, sys, tracemalloc
    flavour, base_url = sys.argv[1], sys.argv[2]
    request = dict(model="gemini-3-flash-preview", input="Wait.", stream=True,
                   extra_headers={"x-test-scenario": sys.argv[3], "x-test-fault": "chunk=65536"})

    def held():
        gc.collect()
        return tracemalloc.get_traced_memory()[0]

    def measure_sync():
        from gemini_interactions import Client
        with Client(api_key="test-key", base_url=base_url) as client:
            list(client.interactions.create(**request))  # warm: validators built, pool filled
            tracemalloc.start()
            before = held()
            stream = client.interactions.create(**request)
            count = sum(1 for _ in stream)
            return count, held() - before  # the stream is still referenced

    async def measure_async():
        from gemini_interactions_async import AsyncClient
        async with AsyncClient(api_key="test-key", base_url=base_url) as client:
            [e async for e in await client.interactions.create(**request)]
            tracemalloc.start()
            before = held()
            stream = await client.interactions.create(**request)
            count = 0
            async for _ in stream:
                count += 1
            return count, held() - before

    count, growth = measure_sync() if flavour == "sync" else asyncio.run(measure_async())
    print(json.dumps({"events": count, "growth": growth}))
    """
)


def _waiting_scenario(name: str, updates: int) -> Scenario:
    events: list[dict[str, Any]] = [{"event_type": "interaction.created", "interaction": {"status": "in_progress"}}]
    events += [{"event_type": "interaction.status_update", "status": "in_progress"}] * updates
    events.append({"event_type": "interaction.completed", "interaction": {"status": "completed"}})
    return Scenario.from_dict({"name": name, "events": events})


def test_memory_during_a_plain_loop_is_flat_in_the_number_of_events(flavour: Flavour) -> None:
    growth = {}
    with InteractionsTestServer() as server:
        for updates in (10_000, 60_000):
            server.add_scenario(_waiting_scenario(f"wait_{updates}", updates))
            done = subprocess.run(
                [sys.executable, "-c", MEASURE, flavour.name, server.base_url, f"wait_{updates}"],
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert done.returncode == 0, done.stderr
            result = json.loads(done.stdout)
            assert result["events"] == updates + 2
            growth[updates] = result["growth"]
    # Keeping each event's JSON and every event id (as streams did) held about 120 bytes per event:
    # 6 MiB more here. What is left is the bounded window of recent event ids (to skip repeats
    # after a reconnect): the same for 10,000 events as for 60,000.
    assert growth[60_000] < 2 * MiB and growth[60_000] - growth[10_000] < 512 * 1024, growth


# --------------------------------------------------------------------------- the Interaction so far, at any point


async def test_the_interaction_so_far_at_every_event(
    flavour: Flavour, server: InteractionsTestServer, client: Any
) -> None:
    # The internal snapshot current_interaction() is to be built on: at every point, what the JSON
    # rules give for the events delivered so far.
    stream = await flavour.create(
        client,
        model=MODEL,
        input="What is the GCD of 1071 and 462?",
        stream=True,
        extra_headers={"x-test-scenario": "thinking"},
    )
    seen: list[dict[str, Any]] = []

    def check(event: Any) -> Any:
        seen.append(event.to_dict())
        snapshot = stream._interaction_so_far()
        assert snapshot == flavour.types.Interaction.model_validate(assemble(seen)), seen[-1]
        return snapshot

    if flavour.is_async:
        async for event in stream:
            snapshot = check(event)
    else:
        for event in stream:
            snapshot = check(event)
    assert len(seen) > 5
    final = (await flavour.final(stream)).to_dict()
    assert final.pop("continuation_ids") == [snapshot.id]  # a create's answer lists its hops (here one)
    assert snapshot.to_dict() == final
