# Copied from codegen/runtime/testing/_faults.py by `nox -s generate` - edit it there, not here.
"""Fault injection for the fake server: the settings, which apply to a request, and how they shape an answer.

Faults are applied while an answer is built (`body_response`,
`stream_response`, `status_fault_response`), so any route that
answers through them can be broken the same ways.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ._wire import DONE_EVENT, Framing, Response, encode_event, error_response

__all__ = [
    "STATUS_CODES",
    "FaultPolicy",
    "Faults",
    "Framing",
    "as_faults",
    "body_response",
    "status_fault_response",
    "stream_response",
]

FaultTarget = Literal["all", "create", "get", "cancel", "delete"]

_FRAMINGS: tuple[str, ...] = ("chunked", "content-length", "close")
_TARGETS: tuple[str, ...] = ("all", "create", "get", "cancel", "delete")

# Error `code` strings used in the error body for injected HTTP statuses.
STATUS_CODES: dict[int, str] = {
    400: "invalid_argument",
    401: "unauthenticated",
    403: "permission_denied",
    404: "not_found",
    408: "deadline_exceeded",
    409: "aborted",
    429: "resource_exhausted",
    500: "internal",
    501: "unimplemented",
    502: "unavailable",
    503: "unavailable",
    504: "deadline_exceeded",
}

# Short names accepted in the `x-test-fault` header / CLI `--fault`.
_ALIASES: dict[str, str] = {
    "status": "http_status",
    "times": "fail_times",
    "first_byte": "first_byte_delay",
    "delay": "event_delay",
    "pause": "event_delay",
    "drop": "drop_after",
    "truncate": "truncate_after",
    "malformed": "malformed_at",
    "error": "error_after",
    "chunk": "chunk_size",
}


@dataclass(frozen=True)
class Faults:
    """What to break in a response. Every field defaults to "no fault".

    Stream (SSE) faults; `k` counts interaction events (`[DONE]` excluded):

    * `drop_after=k`: send `k` events, then close the connection abruptly
      (no terminating chunk, no `[DONE]`).
    * `truncate_after=k`: send `k` events, then the first half of event
      `k+1`, then close abruptly.
    * `malformed_at=i`: event number `i` (0-based) carries invalid JSON in
      its `data:` line; the stream continues normally afterwards.
    * `error_after=k`: send `k` events, then an `error` event
      (`error_code` / `error_message`) and end the stream cleanly without
      `[DONE]`.
    * `event_delay`: seconds to sleep between events (or between pieces when
      `chunk_size` is set).

    HTTP faults (stream and non-stream; also on cancel and delete):

    * `http_status` (e.g. 429, 500, 503): answer with that status and the API
      error body instead; `retry_after` adds a `Retry-After` header.
    * `first_byte_delay`: seconds to wait before sending the status line.

    For non-streamed answers `drop_after` closes without any response,
    `truncate_after` sends the headers and half the body, `malformed_at`
    sends an invalid JSON body.

    Framing of the body: `framing` is `"chunked"`, `"content-length"` or
    `"close"` (no length, read until the server closes); `None` (default)
    means chunked for streams and Content-Length for JSON; `chunk_size=N`
    re-splits the body into N-byte writes/chunks not aligned with events
    (default: one write/chunk per event).

    Wire shape (kept after `fail_times` runs out, like the framing):
    `no_event_ids=1` sends events without `event_id`, as the API's guide
    shows them; a resume then cannot name the last event seen.

    Scope: `fail_times=N` applies the faults only to the first `N` matching
    requests (counted per scenario and fault set; later attempts succeed);
    `on` restricts them to `"create"` (POST), `"get"` (GET), `"cancel"` or
    `"delete"` requests.
    """

    drop_after: int | None = None
    truncate_after: int | None = None
    malformed_at: int | None = None
    error_after: int | None = None
    error_code: str = "gateway_timeout"
    error_message: str = "Deadline expired before operation could complete."
    http_status: int | None = None
    retry_after: float | None = None
    first_byte_delay: float = 0.0
    event_delay: float = 0.0
    framing: Framing | None = None
    chunk_size: int | None = None
    no_event_ids: bool = False
    fail_times: int | None = None
    on: FaultTarget = "all"

    def __post_init__(self) -> None:
        if self.framing is not None and self.framing not in _FRAMINGS:
            raise ValueError(f"framing must be one of {_FRAMINGS}, got {self.framing!r}")
        if self.on not in _TARGETS:
            raise ValueError(f"on must be one of {_TARGETS}, got {self.on!r}")
        if self.chunk_size is not None and self.chunk_size < 1:
            raise ValueError("chunk_size must be >= 1")

    @property
    def is_empty(self) -> bool:
        """True when no field differs from the defaults."""
        return self == Faults()

    def merged(self, other: Faults | None) -> Faults:
        """Return `self` overridden by every non-default field of `other`."""
        if other is None:
            return self
        default = Faults()
        changes: dict[str, Any] = {}
        for field in dataclasses.fields(Faults):
            value = getattr(other, field.name)
            if value != getattr(default, field.name):
                changes[field.name] = value
        return dataclasses.replace(self, **changes)

    def spec(self) -> str:
        """The non-default fields as a `key=value;...` string (see `parse`)."""
        default = Faults()
        parts = []
        for field in dataclasses.fields(Faults):
            value = getattr(self, field.name)
            if value != getattr(default, field.name):
                parts.append(f"{field.name}={value}")
        return ";".join(parts)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Faults:
        """Build from a mapping (as found in scenario JSON); short aliases allowed."""
        kwargs: dict[str, Any] = {}
        names = {f.name: f for f in dataclasses.fields(Faults)}
        for raw_key, value in data.items():
            key = _ALIASES.get(raw_key, raw_key)
            if key not in names:
                raise ValueError(f"unknown fault {raw_key!r}")
            kwargs[key] = _coerce(key, value)
        return cls(**kwargs)

    @classmethod
    def parse(cls, spec: str) -> Faults:
        """Parse `"drop_after=3; event_delay=0.025"` (`;` or `,` separated).

        Also accepts `status=429,times=2,retry_after=1`; a bare `429` / `500`
        / `503` means `http_status`.
        """
        data: dict[str, Any] = {}
        for part in spec.replace(",", ";").split(";"):
            part = part.strip()
            if not part:
                continue
            if "=" in part:
                key, _, value = part.partition("=")
                data[key.strip()] = value.strip()
            elif part.isdigit():
                data["http_status"] = part
            else:
                raise ValueError(f"bad fault spec item {part!r}")
        return cls.from_dict(data)


_INT_FIELDS = frozenset(
    {
        "drop_after",
        "truncate_after",
        "malformed_at",
        "error_after",
        "http_status",
        "chunk_size",
        "fail_times",
    }
)
_FLOAT_FIELDS = frozenset({"retry_after", "first_byte_delay", "event_delay"})


def _coerce(key: str, value: Any) -> Any:
    if value is None:
        return None
    if key == "no_event_ids":
        return value if isinstance(value, bool) else str(value).strip().lower() in ("1", "true", "yes", "on")
    if key in _INT_FIELDS:
        return int(value)
    if key in _FLOAT_FIELDS:
        return float(value)
    return str(value)


def as_faults(value: Faults | Mapping[str, Any] | str | None) -> Faults:
    """A `Faults` from itself, a scenario-JSON style mapping or a spec string (`None`: no faults)."""
    if value is None:
        return Faults()
    if isinstance(value, Faults):
        return value
    if isinstance(value, str):
        return Faults.parse(value)
    return Faults.from_dict(value)


class FaultPolicy:
    """Which faults a request gets: the server's, then its scenario's, then its `x-test-fault` header's.

    Counts `fail_times` per scenario and fault set; once spent, only the wire
    shape (framing, chunking, event ids) stays.
    """

    def __init__(self, faults: Faults) -> None:
        self._lock = threading.Lock()
        self._faults = faults
        self._spent: dict[tuple[str, str], int] = {}

    @property
    def faults(self) -> Faults:
        return self._faults

    def replace(self, faults: Faults) -> None:
        with self._lock:
            self._faults = faults
            self._spent.clear()

    def reset(self) -> None:
        with self._lock:
            self._spent.clear()

    def for_request(self, scenario: str, scenario_faults: Faults | None, header: str | None, kind: str) -> Faults:
        """The faults for one request of `kind` (create/get/cancel/delete); ValueError on a bad header."""
        header_faults = Faults.parse(header) if header else None
        combined = self._faults.merged(scenario_faults).merged(header_faults)
        wire_shape_only = Faults(
            framing=combined.framing, chunk_size=combined.chunk_size, no_event_ids=combined.no_event_ids
        )
        if combined.on not in ("all", kind):
            return wire_shape_only
        if combined.fail_times is not None:
            key = (scenario, combined.spec())
            with self._lock:
                count = self._spent.get(key, 0) + 1
                self._spent[key] = count
            if count > combined.fail_times:
                return wire_shape_only
        return combined


def status_fault_response(faults: Faults) -> Response | None:
    """The injected HTTP error answer (with `Retry-After`), or `None` when `http_status` is unset."""
    if faults.http_status is None:
        return None
    headers: tuple[tuple[str, str], ...] = ()
    if faults.retry_after is not None:
        value = float(faults.retry_after)
        headers = (("Retry-After", str(int(value)) if value.is_integer() else str(value)),)
    code = STATUS_CODES.get(faults.http_status, "unknown")
    return error_response(faults.http_status, code, f"Injected fault: HTTP {faults.http_status}.", headers)


def body_response(
    status: int,
    data: bytes,
    faults: Faults,
    *,
    content_type: str = "application/json; charset=UTF-8",
    headers: tuple[tuple[str, str], ...] = (),
) -> Response:
    """A whole (non-streamed) body with the body faults applied (drop, truncate, malformed, framing)."""
    blobs = (data,)
    abort = False
    declared = len(data)
    if faults.truncate_after is not None:
        blobs, abort = (data[: len(data) // 2],), True
    elif faults.malformed_at is not None:
        blobs = (data[: len(data) // 2],)
        declared = len(blobs[0])
    return Response(
        status=status,
        content_type=content_type,
        blobs=blobs,
        framing=faults.framing or "content-length",
        headers=headers,
        chunk_size=faults.chunk_size,
        abort=abort,
        declared_length=declared,
        silent=faults.drop_after is not None,
    )


def stream_response(events: Sequence[Mapping[str, Any]], faults: Faults) -> Response:
    """An SSE answer of `events` plus `[DONE]` with the stream faults applied."""
    blobs, abort = _stream_blobs(events, faults)
    framing = faults.framing or "chunked"
    declared = None
    if framing == "content-length":
        # Announce the length of the complete stream even when it will be cut short.
        intact = dataclasses.replace(faults, drop_after=None, truncate_after=None)
        declared = sum(len(b) for b in _stream_blobs(events, intact)[0])
    return Response(
        status=200,
        content_type="text/event-stream",
        blobs=tuple(blobs),
        framing=framing,
        headers=(("Cache-Control", "no-cache"),),
        chunk_size=faults.chunk_size,
        abort=abort,
        delay=faults.event_delay,
        declared_length=declared,
        is_stream=True,
    )


def _stream_blobs(events: Sequence[Mapping[str, Any]], faults: Faults) -> tuple[list[bytes], bool]:
    """Encode events (plus `[DONE]`) applying stream faults; returns (blobs, abort)."""
    blobs: list[bytes] = []
    error_event = {
        "error": {"message": faults.error_message, "code": faults.error_code},
        "event_type": "error",
    }
    for index, event in enumerate(events):
        if faults.error_after is not None and index >= faults.error_after:
            blobs.append(encode_event(error_event))
            return blobs, False
        if faults.drop_after is not None and index >= faults.drop_after:
            return blobs, True
        if faults.no_event_ids:
            event = {key: value for key, value in event.items() if key != "event_id"}
        blob = encode_event(event)
        if faults.truncate_after is not None and index >= faults.truncate_after:
            blobs.append(blob[: len(blob) // 2])
            return blobs, True
        if faults.malformed_at is not None and index == faults.malformed_at:
            data = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
            blob = f"event: {event.get('event_type')}\ndata: {data[: len(data) // 2]}\n\n".encode()
        blobs.append(blob)
    if faults.error_after is not None:
        blobs.append(encode_event(error_event))
        return blobs, False
    if faults.drop_after is not None:
        return blobs, True
    if faults.truncate_after is not None:
        blobs.append(DONE_EVENT[: len(DONE_EVENT) // 2])
        return blobs, True
    blobs.append(DONE_EVENT)
    return blobs, False
