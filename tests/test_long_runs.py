"""Long runs over real sockets, both flavours: automatic continuation (unary and streamed), deadlines,
background waits, and the one retry rule per operation. The embedded server's scenarios drive it."""

from __future__ import annotations

import asyncio
import threading
import warnings
from pathlib import Path
from typing import Any

import pytest
import yaml
from gemini_interactions.testing import InteractionsTestServer

from .conftest import Flavour
from .local_http import LocalHTTPServer, QuietHandler

MODEL = "gemini-3-flash-preview"
LONG = {"model": MODEL, "input": "Tell me the long answer."}
LONG_TEXT = "Chapter one: it began. Chapter two: it went on. Chapter three: the end."


def _creates(server: InteractionsTestServer) -> list[Any]:
    return [r for r in server.requests if r.method == "POST" and r.path.endswith("/interactions")]


def _text(events: list[Any]) -> str:
    return "".join(
        e.delta.text for e in events if e.event_type == "step.delta" and getattr(e.delta, "type", None) == "text"
    )


# -- unary continuation -----------------------------------------------------------------------------------------


async def test_unary_create_follows_every_hop_and_merges_them(
    flavour: Flavour, server: InteractionsTestServer, client: Any
) -> None:
    result = await flavour.create(client, **LONG)
    creates = _creates(server)
    ids = [r.interaction_id for r in creates]
    assert len(creates) == 3
    assert result.output_text == LONG_TEXT
    assert (result.id, result.status) == (ids[-1], "completed")
    assert result.continuation_ids == ids
    # Stateful hops: the token, the hop that issued it, no input.
    assert creates[0].body["input"] == LONG["input"] and "continuation_token" not in creates[0].body
    for before, hop in zip(creates, creates[1:], strict=False):
        assert "input" not in hop.body
        assert hop.body["previous_interaction_id"] == before.interaction_id
        assert hop.body["continuation_token"].startswith("ct_")
    assert [s.type for s in result.steps].count("user_input") == 1, "later hops' leading user_input steps dropped"
    usage = result.usage
    assert (usage.total_input_tokens, usage.total_output_tokens, usage.initial_input_tokens) == (58, 18, 12)
    assert [(m.modality, m.tokens) for m in usage.input_tokens_by_modality] == [("text", 58)]
    assert "previous_interaction_id" not in result.to_dict(), "the first hop's (none), not a hop's"


async def test_store_false_hops_resend_the_input_with_the_token(
    flavour: Flavour, server: InteractionsTestServer, client: Any
) -> None:
    result = await flavour.create(client, **LONG, store=False)
    creates = _creates(server)
    assert result.output_text == LONG_TEXT
    for hop in creates[1:]:
        assert hop.body["input"] == LONG["input"] and hop.body["store"] is False
        assert "previous_interaction_id" not in hop.body and hop.body["continuation_token"]


async def _created(flavour: Flavour, client: Any, stream: bool, **kwargs: Any) -> Any:
    """create(), or a stream of it read to the end: its final_interaction()."""
    result = await flavour.create(client, **kwargs, stream=stream)
    if stream:
        await flavour.events(result)
        return await flavour.final(result)
    return result


@pytest.mark.parametrize("stream", [False, True], ids=["unary", "streamed"])
async def test_a_hop_handing_back_its_token_ends_the_loop(
    flavour: Flavour, server: InteractionsTestServer, client: Any, stream: bool
) -> None:
    result = await _created(flavour, client, stream, model=MODEL, input="the stuck answer")
    assert len(_creates(server)) == 2
    assert result.status == "requires_continuation"
    assert result.output_text == "Going round. Going round. "


@pytest.mark.parametrize("stream", [False, True], ids=["unary", "streamed"])
async def test_max_continuations_bounds_the_hops(
    flavour: Flavour, server: InteractionsTestServer, client: Any, stream: bool
) -> None:
    result = await _created(flavour, client, stream, **LONG, max_continuations=1)
    assert len(_creates(server)) == 2
    assert result.status == "requires_continuation" and result.continuation_token
    assert result.output_text == "Chapter one: it began. Chapter two: it went on. "


async def test_a_rejected_hop_raises_with_the_output_so_far(
    flavour: Flavour, server: InteractionsTestServer, client: Any
) -> None:
    with pytest.raises(flavour.pkg.ContinuationInterruptedError) as caught:
        await flavour.create(client, model=MODEL, input="the rejected answer")
    error = caught.value
    first = _creates(server)[0]
    assert isinstance(error.__cause__, flavour.pkg.BadRequestError)
    assert error.partial_interaction.output_text == "Before the failure. "
    assert error.interaction_id == first.interaction_id == error.continuation_ids[0]
    assert error.continuation_token.startswith("ct_")
    assert "continuation_token=" in str(error) and "previous_interaction_id=" in str(error)


async def test_a_unary_hop_lost_in_flight_is_not_replayed(
    flavour: Flavour, server: InteractionsTestServer, client: Any
) -> None:
    with pytest.raises(flavour.pkg.ContinuationInterruptedError) as caught:
        await flavour.create(client, model=MODEL, input="the dropping answer")
    assert isinstance(caught.value.__cause__, flavour.pkg.APIConnectionError)
    assert len(_creates(server)) == 2, "a create that may have reached the server is not sent again"


async def test_automatic_continuation_off_returns_the_hop_and_warns_once(
    flavour: Flavour, server: InteractionsTestServer, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(flavour.pkg._continuation, "_warned", False)
    with pytest.warns(flavour.pkg.IncompleteInteractionWarning, match="automatic_continuation=True") as caught:
        hop = await flavour.create(client, **LONG, automatic_continuation=False)
    assert caught[0].filename.endswith("conftest.py"), "the warning points at the caller's line, not the SDK's"
    assert hop.status == "requires_continuation" and hop.continuation_ids is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        await flavour.create(client, **LONG, automatic_continuation=False)
    # Continued by hand, without input: the rest of the answer, merged from this hop on.
    rest = await flavour.create(
        client, model=MODEL, continuation_token=hop.continuation_token, previous_interaction_id=hop.id
    )
    assert rest.output_text == "Chapter two: it went on. Chapter three: the end."
    assert len(rest.continuation_ids) == 2


async def test_input_is_required_without_a_token_or_previous_interaction(
    flavour: Flavour, server: InteractionsTestServer, client: Any
) -> None:
    with pytest.raises(flavour.pkg.InvalidArgumentError, match="input"):
        await flavour.create(client, model=MODEL)
    assert server.requests == []


# -- streamed continuation ----------------------------------------------------------------------------------------


async def test_a_stream_yields_every_hop_and_merges_like_the_unary_call(
    flavour: Flavour, server: InteractionsTestServer, client: Any
) -> None:
    stream = await flavour.create(client, **LONG, stream=True)
    events: list[Any] = []
    followed: list[str | None] = []

    def see(event: Any) -> None:
        events.append(event)
        if event.event_type == "interaction.created":
            followed.append(stream.interaction_id)
            assert stream.interaction_id == event.interaction.id

    if flavour.is_async:
        async for event in stream:
            see(event)
    else:
        for event in stream:
            see(event)
    final = await flavour.final(stream)
    ids = [r.interaction_id for r in _creates(server)]
    assert followed == ids and len(ids) == 3
    assert _text(events) == LONG_TEXT
    assert [e.event_type for e in events].count("interaction.completed") == 3
    unary = await flavour.create(client, **LONG)
    assert final.output_text == unary.output_text == LONG_TEXT
    assert final.continuation_ids == ids
    assert final.usage == unary.usage
    assert (final.id, final.status) == (ids[-1], "completed")


async def test_a_drop_inside_a_streamed_hop_resumes_by_event_id(
    flavour: Flavour, server: InteractionsTestServer, client: Any
) -> None:
    stream = await flavour.create(client, model=MODEL, input="the dropping answer", stream=True)
    events = await flavour.events(stream)
    assert _text(events) == "First part. Second part, after the drop."
    resumes = [r for r in server.requests if r.method == "GET"]
    assert len(_creates(server)) == 2 and len(resumes) == 1
    assert resumes[0].query["last_event_id"] and resumes[0].interaction_id == _creates(server)[1].interaction_id


CHECKPOINT = {"model": MODEL, "input": "Tell me the checkpoint answer.", "stream": True}
CHECKPOINT_TEXT = "Part one. Part two."


def _checkpoint_token(events: list[Any]) -> str:
    (token,) = [
        e.continuation_token for e in events if e.event_type == "interaction.status_update" and e.continuation_token
    ]
    return str(token)


async def _read(flavour: Flavour, stream: Any, events: list[Any], then: Any = None) -> None:
    """Every event into `events`; `then(event)` after each, before the stream reads on (a handshake)."""
    if flavour.is_async:
        async for event in stream:
            events.append(event)
            if then is not None:
                then(event)
    else:
        for event in stream:
            events.append(event)
            if then is not None:
                then(event)


def _fail_resumes_after(server: InteractionsTestServer, predicate: Any) -> Any:
    """A `then` for `_read`: once an event matches, the server answers resumes by id with 503."""

    def then(event: Any) -> None:
        if predicate(event):
            server.set_faults("status=503,on=get")

    return then


async def test_a_drop_after_a_checkpoint_resumes_by_event_id_when_it_can(
    flavour: Flavour, server: InteractionsTestServer, client: Any
) -> None:
    stream = await flavour.create(client, **CHECKPOINT)
    events = await flavour.events(stream)
    final = await flavour.final(stream)
    assert _text(events) == final.output_text == CHECKPOINT_TEXT
    assert len(_creates(server)) == 1, "resumed by event id: nothing generated again"
    assert [r.query.get("last_event_id") is not None for r in server.requests if r.method == "GET"] == [True]


@pytest.mark.parametrize("store", [True, False], ids=["stored", "store=False"])
async def test_a_drop_after_a_checkpoint_continues_from_it_when_the_stream_cannot_be_resumed(
    flavour: Flavour, server: InteractionsTestServer, store: bool
) -> None:
    # Stored: the resume by event id fails (503, no retries); store=False: nothing was kept to resume (404).
    client = flavour.client(server, max_retries=0)
    events: list[Any] = []
    checkpoint = _fail_resumes_after(server, lambda e: store and getattr(e, "continuation_token", None))
    try:
        stream = await flavour.create(client, **CHECKPOINT, **({} if store else {"store": False}))
        await _read(flavour, stream, events, checkpoint)
        final = await flavour.final(stream)
    finally:
        server.set_faults(None)
        await flavour.close(client)
    first, hop = _creates(server)
    assert [r.method for r in server.requests] == ["POST", "GET", "POST"]
    assert hop.body["continuation_token"] == _checkpoint_token(events), "continued from the status update's token"
    if store:
        assert hop.body["previous_interaction_id"] == first.interaction_id and "input" not in hop.body
    else:
        assert hop.body["input"] == CHECKPOINT["input"] and "previous_interaction_id" not in hop.body
    assert _text(events) == final.output_text == CHECKPOINT_TEXT, "nothing delivered twice"
    assert (final.id, final.status) == (hop.interaction_id, "completed")
    assert final.continuation_ids == [first.interaction_id, hop.interaction_id]
    assert [s.type for s in final.steps].count("user_input") == 1


@pytest.mark.parametrize("store", [True, False], ids=["stored", "store=False"])
async def test_output_after_a_checkpoint_is_not_generated_again_the_error_names_the_checkpoint(
    flavour: Flavour, server: InteractionsTestServer, store: bool
) -> None:
    client = flavour.client(server, max_retries=0)
    events: list[Any] = []
    part_two = _fail_resumes_after(server, lambda e: store and _text([e]) == "Part two.")
    try:
        stream = await flavour.create(
            client, **CHECKPOINT, **({} if store else {"store": False}), extra_headers={"x-test-fault": "drop=10"}
        )
        with pytest.raises(flavour.pkg.ContinuationInterruptedError) as caught:
            await _read(flavour, stream, events, part_two)
    finally:
        server.set_faults(None)
        await flavour.close(client)
    (first,) = _creates(server)
    assert _text(events) == CHECKPOINT_TEXT, "the drop came after part two"
    error = caught.value
    assert error.continuation_token == _checkpoint_token(events)
    assert error.interaction_id == (first.interaction_id if store else None)
    assert error.continuation_ids == [first.interaction_id]
    assert error.partial_interaction.output_text == CHECKPOINT_TEXT
    assert "generated again" in str(error)


async def test_a_rejected_streamed_hop_raises_after_the_delivered_events(
    flavour: Flavour, server: InteractionsTestServer, client: Any
) -> None:
    stream = await flavour.create(client, model=MODEL, input="the rejected answer", stream=True)
    events: list[Any] = []
    with pytest.raises(flavour.pkg.ContinuationInterruptedError) as caught:
        if flavour.is_async:
            async for event in stream:
                events.append(event)
        else:
            for event in stream:
                events.append(event)
    assert _text(events) == "Before the failure. "
    error = caught.value
    assert isinstance(error.__cause__, flavour.pkg.BadRequestError)
    assert error.continuation_token and error.interaction_id == _creates(server)[0].interaction_id
    assert error.partial_interaction.output_text == "Before the failure. "


async def test_streams_without_automatic_continuation_warn_at_the_end(
    flavour: Flavour, server: InteractionsTestServer, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(flavour.pkg._continuation, "_warned", False)
    stream = await flavour.create(client, **LONG, stream=True, automatic_continuation=False)
    with pytest.warns(flavour.pkg.IncompleteInteractionWarning) as caught:
        events = await flavour.events(stream)
    assert caught[0].filename.endswith("conftest.py"), "the loop's line"
    assert _text(events) == "Chapter one: it began. " and len(_creates(server)) == 1


# -- deadline --------------------------------------------------------------------------------------------------------


def _slow_second_hop(server: InteractionsTestServer) -> None:
    server.add_scenario(
        {
            "name": "slow_first",
            "match": {"input_contains": ["slow answer"]},
            "continues_with": "slow_second",
            "steps": [{"step": {"type": "model_output"}, "deltas": [{"type": "text", "text": "Quick part. "}]}],
            "status": "requires_continuation",
        }
    )
    server.add_scenario(
        {
            "name": "slow_second",
            "faults": {"first_byte_delay": 3},
            "steps": [{"step": {"type": "model_output"}, "deltas": [{"type": "text", "text": "Late."}]}],
        }
    )


@pytest.mark.parametrize("stream", [False, True], ids=["unary", "streamed"])
async def test_the_deadline_bounds_the_whole_call(
    flavour: Flavour, server: InteractionsTestServer, stream: bool
) -> None:
    _slow_second_hop(server)
    client = flavour.client(server, max_retries=5)
    try:
        with pytest.raises(flavour.pkg.ContinuationInterruptedError) as caught:
            result = await flavour.create(client, model=MODEL, input="the slow answer", deadline=0.5, stream=stream)
            if stream:
                await flavour.events(result)
        assert isinstance(caught.value.__cause__, flavour.pkg.APITimeoutError)
        assert len(_creates(server)) == 2, "no retry once the deadline is spent"
        with pytest.raises(flavour.pkg.APITimeoutError):
            await flavour.create(
                client, model=MODEL, input="count", deadline=0.3, extra_headers={"x-test-fault": "first_byte=3"}
            )
    finally:
        await flavour.close(client)


# -- background runs -------------------------------------------------------------------------------------------------


async def test_wait_polls_until_the_run_ends_and_reports_each_status(
    flavour: Flavour, server: InteractionsTestServer, client: Any
) -> None:
    started = await flavour.create(client, model=MODEL, input="a background job", background=True)
    assert started.status == "queued"
    seen: list[str] = []
    done = await flavour.aw(
        client.interactions.wait(started.id, poll_interval=0.01, on_update=lambda i: seen.append(i.status))
    )
    assert done.status == "completed" and done.output_text == "The job is done."
    assert seen == ["queued", "in_progress", "completed"]
    assert len([r for r in server.requests if r.method == "GET"]) == 5


async def test_wait_returns_a_failed_run(flavour: Flavour, server: InteractionsTestServer, client: Any) -> None:
    done = await flavour.aw(client.interactions.create_and_wait(model=MODEL, input="a failing job", poll_interval=0.01))
    assert done.status == "failed"
    assert [r.body.get("background") for r in _creates(server)] == [True]


async def test_wait_deadline_raises_with_the_last_interaction(
    flavour: Flavour, server: InteractionsTestServer, client: Any
) -> None:
    started = await flavour.create(client, model=MODEL, input="an endless job", background=True)
    with pytest.raises(flavour.pkg.WaitTimeoutError) as caught:
        await flavour.aw(client.interactions.wait(started.id, poll_interval=0.01, deadline=0.2))
    assert isinstance(caught.value, flavour.pkg.APITimeoutError)
    assert caught.value.interaction.status == "in_progress"
    assert not [r for r in server.requests if r.path.endswith("/cancel")], "a deadline does not cancel the run"


@pytest.mark.parametrize("failure", ["status=503,retry_after=30", "first_byte=30"], ids=["503-retry-after", "silent"])
async def test_the_wait_deadline_cuts_a_polls_retries_and_their_sleeps(
    flavour: Flavour, server: InteractionsTestServer, failure: str
) -> None:
    # Polls after the first fail with an answer a retry would wait 30 s for (or no answer for 30 s): the 0.3 s
    # deadline must end the wait long before, with the Interaction of the first poll.
    client = flavour.client(server, max_retries=5)
    try:
        started = await flavour.create(client, model=MODEL, input="an endless job", background=True)

        def break_later_polls(interaction: Any) -> None:
            server.set_faults(f"{failure},on=get")

        started_at = asyncio.get_running_loop().time()
        with pytest.raises(flavour.pkg.WaitTimeoutError) as caught:
            await flavour.aw(
                client.interactions.wait(started.id, poll_interval=0.01, deadline=0.3, on_update=break_later_polls)
            )
        elapsed = asyncio.get_running_loop().time() - started_at
    finally:
        server.set_faults(None)
        await flavour.close(client)
    assert elapsed < 10, f"the wait took {elapsed:.1f} s: a retry or its sleep outlived the 0.3 s deadline"
    assert isinstance(caught.value, flavour.pkg.APITimeoutError)
    assert caught.value.interaction.status == "in_progress", "the last Interaction seen"
    polls = [r for r in server.requests if r.method == "GET"]
    assert len(polls) == 2, "the failed poll is not retried past the deadline"


@pytest.mark.parametrize("stream", [False, True], ids=["unary", "streamed"])
async def test_a_create_retry_past_its_deadline_raises_the_timeout(
    flavour: Flavour, server: InteractionsTestServer, stream: bool
) -> None:
    # 503 says the create was not processed, so it may be retried, but only after the 30 s it asks for.
    client = flavour.client(server, max_retries=5)
    try:
        with pytest.raises(flavour.pkg.APITimeoutError) as caught:
            await flavour.create(
                client,
                **LONG,
                stream=stream,
                deadline=0.3,
                extra_headers={"x-test-fault": "status=503,retry_after=30"},
            )
        assert isinstance(caught.value.__cause__, flavour.pkg.APIStatusError)
        assert len(_creates(server)) == 1
        with pytest.raises(flavour.pkg.APITimeoutError):
            await flavour.aw(
                client.interactions.create_and_wait(
                    model=MODEL,
                    input="a background job",
                    deadline=0.3,
                    extra_headers={"x-test-fault": "status=503,retry_after=30"},
                )
            )
        assert len(_creates(server)) == 2
    finally:
        await flavour.close(client)


async def test_create_and_wait_reports_from_the_create_on(
    flavour: Flavour, server: InteractionsTestServer, client: Any
) -> None:
    seen: list[str] = []
    done = await flavour.aw(
        client.interactions.create_and_wait(
            model=MODEL, input="a background job", poll_interval=0.01, on_update=lambda i: seen.append(i.status)
        )
    )
    assert done.status == "completed"
    assert seen == ["queued", "in_progress", "completed"]


async def test_an_interrupted_wait_cancels_the_run(
    flavour: Flavour, server: InteractionsTestServer, client: Any
) -> None:
    started = await flavour.create(client, model=MODEL, input="an endless job", background=True)
    if flavour.is_async:
        polled = asyncio.Event()
        task = asyncio.ensure_future(
            client.interactions.wait(started.id, poll_interval=0.01, on_update=lambda i: polled.set())
        )
        await polled.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    else:

        def interrupt(interaction: Any) -> None:
            raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            client.interactions.wait(started.id, poll_interval=0.01, on_update=interrupt)
    cancels = [r for r in server.requests if r.path.endswith("/cancel")]
    assert [r.interaction_id for r in cancels] == [started.id]
    assert server.interactions[started.id].snapshot()["status"] == "cancelled"


# -- one retry rule per operation --------------------------------------------------------------------------------------


class _Silent(QuietHandler):
    """Reads the request, answers nothing, holds the connection until the client gives up."""

    posts: list[bytes] = []
    lock = threading.Lock()

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with self.lock:
            self.posts.append(body)
        self.rfile.read(1)  # until the client closes


async def test_a_create_that_may_have_been_processed_is_sent_once(flavour: Flavour) -> None:
    _Silent.posts = []
    silent = LocalHTTPServer(_Silent)
    client = flavour.client(base_url=silent.base_url, max_retries=3, timeout=flavour.pkg.Timeout(connect=2, read=0.3))
    try:
        with pytest.raises(flavour.pkg.APITimeoutError) as caught:
            await flavour.create(client, model=MODEL, input="hi")
    finally:
        await flavour.close(client)
        silent.close()
    assert len(_Silent.posts) == 1
    assert "may exist" in str(caught.value) and "background=True" in str(caught.value)


@pytest.mark.parametrize(("status", "sent"), [(503, 2), (429, 2), (408, 2), (500, 1), (502, 1), (504, 1)])
async def test_a_create_is_retried_only_on_answers_that_say_it_was_not_processed(
    flavour: Flavour, server: InteractionsTestServer, status: int, sent: int
) -> None:
    client = flavour.client(server, max_retries=2)
    try:
        fault = {"x-test-fault": f"status={status}; times=1; retry_after=0"}
        if sent == 1:
            with pytest.raises(flavour.pkg.APIStatusError) as caught:
                await flavour.create(client, model=MODEL, input="count", extra_headers=fault)
            assert "may exist" in str(caught.value)
        else:
            await flavour.create(client, model=MODEL, input="count", extra_headers=fault)
        assert len(_creates(server)) == sent
    finally:
        await flavour.close(client)


async def test_idempotent_operations_keep_their_retries(flavour: Flavour, server: InteractionsTestServer) -> None:
    client = flavour.client(server, max_retries=2)
    try:
        created = await flavour.create(client, model=MODEL, input="count")
        fault = {"x-test-fault": "status=500; times=1; retry_after=0"}
        await flavour.get(client, created.id, extra_headers=fault)
        # Another spelling of the same fault: the server counts `times` per scenario and fault.
        await flavour.cancel(
            client, created.id, extra_headers={"x-test-fault": "status=500; times=1; retry_after=0.01"}
        )
        assert [r.method for r in server.requests if r.interaction_id == created.id].count("GET") == 2
        assert len([r for r in server.requests if r.path.endswith("/cancel")]) == 2
    finally:
        await flavour.close(client)


def test_the_spec_marks_which_operations_are_idempotent() -> None:
    root = Path(__file__).resolve().parents[1]
    revision = (root / "spec" / "CURRENT").read_text().strip()
    spec = yaml.safe_load((root / "spec" / revision / "openapi.yaml").read_text())
    marks = {
        op["operationId"]: op.get("x-sdk-idempotent")
        for item in spec["paths"].values()
        for method, op in item.items()
        if isinstance(op, dict) and "operationId" in op
    }
    assert marks["createInteraction"] is False and marks["cancelInteraction"] is True
    # The list: the platform's runs, pings and secret rotations, and every create, are not idempotent.
    for operation in ("RunTrigger", "PingWebhook", "RotateSigningSecret", "CreateAgent", "CreateCredential"):
        assert marks[operation] is False, operation
    assert all(marks[op] is False for op in marks if op.lower().startswith("create")), marks


@pytest.mark.filterwarnings("ignore:the interaction stopped early")
async def test_the_server_checks_hops_as_the_api_does(
    flavour: Flavour, server: InteractionsTestServer, client: Any
) -> None:
    first = await flavour.create(client, **LONG, automatic_continuation=False)
    other = await flavour.create(client, model=MODEL, input="Hello")
    token = first.continuation_token
    with pytest.raises(flavour.pkg.BadRequestError, match="does not belong to previous_interaction_id"):
        await flavour.create(client, model=MODEL, continuation_token=token, previous_interaction_id=other.id)
    with pytest.raises(flavour.pkg.BadRequestError, match="takes no input"):
        await flavour.create(client, **LONG, continuation_token=token, previous_interaction_id=first.id)
    with pytest.raises(flavour.pkg.BadRequestError, match="did not issue it"):
        await flavour.create(client, model=MODEL, continuation_token="ct_forged", previous_interaction_id=first.id)
    hop = await flavour.create(
        client, model=MODEL, continuation_token=token, previous_interaction_id=first.id, automatic_continuation=False
    )
    assert hop.output_text == "Chapter two: it went on. "
