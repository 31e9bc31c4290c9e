"""What a typed event stream knows, without doing any I/O: decoding, resume bookkeeping, dedup.

Both flavours' Stream classes feed it bytes and hand its events (or errors, in order) to the user."""

from __future__ import annotations

import logging
from typing import Any, Generic, TypeVar

import pydantic

from ._exceptions import APIResponseValidationError
from ._sse import ServerSentEvent, SSEDecoder

logger = logging.getLogger(__name__.rsplit(".", 1)[0])

E = TypeVar("E")

DONE_SENTINEL = "[DONE]"
TERMINAL_EVENT_TYPES = frozenset({"interaction.completed", "error"})
DEFAULT_MAX_RECONNECTS = 3


class StreamState(Generic[E]):
    def __init__(
        self,
        adapter: pydantic.TypeAdapter[E],
        decoder: SSEDecoder,
        *,
        interaction_id: str | None = None,
        last_event_id: str | None = None,
        max_reconnects: int = DEFAULT_MAX_RECONNECTS,
    ) -> None:
        self._adapter = adapter
        self._decoder = decoder
        self.interaction_id = interaction_id
        self.last_event_id = last_event_id
        self.finished = False  # a terminal event or [DONE] was seen: no resume past this
        self.max_reconnects = max_reconnects
        self.reconnects_without_progress = 0
        self._delivered: set[str] = set()
        # Events delivered since the last one with an id: a resumed stream sends them again, and
        # without an id to skip them by, they are skipped by count (_replayed, set on reconnect).
        self._since_last_id = 0
        self._replayed = 0
        # SSE ids persist across events (WHATWG): only a changed one names a new event.
        self._sse_id = ""
        # The JSON of every event delivered, for final_interaction(): plain strings are cheaper
        # to keep than models (and invisible to the garbage collector).
        self.delivered_data: list[str] = []
        self.error_event: E | None = None

    def feed(self, chunk: bytes) -> list[E | APIResponseValidationError]:
        """The events completed by `chunk`, in order; an undecodable event is an error in its place."""
        out: list[E | APIResponseValidationError] = []
        for sse in self._decoder.feed(chunk):
            item = self._typed(sse)
            if item is not None:
                out.append(item)
        if out:
            self.reconnects_without_progress = 0
        return out

    def end_of_body(self) -> None:
        """The connection ended; an unterminated event is dropped (it will be replayed on resume)."""
        self._decoder.flush()

    @property
    def can_resume(self) -> bool:
        return not self.finished and self.interaction_id is not None

    @property
    def reconnection_time(self) -> float | None:
        """Seconds the server asked a reconnect to wait (its SSE `retry` field), if it did."""
        retry = self._decoder.retry
        return None if retry is None else retry / 1000

    def resume_query(self) -> dict[str, object]:
        self._replayed = self._since_last_id
        query: dict[str, object] = {"stream": True}
        if self.last_event_id:
            query["last_event_id"] = self.last_event_id
        return query

    def _typed(self, sse: ServerSentEvent) -> E | APIResponseValidationError | None:
        data = sse.data
        if data == DONE_SENTINEL:
            self.finished = True
            return None
        try:
            event = self._adapter.validate_json(data)
        except pydantic.ValidationError as exc:
            return APIResponseValidationError(
                f"stream event {sse.event!r} (id {sse.id or 'none'}) is not valid: "
                f"{_first_error(exc)}; data starts {data[:120]!r}",
                payload=data,
            )
        event_id: Any = getattr(event, "event_id", None)
        if sse.id != self._sse_id:
            self._sse_id = sse.id
            event_id = event_id or sse.id or None
        if event_id is not None and event_id in self._delivered:
            logger.debug("skipping event %s, already delivered before the reconnect", event_id)
            return None
        if self._replayed:
            self._replayed -= 1
            logger.debug("skipping a replayed event delivered before the reconnect (it had no event id)")
            if event_id is not None:
                self._delivered.add(event_id)
                self.last_event_id = event_id
            return None
        if event_id is not None:
            self._delivered.add(event_id)
            self.last_event_id = event_id
            self._since_last_id = 0
        else:
            self._since_last_id += 1
        if self.interaction_id is None:
            interaction = getattr(event, "interaction", None)
            found = getattr(interaction, "id", None) or getattr(event, "interaction_id", None)
            if isinstance(found, str):
                self.interaction_id = found
        event_type = getattr(event, "event_type", None)
        if event_type in TERMINAL_EVENT_TYPES:
            self.finished = True
            if event_type == "error":
                self.error_event = event
        self.delivered_data.append(data)
        return event


def _first_error(exc: pydantic.ValidationError) -> str:
    errors = exc.errors(include_url=False, include_input=False)
    if not errors:
        return str(exc)
    first = errors[0]
    where = ".".join(str(p) for p in first.get("loc", ()))
    return f"{first.get('msg', 'invalid')} at {where or 'top level'}"
