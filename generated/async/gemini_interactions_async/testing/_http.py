# Copied from codegen/runtime/testing/_http.py by `nox -s generate` - edit it there, not here.
"""The HTTP side of the fake server: read a request, hand it to the server, write the `Response`."""

from __future__ import annotations

import json
import secrets
import select
import socket
import ssl
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol, cast
from urllib.parse import parse_qsl, urlsplit

from ._records import Disconnect, RecordedRequest, Recorder
from ._wire import Response

__all__ = ["App", "HTTPServer"]


class App(Protocol):
    """What the handler needs from the server: settings, the recorder and the dispatcher."""

    @property
    def revision(self) -> str: ...

    @property
    def ssl_context(self) -> ssl.SSLContext | None: ...

    @property
    def recorder(self) -> Recorder: ...

    def dispatch(self, record: RecordedRequest, body_error: str | None, write: Callable[[Response], None]) -> None: ...


class HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], app: App) -> None:
        self.app = app
        super().__init__(address, _Handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        context = self.app.ssl_context
        if context is None:
            super().finish_request(request, client_address)
            return
        # The TLS handshake runs in the connection's own thread: a client that rejects the
        # certificate fails its handshake without holding up the server.
        try:
            tls = context.wrap_socket(request, server_side=True)
        except OSError:  # ssl.SSLError included
            return
        try:
            super().finish_request(tls, client_address)
        finally:
            self.shutdown_request(tls)  # the TLS socket took over the plain one the base class closes


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "InteractionsTestServer/1.0"
    timeout = 120

    @property
    def app(self) -> App:
        return cast(HTTPServer, self.server).app

    def setup(self) -> None:
        super().setup()
        self.app.recorder.connection_opened(self.connection)

    def finish(self) -> None:
        self.app.recorder.connection_closed(self.connection)
        try:
            super().finish()
        except OSError:
            pass

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    # ------------------------------------------------------------------ reading
    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            parts = []
            while True:
                size_line = self.rfile.readline()
                size = int(size_line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                parts.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(parts)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _handle(self, method: str) -> None:
        split = urlsplit(self.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            raw = self._read_body()
        except (OSError, ValueError):
            self.close_connection = True
            return
        body: Any = None
        body_error: str | None = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError as exc:
                body_error = f"Invalid JSON payload received: {exc}"
        revision = headers.get("api-revision")
        record = RecordedRequest(
            method=method,
            path=split.path,
            query=dict(parse_qsl(split.query, keep_blank_values=True)),
            headers=headers,
            body=body,
            raw_body=raw,
            api_revision=revision,
            revision_mismatch=revision != self.app.revision,
            client_address=(str(self.client_address[0]), int(self.client_address[1])),
            request_id=f"req_{secrets.token_hex(8)}",
        )
        self.app.recorder.request(record)
        try:
            self.app.dispatch(record, body_error, lambda response: self._write(record, response))
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    # ----------------------------------------------------------------- writing
    def _write(self, record: RecordedRequest, response: Response) -> None:
        if response.silent:
            self._abort()
            return
        ends: list[int] = []
        total = 0
        for blob in response.blobs:
            total += len(blob)
            ends.append(total)
        if response.chunk_size:
            size = response.chunk_size
            joined = b"".join(response.blobs)
            pieces = [joined[i : i + size] for i in range(0, len(joined), size)]
        else:
            pieces = [b for b in response.blobs if b]
        framing = response.framing
        if framing == "chunked" and self.request_version in ("HTTP/0.9", "HTTP/1.0"):
            # RFC 9112 section 6.1: no transfer coding for a client that may not know it; the
            # body runs to the connection's close instead.
            framing = "close"
        self.send_response(response.status)
        self.send_header("x-request-id", record.request_id)
        self.send_header("Content-Type", response.content_type)
        for name, value in response.headers:
            self.send_header(name, value)
        if framing == "chunked":
            self.send_header("Transfer-Encoding", "chunked")
        elif framing == "content-length":
            declared = response.declared_length
            self.send_header("Content-Length", str(declared if declared is not None else total))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        sent = 0
        for number, piece in enumerate(pieces):
            if number and response.delay > 0:
                time.sleep(response.delay)
            if self._peer_closed() or not self._send_piece(piece, framing):
                if response.is_stream:
                    self.app.recorder.disconnect(
                        Disconnect(
                            path=record.path,
                            interaction_id=record.interaction_id,
                            events_sent=sum(1 for end in ends if end <= sent),
                            bytes_sent=sent,
                            reason="client_closed",
                        )
                    )
                self._abort()
                return
            sent += len(piece)
        if response.abort:
            self._abort()
            return
        if framing == "chunked":
            self._send_piece(b"", framing)

    def _send_piece(self, piece: bytes, framing: str) -> bool:
        data = piece
        if framing == "chunked":
            data = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
        try:
            self.wfile.write(data)
            self.wfile.flush()
        except OSError:
            return False
        return True

    def _peer_closed(self) -> bool:
        """True when the client has closed its side (EOF or reset) of the connection."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            if not readable:
                return False
            return bool(self.connection.recv(1, socket.MSG_PEEK) == b"")
        except (OSError, ValueError):
            return True

    def _abort(self) -> None:
        """Close the connection abruptly (no terminating chunk)."""
        self.close_connection = True
        try:
            self.wfile.flush()
        except OSError:
            pass
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
