# Copied from codegen/runtime/_sse.py by `nox -s generate` - edit it there, not here.
"""Server-Sent Events decoding (WHATWG HTML, "Interpreting an event stream").

Hand-written runtime module: the generator copies it verbatim into both
`gemini_interactions` (sync) and `gemini_interactions_async`, so it uses
only the standard library at import time and never imports either package.

Layout:

* `SSEDecoder` is the *framer*. It turns arbitrary byte chunks into
  complete event blocks: BOM stripped, CR / CRLF normalised to LF, one block
  per blank line. It keeps a list of pending pieces and only ever searches new
  bytes, so cost is linear in the stream size, and an event is returned by the
  very `feed()` call whose chunk holds its terminating blank line.
* A *block parser* turns one block into a `ServerSentEvent`.
  `parse_block` is the reference parser; `sseclient_block_parser`
  delegates the field parsing to sseclient-py (sync package only) and fixes
  what sseclient gets wrong.
* `SSEDecoder.blocks` gives the framed blocks without parsing them, and
  `simple_data` the data bytes of a block in the API's own two shapes:
  a typed stream validates those bytes directly and parses only other blocks.

A block handed to a block parser is never empty, contains only `\\n` line
separators (no `\\r`), has no empty line, and no trailing newline.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "BlockParser",
    "BlockTooLargeError",
    "DecoderState",
    "PiecedBlock",
    "SSEDecoder",
    "ServerSentEvent",
    "parse_block",
    "simple_data",
    "sseclient_block_parser",
]

_BOM = b"\xef\xbb\xbf"
# Python refuses int() on more than 4300 digits (CVE-2020-10735 guard); a
# retry value that long is nonsense anyway, so it is ignored rather than crash.
_MAX_RETRY_DIGITS = 4000
# Blocks with more lines than this bypass sseclient (see sseclient_block_parser).
_SSECLIENT_MAX_LINES = 64
_UNBOUNDED = 1 << 62
_SEGMENT = 1 << 20


class BlockTooLargeError(ValueError):
    """A block grew past `max_event_size`, raised as soon as it did; the decoder is reset.
    `blocks` are the complete blocks the chunk held before it, still to be handled in order."""

    def __init__(self, limit: int, blocks: list[bytes]) -> None:
        super().__init__(f"an event is larger than {limit} bytes")
        self.limit = limit
        self.blocks = blocks


class PiecedBlock(bytes):
    """A long block in the pieces it arrived in, not joined: what `SSEDecoder.blocks` gives for a
    block over `pieces_over` bytes. Joining a 20 MiB image holds its bytes twice; its reader can
    take the pieces one by one instead, or `whole()` them. Empty as bytes (a framed block never
    is), so code that only knows blocks sees no event in it rather than a wrong one."""

    pieces: list[bytes]

    def __new__(cls, pieces: list[bytes]) -> PiecedBlock:
        block = super().__new__(cls)
        block.pieces = pieces
        return block

    def whole(self) -> bytes:
        """The block, joined (its pieces are let go of)."""
        whole = b"".join(self.pieces)
        self.pieces = []
        return whole


@dataclass(frozen=True, slots=True)
class ServerSentEvent:
    """One dispatched event."""

    event: str
    """Event type; `"message"` when the block had no (or an empty) event field."""
    data: str
    """The data lines joined with `"\\n"`."""
    id: str
    """The last event ID in force at dispatch (persists across events; "" if never set)."""
    retry: int | None
    """Reconnection time (ms) from a valid `retry` field in this block, else None."""


# A frozen dataclass __init__ goes through object.__setattr__ per field; setting
# the slots directly halves the cost of building an event on the hot path.
_new = object.__new__
_slot: dict[str, Any] = dict(vars(ServerSentEvent))
_set_event: Callable[[ServerSentEvent, str], None] = _slot["event"].__set__
_set_data: Callable[[ServerSentEvent, str], None] = _slot["data"].__set__
_set_id: Callable[[ServerSentEvent, str], None] = _slot["id"].__set__
_set_retry: Callable[[ServerSentEvent, int | None], None] = _slot["retry"].__set__
del _slot


def _make_event(event: str, data: str, id: str, retry: int | None) -> ServerSentEvent:
    ev: ServerSentEvent = _new(ServerSentEvent)
    _set_event(ev, event)
    _set_data(ev, data)
    _set_id(ev, id)
    _set_retry(ev, retry)
    return ev


@dataclass(slots=True)
class DecoderState:
    """State that outlives a single block (shared by framer and block parser)."""

    last_event_id: str = ""
    """The last event ID buffer; persists until another valid `id` field."""
    retry: int | None = None
    """The last valid reconnection time seen."""


BlockParser = Callable[[bytes, DecoderState], ServerSentEvent | None]


def _parse_retry(value: str) -> int | None:
    # Only ASCII digits count: str.isdigit() alone accepts "²³" and int()
    # accepts "+1", " 1" and "1_0", none of which are valid here.
    if not (value.isascii() and value.isdigit()):
        return None
    digits = value.lstrip("0") or "0"
    if len(digits) > _MAX_RETRY_DIGITS:
        return None
    return int(digits)


def _parse_simple(text: str, state: DecoderState) -> ServerSentEvent | None:
    """The shapes the API sends, "event: X\\ndata: Y" and "data: Y", parsed at once; None for any other block."""
    if text.startswith("event: "):
        name, sep, value = text[7:].partition("\ndata: ")
        if sep and "\n" not in name and "\n" not in value:
            return _make_event(name or "message", value, state.last_event_id, None)
    elif text.startswith("data: ") and "\n" not in text:
        return _make_event("message", text[6:], state.last_event_id, None)
    return None


def simple_data(block: bytes) -> bytes | None:
    """The data of a block in one of the API's shapes, as bytes; None for any other block.

    Such a block ("event: X\\ndata: Y" or "data: Y") has no id, retry or comment line, so it
    changes no decoder state, and `parse_block` would give it the data Y, decoded. A caller
    that wants the bytes (a JSON parser reads UTF-8 itself) may use them instead of parsing."""
    if block.startswith(b"event: "):
        at = block.find(b"\ndata: ", 7)
        if at >= 0 and block.count(10) == 1:  # that LF is the only one: two lines
            return block[at + 7 :]
    elif block.startswith(b"data: ") and block.find(10) < 0:
        return block[6:]
    return None


def parse_block(block: bytes, state: DecoderState) -> ServerSentEvent | None:
    """Reference block parser: parse one framed block, update `state`.

    Returns None when the block has no data field (nothing is dispatched, but
    `id` / `retry` fields in it still take effect).
    """
    # Decoding a whole block equals decoding line by line: line separators are
    # ASCII, which can never be part of (or continue) a multi-byte sequence.
    text = block.decode("utf-8", "replace")
    simple = _parse_simple(text, state)
    if simple is not None:
        return simple

    event = ""
    data: list[str] = []
    retry: int | None = None
    for line in text.split("\n"):
        if not line or line[0] == ":":
            continue  # comment (empty lines cannot occur in a framed block)
        colon = line.find(":")
        if colon < 0:
            field, value = line, ""
        else:
            field = line[:colon]
            # One leading space is dropped; slice once (values can be MiBs).
            start = colon + 2 if line.startswith(" ", colon + 1) else colon + 1
            value = line[start:]
        if field == "data":
            data.append(value)
        elif field == "event":
            event = value
        elif field == "id":
            if "\x00" not in value:
                state.last_event_id = value
        elif field == "retry":
            r = _parse_retry(value)
            if r is not None:
                retry = state.retry = r
        # Any other field is ignored.
    if not data:
        return None
    return _make_event(event or "message", "\n".join(data), state.last_event_id, retry)


def sseclient_block_parser(*, simple_shapes_first: bool = True) -> BlockParser:
    """Block parser that delegates field parsing to sseclient-py (sync flavour).

    sseclient-py parses a complete, LF-normalised block correctly, but not a
    raw stream, so the shared `SSEDecoder` frames and this only parses.
    On top of sseclient it: carries the last event ID over to later events,
    ignores `id` values containing NUL, validates `retry`, honours
    `id` / `retry` in blocks without data, and replaces invalid UTF-8
    (sseclient decodes strictly and would raise).

    `simple_shapes_first=False` sends every block to sseclient-py (the tests
    compare both ways).
    """
    # Imported lazily: only the sync package depends on sseclient-py.
    import sseclient  # type: ignore[import-untyped, import-not-found, unused-ignore]

    def events_of(block: bytes) -> Any:
        # sseclient-py's public API over one already framed block: its own framing is what breaks on
        # raw streams (and is quadratic), so it only ever sees a single complete block.
        return sseclient.SSEClient(iter((block,))).events()

    def parse(block: bytes, state: DecoderState) -> ServerSentEvent | None:
        # The two one-line-per-field shapes every API event has are parsed by the shared parser:
        # building an SSEClient per event costs ~4 µs, twice the whole event's validation, and
        # for these shapes both parsers give the same event by construction (no id, retry or
        # comment line; test_simple_shapes_sseclient_agrees and test_block_parsers_agree check
        # it on generated blocks). Every other block, where SSE's rules matter, goes to sseclient-py.
        if simple_shapes_first:
            simple = _parse_simple(block.decode("utf-8", "replace"), state)
            if simple is not None:
                return simple
        if block.count(10) >= _SSECLIENT_MAX_LINES:
            # SSEClient.events() grows the data with `event.__dict__[f] += ...`,
            # which copies it for every line (quadratic: 80k data lines take
            # seconds), so long blocks go to the reference parser.
            return parse_block(block, state)
        try:
            ev: Any = next(events_of(block), None)
        except UnicodeDecodeError:
            # Same result as decoding with errors="replace".
            clean = block.decode("utf-8", "replace").encode("utf-8")
            ev = next(events_of(clean), None)
        retry: int | None = None
        # sseclient keeps the last raw id / retry value, unvalidated, and drops
        # both with data-less blocks, so those two fields are applied here;
        # ev.id / ev.retry stay None when the block has no such line.
        if ev is None or ev.id is not None or ev.retry is not None:
            for raw in block.split(b"\n"):
                if raw.startswith(b"id"):
                    name, _, rest = raw.partition(b":")
                    if name == b"id":
                        value = rest[1:] if rest.startswith(b" ") else rest
                        if b"\x00" not in value:
                            state.last_event_id = value.decode("utf-8", "replace")
                elif raw.startswith(b"retry"):
                    name, _, rest = raw.partition(b":")
                    if name == b"retry":
                        value = rest[1:] if rest.startswith(b" ") else rest
                        r = _parse_retry(value.decode("utf-8", "replace"))
                        if r is not None:
                            retry = state.retry = r
        if ev is None:
            return None
        return _make_event(ev.event, ev.data, state.last_event_id, retry)

    return parse


class SSEDecoder:
    """Incremental event-stream framer: bytes in, `ServerSentEvent` out.

    `feed()` returns every event completed by the chunk; `reset()` ends the
    stream (an unterminated event is discarded) and readies the decoder for a
    new connection's stream, keeping `last_event_id` and `retry` (what a
    reconnection needs: `Last-Event-ID` header and delay).
    """

    __slots__ = (
        "_at_start",
        "_loose",
        "_loose_at",
        "_max",
        "_parse",
        "_pending",
        "_pieces",
        "_plain",
        "_skip_lf",
        "_state",
        "pieces_over",
    )

    def __init__(self, parse_block: BlockParser | None = None, *, max_event_size: int | None = None) -> None:
        self._parse: BlockParser = parse_block if parse_block is not None else _default_parser
        self._state = DecoderState()
        # A line that never ends is not buffered beyond this: see BlockTooLargeError.
        self._max = _UNBOUNDED if max_event_size is None else max_event_size
        # Bytes of the current, unterminated block (LF-normalised, BOM gone), and how many.
        # Never starts with b"\n" and never holds b"\n\n".
        self._pieces: list[bytes] = []
        self._pending = 0
        # Bytes of the pieces from _loose_at on, appended as they came, not yet joined into a segment.
        self._loose = 0
        self._loose_at = 0
        # While true, the stream has not yet shown whether it starts with a
        # BOM; pending bytes (a BOM prefix, at most 2 bytes) sit in _pieces.
        self._at_start = True
        # The previous chunk ended with CR: an LF opening this one is the
        # second half of a CRLF, not a line ending of its own.
        self._skip_lf = False
        # None of the above is pending: feed() may take its fast path.
        self._plain = False
        # A block that arrived in pieces and ends with more than this many bytes pending is given
        # by `blocks` as a PiecedBlock, not joined: only for a caller of `blocks` that reads those.
        self.pieces_over: int = _UNBOUNDED

    @property
    def last_event_id(self) -> str:
        return self._state.last_event_id

    @property
    def retry(self) -> int | None:
        return self._state.retry

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Feed the next chunk; return the events it completes, in order."""
        parse = self._parse
        state = self._state
        events: list[ServerSentEvent] = []
        for block in self.blocks(chunk):
            ev = parse(block, state)
            if ev is not None:
                events.append(ev)
        return events

    def parse(self, block: bytes) -> ServerSentEvent | None:
        """Parse one block returned by `blocks` (None: it dispatches nothing)."""
        return self._parse(block, self._state)

    def blocks(self, chunk: bytes) -> list[bytes]:
        """Feed the next chunk; return the blocks it completes, in order, framed but not parsed.

        Each must then go through `parse`, in order, unless the caller handles it as
        `simple_data` describes (such a block changes no decoder state)."""
        # Fast path: nothing pending and the chunk is exactly one LF-only
        # event of one or two lines (one chunk per event is what streaming
        # servers usually send). With at most three LFs, the last two adjacent
        # and neither the first nor the third-last byte an LF, the only blank
        # line is the terminating one. Single-byte searches are the cheapest.
        if (
            self._plain
            and chunk.endswith(b"\n\n")
            and chunk[0] != 10
            and chunk[-3] != 10
            and chunk.find(13) < 0
            and chunk.count(10) <= 3
            and len(chunk) <= self._max
        ):
            return [chunk[:-2]]
        blocks = self._frame(chunk)
        self._plain = not (self._pieces or self._at_start or self._skip_lf)
        return blocks

    def _frame(self, chunk: bytes) -> list[bytes]:
        blocks: list[bytes] = []
        if self._at_start:
            head = b"".join(self._pieces) + chunk
            if len(head) < 3 and _BOM.startswith(head):
                self._pieces = [head] if head else []
                return blocks
            self._pieces = []
            self._at_start = False
            chunk = head[3:] if head.startswith(_BOM) else head
        if self._skip_lf:
            self._skip_lf = False
            if chunk.startswith(b"\n"):
                chunk = chunk[1:]
        if chunk.find(13) >= 0:  # single-byte find: memchr, unlike b"\r" in chunk
            # Normalise per chunk; a trailing CR becomes LF and remembers to
            # swallow an LF that may open the next chunk.
            self._skip_lf = chunk.endswith(b"\r")
            chunk = chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        if not chunk:
            return blocks

        pieces = self._pieces
        if pieces:
            # Finish the pending block. Only the new bytes are searched; the
            # one blank line that can straddle the boundary is "\n" | "\n".
            if chunk[0] == 10 and pieces[-1].endswith(b"\n"):
                pieces[-1] = pieces[-1][:-1]
                start = 1
            else:
                # memchr for LF first: a long line (a base64 image) arrives
                # as many chunks holding no LF at all.
                end = chunk.find(b"\n\n") if chunk.find(10) >= 0 else -1
                if end < 0:
                    self._pending += len(chunk)
                    if self._pending > self._max:
                        raise self._too_large(blocks)
                    if not self._loose:
                        self._loose_at = len(pieces)
                    pieces.append(chunk)
                    self._loose += len(chunk)
                    if self._loose >= _SEGMENT and self.pieces_over < _UNBOUNDED:
                        # A block to be handed over in pieces is held in segments, not in the reads
                        # it came in: a segment let go of gives its memory back to the system at
                        # once, where small reads' memory often stays with the process.
                        pieces[self._loose_at :] = [b"".join(pieces[self._loose_at :])]
                        self._loose = 0
                    return blocks
                pieces.append(chunk[:end])
                start = end + 2
            if self._pending > self.pieces_over:
                if sum(map(len, pieces)) > self._max:
                    raise self._too_large(blocks)
                blocks.append(PiecedBlock(pieces))
                self._pieces = pieces = []
            else:
                block = b"".join(pieces)
                pieces.clear()
                if len(block) > self._max:
                    raise self._too_large(blocks)
                blocks.append(block)
            self._pending = self._loose = 0
            chunk = chunk[start:]

        # At a block boundary. Extra blank lines dispatch nothing: strip them.
        parts = chunk.split(b"\n\n")
        rest = parts.pop()
        if not chunk.startswith(b"\n") and chunk.find(b"\n\n\n") < 0:
            blocks += parts  # no blank line but the separators: every part is a whole block
        else:
            for part in parts:
                if part.startswith(b"\n"):
                    part = part.lstrip(b"\n")
                if part:
                    blocks.append(part)
        if rest.startswith(b"\n"):
            rest = rest.lstrip(b"\n")
        if len(chunk) > self._max:  # only then can a block in it be too large
            for i, block in enumerate([*blocks, rest]):
                if len(block) > self._max:
                    raise self._too_large(blocks[:i])
        if rest:
            pieces.append(rest)
            self._pending = len(rest)
        return blocks

    def _too_large(self, blocks: list[bytes]) -> BlockTooLargeError:
        self.reset()
        return BlockTooLargeError(self._max, blocks)

    def pending(self) -> bytes:
        """The bytes of the unterminated block so far (what `reset` would drop)."""
        return b"".join(self._pieces)

    def reset(self) -> None:
        """End of a connection's stream: drop any unterminated event (never dispatched), frame the next afresh."""
        self._pieces = []
        self._pending = self._loose = 0
        self._at_start = True
        self._skip_lf = False
        self._plain = False


_default_parser: BlockParser = parse_block
