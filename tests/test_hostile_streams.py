"""Streams against deliberately hostile servers (issue 18, items 3-7), both flavours, over real sockets:
close() ends a stream, no stream lasts forever, one odd event is never fatal, answers that are not an event
stream, and exact resumes whatever the chunking. Timing is handshakes and small bounded timeouts."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from typing import Any

import pytest

from .conftest import SECRET, Flavour
from .hostile import HOLD, Connection, HostileServer, completed, created, delta, sse, step_start

FAST_RETRY = b"retry: 10\n\n"  # reconnect after 10 ms: the tests' resumes are quick


def serve(hostile: list[HostileServer], *scripts: Any) -> HostileServer:
    server = HostileServer(*scripts)
    hostile.append(server)
    return server


async def open_stream(flavour: Flavour, server: HostileServer, **kwargs: Any) -> tuple[Any, Any]:
    client = flavour.client(base_url=server.base_url, max_retries=0, **kwargs.pop("client", {}))
    stream = await flavour.create(client, model="m", input="x", stream=True, **kwargs)
    return client, stream


# ---- 3. close() ends the stream ----


def holding(*blocks: bytes, closed: list[bool] | None = None) -> Any:
    """Send `blocks` as chunks, then hold the connection open until the client closes it."""

    def script(conn: Connection) -> None:
        conn.head()
        for block in blocks:
            conn.chunk(block)
        gone = conn.wait_closed()
        if closed is not None:
            closed.append(gone)

    return script


async def test_close_in_the_loop_body_ends_iteration_without_reconnect(
    flavour: Flavour, hostile: list[HostileServer]
) -> None:
    closed: list[bool] = []
    server = serve(hostile, holding(FAST_RETRY + sse(created()), sse(step_start()), sse(delta("a")), closed=closed))
    client, stream = await open_stream(flavour, server)
    got: list[Any] = []
    if flavour.is_async:
        async for event in stream:
            got.append(event)
            if len(got) == 2:
                await stream.close()
    else:
        for event in stream:
            got.append(event)
            if len(got) == 2:
                stream.close()
    assert len(got) == 2  # nothing after close(): no reconnect took the connection's end for a drop
    await asyncio.to_thread(server.join)
    assert closed == [True] and len(server.requests) == 1
    await flavour.close(client)


async def test_close_from_another_thread_or_task_interrupts_a_blocked_read(
    flavour: Flavour, hostile: list[HostileServer]
) -> None:
    server = serve(hostile, holding(FAST_RETRY + sse(created()), sse(step_start())))
    # A read timeout far beyond the test's bound: only close() can end the blocked read in time.
    client, stream = await open_stream(flavour, server, timeout=60)
    two = threading.Event()
    got: list[Any] = []
    if flavour.is_async:
        two_async = asyncio.Event()

        async def consume_async() -> None:
            async for event in stream:
                got.append(event)
                if len(got) == 2:
                    two_async.set()

        task = asyncio.create_task(consume_async())
        await asyncio.wait_for(two_async.wait(), HOLD)
        await stream.close()  # from this task, while the consumer task waits on a read
        await asyncio.wait_for(task, HOLD)
    else:

        def consume() -> None:
            for event in stream:
                got.append(event)
                if len(got) == 2:
                    two.set()

        thread = threading.Thread(target=consume)
        thread.start()
        assert two.wait(HOLD)
        stream.close()  # from this thread, while the consumer is blocked in a read
        thread.join(HOLD)
        assert not thread.is_alive(), "close() from another thread did not interrupt the blocked read"
    assert len(got) == 2 and len(server.requests) == 1
    await flavour.close(client)


async def test_break_after_a_reconnect_leaves_no_connection_open(
    flavour: Flavour, hostile: list[HostileServer]
) -> None:
    closed: list[bool] = []

    def dropping(conn: Connection) -> None:
        conn.head()
        conn.chunk(FAST_RETRY + sse(created(), event_id="e1"))
        # the connection drops here, before the interaction completes

    server = serve(hostile, dropping, holding(sse(step_start(), event_id="e2"), sse(delta("a")), closed=closed))
    client, stream = await open_stream(flavour, server)
    got = await flavour.first_n(stream, 2)  # the second came over the resumed connection
    assert [e.event_type for e in got] == ["interaction.created", "step.start"]
    del got
    await asyncio.to_thread(server.join)
    assert closed == [True], "the resumed connection stayed open after the loop was left"
    await flavour.close(client)


# ---- 4. no stream lasts forever ----


def trickling(conn: Connection) -> None:
    """A stream that starts, then sends one byte at a time that never ends a line."""
    conn.head()
    conn.chunk(FAST_RETRY + sse(created()))
    stop = threading.Event()
    for _ in range(int(HOLD / 0.02)):
        if not conn.chunk(b"x") or stop.wait(0.02):
            return


def trickling_resume(conn: Connection) -> None:
    conn.head()
    for _ in range(int(HOLD / 0.02)):
        if not conn.chunk(b"x") or threading.Event().wait(0.02):
            return


async def test_a_trickle_cannot_hold_a_stream(flavour: Flavour, hostile: list[HostileServer]) -> None:
    server = serve(hostile, trickling, trickling_resume)
    timeout = flavour.pkg.Timeout(connect=5, read=60, stream_idle=0.3)
    client, stream = await open_stream(flavour, server, timeout=timeout)
    with pytest.raises(flavour.pkg.StreamResumeError) as info:
        await flavour.events(stream)
    assert "idle" in str(info.value.__cause__)
    assert len(server.requests) == 4  # the first connection and 3 resumes, each cut at the idle bound
    assert all(method == "GET" for method, _ in server.requests[1:])
    await flavour.close(client)


def trickled(first: bytes, more: bytes, left: list[bool]) -> Any:
    """Send `first`, then `more` every 20 ms until the client goes (noted in `left`) or HOLD passes."""

    def script(conn: Connection) -> None:
        conn.send(first)
        for _ in range(int(HOLD / 0.02)):
            if not conn.send(more):
                left.append(True)
                return
            threading.Event().wait(0.02)

    return script


TRICKLES = {
    # Header bytes that never end a line, then a unary body that never completes, then a stream
    # whose events keep coming: each read returns in time, so only the call's deadline can end them.
    "head": (b"HTTP/1.1 200 OK\r\nX-Slow: ", b"x", False),
    "unary-body": (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 99999\r\n\r\n{", b" ", False),
    "stream": (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n" + sse(created()),
        sse(delta("more ")),
        True,
    ),
}


@pytest.mark.parametrize("trickle", TRICKLES.values(), ids=TRICKLES.keys())
async def test_the_deadline_cuts_an_answer_that_trickles(
    flavour: Flavour, hostile: list[HostileServer], trickle: tuple[bytes, bytes, bool]
) -> None:
    first, more, stream = trickle
    left: list[bool] = []
    server = serve(hostile, trickled(first, more, left))
    client = flavour.client(base_url=server.base_url, max_retries=0, timeout=flavour.pkg.Timeout(connect=5, read=60))
    with pytest.raises(flavour.pkg.APITimeoutError, match="deadline"):
        answer = await flavour.create(client, model="m", input="x", stream=stream, deadline=0.3)
        if stream:
            await flavour.events(answer)
    await asyncio.to_thread(server.join)
    assert left == [True], "the client held on until the server stopped"
    assert len(server.requests) == 1  # nothing new starts past the deadline
    await flavour.close(client)


MALFORMED = {
    # Answers that break HTTP's rules, as opposed to ones cut short: said so, and nothing of them delivered.
    "status-line": (b"HTTP/1.1 2x0 OK\r\n\r\n", True),
    "chunk-size": (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n",
        True,
    ),
    "cut-short": (b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: 999\r\n\r\nevent", False),
}


@pytest.mark.parametrize("answer", MALFORMED.values(), ids=MALFORMED.keys())
async def test_an_answer_that_is_not_valid_http_says_so(
    flavour: Flavour, hostile: list[HostileServer], answer: tuple[bytes, bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    raw, malformed = answer

    def script(conn: Connection) -> None:
        conn.send(raw)

    monkeypatch.setenv("GEMINI_API_KEY", SECRET)
    server = serve(hostile, script)
    client = flavour.client_class(base_url=server.base_url, max_retries=2)
    with pytest.raises(flavour.pkg.APIConnectionError) as caught:
        stream = await flavour.create(client, model="m", input="x", stream=True)
        await flavour.events(stream)
    await flavour.close(client)
    message = caught.value.message
    assert ("is not valid HTTP" in message) is malformed, message
    assert ("connection broke" in message) is not malformed, message
    assert len(server.requests) == 1  # a create may have reached the server: not replayed
    # The HTTP library's error is chained as the cause; aiohttp's keeps the request's headers.
    seen: list[BaseException] = []
    pending: list[BaseException | None] = [caught.value]
    while pending:
        cause = pending.pop()
        if cause is None or any(cause is s for s in seen):
            continue
        seen.append(cause)
        assert SECRET not in repr(cause) and SECRET not in str(cause), repr(cause)
        pending += [cause.__cause__, cause.__context__]
    assert len(seen) > 1


async def test_keepalive_comments_count_as_lines(flavour: Flavour, hostile: list[HostileServer]) -> None:
    def keepalive(conn: Connection) -> None:
        conn.head()
        conn.chunk(sse(created()))
        for _ in range(10):  # 10 x 0.1 s: longer than the idle bound, but a line in every 0.1 s
            conn.chunk(b": keep-alive\n\n")
            threading.Event().wait(0.1)
        conn.chunk(sse(completed()))
        conn.end()

    server = serve(hostile, keepalive)
    timeout = flavour.pkg.Timeout(connect=5, read=60, stream_idle=0.5)
    client, stream = await open_stream(flavour, server, timeout=timeout)
    events = await flavour.events(stream)
    assert [e.event_type for e in events] == ["interaction.created", "interaction.completed"]
    assert len(server.requests) == 1
    await flavour.close(client)


async def test_a_silent_stream_is_idle_too(flavour: Flavour, hostile: list[HostileServer]) -> None:
    def silent(conn: Connection) -> None:
        conn.head()
        conn.chunk(FAST_RETRY + sse(created()))
        conn.wait_closed()

    server = serve(hostile, silent)
    timeout = flavour.pkg.Timeout(connect=5, read=60, stream_idle=0.2)
    client, stream = await open_stream(flavour, server, timeout=timeout)
    with pytest.raises(flavour.pkg.StreamResumeError):
        await flavour.events(stream)
    assert len(server.requests) == 4
    await flavour.close(client)


def test_the_stream_idle_default_is_documented(flavour: Flavour) -> None:
    assert flavour.pkg.Timeout().stream_idle == 120.0
    assert "stream_idle" in (flavour.client_class.__doc__ or "")


# ---- 5. one odd event is never fatal ----

DEEP = '{"event_type": "hologram.deep", "x": ' + "[" * 250 + "]" * 250 + "}"
HUGE_INT = '{"event_type": "step.delta", "index": ' + "9" * 10_000 + ', "delta": {"type": "text", "text": "h"}}'
RAW_NUL = '{"event_type": "step.delta", "index": 0, "delta": {"type": "text", "text": "a\x00b"}}'
LONE_SURROGATE = '{"event_type": "step.delta", "index": 0, "delta": {"type": "text", "text": "s\\ud800"}}'
BAD_FIELD = json.dumps({"event_type": "step.delta", "index": "not a number", "delta": {"type": "text", "text": "b"}})


def odd_stream(conn: Connection) -> None:
    conn.head()
    for block in [
        sse(created()),
        sse(step_start()),
        sse(delta("a")),
        b"event: step.delta\ndata: " + BAD_FIELD.encode() + b"\n\n",
        b"event: step.delta\ndata: " + BAD_FIELD.encode() + b"\n\n",
        b"data: " + DEEP.encode() + b"\n\n",
        b"data: " + HUGE_INT.encode() + b"\n\n",
        b"data: " + RAW_NUL.encode() + b"\n\n",
        b"data: " + LONE_SURROGATE.encode() + b"\n\n",
        sse(completed()),
    ]:
        conn.chunk(block)
    conn.end()


async def test_odd_events_are_delivered_leniently(
    flavour: Flavour, hostile: list[HostileServer], caplog: pytest.LogCaptureFixture
) -> None:
    server = serve(hostile, odd_stream)
    client, stream = await open_stream(flavour, server)
    with caplog.at_level(logging.WARNING, logger=flavour.logger_name):
        events = await flavour.events(stream)
    types = [e.event_type for e in events]
    assert types == ["interaction.created", "step.start", "step.delta", "step.delta", "step.delta", "hologram.deep"] + [
        "step.delta"
    ] * 3 + ["interaction.completed"]
    invalid = [e for e in events if isinstance(e, flavour.pkg.Invalid)]
    assert len(invalid) >= 4  # the bad field twice, the NUL, the lone surrogate (deep nesting and the int may parse)
    bad = invalid[0]
    assert isinstance(bad, flavour.types.StepDelta)  # the known tag stays recognisable
    assert bad.index == "not a number" and bad.raw_json == BAD_FIELD
    assert any("index" in str(err.get("loc")) for err in bad.validation_errors)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and "step.delta" in r.getMessage()]
    assert len(warnings) == 1  # once per kind
    final = await flavour.final(stream)  # still works
    assert final.status == "completed"
    await flavour.close(client)


async def test_strict_raises_for_known_types_only(flavour: Flavour, hostile: list[HostileServer]) -> None:
    def unknown_only(conn: Connection) -> None:
        conn.head()
        for block in [sse(created()), b"data: " + DEEP.encode() + b"\n\n", sse(completed())]:
            conn.chunk(block)
        conn.end()

    server = serve(hostile, odd_stream)
    client, stream = await open_stream(flavour, server, client={"strict": True})
    with pytest.raises(flavour.pkg.APIResponseValidationError, match="step.delta"):
        await flavour.events(stream)
    await flavour.close(client)
    server = serve(hostile, unknown_only)
    client, stream = await open_stream(flavour, server, client={"strict": True})
    events = await flavour.events(stream)  # an unknown type never raises, strict or not
    assert [e.event_type for e in events] == ["interaction.created", "hologram.deep", "interaction.completed"]
    await flavour.close(client)


async def test_nothing_after_a_terminal_error_event(flavour: Flavour, hostile: list[HostileServer]) -> None:
    def erring(conn: Connection) -> None:
        conn.head()
        error = {"event_type": "error", "error": {"code": "overloaded", "message": "try later"}}
        for block in [sse(created()), sse(error), sse(delta("after")), sse(completed())]:
            conn.chunk(block)
        conn.end()

    server = serve(hostile, erring)
    client, stream = await open_stream(flavour, server)
    events = await flavour.events(stream)
    assert [e.event_type for e in events] == ["interaction.created", "error"]
    with pytest.raises(flavour.pkg.StreamError, match="try later"):
        await flavour.final(stream)
    await flavour.close(client)


async def test_invalid_unary_result_is_lenient(flavour: Flavour, hostile: list[HostileServer]) -> None:
    body = json.dumps({"id": "v1_x", "status": "completed", "created": {"not": "a time"}}).encode()

    def unary(conn: Connection) -> None:
        conn.send(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
        )
        conn.wait_closed(1)

    server = serve(hostile, unary)
    client = flavour.client(base_url=server.base_url, max_retries=0)
    result = await flavour.get(client, "v1_x")
    assert isinstance(result, flavour.types.Interaction) and isinstance(result, flavour.pkg.Invalid)
    assert result.id == "v1_x" and result.validation_errors
    await flavour.close(client)
    strict = flavour.client(base_url=server.base_url, max_retries=0, strict=True)
    with pytest.raises(flavour.pkg.APIResponseValidationError):
        await flavour.get(strict, "v1_x")
    await flavour.close(strict)


# ---- 6. answers that are not an event stream ----


def answer(content_type: str, body: bytes) -> Any:
    def script(conn: Connection) -> None:
        conn.send(
            b"HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s"
            % (content_type.encode(), len(body), body)
        )

    return script


async def test_html_answer_to_a_stream_request(flavour: Flavour, hostile: list[HostileServer]) -> None:
    server = serve(hostile, answer("text/html; charset=utf-8", b"<html><body>Sign in to continue</body></html>"))
    client = flavour.client(base_url=server.base_url, max_retries=0)
    with pytest.raises(flavour.pkg.APIResponseValidationError) as info:
        await flavour.create(client, model="m", input="x", stream=True)
    assert "text/html" in str(info.value) and "Sign in" in str(info.value)
    await flavour.close(client)


async def test_json_error_answer_to_a_stream_request(flavour: Flavour, hostile: list[HostileServer]) -> None:
    error = {"error": {"code": 404, "message": "no such model", "status": "NOT_FOUND"}}
    server = serve(hostile, answer("application/json", json.dumps(error).encode()))
    client = flavour.client(base_url=server.base_url, max_retries=0)
    with pytest.raises(flavour.pkg.NotFoundError, match="no such model"):
        await flavour.create(client, model="m", input="x", stream=True)
    await flavour.close(client)


async def test_bare_json_error_line_in_an_event_stream(flavour: Flavour, hostile: list[HostileServer]) -> None:
    def refusing(conn: Connection) -> None:
        conn.head()
        conn.chunk(b'{"error": {"code": 400, "message": "refused for policy", "status": "INVALID_ARGUMENT"}}\n')
        conn.end()

    server = serve(hostile, refusing)
    client, stream = await open_stream(flavour, server)
    with pytest.raises(flavour.pkg.StreamError) as info:
        await flavour.events(stream)
    assert info.value.code == "400" and "refused for policy" in str(info.value)
    assert len(server.requests) == 1  # not taken for a drop and resumed
    await flavour.close(client)


# ---- 7. resume is exact ----


async def test_a_new_id_after_replayed_events_is_never_skipped(flavour: Flavour, hostile: list[HostileServer]) -> None:
    def first(conn: Connection) -> None:
        conn.head()
        for block in [FAST_RETRY + sse(created(), event_id="e1"), sse(step_start()), sse(delta("a"))]:
            conn.chunk(block)

    def resumed(conn: Connection) -> None:
        conn.head()
        for block in [sse(step_start()), sse(completed(), event_id="e9")]:  # one replayed id-less event, then new
            conn.chunk(block)
        conn.end()

    server = serve(hostile, first, resumed)
    client, stream = await open_stream(flavour, server)
    events = await flavour.events(stream)
    assert [e.event_type for e in events] == [
        "interaction.created",
        "step.start",
        "step.delta",
        "interaction.completed",
    ]
    assert "last_event_id=e1" in server.requests[1][1]
    assert (await flavour.final(stream)).status == "completed"
    await flavour.close(client)


async def test_events_are_delivered_as_they_arrive_inside_a_chunk(
    flavour: Flavour, hostile: list[HostileServer]
) -> None:
    seen = threading.Event()
    whole = FAST_RETRY + sse(created()) + sse(completed())
    cut = len(FAST_RETRY + sse(created())) + 10

    def slow_chunk(conn: Connection) -> None:
        conn.head()
        conn.send(b"%x\r\n" % len(whole) + whole[:cut])  # the first event whole, the chunk not
        if seen.wait(HOLD):  # only once the client has delivered the first event
            conn.send(whole[cut:] + b"\r\n")
            conn.end()

    server = serve(hostile, slow_chunk)
    client, stream = await open_stream(flavour, server)
    it = flavour.iterator(stream)
    first = await flavour.next(it)
    seen.set()
    assert first.event_type == "interaction.created"
    rest = [e async for e in it] if flavour.is_async else list(it)
    assert [e.event_type for e in rest] == ["interaction.completed"]
    await flavour.close(client)


async def test_a_drop_mid_chunk_keeps_the_events_that_arrived(flavour: Flavour, hostile: list[HostileServer]) -> None:
    def dropping_mid_chunk(conn: Connection) -> None:
        conn.head()
        first = FAST_RETRY + sse(created())
        conn.send(b"%x\r\n" % (len(first) + 500) + first)  # a chunk announced longer than what comes

    def resumed(conn: Connection) -> None:
        conn.head()
        conn.chunk(sse(created()) + sse(completed()))  # no ids: from the start, the first skipped by count
        conn.end()

    server = serve(hostile, dropping_mid_chunk, resumed)
    client, stream = await open_stream(flavour, server)
    events = await flavour.events(stream)
    assert [e.event_type for e in events] == ["interaction.created", "interaction.completed"]
    assert server.requests[1][0] == "GET" and "/interactions/v1_hostile" in server.requests[1][1]
    await flavour.close(client)


async def test_a_delta_for_a_step_that_never_started_is_kept_as_such(
    flavour: Flavour, hostile: list[HostileServer]
) -> None:
    def unstarted(conn: Connection) -> None:
        conn.head()
        for block in [
            sse(created()),
            sse(step_start(0)),
            sse(delta("a", 0)),
            sse(delta("orphan", 1)),
            sse(completed()),
        ]:
            conn.chunk(block)
        conn.end()

    server = serve(hostile, unstarted)
    client, stream = await open_stream(flavour, server)
    final = await flavour.final(stream)
    first, orphan = final.steps
    assert first.type == "model_output"
    assert orphan.type != "user_input" and isinstance(orphan, flavour.pkg.types.UnknownStep)
    assert orphan.raw["delta"]["content"][0]["text"] == "orphan"
    await flavour.close(client)
