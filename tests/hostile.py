"""A deliberately hostile HTTP server on 127.0.0.1: each connection runs a script written at the socket level
(trickles, holds, drops mid-chunk, wrong content types), and tells the test what it saw (handshakes, not sleeps)."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable
from typing import Any

HOLD = 5.0  # the longest any script waits for the client: a failing test ends, it never hangs


def sse(payload: dict[str, Any] | str, *, event_id: str | None = None) -> bytes:
    """One SSE block in the API's shape."""
    data = payload if isinstance(payload, str) else json.dumps(payload)
    head = f"id: {event_id}\n" if event_id else ""
    name = "" if isinstance(payload, str) else f"event: {payload.get('event_type')}\n"
    return f"{head}{name}data: {data}\n\n".encode()


def created(interaction_id: str = "v1_hostile", **extra: Any) -> dict[str, Any]:
    return {
        "event_type": "interaction.created",
        "interaction": {"id": interaction_id, "status": "in_progress"},
        **extra,
    }


def step_start(index: int = 0, **extra: Any) -> dict[str, Any]:
    return {"event_type": "step.start", "index": index, "step": {"type": "model_output"}, **extra}


def delta(text: str, index: int = 0, **extra: Any) -> dict[str, Any]:
    return {"event_type": "step.delta", "index": index, "delta": {"type": "text", "text": text}, **extra}


def completed(interaction_id: str = "v1_hostile", **extra: Any) -> dict[str, Any]:
    return {
        "event_type": "interaction.completed",
        "interaction": {"id": interaction_id, "status": "completed"},
        **extra,
    }


class Connection:
    """One accepted connection, for a script: the request it carried and ways to answer it."""

    def __init__(self, sock: socket.socket, method: str, target: str) -> None:
        self.sock = sock
        self.method = method
        self.target = target

    def head(self, content_type: str = "text/event-stream", *, chunked: bool = True, status: str = "200 OK") -> None:
        coding = "Transfer-Encoding: chunked\r\n" if chunked else ""
        self.send(f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n{coding}Connection: close\r\n\r\n".encode())

    def send(self, data: bytes) -> bool:
        """False once the client has gone."""
        try:
            self.sock.sendall(data)
            return True
        except OSError:
            return False

    def chunk(self, data: bytes) -> bool:
        return self.send(b"%x\r\n%s\r\n" % (len(data), data))

    def end(self) -> None:
        self.send(b"0\r\n\r\n")

    def wait_closed(self, timeout: float = HOLD) -> bool:
        """Read until the client closes the connection: True if it did within `timeout`."""
        self.sock.settimeout(timeout)
        try:
            while self.sock.recv(65536):
                pass
            return True
        except ConnectionResetError:
            return True  # closed with unread data in its buffer: the kernel resets instead of a FIN
        except OSError:
            return False


Script = Callable[[Connection], None]


class HostileServer:
    """Connection n runs scripts[n] (the last one again past the end); `requests` lists (method, target)."""

    def __init__(self, *scripts: Script) -> None:
        self.scripts = list(scripts)
        self.requests: list[tuple[str, str]] = []
        self.closed_by_client: list[bool] = []  # per connection whose script called wait_closed via `hold`
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._accept = threading.Thread(target=self._serve, daemon=True)
        self._accept.start()
        self.base_url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                sock, _ = self._listener.accept()
            except OSError:
                continue
            thread = threading.Thread(target=self._run, args=(sock, len(self._threads)), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _run(self, sock: socket.socket, n: int) -> None:
        with sock:
            sock.settimeout(HOLD)
            data = b""
            try:
                while b"\r\n\r\n" not in data:
                    got = sock.recv(65536)
                    if not got:
                        return
                    data += got
                head, _, body = data.partition(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                length = next(
                    (int(v) for k, _, v in (ln.partition(": ") for ln in lines[1:]) if k.lower() == "content-length"), 0
                )
                while len(body) < length:
                    body += sock.recv(65536)
            except OSError:
                return
            method, target, _ = lines[0].split(" ", 2)
            self.requests.append((method, target))
            script = self.scripts[min(n, len(self.scripts) - 1)]
            script(Connection(sock, method, target))

    def join(self) -> None:
        """Wait (bounded) for every connection's script to end."""
        for thread in list(self._threads):
            thread.join(HOLD + 1)

    def close(self) -> None:
        self._stop.set()
        self._accept.join()
        self._listener.close()
        for thread in self._threads:
            thread.join(HOLD + 1)
