# Copied from codegen/runtime/testing/_faults.py by `nox -s generate` - edit it there, not here.
"""Fault injection settings for the fake Interactions API server."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["STATUS_CODES", "Faults", "Framing"]

Framing = Literal["chunked", "content-length", "close"]
FaultTarget = Literal["all", "create", "get", "cancel", "delete"]

_FRAMINGS: tuple[str, ...] = ("chunked", "content-length", "close")
_TARGETS: tuple[str, ...] = ("all", "create", "get", "cancel", "delete")

#: Error ``code`` strings used in the error body for injected HTTP statuses.
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

# Short names accepted in the ``x-test-fault`` header / CLI ``--fault``.
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

    Stream (SSE) faults; ``k`` counts interaction events (``[DONE]`` excluded):

    * ``drop_after=k``: send ``k`` events, then close the connection abruptly
      (no terminating chunk, no ``[DONE]``).
    * ``truncate_after=k``: send ``k`` events, then the first half of event
      ``k+1``, then close abruptly.
    * ``malformed_at=i``: event number ``i`` (0-based) carries invalid JSON in
      its ``data:`` line; the stream continues normally afterwards.
    * ``error_after=k``: send ``k`` events, then an ``error`` event
      (``error_code`` / ``error_message``) and end the stream cleanly without
      ``[DONE]``.
    * ``event_delay``: seconds to sleep between events (or between pieces when
      ``chunk_size`` is set).

    HTTP faults (stream and non-stream; also on cancel and delete):

    * ``http_status`` (e.g. 429, 500, 503): answer with that status and the API
      error body instead; ``retry_after`` adds a ``Retry-After`` header.
    * ``first_byte_delay``: seconds to wait before sending the status line.

    For non-streamed answers ``drop_after`` closes without any response,
    ``truncate_after`` sends the headers and half the body, ``malformed_at``
    sends an invalid JSON body.

    Framing of the body: ``framing`` is ``"chunked"``, ``"content-length"`` or
    ``"close"`` (no length, read until the server closes); ``None`` (default)
    means chunked for streams and Content-Length for JSON; ``chunk_size=N``
    re-splits the body into N-byte writes/chunks not aligned with events
    (default: one write/chunk per event).

    Wire shape (kept after ``fail_times`` runs out, like the framing):
    ``no_event_ids=1`` sends events without ``event_id``, as the API's guide
    shows them; a resume then cannot name the last event seen.

    Scope: ``fail_times=N`` applies the faults only to the first ``N`` matching
    requests (counted per scenario and fault set; later attempts succeed);
    ``on`` restricts them to ``"create"`` (POST), ``"get"`` (GET), ``"cancel"`` or
    ``"delete"`` requests.
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
        """Return ``self`` overridden by every non-default field of ``other``."""
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
        """The non-default fields as a ``key=value;...`` string (see :meth:`parse`)."""
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
        """Parse ``"drop_after=3; event_delay=0.025"`` (``;`` or ``,`` separated).

        Also accepts ``status=429,times=2,retry_after=1``; a bare ``429`` / ``500``
        / ``503`` means ``http_status``.
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
