"""Tests for the SSE decoding layer (codegen/runtime/_sse.py).

Every test runs against both block parsers: the reference `parse_block` and
the sseclient-py based one used by the sync package; both share the framer.
"""

from __future__ import annotations

import itertools
import sys
import tracemalloc
from collections.abc import Callable, Iterator
from typing import Any

import gemini_interactions._sse as sync_sse
import gemini_interactions_async._sse as async_sse
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# Each flavour's own combination: the sync package hands framed events to sseclient-py, the
# async package to the reference parser; both must mean the same thing by the same bytes.
sse = sync_sse
ServerSentEvent = sse.ServerSentEvent
SSEDecoder = sse.SSEDecoder

PARSERS: dict[str, Callable[[], Any]] = {
    "async-reference": lambda: async_sse.parse_block,
    "sync-sseclient": sync_sse.sseclient_block_parser,
}
DECODERS = {"async-reference": async_sse.SSEDecoder, "sync-sseclient": sync_sse.SSEDecoder}


@pytest.fixture(params=sorted(PARSERS))
def make_decoder(request: pytest.FixtureRequest) -> Callable[[], Any]:
    decoder_class, factory = DECODERS[request.param], PARSERS[request.param]
    return lambda: decoder_class(factory())


Ev = tuple[str, str, str, "int | None"]


def as_tuples(events: list[Any]) -> list[Ev]:
    return [(e.event, e.data, e.id, e.retry) for e in events]


def decode(make_decoder: Callable[[], Any], *chunks: bytes) -> list[Ev]:
    dec = make_decoder()
    out: list[Any] = []
    for chunk in chunks:
        out += dec.feed(chunk)
    dec.reset()
    return as_tuples(out)


def msg(data: str, event: str = "message", id: str = "", retry: int | None = None) -> Ev:
    return (event, data, id, retry)


# --------------------------------------------------------------------------
# Tiny, obviously correct reference: decode everything, then walk characters
# exactly as the WHATWG "Interpreting an event stream" steps describe.


def reference_events(stream: bytes) -> tuple[list[Ev], str, int | None]:
    if stream.startswith(b"\xef\xbb\xbf"):
        stream = stream[3:]
    text = stream.decode("utf-8", "replace")
    lines: list[str] = []
    line = ""
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\r":
            lines.append(line)
            line = ""
            if i + 1 < len(text) and text[i + 1] == "\n":
                i += 1
        elif c == "\n":
            lines.append(line)
            line = ""
        else:
            line += c
        i += 1
    # `line` is an unterminated last line: discarded at end of stream.

    events: list[Ev] = []
    data = event_type = last_id = ""
    retry: int | None = None
    block_retry: int | None = None
    dispatched_id = ""
    dispatched_retry: int | None = None
    for line in lines:
        if line == "":
            # What the decoder reports afterwards: state as of the last
            # blank line (a trailing unterminated block is never processed).
            dispatched_id, dispatched_retry = last_id, retry
            if data:
                data = data.removesuffix("\n")
                events.append((event_type or "message", data, last_id, block_retry))
            data = event_type = ""
            block_retry = None
            continue
        if line.startswith(":"):
            continue
        if ":" in line:
            field, value = line.split(":", 1)
            value = value.removeprefix(" ")
        else:
            field, value = line, ""
        if field == "event":
            event_type = value
        elif field == "data":
            data += value + "\n"
        elif field == "id":
            if "\0" not in value:
                last_id = value
        elif field == "retry" and value and all(ch in "0123456789" for ch in value):
            retry = block_retry = int(value)
    return events, dispatched_id, dispatched_retry


# --------------------------------------------------------------------------
# Explicit rule cases.


def test_simple_event(make_decoder: Callable[[], Any]) -> None:
    assert decode(make_decoder, b"event: step.delta\ndata: {}\n\n") == [msg("{}", "step.delta")]


@pytest.mark.parametrize("eol", [b"\n", b"\r\n", b"\r"], ids=["LF", "CRLF", "CR"])
def test_line_endings(make_decoder: Callable[[], Any], eol: bytes) -> None:
    stream = b"event: a" + eol + b"data: 1" + eol + b"data: 2" + eol + eol + b"data: 3" + eol + eol
    assert decode(make_decoder, stream) == [msg("1\n2", "a"), msg("3")]
    # and byte by byte
    assert decode(make_decoder, *[bytes([b]) for b in stream]) == [
        msg("1\n2", "a"),
        msg("3"),
    ]


def test_mixed_line_endings(make_decoder: Callable[[], Any]) -> None:
    stream = b"data: a\r\ndata: b\rdata: c\n\r\ndata: d\r\r"
    assert decode(make_decoder, stream) == [msg("a\nb\nc"), msg("d")]


def test_lf_line_then_crlf_blank_line_is_two_events(
    make_decoder: Callable[[], Any],
) -> None:
    stream = b"data: one\n\r\ndata: two\n\r\n"
    assert decode(make_decoder, stream) == [msg("one"), msg("two")]


def test_cr_lf_split_across_chunks_is_one_line_ending(
    make_decoder: Callable[[], Any],
) -> None:
    # "\r" | "\n" is one ending, so no blank line yet ...
    dec = make_decoder()
    assert dec.feed(b"data: x\r") == []
    assert dec.feed(b"\n") == []
    # ... and "\r\n" | "\r\n" is a blank line.
    assert as_tuples(dec.feed(b"\r")) == [msg("x")]
    assert dec.feed(b"\ndata: y\r") == []
    assert as_tuples(dec.feed(b"\r")) == [msg("y")]


def test_event_delivered_by_the_chunk_holding_the_blank_line(
    make_decoder: Callable[[], Any],
) -> None:
    dec = make_decoder()
    assert dec.feed(b"data: a\n") == []
    assert as_tuples(dec.feed(b"\n")) == [msg("a")]
    assert as_tuples(dec.feed(b"data: b\n\ndata: c\n")) == [("message", "b", "", None)]
    assert as_tuples(dec.feed(b"\ndata: d\n\nda")) == [msg("c"), msg("d")]
    # A CR closing the blank line dispatches at once, without waiting for LF.
    assert as_tuples(dec.feed(b"ta: e\n\r")) == [msg("e")]
    assert dec.feed(b"\n") == []
    dec.reset()


def test_bom_stripped(make_decoder: Callable[[], Any]) -> None:
    assert decode(make_decoder, b"\xef\xbb\xbfdata: x\n\n") == [msg("x")]


@pytest.mark.parametrize(
    "chunks",
    [
        (b"\xef", b"\xbb\xbfdata: x\n\n"),
        (b"\xef\xbb", b"\xbfdata: x\n\n"),
        (b"\xef", b"\xbb", b"\xbf", b"data: x\n\n"),
        (b"", b"\xef\xbb\xbf", b"data: x\n\n"),
    ],
)
def test_bom_split_across_chunks(make_decoder: Callable[[], Any], chunks: tuple[bytes, ...]) -> None:
    assert decode(make_decoder, *chunks) == [msg("x")]


def test_only_one_bom_and_only_at_start(make_decoder: Callable[[], Any]) -> None:
    # A second BOM is part of the first field name, which becomes unknown.
    assert decode(make_decoder, b"\xef\xbb\xbf\xef\xbb\xbfdata: x\n\ndata: y\n\n") == [msg("y")]
    assert decode(make_decoder, b"data: x\n\n\xef\xbb\xbfdata: y\n\n") == [msg("x")]
    # A BOM prefix that is not a BOM is decoded (as U+FFFD).
    assert decode(make_decoder, b"\xef\xbb", b"\n\ndata: y\n\n") == [msg("y")]


def test_comments(make_decoder: Callable[[], Any]) -> None:
    stream = b": keep-alive\n\n:\ndata: a\n: inner comment\ndata: b\n\n"
    assert decode(make_decoder, stream) == [msg("a\nb")]


def test_no_space_after_colon_and_only_one_space_removed(
    make_decoder: Callable[[], Any],
) -> None:
    stream = b"event:e\ndata:a\ndata:  b\ndata: c: d\ndata:\t e\n\n"
    assert decode(make_decoder, stream) == [msg("a\n b\nc: d\n\t e", "e")]


def test_multiline_data(make_decoder: Callable[[], Any]) -> None:
    assert decode(make_decoder, b"data: a\ndata:\ndata: b\ndata\n\n") == [msg("a\n\nb\n")]


def test_id_persists_across_events(make_decoder: Callable[[], Any]) -> None:
    dec = make_decoder()
    stream = b"data: a\n\nid: 1\ndata: b\n\ndata: c\n\nid\ndata: d\n\n"
    assert as_tuples(dec.feed(stream)) == [
        msg("a"),
        msg("b", id="1"),
        msg("c", id="1"),
        msg("d"),
    ]
    assert dec.last_event_id == ""


def test_id_in_block_without_data_still_updates(
    make_decoder: Callable[[], Any],
) -> None:
    dec = make_decoder()
    assert dec.feed(b"id: 7\n\n") == []
    assert dec.last_event_id == "7"
    assert as_tuples(dec.feed(b"data: x\n\n")) == [msg("x", id="7")]


def test_id_with_nul_ignored(make_decoder: Callable[[], Any]) -> None:
    stream = b"id: 1\ndata: a\n\nid: 2\x003\ndata: b\n\nid: 4\nid: \x00\ndata: c\n\n"
    assert decode(make_decoder, stream) == [
        msg("a", id="1"),
        msg("b", id="1"),
        msg("c", id="4"),
    ]


def test_id_last_one_wins_and_unicode(make_decoder: Callable[[], Any]) -> None:
    stream = "id: a\nid: é€😀\ndata: x\n\n".encode()
    assert decode(make_decoder, stream) == [msg("x", id="é€😀")]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (b"1000", 1000),
        (b"0", 0),
        (b"007", 7),
        (b"1.5", None),
        (b"-1", None),
        (b"+1", None),
        (b" 1", None),  # ": " then " 1": the second space stays
        (b"1_0", None),
        (b"", None),
        (b"abc", None),
        ("²³".encode(), None),
        ("١٢".encode(), None),  # Arabic-Indic digits
        (b"1" * 5000, None),  # absurd: ignored rather than int() crashing
    ],
)
def test_retry(make_decoder: Callable[[], Any], value: bytes, expected: int | None) -> None:
    dec = make_decoder()
    events = as_tuples(dec.feed(b"retry: " + value + b"\ndata: x\n\n"))
    assert events == [msg("x", retry=expected)]
    assert dec.retry == expected


def test_retry_persists_on_decoder_not_on_later_events(
    make_decoder: Callable[[], Any],
) -> None:
    dec = make_decoder()
    stream = b"retry: 10\n\ndata: a\n\nretry: 20\nretry: x\ndata: b\n\ndata: c\nretry: 1.5\n\n"
    assert as_tuples(dec.feed(stream)) == [msg("a"), msg("b", retry=20), msg("c")]
    assert dec.retry == 20


def test_events_without_data_not_dispatched(make_decoder: Callable[[], Any]) -> None:
    stream = b"event: ping\n\n: comment\n\nid: 3\n\nretry: 5\n\nfoo: bar\n\ndata: x\n\n"
    assert decode(make_decoder, stream) == [msg("x", id="3")]


def test_event_type_does_not_leak_into_next_event(
    make_decoder: Callable[[], Any],
) -> None:
    stream = b"event: a\n\ndata: x\n\nevent: b\nevent:\ndata: y\n\n"
    assert decode(make_decoder, stream) == [msg("x"), msg("y")]


def test_unterminated_event_at_eof_not_dispatched(
    make_decoder: Callable[[], Any],
) -> None:
    for tail in (b"data: late", b"data: late\n", b"data: late\r", b"data: late\r\n"):
        dec = make_decoder()
        assert as_tuples(dec.feed(b"data: x\n\n" + tail)) == [msg("x")]
        dec.reset()


def test_reset_restarts_framing_but_keeps_last_event_id(
    make_decoder: Callable[[], Any],
) -> None:
    dec = make_decoder()
    assert dec.feed(b"id: 9\nretry: 3\ndata: x\n\ndata: partial\r") != []
    dec.reset()
    # A new connection: BOM stripped again, no stale partial event or CR.
    assert as_tuples(dec.feed(b"\xef\xbb\xbf\ndata: y\n\n")) == [msg("y", id="9")]
    assert dec.last_event_id == "9"
    assert dec.retry == 3


def test_empty_data_line_dispatches_empty_string(
    make_decoder: Callable[[], Any],
) -> None:
    assert decode(make_decoder, b"data:\n\ndata: \n\ndata\n\n") == [msg(""), msg(""), msg("")]


def test_event_name_defaults_to_message(make_decoder: Callable[[], Any]) -> None:
    assert decode(make_decoder, b"data: x\n\nevent:\ndata: y\n\nevent: \ndata: z\n\n") == [
        msg("x"),
        msg("y"),
        msg("z"),
    ]


def test_unknown_fields_and_case_sensitivity(make_decoder: Callable[[], Any]) -> None:
    stream = b"Data: no\nDATA: no\nfoo: bar\nevents: no\n data: no\ndata : no\ndata: yes\n\n"
    assert decode(make_decoder, stream) == [msg("yes")]


def test_done_sentinel(make_decoder: Callable[[], Any]) -> None:
    stream = b'data: {"a": 1}\n\ndata: [DONE]\n\n'
    assert decode(make_decoder, stream) == [msg('{"a": 1}'), msg("[DONE]")]


def test_multibyte_utf8_split_across_chunks(make_decoder: Callable[[], Any]) -> None:
    stream = "event: é\ndata: €😀ü\n\n".encode()
    expected = [msg("€😀ü", "é")]
    for i in range(len(stream) + 1):
        assert decode(make_decoder, stream[:i], stream[i:]) == expected
    assert decode(make_decoder, *[bytes([b]) for b in stream]) == expected


def test_invalid_utf8_replaced(make_decoder: Callable[[], Any]) -> None:
    stream = b"data: a\xffb\xe2\x82\ndata: \xed\xa0\x80\n\n"
    assert decode(make_decoder, stream) == [msg("a\ufffdb\ufffd\n\ufffd\ufffd\ufffd")]


def test_many_blank_lines_and_blank_start(make_decoder: Callable[[], Any]) -> None:
    stream = b"\n\n\r\n\rdata: a\n\n\n\n\ndata: b\r\r\r\r\n\n"
    assert decode(make_decoder, stream) == [msg("a"), msg("b")]


def test_returns_server_sent_event_objects(make_decoder: Callable[[], Any]) -> None:
    (ev,) = make_decoder().feed(b"id: 1\nevent: e\ndata: d\nretry: 5\n\n")
    assert as_tuples([ev]) == [("e", "d", "1", 5)]
    assert type(ev).__name__ == "ServerSentEvent" and type(ev).__module__.endswith("._sse")
    with pytest.raises(AttributeError):
        ev.data = "x"


# --------------------------------------------------------------------------
# Property tests: any chunking == one chunk == the character-level reference,
# and the two block parsers agree on everything.

_FIELDS = [
    "data",
    "data",
    "data",
    "event",
    "id",
    "retry",
    "",
    ":",
    ": x",
    "dat",
    "Data",
    "id\0",
]
_ALPHABET = st.sampled_from(list("ab :0123456789") + ["\x00", "é", "€", "😀", "\ufeff", "\u2028", "\x85", "²", "\t"])
_EOL = st.sampled_from([b"\n", b"\r\n", b"\r"])


@st.composite
def streams(draw: st.DrawFn) -> bytes:
    out = [b"\xef\xbb\xbf"] if draw(st.booleans()) else []
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.integers(0, 9))
        if kind == 0:
            out.append(draw(_EOL))  # blank line (or the second half of one)
        elif kind == 1:
            out.append(draw(st.binary(max_size=4)))  # raw, possibly invalid UTF-8
        else:
            field = draw(st.sampled_from(_FIELDS))
            sep = draw(st.sampled_from(["", ":", ": ", ":  "]))
            value = draw(st.text(_ALPHABET, max_size=8))
            if field == "retry" and draw(st.booleans()):
                value = str(draw(st.integers(0, 10**6)))
            out.append((field + sep + value).encode())
            out.append(draw(_EOL))
            if draw(st.integers(0, 2)) == 0:
                out.append(draw(_EOL))
    return b"".join(out)


def chunked(stream: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({min(c, len(stream)) for c in cuts})
    bounds = [0, *points, len(stream)]
    return [stream[a:b] for a, b in itertools.pairwise(bounds)]


def run_decoder(parser: Any, chunks: list[bytes]) -> tuple[list[Ev], str, int | None]:
    dec = SSEDecoder(parser)
    out: list[Any] = []
    for chunk in chunks:
        out += dec.feed(chunk)
    result = as_tuples(out), dec.last_event_id, dec.retry
    dec.reset()
    return result


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stream=streams(), cuts=st.lists(st.integers(0, 200), max_size=12))
def test_any_chunking_matches_reference(stream: bytes, cuts: list[int]) -> None:
    expected = reference_events(stream)
    for name in sorted(PARSERS):
        parser = PARSERS[name]()
        assert run_decoder(parser, [stream]) == expected, name
        assert run_decoder(parser, chunked(stream, cuts)) == expected, name


@settings(max_examples=150, deadline=None)
@given(stream=streams())
def test_byte_by_byte_matches_reference(stream: bytes) -> None:
    # Every split point at once: inside multi-byte characters, between CR and
    # LF, inside the BOM.
    expected = reference_events(stream)
    for name in sorted(PARSERS):
        assert run_decoder(PARSERS[name](), [bytes([b]) for b in stream]) == expected, name


@settings(max_examples=300, deadline=None)
@given(
    lines=st.lists(
        st.tuples(
            st.sampled_from(_FIELDS + ["retry", "id"]),
            st.sampled_from(["", ":", ": "]),
            st.one_of(st.text(_ALPHABET, max_size=6), st.binary(max_size=4).map(repr)),
        ),
        min_size=1,
        max_size=8,
    ),
    last_id=st.text(max_size=3),
    retry=st.one_of(st.none(), st.integers(0, 100)),
)
def test_block_parsers_agree(lines: list[tuple[str, str, str]], last_id: str, retry: int | None) -> None:
    block = "\n".join(f + s + v for f, s, v in lines).encode()
    if b"\n\n" in block or block.startswith(b"\n") or block.endswith(b"\n") or not block:
        return  # not a framed block
    results = []
    # The sync parser takes the API's simple shapes itself: sseclient-py alone must agree with it.
    parsers: list[Callable[[], Any]] = [
        *PARSERS.values(),
        lambda: sync_sse.sseclient_block_parser(simple_shapes_first=False),
    ]
    for parser in parsers:
        state = sse.DecoderState(last_id, retry)
        ev = parser()(block, state)
        results.append((as_tuples([ev]) if ev else None, state.last_event_id, state.retry))
    assert results[0] == results[1] == results[2]


_LINE_TEXT = st.text(st.characters(blacklist_characters="\r\n", blacklist_categories=["Cs"]), max_size=12)


@settings(max_examples=300, deadline=None)
@given(name=st.one_of(st.none(), _LINE_TEXT), value=_LINE_TEXT, last_id=st.text(max_size=3))
def test_simple_shapes_sseclient_agrees(name: str | None, value: str, last_id: str) -> None:
    """The shapes the sync parser takes away from sseclient-py mean the same to sseclient-py."""
    block = (f"data: {value}" if name is None else f"event: {name}\ndata: {value}").encode()
    results = []
    for parser in (sync_sse.sseclient_block_parser(), sync_sse.sseclient_block_parser(simple_shapes_first=False)):
        state = sse.DecoderState(last_id, None)
        ev = parser(block, state)
        results.append((as_tuples([ev]) if ev else None, state.last_event_id))
    assert results[0] == results[1]


# --------------------------------------------------------------------------
# Cost: linear in bytes, judged by the bytes allocated (deterministic), never by timings.


def _bytes_allocated(fn: Callable[[], object]) -> int:
    """The bytes `fn` allocates, summed line by line: each executed Python line's peak above what was
    live when it began (tracemalloc). The quadratic mistakes a decoder can make -- a buffer re-joined or
    re-concatenated per chunk, a value grown by `+=` per line (sseclient-py's way) -- copy a growing
    object once per step and sum to n^2; building each piece once sums to n. Unlike a timing, the
    figure does not depend on the machine's load."""
    total = 0
    base = 0

    def step(frame: Any, event: str, arg: Any) -> Any:
        nonlocal total, base
        current, peak = tracemalloc.get_traced_memory()
        total += peak - base
        tracemalloc.reset_peak()
        base = current
        return step

    previous = sys.gettrace()  # a coverage tracer, say
    was_tracing = tracemalloc.is_tracing()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        sys.settrace(step)
        try:
            fn()
        finally:
            sys.settrace(previous)
        current, peak = tracemalloc.get_traced_memory()
        return total + peak - base
    finally:
        if not was_tracing:
            tracemalloc.stop()


def _grows_linearly(small: int, large: int) -> bool:
    """4x the input: linear work allocates ~4x, quadratic ~16x; 8 is between them, far from both."""
    return large < 8 * small


# What could go quadratic is the framer's per-chunk work and the per-line work of the block parsers.
# Re-scanning pending bytes without copying them allocates nothing: that is counted by
# test_large_event_pending_pieces_not_rescanned.


def test_long_line_in_many_chunks_is_linear() -> None:
    chunk = b"QUJD" * 1024
    decoders: list[Any] = []

    def feed_line(n_chunks: int) -> None:
        dec = SSEDecoder()
        dec.feed(b"data: ")
        for _ in range(n_chunks):
            assert dec.feed(chunk) == []
        decoders[:] = [dec]  # the dispatching chunk is fed after counting

    small, large = _bytes_allocated(lambda: feed_line(256)), _bytes_allocated(lambda: feed_line(1024))
    assert _grows_linearly(small, large), (small, large)
    (ev,) = decoders[0].feed(b"\n\n")
    assert len(ev.data) == 1024 * len(chunk)


def test_framer_cost_per_chunk_does_not_grow() -> None:
    # Feed a 4 MiB line in 16 KiB chunks: no chunk of the last quarter may allocate more than a chunk's
    # size, as copying the pending bytes would (then the last chunks would allocate MiBs each).
    chunk = b"QUJD" * (1 << 12)
    dec = SSEDecoder()
    dec.feed(b"data: ")
    for _ in range(3 * 64):
        assert dec.feed(chunk) == []
    last = [_bytes_allocated(lambda: dec.feed(chunk)) for _ in range(64)]
    assert max(last) < len(chunk), max(last)
    assert len(dec.feed(b"\n\n")[0].data) == 4 * 64 * len(chunk)


@pytest.mark.parametrize("name", sorted(PARSERS))
def test_many_line_block_is_linear(name: str) -> None:
    parser = PARSERS[name]()

    def run(lines: int) -> None:
        stream = b"data: " + b"\ndata: ".join([b"x" * 58] * lines) + b"\n\n"
        (ev,) = SSEDecoder(parser).feed(stream)
        assert ev.data.count("\n") == lines - 1

    small, large = _bytes_allocated(lambda: run(1000)), _bytes_allocated(lambda: run(4000))
    assert _grows_linearly(small, large), (small, large)


def test_large_event_pending_pieces_not_rescanned() -> None:
    # Count bytes searched: each byte of a 1 MiB line fed in 1 KiB chunks must
    # be looked at a bounded number of times.
    class CountingBytes(bytes):
        scanned = 0

        def find(self, sub: Any, *args: Any) -> int:
            CountingBytes.scanned += len(self)
            return super().find(sub, *args)

    dec = SSEDecoder()
    payload = b"data: " + b"x" * (1 << 20)
    for i in range(0, len(payload), 1024):
        assert dec.feed(CountingBytes(payload[i : i + 1024])) == []
    assert CountingBytes.scanned <= 4 * len(payload)
    assert len(dec.feed(b"\n\n")[0].data) == 1 << 20


def _chunks_per_event(n: int) -> Iterator[bytes]:
    for i in range(n):
        yield b'event: step.delta\ndata: {"i": %d}\n\n' % i


def test_many_small_events_one_per_chunk(make_decoder: Callable[[], Any]) -> None:
    dec = make_decoder()
    got: list[Any] = []
    for chunk in _chunks_per_event(2000):
        events = dec.feed(chunk)
        assert len(events) == 1  # delivered by the very chunk that ends it
        got += events
    assert as_tuples([got[-1]]) == [("step.delta", '{"i": 1999}', "", None)]


# --------------------------------------------------------------------------
# Blocks handed over in pieces (pieces_over): the same blocks, not joined.


def _blocks_of(chunks: list[bytes], pieces_over: int | None = None, max_event_size: int | None = None) -> list[bytes]:
    dec = SSEDecoder(max_event_size=max_event_size)
    if pieces_over is not None:
        dec.pieces_over = pieces_over
    out: list[bytes] = []
    for chunk in chunks:
        for block in dec.blocks(chunk):
            if isinstance(block, sse.PiecedBlock):
                assert block == b""  # empty as bytes: only a reader of pieces sees the block
                block = block.whole()
            out.append(block)
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    stream=streams(),
    long_line=st.binary(min_size=0, max_size=300).filter(lambda b: b"\r" not in b and b"\n" not in b),
    cuts=st.lists(st.integers(0, 600), max_size=16),
    pieces_over=st.integers(0, 64),
)
def test_pieced_blocks_are_the_blocks_joined(
    stream: bytes, long_line: bytes, cuts: list[int], pieces_over: int
) -> None:
    # Long lines among odd ones (CR, CRLF, LF, BOM, comments), cut anywhere: a block given in its
    # pieces is byte for byte the block a decoder that joins them gives.
    whole = stream + b"data: " + long_line + b"\r\n" + stream + b"\r\n\r\n"
    chunks = chunked(whole, cuts)
    assert _blocks_of(chunks, pieces_over) == _blocks_of(chunks)


def test_a_long_block_in_pieces_is_held_in_segments() -> None:
    # 3 MiB in 16 KiB reads: the pieces handed over are ~1 MiB segments, not 192 reads.
    dec = SSEDecoder()
    dec.pieces_over = 1 << 20
    line = b"QUJD" * (1 << 12)
    assert dec.blocks(b"data: ") == []
    for _ in range(192):
        assert dec.blocks(line) == []
    (block,) = dec.blocks(b"\n\n")
    assert isinstance(block, sse.PiecedBlock)
    assert len(block.pieces) <= 5 and max(map(len, block.pieces)) < 2 << 20
    assert block.whole() == b"data: " + line * 192
    assert dec.pending() == b""


def test_a_pieced_block_over_the_bound_raises_with_the_blocks_before_it() -> None:
    # Under the bound until its last chunk: the bound is kept when the block is handed over in pieces too.
    dec = SSEDecoder(max_event_size=3 << 20)
    dec.pieces_over = 1 << 20
    assert dec.blocks(b"data: a\n\ndata: ") == [b"data: a"]
    for _ in range(2):
        assert dec.blocks(b"x" * (1 << 20)) == []
    with pytest.raises(sse.BlockTooLargeError) as info:
        dec.blocks(b"x" * (1 << 20) + b"\n\ndata: b\n\n")
    assert info.value.blocks == [] and info.value.limit == 3 << 20
    assert dec.pending() == b""  # reset: the next stream is framed afresh
    assert dec.blocks(b"data: c\n\n") == [b"data: c"]
