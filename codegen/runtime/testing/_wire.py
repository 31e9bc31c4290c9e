"""The bytes of an answer: SSE event encoding and `Response`, what the HTTP handler writes."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from .._stream_state import DONE_DATA

__all__ = ["DONE_EVENT", "Framing", "Response", "encode_event", "encode_json", "error_response"]

Framing = Literal["chunked", "content-length", "close"]

# The block the API ends every stream with, after the last event.
DONE_EVENT = f"event: done\ndata: {DONE_DATA}\n\n".encode()


def encode_event(event: Mapping[str, Any]) -> bytes:
    """Serialize one event the way the API does: `event: <type>\\ndata: <json>\\n\\n`."""
    data = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
    return f"event: {event.get('event_type', 'message')}\ndata: {data}\n\n".encode()


def encode_json(obj: Any) -> bytes:
    """A JSON body as the API writes it (compact, UTF-8)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()


@dataclass(frozen=True)
class Response:
    """One answer, fully decided before the first byte is written (faults included).

    `blobs` are the body's logical pieces (events for a stream); `chunk_size`
    re-splits them for writing. `declared_length` overrides the Content-Length
    (a body announced whole but cut short); `abort` closes the connection
    abruptly after the last blob; `delay` sleeps between writes.
    """

    status: int
    content_type: str
    blobs: tuple[bytes, ...]
    framing: Framing = "content-length"
    headers: tuple[tuple[str, str], ...] = ()
    chunk_size: int | None = None
    abort: bool = False
    delay: float = 0.0
    declared_length: int | None = None
    # True for event streams: a client that goes away mid-body is recorded as a Disconnect.
    is_stream: bool = False
    # Close without sending anything at all (not even a status line).
    silent: bool = False


def error_response(status: int, code: str, message: str, headers: tuple[tuple[str, str], ...] = ()) -> Response:
    """The API's error body: `{"error": {"message": ..., "code": ...}}`."""
    return Response(
        status=status,
        content_type="application/json; charset=UTF-8",
        blobs=(encode_json({"error": {"message": message, "code": code}}),),
        headers=headers,
    )
