"""Streams under stress, both flavours over real sockets: read timeouts mid-stream, request ids on errors,
retry delays on a fake clock, and a 20 MiB event received in memory proportional to its size."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from typing import Any

import pytest
from gemini_interactions.testing import InteractionsTestServer, Scenario

from .conftest import Flavour

TEXT = {"model": "gemini-3-flash-preview", "input": "Count to 25."}


async def test_read_timeout_mid_stream_resumes_where_it_stopped(
    flavour: Flavour, server: InteractionsTestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(f"{flavour.pkg.__name__}._streaming.backoff_delay", lambda *a, **k: 0.0)
    client = flavour.client(server)
    try:
        _, expected = await flavour.stream_events(client, **TEXT)
        server.reset()
        # The created stream stalls after its first event, longer than the read timeout; the resumed one does not.
        stalling = {"x-test-fault": "event_delay=2; on=create"}
        stream = await flavour.create(client, **TEXT, stream=True, timeout=0.5, extra_headers=stalling)
        events = await flavour.events(stream)
    finally:
        await flavour.close(client)

    assert [e.event_type for e in events] == [e.event_type for e in expected]
    ids = [e.event_id for e in events]
    assert len(ids) == len(set(ids))
    post, get = server.requests
    assert post.method == "POST" and get.method == "GET"
    assert get.query == {"stream": "true", "last_event_id": ids[0]}


@pytest.mark.parametrize("stream", [False, True])
async def test_status_error_carries_status_body_and_request_id(
    flavour: Flavour, server: InteractionsTestServer, client: Any, stream: bool
) -> None:
    with pytest.raises(flavour.pkg.NotFoundError) as info:
        await flavour.create(client, **TEXT, stream=stream, extra_headers={"x-test-fault": "status=404"})
    error = info.value
    (request,) = server.requests
    assert error.status_code == 404
    assert error.request_id == request.request_id
    assert error.body == {"error": {"code": "not_found", "message": "Injected fault: HTTP 404."}}
    assert error.code == "not_found"


async def test_408_exhausted_is_a_request_timeout_error(
    flavour: Flavour, server: InteractionsTestServer, client: Any
) -> None:
    with pytest.raises(flavour.pkg.RequestTimeoutError):
        await flavour.create(client, **TEXT, max_retries=1, extra_headers={"x-test-fault": "status=408; retry_after=0"})
    assert len(server.requests) == 2


# --------------------------------------------------------------------------- memory

PAYLOAD = 20 * 1024 * 1024  # bytes of base64 in one image delta

# Run in a child process so that only the client's allocations are traced (the server, in this process,
# builds and slices the 20 MiB body too).
MEASURE = textwrap.dedent(
    """
    import asyncio, sys, tracemalloc
    flavour, base_url = sys.argv[1], sys.argv[2]
    request = dict(model="gemini-3-flash-preview", input="Draw a big picture.", stream=True,
                   extra_headers={"x-test-scenario": "big_image", "x-test-fault": "chunk=65536"})

    def measure_sync():
        from gemini_interactions import Client
        with Client(api_key="test-key", base_url=base_url) as client:
            tracemalloc.start()
            sizes = [len(e.delta.data) for e in client.interactions.create(**request)
                     if e.event_type == "step.delta" and e.delta.type == "image"]
            return sizes, tracemalloc.get_traced_memory()[1]

    async def measure_async():
        from gemini_interactions_async import AsyncClient
        async with AsyncClient(api_key="test-key", base_url=base_url) as client:
            tracemalloc.start()
            stream = await client.interactions.create(**request)
            sizes = [len(e.delta.data) async for e in stream
                     if e.event_type == "step.delta" and e.delta.type == "image"]
            return sizes, tracemalloc.get_traced_memory()[1]

    sizes, peak = measure_sync() if flavour == "sync" else asyncio.run(measure_async())
    print(sizes[0], peak)
    """
)


def big_image_scenario() -> Scenario:
    data = "QUJD" * (PAYLOAD // 4)
    events: list[dict[str, Any]] = [
        {"event_type": "interaction.created", "interaction": {"id": "big", "status": "in_progress"}},
        {"event_type": "step.start", "index": 0, "step": {"type": "model_output"}},
        {"event_type": "step.delta", "index": 0, "delta": {"type": "image", "mime_type": "image/png", "data": data}},
        {"event_type": "step.stop", "index": 0},
        {"event_type": "interaction.completed", "interaction": {"id": "big", "status": "completed"}},
    ]
    for number, event in enumerate(events):
        event["event_id"] = f"e{number}"
    return Scenario.from_dict({"name": "big_image", "events": events})


def test_a_20_mib_event_costs_memory_in_proportion_to_its_size(flavour: Flavour) -> None:
    with InteractionsTestServer() as server:
        server.add_scenario(big_image_scenario())
        result = subprocess.run(
            [sys.executable, "-c", MEASURE, flavour.name, server.base_url],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 0, result.stderr
    size, peak = map(int, result.stdout.split())
    assert size == PAYLOAD
    # The bytes received, their decoded text and the validated string are each one payload; a framer that
    # re-joins its pending bytes per chunk, or keeps every intermediate, would be far beyond this.
    assert peak <= 3 * PAYLOAD, f"peak traced memory {peak / PAYLOAD:.2f}x the payload"
    print(json.dumps({"flavour": flavour.name, "peak_over_payload": round(peak / PAYLOAD, 2)}))


# --------------------------------------------------------------------------- retry delays, on a fake clock


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        # No Retry-After: exponential from 0.5 s, each with up to 25 % jitter below it.
        ("status=503; fail_times=3", [(0.375, 0.5), (0.75, 1.0), (1.5, 2.0)]),
        ("status=429; retry_after=3; fail_times=1", [(3.0, 3.0)]),
        # A Retry-After beyond the cap is not trusted: back to exponential.
        ("status=429; retry_after=3600; fail_times=1", [(0.375, 0.5)]),
    ],
)
@pytest.mark.parametrize("stream", [False, True])
async def test_retry_delays(
    flavour: Flavour,
    server: InteractionsTestServer,
    client: Any,
    monkeypatch: pytest.MonkeyPatch,
    fault: str,
    expected: list[tuple[float, float]],
    stream: bool,
) -> None:
    slept: list[float] = []

    async def fake_async_sleep(seconds: float) -> None:
        slept.append(seconds)

    def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    fake = fake_async_sleep if flavour.is_async else fake_sleep
    monkeypatch.setattr(f"{flavour.pkg.__name__}._transport.sleep", fake)
    result = await flavour.create(client, **TEXT, stream=stream, max_retries=5, extra_headers={"x-test-fault": fault})
    if stream:
        result = await flavour.final(result)
    assert result.status == "completed"
    assert len(slept) == len(expected) == len(server.requests) - 1
    for delay, (low, high) in zip(slept, expected, strict=True):
        assert low <= delay <= high, slept
