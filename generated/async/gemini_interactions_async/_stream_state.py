# Copied from codegen/runtime/_stream_state.py by `nox -s generate` - edit it there, not here.
"""What a typed event stream knows, without doing any I/O: decoding, resume bookkeeping, dedup.

Both flavours' Stream classes feed it bytes and hand its events (or errors, in order) to the user."""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

import pydantic
import pydantic_core

from ._exceptions import APIResponseValidationError, APITimeoutError, EventTooLargeError, StreamError
from ._interaction_builder import InteractionBuilder
from ._models_base import Invalid, dict_dumper, lenient, validation_errors
from ._sse import BlockTooLargeError, PiecedBlock, SSEDecoder, simple_data

logger = logging.getLogger(__name__.rsplit(".", 1)[0])

E = TypeVar("E")

# The data of the block that ends every stream: the API's terminator, no event.
DONE_DATA = "[DONE]"
_DONE_DATA_BYTES = DONE_DATA.encode()  # the same, to compare undecoded data with
LARGE_EVENT = 1 << 20
TERMINAL_EVENT_TYPES = frozenset({"interaction.completed", "error"})
DEFAULT_MAX_RECONNECTS = 3
# Ids of this many recent events (up to twice as many) are remembered to skip repeats after a
# reconnect: a resumed stream carries on after last_event_id, so only an overlap near it can
# repeat, and a long stream's memory stays flat in its number of events.
RECENT_IDS = 4096


class StreamState(Generic[E]):
    def __init__(
        self,
        adapter: pydantic.TypeAdapter[E],
        decoder: SSEDecoder,
        *,
        interaction_id: str | None = None,
        last_event_id: str | None = None,
        max_reconnects: int = DEFAULT_MAX_RECONNECTS,
        strict: bool = False,
        idle_timeout: float | None = None,
    ) -> None:
        self._adapter = adapter
        self._strict = strict
        # Seconds without a complete line (an event's or a comment's) after which the connection
        # counts as dropped: a server trickling bytes that never end a line cannot hold the stream.
        self.idle_timeout: float = math.inf if idle_timeout is None else idle_timeout
        self.last_line_at: float = time.monotonic()
        self._validate_json: Callable[[str | bytes], E] = _validate_json_of(adapter)
        self._decoder = decoder
        decoder.pieces_over = LARGE_EVENT  # such a block comes as a PiecedBlock: see _pieced
        self.interaction_id: str | None = interaction_id
        self.last_event_id: str | None = last_event_id
        self.finished: bool = False  # a terminal event or [DONE] was seen: no resume past this
        self.max_reconnects: int = max_reconnects
        self.reconnects_without_progress: int = 0  # see count_reconnect
        self._delivered_at_reconnect = 0  # self.delivered at the last reconnect
        self._delivered: set[str] = set()  # ids of the latest events delivered (< RECENT_IDS)
        self._delivered_before: set[str] = set()  # the RECENT_IDS ids delivered before those
        # Events delivered after the last one with an id: a resumed stream sends them again, and
        # without an id to skip them by, they are skipped by count (_replayed, set on reconnect).
        self._kept_at_last_id = 0  # self.delivered just after that event
        self._replayed = 0
        self._sse_id = ""  # the SSE id in force at the last event parsed the general way
        self.delivered: int = 0  # events delivered
        # What final_interaction() returns, built as events are delivered: only what the
        # Interaction holds is kept, never the events themselves.
        self.interaction: InteractionBuilder = InteractionBuilder(dict_dumper(adapter))
        self.error_event: E | None = None
        self.closed: bool = False  # the user closed the stream: what the connection does next is no drop
        self.stopped: bool = False  # closed, or a terminal error event came: nothing more is delivered

    def feed(self, chunk: bytes, pick: Callable[[E], str | None] | None = None) -> Iterator[Any]:
        """The events completed by `chunk`, in order, each validated only when it is asked for.

        One at a time, not a list per chunk: a 64 KiB chunk holds hundreds of events, and holding
        them all makes their objects outlive the garbage collector's youngest generation, which
        then triggers full collections. An undecodable event raises APIResponseValidationError
        where it stands, after the events before it.

        With `pick`, what it gives for each event instead of the event, leaving out None and "": a
        stream helper (`text_stream`) picks here rather than in a generator of its own over this one,
        which an async flavour would pay for on every event."""
        # Per chunk, not per event: a chunk that ends a line is progress; one that does not (a
        # trickle) may only go on until the idle bound.
        if chunk.find(10) >= 0 or chunk.find(13) >= 0:
            self.last_line_at = time.monotonic()
        elif time.monotonic() - self.last_line_at > self.idle_timeout:
            raise APITimeoutError(f"no complete line for {self.idle_timeout:g} s (the stream's idle_timeout)")
        if self.stopped:
            return  # nothing after close() or a terminal error event is delivered
        validate_json = self._validate_json
        delivered_ids = self._delivered
        fold_delta = self.interaction.add_delta
        too_large: BlockTooLargeError | None = None
        try:
            blocks = self._decoder.blocks(chunk)
        except BlockTooLargeError as exc:  # the events before it first
            blocks, too_large = exc.blocks, exc
        for block in blocks:
            # The API's own shape: its JSON bytes are validated as they are (pydantic-core reads
            # UTF-8 itself), with no str copy and no ServerSentEvent; anything else, or a failure,
            # takes the general path, which gives exactly what it always gave.
            if block.startswith(b"event: "):  # simple_data's first shape, written out: nearly every block
                at = block.find(b"\ndata: ", 7)
                raw = block[at + 7 :] if at >= 0 and block.count(10) == 1 else None
            else:
                raw = simple_data(block)
            own_id = ""
            if raw is None or raw == _DONE_DATA_BYTES:
                event, own_id = self._general(block)
            elif len(raw) > LARGE_EVENT:
                # Let go of the block (a 20 MiB image, say): while the str is built, its bytes are
                # then held once, not twice. Only a failure needs the block back.
                head = block[: len(block) - len(raw)]
                blocks[blocks.index(block)] = b""
                del block
                event, own_id = self._large(head, raw)
            else:
                try:
                    event = validate_json(raw)
                except pydantic.ValidationError:
                    event, own_id = self._general(block)
            if event is None:
                continue
            # Written out here rather than in a method: this runs for every event. Only an id the
            # event carries itself marks it as delivered: the SSE id persists to later events.
            event_id: Any = getattr(event, "event_id", None) or own_id
            if event_id:
                if event_id in delivered_ids or event_id in self._delivered_before:
                    logger.debug("skipping event %s, already delivered before the reconnect", event_id)
                    continue
                delivered_ids.add(event_id)
                if len(delivered_ids) >= RECENT_IDS:
                    self._delivered_before, delivered_ids = delivered_ids, set()
                    self._delivered = delivered_ids
                self.last_event_id = event_id
                # A new id: the replay of id-less events is over (only those are skipped by count).
                self._replayed = 0
                self._kept_at_last_id = self.delivered + 1
            elif self._replayed:
                self._replayed -= 1
                logger.debug("skipping a replayed event delivered before the reconnect (it had no event id)")
                continue
            # A delta that continues its step's run (nearly every event) names no interaction and
            # ends nothing: only the other events are looked at further.
            try:
                if not fold_delta(event):
                    self._fold(event)
            except Exception:
                if not isinstance(event, Invalid):
                    raise
                logger.debug("an invalid %s event left out of final_interaction()", event_type_of(event))
            self.delivered += 1
            if pick is None:
                yield event
            else:
                picked = pick(event)
                if picked:
                    yield picked
            if self.stopped:
                return
        if too_large is not None:
            raise EventTooLargeError(
                f"a stream event is over {too_large.limit} bytes, the client's max_event_size; "
                "the stream is closed (pass a larger max_event_size to the client if such events are expected)",
                limit=too_large.limit,
            )

    def _fold(self, event: E) -> None:
        if self.interaction_id is None:
            self._find_interaction_id(event)
        if getattr(event, "event_type", None) in TERMINAL_EVENT_TYPES:
            self._terminal(event)
        self.interaction.add(event)

    def count_reconnect(self) -> int:
        """Count one more reconnect; the number of them since an event was last delivered."""
        if self.delivered != self._delivered_at_reconnect:
            self.reconnects_without_progress = 0
        self._delivered_at_reconnect = self.delivered
        self.reconnects_without_progress += 1
        return self.reconnects_without_progress

    def _terminal(self, event: E) -> None:
        self.finished = True
        if getattr(event, "event_type", None) == "error":
            self.error_event = event
            self.stopped = True

    def end_of_body(self) -> None:
        """The connection ended; an unterminated event is dropped (it will be replayed on resume).

        Unless it is a bare JSON error (the API sends one for some refusals): StreamError."""
        pending = self._decoder.pending()
        self._decoder.reset()
        if pending and not self.closed:
            _raise_bare_error(pending)

    @property
    def can_resume(self) -> bool:
        return not self.finished and self.interaction_id is not None

    @property
    def reconnection_time(self) -> float | None:
        """Seconds the server asked a reconnect to wait (its SSE `retry` field), if it did."""
        retry = self._decoder.retry
        return None if retry is None else retry / 1000

    def resume_query(self) -> dict[str, object]:
        self._replayed = self.delivered - self._kept_at_last_id
        self.last_line_at = time.monotonic()
        query: dict[str, object] = {"stream": True}
        if self.last_event_id:
            query["last_event_id"] = self.last_event_id
        return query

    def _general(self, block: bytes) -> tuple[E | None, str]:
        """The event of any block (None for [DONE] or a block without data) and the id it carries itself."""
        if type(block) is PiecedBlock:
            return self._pieced(block)
        sse = self._decoder.parse(block)
        if sse is None:
            _raise_bare_error(block)
            return None, ""
        data = sse.data
        if data == DONE_DATA:
            self.finished = True
            return None, ""
        try:
            event = self._validate_json(data)
        except pydantic.ValidationError as exc:
            try:
                event = lenient(getattr(self._adapter, "_type", None), data, exc, strict=self._strict)
            except pydantic.ValidationError:
                raise APIResponseValidationError(
                    f"stream event {sse.event!r} (id {sse.id or 'none'}) is not valid: "
                    f"{_first_error(exc)}; data starts {data[:120]!r}",
                    payload=data,
                ) from None
        # SSE ids persist across events (WHATWG): only a changed one names this event.
        own_id = ""
        if sse.id != self._sse_id:
            self._sse_id = own_id = sse.id
        return event, own_id

    def _large(self, head: bytes, data: bytes) -> tuple[E | None, str]:
        try:
            return self._validate_json(data), ""
        except pydantic.ValidationError:
            return self._general(head + data)

    def _pieced(self, block: PiecedBlock) -> tuple[E | None, str]:
        """A long block, in its pieces: an event of the API's shape that is mostly one long string
        is validated without its bytes and its str held whole at once; any other, as `feed` would."""
        from ._long_event import NOT_TAKEN, validate_pieces  # only a stream with such events needs it

        event = validate_pieces(self._validate_json, block.pieces)
        if event is not NOT_TAKEN:
            return event, ""  # the API's shape: no id line
        whole = block.whole()
        raw = simple_data(whole)
        if raw is None or raw == _DONE_DATA_BYTES:
            return self._general(whole)
        head = whole[: len(whole) - len(raw)]
        del whole
        return self._large(head, raw)

    def _find_interaction_id(self, event: E) -> None:
        interaction = getattr(event, "interaction", None)
        found = getattr(interaction, "id", None) or getattr(event, "interaction_id", None)
        if isinstance(found, str):
            self.interaction_id = found


def _validate_json_of(adapter: pydantic.TypeAdapter[E]) -> Callable[[str | bytes], E]:
    # The schema validator itself where the adapter is built: TypeAdapter.validate_json adds a
    # Python call per event. A deferred adapter (or one with plugins) keeps its own method.
    validator = adapter.validator
    if isinstance(validator, pydantic_core.SchemaValidator):
        return validator.validate_json
    return adapter.validate_json


def _first_error(exc: pydantic.ValidationError) -> str:
    errors = validation_errors(exc, limit=1)
    if not errors:
        return str(exc)
    first = errors[0]
    where = ".".join(str(p) for p in first.get("loc", ()))
    return f"{first.get('msg', 'invalid')} at {where or 'top level'}"


def _raise_bare_error(block: bytes) -> None:
    """StreamError for a block that is a bare JSON error object (no `data:` field), else nothing."""
    text = block.lstrip()
    if not text.startswith((b"{", b"[")) or b"error" not in text:
        return
    try:
        parsed = json.loads(text)
    except ValueError:
        return
    if isinstance(parsed, list) and parsed:
        parsed = parsed[0]
    error = parsed.get("error") if isinstance(parsed, dict) else None
    if not isinstance(error, dict):
        return
    code = error.get("code", error.get("status"))
    message = error.get("message") or "error"
    raise StreamError(
        f"the stream carried an error instead of events: {message} (code {code})",
        code=None if code is None else str(code),
        event=parsed,
    )


def event_type_of(event: object) -> str:
    return str(getattr(event, "event_type", None) or "unknown")
