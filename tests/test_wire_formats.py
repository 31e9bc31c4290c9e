"""Odd but legal event-stream bytes over a real socket, through each flavour's whole client.

The embedded server always writes events one way (`event: X\\ndata: {...}\\n\\n`); the API, proxies
and load balancers may not. Here a tiny server sends exactly the bytes under test."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from .conftest import Flavour
from .local_http import LocalHTTPServer, QuietHandler

CREATED = {"interaction": {"id": "v1_wire", "status": "in_progress"}, "event_type": "interaction.created"}
START = {"index": 0, "step": {"type": "model_output"}, "event_type": "step.start"}
STOP = {"index": 0, "event_type": "step.stop"}
COMPLETED = {"interaction": {"id": "v1_wire", "status": "completed"}, "event_type": "interaction.completed"}
EVENT_TYPES = ["interaction.created", "step.start", "step.delta", "step.delta", "step.stop", "interaction.completed"]


def delta(text: str) -> dict[str, Any]:
    return {"index": 0, "delta": {"type": "text", "text": text}, "event_type": "step.delta"}


def data(event: dict[str, Any]) -> str:
    return json.dumps(event)


def wire_server(body: bytes) -> LocalHTTPServer:
    """Answers every POST with `body`, as text/event-stream, then closes the connection."""

    class Handler(QuietHandler):
        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
            self.close_connection = True

    return LocalHTTPServer(Handler)


@pytest.fixture
def wire() -> Iterator[Any]:
    servers: list[LocalHTTPServer] = []

    def serve(body: str | bytes) -> LocalHTTPServer:
        servers.append(wire_server(body.encode() if isinstance(body, str) else body))
        return servers[-1]

    yield serve
    for server in servers:
        server.close()


async def stream_through(flavour: Flavour, server: LocalHTTPServer) -> tuple[Any, list[Any]]:
    client = flavour.client(base_url=server.base_url, max_retries=0)
    try:
        stream = await flavour.create(client, model="gemini-3-flash-preview", input="Hi", stream=True)
        return stream, await flavour.events(stream)
    finally:
        await flavour.close(client)


async def test_odd_but_legal_framing_gives_the_same_events(flavour: Flavour, wire: Any) -> None:
    body = (
        "\ufeff: a comment first, after a byte order mark\r\n"
        f"retry: 1500\r\nevent: interaction.created\r\ndata:{data(CREATED)}\r\n\r\n"  # no space after the colon
        f"data: {data(START)}\r\r"  # lone CR line endings, no event field
        ": keep-alive\n\n"  # a comment alone dispatches nothing
        "id: 7\n\n"  # an id without data dispatches nothing
        'data: {"index": 0,\ndata:  "delta": {"type": "text", "text": "a\\nb"},\n'  # JSON over three data lines
        'data: "event_type": "step.delta"}\n\n'
        f"event: step.delta\ndata: {data(delta('c'))}\n\n"
        f"event: step.stop\r\ndata: {data(STOP)}\n\r\n"  # an LF line, then a CRLF blank line
        f"event: interaction.completed\ndata: {data(COMPLETED)}\n\n"
        "event: done\ndata: [DONE]\n\n"
        f"event: step.delta\ndata: {data(delta('never complete'))}"  # unterminated at the end: not dispatched
    )
    stream, events = await stream_through(flavour, wire(body))
    assert [e.event_type for e in events] == EVENT_TYPES
    assert [e.delta.text for e in events if e.event_type == "step.delta"] == ["a\nb", "c"]
    assert stream.last_event_id == "7"  # the SSE id persists across the events after it
    assert stream.interaction_id == "v1_wire"


async def test_an_sse_id_on_some_events_only_loses_none(flavour: Flavour, wire: Any) -> None:
    # Per the standard the last id stays in force for the events that carry none: they are new events, not repeats.
    body = (
        f"id: e1\nevent: interaction.created\ndata: {data(CREATED)}\n\n"
        f"event: step.start\ndata: {data(START)}\n\n"
        f"event: step.delta\ndata: {data(delta('x'))}\n\n"
        f"id: e2\nevent: step.delta\ndata: {data(delta('y'))}\n\n"
        f"event: step.stop\ndata: {data(STOP)}\n\n"
        f"id: e3\nevent: interaction.completed\ndata: {data(COMPLETED)}\n\n"
        "data: [DONE]\n\n"
    )
    stream, events = await stream_through(flavour, wire(body))
    assert [e.event_type for e in events] == EVENT_TYPES
    assert stream.last_event_id == "e3"


async def test_a_dropped_stream_reconnects_after_the_servers_retry_time(
    flavour: Flavour, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The SSE `retry` field is the server's reconnection time: the first reconnect waits that long.
    first = f"retry: 40\nid: e1\nevent: interaction.created\ndata: {data(CREATED)}\n\n".encode()
    rest = (
        f"id: e2\nevent: step.start\ndata: {data(START)}\n\n"
        f"id: e3\nevent: interaction.completed\ndata: {data(COMPLETED)}\n\ndata: [DONE]\n\n"
    ).encode()
    gets: list[str] = []

    class Handler(QuietHandler):
        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self._answer(first, declared=len(first) + 100)  # then the connection drops

        def do_GET(self) -> None:  # noqa: N802
            gets.append(self.path)
            self._answer(rest, declared=len(rest))

        def _answer(self, body: bytes, declared: int) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Content-Length", str(declared))
            self.end_headers()
            self.wfile.write(body)
            self.close_connection = True

    delays: list[float] = []

    def record(seconds: float) -> None:
        delays.append(seconds)

    async def record_async(seconds: float) -> None:
        delays.append(seconds)

    monkeypatch.setattr(f"{flavour.pkg.__name__}._streaming.sleep", record_async if flavour.is_async else record)
    server = LocalHTTPServer(Handler)
    try:
        stream, events = await stream_through(flavour, server)
    finally:
        server.close()
    assert [e.event_type for e in events] == ["interaction.created", "step.start", "interaction.completed"]
    assert gets == ["/v1beta/interactions/v1_wire?stream=true&last_event_id=e1"]
    (delay,) = delays
    assert 0.03 <= delay <= 0.04  # 40 ms, less up to a quarter of jitter


@pytest.mark.parametrize("stream", [True, False], ids=["stream", "unary"])
async def test_interim_answers_before_the_final_one_are_skipped(flavour: Flavour, stream: bool) -> None:
    # RFC 9110 section 15.2: a client parses any number of 1xx answers before the final one, expected or not.
    events = "".join(
        f"event: {event['event_type']}\ndata: {data(event)}\n\n"
        for event in (CREATED, START, delta("a"), delta("b"), STOP, COMPLETED)
    ).encode()
    interaction = json.dumps({"id": "v1_wire", "status": "completed", "outputs": []}).encode()

    class Handler(QuietHandler):
        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response_only(103, "Early Hints")
            self.send_header("Link", "</hints.css>; rel=preload")
            self.end_headers()
            self.send_response_only(102, "Processing")
            self.end_headers()
            body = events if stream else interaction
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream" if stream else "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = LocalHTTPServer(Handler)
    client = flavour.client(base_url=server.base_url, max_retries=0)
    try:
        answer = await flavour.create(client, model="gemini-3-flash-preview", input="Hi", stream=stream)
        if stream:
            assert [e.event_type for e in await flavour.events(answer)] == EVENT_TYPES
        else:
            assert (answer.id, answer.status) == ("v1_wire", "completed")
    finally:
        await flavour.close(client)
        server.close()
