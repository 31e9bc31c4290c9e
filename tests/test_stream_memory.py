"""A 20 MiB event is received in memory proportional to its size, by both flavours over a real socket."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from typing import Any

from gemini_interactions.testing import InteractionsTestServer, Scenario

from .conftest import Flavour

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
    # The bytes received are let go of as the validated string is built from them: about one payload
    # at a time, plus what the first stream builds (schemas) and reads in flight. Joining the bytes, or
    # validating them whole, would hold two payloads; re-joining pending bytes per chunk, far more.
    assert peak <= 1.6 * PAYLOAD, f"peak traced memory {peak / PAYLOAD:.2f}x the payload"
    print(json.dumps({"flavour": flavour.name, "peak_over_payload": round(peak / PAYLOAD, 2)}))
