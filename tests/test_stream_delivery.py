"""An event reaches user code as soon as its blank line arrives, whatever the body framing.

The server sends one event and then waits until the test has seen it (or gives up after a few
seconds). A client that buffers (as requests' iter_content(chunk_size=None) does on a body
without length or chunking) only sees the event after the server gives up, and the test fails."""

from __future__ import annotations

import asyncio
import http.server
import json
import threading
from collections.abc import Iterator
from typing import Any

import gemini_interactions
import gemini_interactions_async
import pytest

from .conftest import API_KEY
from .local_http import LocalHTTPServer

WAIT = 5.0
FIRST: dict[str, Any] = {"event_type": "interaction.created", "interaction": {"id": "v1_gate", "status": "in_progress"}}
REST: list[dict[str, Any]] = [
    {"event_type": "step.start", "index": 0, "step": {"type": "model_output"}},
    {"event_type": "step.delta", "index": 0, "delta": {"type": "text", "text": "hi"}},
    {"event_type": "step.stop", "index": 0},
    {"event_type": "interaction.completed", "interaction": {"id": "v1_gate", "status": "completed"}},
]


def _sse(event: dict[str, Any]) -> bytes:
    return f"event: {event['event_type']}\ndata: {json.dumps(event)}\n\n".encode()


class GatedServer:
    def __init__(self, framing: str) -> None:
        self.seen_first = threading.Event()
        self.gave_up = False
        gate = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0" if framing == "close" else "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                first = _sse(FIRST)
                rest = b"".join(_sse(e) for e in REST) + b"event: done\ndata: [DONE]\n\n"
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                if framing == "chunked":
                    self.send_header("Transfer-Encoding", "chunked")
                elif framing == "content-length":
                    self.send_header("Content-Length", str(len(first) + len(rest)))
                self.end_headers()
                self._send(first, framing)
                gate.gave_up = not gate.seen_first.wait(WAIT)
                self._send(rest, framing)
                if framing == "chunked":
                    self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()
                self.close_connection = True

            def _send(self, data: bytes, framing: str) -> None:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data) if framing == "chunked" else data)
                self.wfile.flush()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._http = LocalHTTPServer(Handler)
        self.base_url = self._http.base_url

    def close(self) -> None:
        self._http.close()


@pytest.fixture(params=["chunked", "content-length", "close"])
def server(request: pytest.FixtureRequest) -> Iterator[GatedServer]:
    gated = GatedServer(request.param)
    yield gated
    gated.close()


def test_sync_event_delivered_before_the_server_sends_more(server: GatedServer) -> None:
    with gemini_interactions.Client(api_key=API_KEY, base_url=server.base_url, max_retries=0) as client:
        types: list[str] = []
        for event in client.interactions.create(model="m", input="x", stream=True):
            server.seen_first.set()
            types.append(event.event_type)
    assert not server.gave_up, "the first event was held back until more data came"
    assert types == [FIRST["event_type"]] + [e["event_type"] for e in REST]


def test_async_event_delivered_before_the_server_sends_more(server: GatedServer) -> None:
    async def run() -> list[str]:
        async with gemini_interactions_async.AsyncClient(api_key=API_KEY, base_url=server.base_url, max_retries=0) as c:
            types: list[str] = []
            stream = await c.interactions.create(model="m", input="x", stream=True)
            async for event in stream:
                server.seen_first.set()
                types.append(event.event_type)
            return types

    types = asyncio.run(run())
    assert not server.gave_up, "the first event was held back until more data came"
    assert types == [FIRST["event_type"]] + [e["event_type"] for e in REST]
