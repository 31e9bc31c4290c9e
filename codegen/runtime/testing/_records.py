"""What the fake server saw: requests, disconnects, open connections and attempts per scenario."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Disconnect", "RecordedRequest", "Recorder"]


@dataclass
class RecordedRequest:
    """One request the server received (recorded before auth/validation)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    raw_body: bytes
    api_revision: str | None
    revision_mismatch: bool
    scenario: str | None = None
    interaction_id: str | None = None
    status: int | None = None
    faults: str = ""
    # (host, port) of the client's end of the TCP connection: equal ports mean a reused connection.
    client_address: tuple[str, int] = ("", 0)
    # Sent back in the `x-request-id` response header.
    request_id: str = ""

    def header(self, name: str) -> str | None:
        """Case-insensitive header lookup."""
        return self.headers.get(name.lower())


@dataclass(frozen=True)
class Disconnect:
    """A client that went away before a response body was fully written."""

    path: str
    interaction_id: str | None
    events_sent: int
    bytes_sent: int
    reason: str
    timestamp: float = field(default_factory=time.time)


class Recorder:
    """Thread-safe log of everything the server observed; the HTTP handler writes it, tests read it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._disconnected = threading.Condition(self._lock)
        self._requests: list[RecordedRequest] = []
        self._disconnects: list[Disconnect] = []
        self._attempts: dict[str, int] = {}
        self._connections: set[socket.socket] = set()

    def request(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def disconnect(self, disconnect: Disconnect) -> None:
        with self._disconnected:
            self._disconnects.append(disconnect)
            self._disconnected.notify_all()

    def disconnects(self) -> list[Disconnect]:
        with self._lock:
            return list(self._disconnects)

    def wait_for_disconnects(self, count: int, timeout: float) -> list[Disconnect]:
        deadline = time.monotonic() + timeout
        with self._disconnected:
            while len(self._disconnects) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._disconnected.wait(remaining)
            return list(self._disconnects)

    def attempt(self, scenario: str) -> None:
        """Count one request answered from `scenario`."""
        with self._lock:
            self._attempts[scenario] = self._attempts.get(scenario, 0) + 1

    def attempts(self) -> dict[str, int]:
        with self._lock:
            return dict(self._attempts)

    def connection_opened(self, connection: socket.socket) -> None:
        with self._lock:
            self._connections.add(connection)

    def connection_closed(self, connection: socket.socket) -> None:
        with self._lock:
            self._connections.discard(connection)

    def connections(self) -> list[socket.socket]:
        with self._lock:
            return list(self._connections)

    def reset(self) -> None:
        """Forget requests, disconnects and attempts (open connections stay: they are still open)."""
        with self._lock:
            self._requests.clear()
            self._disconnects.clear()
            self._attempts.clear()
