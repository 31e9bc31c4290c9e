"""Hostile or instrumented HTTP servers on 127.0.0.1 for the issue-18 tests (not the shipped `testing` package).

`HostileServer` answers every request with what its `respond` function says and records what it saw
(method, target, headers, body, the client's port, the arrival time): tests assert on that record,
a handshake, instead of racing a timer. `ForwardProxy` is an HTTP proxy that answers requests itself."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .local_http import LocalHTTPServer, QuietHandler

CANNED_INTERACTION = {"id": "v1_canned", "status": "completed", "object": "interaction"}


@dataclass
class Seen:
    """One request as the server received it."""

    method: str
    target: str  # the request target: a path, an absolute URL (through a proxy) or host:port (CONNECT)
    headers: dict[str, str]  # names lower-cased
    body: bytes
    client_port: int
    at: float = field(default_factory=time.monotonic)


Answer = tuple[int, dict[str, str], bytes]
Respond = Callable[[Seen], Answer]


def json_answer(payload: Any = None, status: int = 200, **headers: str) -> Answer:
    body = json.dumps(CANNED_INTERACTION if payload is None else payload).encode()
    return status, {"Content-Type": "application/json", **headers}, body


class HostileServer:
    def __init__(self, respond: Respond) -> None:
        self.seen: list[Seen] = []
        self.arrived = threading.Condition()
        server = self

        class Handler(QuietHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                seen = Seen(
                    method=self.command,
                    target=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length) if length else b"",
                    client_port=self.client_address[1],
                )
                with server.arrived:
                    server.seen.append(seen)
                    server.arrived.notify_all()
                status, headers, body = respond(seen)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_DELETE = do_CONNECT = _handle  # noqa: N815 (http.server's names)

        self._http = LocalHTTPServer(Handler)
        self.base_url = self._http.base_url
        self.port = int(self.base_url.rsplit(":", 1)[1])

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Seen]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.seen) >= count, timeout)
            return list(self.seen)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> HostileServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def forward_proxy() -> HostileServer:
    """A proxy that answers plain-HTTP requests itself (a canned interaction) and refuses CONNECT tunnels (403)."""

    def respond(seen: Seen) -> Answer:
        if seen.method == "CONNECT":
            return 403, {}, b""
        return json_answer()

    return HostileServer(respond)
