"""A stream's resume request names the interaction the server sent as one encoded segment: a hostile id cannot
point the resume (and the API key) at another path. Both flavours, over a socket to a hostile local server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from urllib.parse import quote

import pytest

from .conftest import Flavour
from .local_http import LocalHTTPServer, QuietHandler

HOSTILE_ID = "v1_abc/../../../v1beta/models?pageSize=1000#"


class HostileStream(QuietHandler):
    """POST: one `interaction.created` event naming a hostile id, then the connection drops; GET: 404."""

    seen: list[str] = []
    lock = threading.Lock()

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        event = {
            "event_type": "interaction.created",
            "event_id": "evt_1",
            "interaction": {"id": HOSTILE_ID, "status": "in_progress", "model": "gemini-3-flash-preview"},
        }
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        self.wfile.write(f"id: evt_1\nevent: interaction.created\ndata: {json.dumps(event)}\n\n".encode())
        self.wfile.flush()
        self.close_connection = True  # dropped before the interaction completed

    def do_GET(self) -> None:  # noqa: N802
        with self.lock:
            self.seen.append(self.path)
        body = json.dumps({"error": {"code": 404, "message": "no such interaction", "status": "NOT_FOUND"}}).encode()
        self.send_response(404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def hostile() -> Iterator[LocalHTTPServer]:
    HostileStream.seen = []
    server = LocalHTTPServer(HostileStream)
    yield server
    server.close()


async def test_a_server_sent_id_cannot_bend_the_resume_path(flavour: Flavour, hostile: LocalHTTPServer) -> None:
    client = flavour.client(base_url=hostile.base_url, max_retries=0)
    try:
        stream = await flavour.aw(client.interactions.create(model="gemini-3-flash-preview", input="hi", stream=True))
        with pytest.raises(flavour.pkg.APIError):
            await flavour.events(stream)
    finally:
        await flavour.close(client)
    assert HostileStream.seen, "the client tried to resume"
    for path in HostileStream.seen:
        assert path.split("?", 1)[0] == "/v1beta/interactions/" + quote(HOSTILE_ID, safe="")
