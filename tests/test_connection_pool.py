"""The connection pool as a client setting: `max_connections` bounds the connections one client opens and
reuses, and waiting for a free one past `Timeout.pool` is its own error; both flavours, over real sockets.

The embedded server records the client-side (host, port) behind each request: distinct ports are
distinct TCP connections."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from typing import Any

import pytest
from gemini_interactions.testing import InteractionsTestServer

from .conftest import TEXT, Flavour


def connections_opened(server: InteractionsTestServer) -> int:
    return len({r.client_address for r in server.requests})


async def many_streams(flavour: Flavour, client: Any, workers: int, per_worker: int) -> list[int]:
    """`workers` threads (sync) or tasks (async) each reading `per_worker` whole streams; events per stream.

    The streams are GETs of one interaction: idempotent, so a connection the test server's small listen
    backlog resets under a burst of connects is retried rather than failing the test."""
    interaction_id = (await flavour.create(client, **TEXT)).id
    if flavour.is_async:

        async def worker() -> list[int]:
            return [
                len(await flavour.events(await flavour.get(client, interaction_id, stream=True)))
                for _ in range(per_worker)
            ]

        return [n for batch in await asyncio.gather(*(worker() for _ in range(workers))) for n in batch]
    start = threading.Barrier(workers)  # every thread asks at once, so the pool is contended
    counts: list[int] = []
    failures: list[BaseException] = []

    def thread() -> None:
        try:
            start.wait(60)  # a handshake, not a timing: generous for a loaded machine
            for _ in range(per_worker):
                counts.append(len(list(client.interactions.get(interaction_id, stream=True))))
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=thread) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not failures, failures
    return counts


async def test_max_connections_bounds_and_reuses_the_pool(
    flavour: Flavour, server: InteractionsTestServer, caplog: pytest.LogCaptureFixture
) -> None:
    client = flavour.client(server, max_connections=3)
    assert client.max_connections == 3
    with caplog.at_level(logging.WARNING):
        counts = await many_streams(flavour, client, workers=12, per_worker=3)
    await flavour.close(client)
    assert len(counts) == 36 and len(set(counts)) == 1 and counts[0] > 0, counts  # every stream whole
    assert 1 <= connections_opened(server) <= 3
    assert "Connection pool is full" not in caplog.text


async def test_the_default_pool_serves_32_workers_without_dropping_connections(
    flavour: Flavour, server: InteractionsTestServer, caplog: pytest.LogCaptureFixture
) -> None:
    client = flavour.client(server)
    assert client.max_connections == 1000
    with caplog.at_level(logging.WARNING):
        counts = await many_streams(flavour, client, workers=32, per_worker=2)
    await flavour.close(client)
    assert len(counts) == 64 and len(set(counts)) == 1
    # At most one connection per worker: the second stream of each reuses a connection, none is thrown away.
    assert connections_opened(server) <= 32
    assert "Connection pool is full" not in caplog.text


async def test_waiting_for_a_free_connection_is_a_pool_timeout_not_a_server_timeout(
    flavour: Flavour, server: InteractionsTestServer
) -> None:
    client = flavour.client(server, max_connections=1, max_retries=2)
    # A slow stream keeps the only connection (a short one would be read to its end and give it back).
    holding = await flavour.create(client, stream=True, extra_headers={"x-test-fault": "delay=2"}, **TEXT)
    holding_events = flavour.iterator(holding)
    await flavour.next(holding_events)
    short = flavour.pkg.Timeout(connect=0.1, read=5.0, pool=0.1)
    with pytest.raises(flavour.pkg.APIPoolTimeoutError) as caught:
        await flavour.create(client, stream=True, timeout=short, **TEXT)
    assert isinstance(caught.value, flavour.pkg.APITimeoutError)
    assert "max_connections" in caught.value.message and "free connection" in caught.value.message
    assert len(server.requests) == 1  # the waiting request was never sent, nor retried onto the wire
    await flavour.close(holding)  # the slot comes free (the connection of a stream left unread is closed)...
    _, events = await flavour.stream_events(client, timeout=short, **TEXT)  # ...and the next call gets it
    _, again = await flavour.stream_events(client, timeout=short, **TEXT)
    await flavour.close(client)
    assert len(events) == len(again) > 0
    assert connections_opened(server) == 2  # the slow stream's, then one reused by both later calls


async def test_the_deadline_cuts_a_wait_for_a_free_connection(flavour: Flavour, server: InteractionsTestServer) -> None:
    client = flavour.client(server, max_connections=1, max_retries=2)
    holding = await flavour.create(client, stream=True, extra_headers={"x-test-fault": "delay=2"}, **TEXT)
    holding_events = flavour.iterator(holding)
    await flavour.next(holding_events)
    # Timeout.pool=None waits as long as it takes: only the call's deadline can end this wait.
    unbounded = flavour.pkg.Timeout(connect=5.0, read=60.0, pool=None)
    with pytest.raises(flavour.pkg.APIPoolTimeoutError, match="deadline passed while waiting for a free connection"):
        await flavour.create(client, stream=True, timeout=unbounded, deadline=0.3, **TEXT)
    assert len(server.requests) == 1  # the waiting request was never sent
    await flavour.close(holding)
    await flavour.close(client)


async def test_max_connections_is_checked(flavour: Flavour, server: InteractionsTestServer) -> None:
    with pytest.raises(ValueError, match="max_connections"):
        flavour.client(server, max_connections=0)


def test_threads_waiting_for_a_connection_get_one_in_the_order_they_asked(server: InteractionsTestServer) -> None:
    """Sync only (aiohttp's connector queues its waiters itself): with the only connection held, B then C
    wait; when A gives it back and at once asks again, B is served, then C, then A. A LIFO queue let A
    take its connection straight back, and with more threads than connections some starved."""
    import gemini_interactions

    client = gemini_interactions.Client(api_key="test-key", base_url=server.base_url, max_connections=1)
    holding = client.interactions.create(stream=True, **TEXT)  # holds the connection until closed
    pools = client._transport.session.get_adapter(server.base_url).poolmanager.pools
    (key,) = pools.keys()  # the one host's pool
    pool = pools[key]
    order: list[str] = []
    errors: list[BaseException] = []

    def call(name: str) -> None:
        try:
            client.interactions.create(**TEXT)
            order.append(name)
        except BaseException as exc:
            errors.append(exc)

    threads = []
    for name, waiting in (("B", 1), ("C", 2)):
        threads.append(threading.Thread(target=call, args=(name,)))
        threads[-1].start()
        deadline = time.monotonic() + 30  # a handshake: the thread is queued (bounded for a loaded machine)
        while len(pool.pool.waiters) < waiting:
            assert time.monotonic() < deadline, "the thread never waited for the connection"
            time.sleep(0.001)
    holding.close()  # gives the connection back...
    call("A")  # ...and asks again at once, from the same thread
    for t in threads:
        t.join(60)
    client.close()
    assert not errors, errors
    assert order == ["B", "C", "A"]


def test_the_sync_pools_queue_counts_unopened_connections_and_prefers_idle_ones() -> None:
    # urllib3 puts a None in for every connection the pool may open and takes them out as it opens them;
    # the queue counts those rather than storing them, gives an idle connection before a None, refuses
    # a put past its size, and a get that does not block (urllib3's, closing the pool) sees only idle ones.
    import queue

    from gemini_interactions._transport import FairQueue

    pool = FairQueue(3)
    for _ in range(3):
        pool.put(None)
    with pytest.raises(queue.Full):
        pool.put("extra")
    assert pool.qsize() == 3 and pool.queue == []
    assert pool.get() is None and pool.get() is None
    pool.put("a")
    pool.put("b")
    assert [pool.get(), pool.get(), pool.get()] == ["b", "a", None]
    with pytest.raises(queue.Empty):
        pool.get(timeout=0.01)  # every slot taken
    pool.put("c")
    pool.put(None)
    assert pool.get(block=False) == "c"
    with pytest.raises(queue.Empty):
        pool.get(block=False)
    assert pool.get() is None  # the slot is still there for a blocking get
