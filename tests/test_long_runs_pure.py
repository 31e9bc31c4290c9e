"""The pure parts of long runs: merging hops, deciding the next hop, deadlines, wait backoff, and the flows
stepped by hand (the flavour tests in test_long_runs.py prove the wiring over sockets)."""

from __future__ import annotations

import asyncio
import json
import warnings
from typing import Any

import pytest
from gemini_interactions import _continuation, _flows, _hops, _wait
from gemini_interactions._config import Timeout
from gemini_interactions._deadline import Deadline
from gemini_interactions._exceptions import (
    APITimeoutError,
    ContinuationInterruptedError,
    InternalServerError,
    WaitTimeoutError,
)
from gemini_interactions._headers import Headers
from gemini_interactions._interaction_builder import InteractionBuilder
from gemini_interactions._request import PreparedRequest
from gemini_interactions.types import Interaction, adapter_for


def _request(body: dict[str, Any], method: str = "POST", url: str = "http://h/v1beta/interactions") -> PreparedRequest:
    return PreparedRequest(
        method=method,
        url=url,
        headers={},
        params={},
        content=json.dumps(body).encode(),
        timeout=Timeout(connect=5.0, read=30.0),
        max_retries=2,
    )


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _hop(n: int, *, status: str = "requires_continuation", token: str | None = None, **extra: Any) -> dict[str, Any]:
    hop: dict[str, Any] = {"id": f"hop{n}", "status": status, **extra}
    if token is not None:
        hop["continuation_token"] = token
    return hop


# -- merging ------------------------------------------------------------------------------------------------


def test_merge_takes_final_hop_id_status_and_first_hop_request_fields() -> None:
    first = _hop(1, token="t1", created="2026-01-01T00:00:00Z", previous_interaction_id="turn0", input="hi")
    second = _hop(2, status="completed", created="2026-01-01T00:01:00Z", previous_interaction_id="hop1")
    merged = _hops.merge_hops([first, second])
    assert merged["id"] == "hop2"
    assert merged["status"] == "completed"
    assert merged["created"] == "2026-01-01T00:00:00Z"
    assert merged["previous_interaction_id"] == "turn0"
    assert merged["input"] == "hi"
    assert merged["continuation_ids"] == ["hop1", "hop2"]


def test_merge_drops_a_later_hops_leading_user_input_steps_only() -> None:
    user = {"type": "user_input", "content": [{"type": "text", "text": "q"}]}
    out1 = {"type": "model_output", "content": [{"type": "text", "text": "a"}]}
    out2 = {"type": "model_output", "content": [{"type": "text", "text": "b"}]}
    merged = _hops.merge_hops(
        [_hop(1, token="t", steps=[user, out1]), _hop(2, status="completed", steps=[user, user, out2, user])]
    )
    assert merged["steps"] == [user, out1, out2, user]


def test_merge_sums_usage_by_field_modality_and_tool_type() -> None:
    u1 = {
        "total_input_tokens": 10,
        "total_output_tokens": 5,
        "input_tokens_by_modality": [{"modality": "text", "tokens": 10}],
        "grounding_tool_count": [{"type": "google_search", "count": 1}],
    }
    u2 = {
        "total_input_tokens": 15,
        "total_output_tokens": 7,
        "input_tokens_by_modality": [{"modality": "text", "tokens": 15}, {"modality": "image", "tokens": 3}],
        "grounding_tool_count": [{"type": "google_search", "count": 2}, {"type": "retrieval", "count": 1}],
    }
    merged = _hops.merge_hops([_hop(1, token="t", usage=u1), _hop(2, status="completed", usage=u2)])
    usage = merged["usage"]
    assert usage["total_input_tokens"] == 25
    assert usage["total_output_tokens"] == 12
    assert usage["input_tokens_by_modality"] == [{"modality": "text", "tokens": 25}, {"modality": "image", "tokens": 3}]
    assert usage["grounding_tool_count"] == [{"type": "google_search", "count": 3}, {"type": "retrieval", "count": 1}]
    # The first request's input, not a sum of re-prefills.
    assert usage["initial_input_tokens"] == 10
    assert u1["input_tokens_by_modality"] == [{"modality": "text", "tokens": 10}], "inputs are not modified"


def test_merge_keeps_an_explicit_initial_input_count_of_the_first_hop() -> None:
    merged = _hops.merge_usage([{"initial_input_tokens": 4, "total_input_tokens": 9}, {"initial_input_tokens": 11}])
    assert merged["initial_input_tokens"] == 4


def test_merge_of_one_hop_only_adds_its_id() -> None:
    hop = _hop(1, status="completed", usage={"total_input_tokens": 3})
    assert _hops.merge_hops([hop]) == {**hop, "continuation_ids": ["hop1"]}


def test_merge_needs_a_hop() -> None:
    with pytest.raises(ValueError):
        _hops.merge_hops([])


# -- the next hop ---------------------------------------------------------------------------------------------


def test_stateful_hop_names_the_issuing_hop_and_sends_no_input() -> None:
    body = {"model": "m", "input": "hi", "previous_interaction_id": "turn0"}
    assert _continuation.hop_payload(body, "t1", "hop1") == {
        "model": "m",
        "previous_interaction_id": "hop1",
        "continuation_token": "t1",
    }


def test_stateless_hop_resends_the_input_with_the_token() -> None:
    body = {"model": "m", "input": "hi", "store": False}
    assert _continuation.hop_payload(body, "t1", "hop1") == {**body, "continuation_token": "t1"}


def test_continuation_follows_tokens_and_stops_when_complete() -> None:
    c = _continuation.Continuation(_request({"model": "m", "input": "hi"}))
    nxt = c.next_request(_continuation.HopEnd("hop1", "requires_continuation", "t1"))
    assert nxt is not None and json.loads(nxt.content or b"") == {
        "model": "m",
        "previous_interaction_id": "hop1",
        "continuation_token": "t1",
    }
    assert c.next_request(_continuation.HopEnd("hop2", "completed", None)) is None
    assert c.hop_ids == ["hop1", "hop2"]


def test_a_hop_handing_back_its_own_token_ends_the_loop() -> None:
    c = _continuation.Continuation(_request({"model": "m", "input": "hi"}))
    assert c.next_request(_continuation.HopEnd("hop1", "requires_continuation", "t1")) is not None
    assert c.next_request(_continuation.HopEnd("hop2", "requires_continuation", "t1")) is None


def test_the_callers_own_token_counts_as_sent() -> None:
    c = _continuation.Continuation(_request({"model": "m", "continuation_token": "t0", "previous_interaction_id": "x"}))
    assert c.next_request(_continuation.HopEnd("hop1", "requires_continuation", "t0")) is None


def test_max_continuations_bounds_the_hops() -> None:
    c = _continuation.Continuation(_request({"model": "m", "input": "hi"}), max_continuations=2)
    ends = [_continuation.HopEnd(f"hop{n}", "requires_continuation", f"t{n}") for n in range(1, 4)]
    assert [c.next_request(end) is not None for end in ends] == [True, True, False]


def _streamed_hop(*events: dict[str, Any]) -> InteractionBuilder:
    hop = InteractionBuilder()
    for event in events:
        hop.add_json(event)
    return hop


Event = dict[str, Any]
CREATED: Event = {"event_type": "interaction.created", "interaction": {"id": "hop1", "status": "in_progress"}}
CHECKPOINT: Event = {"event_type": "interaction.status_update", "interaction_id": "hop1", "status": "in_progress"}
OUTPUT: list[Event] = [
    {"event_type": "step.start", "index": 0, "step": {"type": "model_output"}},
    {"event_type": "step.delta", "index": 0, "delta": {"type": "text", "text": "a"}},
]


def test_a_status_updates_token_is_a_checkpoint_until_output_follows() -> None:
    hop = _streamed_hop(CREATED, *OUTPUT, {**CHECKPOINT, "continuation_token": "c1"})
    assert (hop.checkpoint, hop.output_since_checkpoint) == ("c1", False)
    hop.add_json({"event_type": "interaction.status_update", "interaction_id": "hop1", "status": "in_progress"})
    assert not hop.output_since_checkpoint, "a status update is no output"
    # A delta continuing a run that was open before the checkpoint counts too (the fast path is left once).
    hop.add_json({"event_type": "step.delta", "index": 0, "delta": {"type": "text", "text": "b"}})
    assert hop.output_since_checkpoint and hop.checkpoint == "c1"
    hop.add_json({**CHECKPOINT, "continuation_token": "c2"})
    assert (hop.checkpoint, hop.output_since_checkpoint) == ("c2", False)
    assert hop.snapshot()["steps"][0]["content"] == [{"type": "text", "text": "ab"}]


def test_a_completion_is_the_final_word_on_a_streamed_hops_token() -> None:
    checkpointed: list[Event] = [CREATED, *OUTPUT, {**CHECKPOINT, "continuation_token": "c1"}]
    without: Event = {
        "event_type": "interaction.completed",
        "interaction": {"id": "hop1", "status": "requires_continuation"},
    }
    assert _continuation.HopEnd.of_stream(_streamed_hop(*checkpointed, without)).token is None
    completed = {**without, "interaction": {**without["interaction"], "continuation_token": "t1"}}
    assert _continuation.HopEnd.of_stream(_streamed_hop(*checkpointed, completed)).token == "t1"
    # Ended without a completion ([DONE]): the status the updates reported, the last checkpoint.
    stopped: Event = {**CHECKPOINT, "status": "requires_continuation", "continuation_token": "c2"}
    end = _continuation.HopEnd.of_stream(_streamed_hop(*checkpointed, stopped))
    assert (end.interaction_id, end.status, end.token, end.needs_continuation) == (
        "hop1",
        "requires_continuation",
        "c2",
        True,
    )


@pytest.mark.parametrize("store", [True, False])
def test_continuing_from_a_checkpoint(store: bool) -> None:
    body = {"model": "m", "input": "hi", **({} if store else {"store": False})}
    c = _continuation.Continuation(_request(body))
    hop = _streamed_hop(CREATED, *OUTPUT, {**CHECKPOINT, "continuation_token": "c1"})
    nxt = c.from_checkpoint(hop)
    assert nxt is not None
    sent = json.loads(nxt.content or b"")
    assert sent == (
        {"model": "m", "previous_interaction_id": "hop1", "continuation_token": "c1"}
        if store
        else {**body, "continuation_token": "c1"}
    )
    assert c.hop_ids == ["hop1"] and c.sent_token == "c1"


def test_no_continuing_from_a_checkpoint_followed_by_output_or_already_used_or_off() -> None:
    checkpointed = _streamed_hop(CREATED, {**CHECKPOINT, "continuation_token": "c1"})
    assert (
        _continuation.Continuation(_request({"model": "m", "input": "hi"}), automatic=False).from_checkpoint(
            checkpointed
        )
        is None
    )
    assert (
        _continuation.Continuation(_request({"model": "m", "input": "hi"})).from_checkpoint(
            _streamed_hop(CREATED, *OUTPUT)
        )
        is None
    )
    followed = _streamed_hop(CREATED, {**CHECKPOINT, "continuation_token": "c1"}, *OUTPUT)
    assert _continuation.Continuation(_request({"model": "m", "input": "hi"})).from_checkpoint(followed) is None
    c = _continuation.Continuation(_request({"model": "m", "input": "hi"}), max_continuations=1)
    assert c.from_checkpoint(checkpointed) is not None
    assert c.from_checkpoint(checkpointed) is None, "the token the hop was started with"


@pytest.mark.parametrize("body", [{"model": "m", "input": "x", "background": True}, {"agent": "a", "input": "x"}])
def test_background_runs_and_agents_are_left_to_the_server(body: dict[str, Any]) -> None:
    c = _continuation.Continuation(_request(body))
    assert not c.enabled
    assert c.next_request(_continuation.HopEnd("hop1", "requires_continuation", "t1")) is None


def test_automatic_continuation_off_warns_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_continuation, "_warned", False)
    c = _continuation.Continuation(_request({"model": "m", "input": "hi"}), automatic=False)
    end = _continuation.HopEnd("hop1", "requires_continuation", "t1")
    with pytest.warns(_continuation.IncompleteInteractionWarning, match="automatic_continuation=True"):
        assert c.next_request(end) is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert c.next_request(end) is None


# -- deadline -------------------------------------------------------------------------------------------------


def test_deadline_bounds_timeouts_and_expires() -> None:
    clock = FakeClock()
    deadline = Deadline(10, clock=clock)
    request = _request({})
    assert deadline.bound(request).timeout == Timeout(connect=5.0, read=10.0, pool=10.0)
    clock.now += 8
    assert deadline.bound(request).timeout == Timeout(connect=2.0, read=2.0, pool=2.0)
    assert deadline.allows_wait(1.5) and not deadline.allows_wait(2.5)
    clock.now += 2
    with pytest.raises(APITimeoutError, match="deadline of 10 s"):
        deadline.check("the call")


def test_no_deadline_changes_nothing() -> None:
    request = _request({})
    assert Deadline(None).bound(request) is request
    Deadline(None).check("x")


def test_deadline_must_be_positive() -> None:
    with pytest.raises(ValueError):
        Deadline(0)


# -- wait policy ----------------------------------------------------------------------------------------------


def test_wait_backs_off_to_a_cap_and_honours_retry_after() -> None:
    policy = _wait.WaitPolicy(1.0, max_interval=3.0)
    assert [policy.delay(n) for n in (1, 2, 3, 4)] == [1.0, 1.5, 2.25, 3.0]
    assert policy.delay(4, {"Retry-After": "0.2"}) == 0.2
    assert [s for s in ("queued", "in_progress", "completed", "failed", "new_status") if _wait.is_running(s)] == [
        "queued",
        "in_progress",
    ]


# -- flows, stepped by hand -----------------------------------------------------------------------------------


def _reply(value: Any, headers: dict[str, str] | None = None) -> _flows.Reply[Any]:
    return _flows.Reply(value, Headers(headers or {}))


def _interaction(**fields: Any) -> Interaction:
    return Interaction.model_validate(fields)


def test_continued_flow_sends_hops_and_returns_the_merge() -> None:
    adapter = adapter_for(Interaction)
    c = _continuation.Continuation(_request({"model": "m", "input": "hi"}))
    flow = _flows.continued(c, adapter)
    first = next(flow)
    assert isinstance(first, _flows.Send) and json.loads(first.request.content or b"")["input"] == "hi"
    second = flow.send(_reply(_interaction(id="hop1", status="requires_continuation", continuation_token="t1")))
    assert isinstance(second, _flows.Send)
    assert json.loads(second.request.content or b"") == {
        "model": "m",
        "previous_interaction_id": "hop1",
        "continuation_token": "t1",
    }
    with pytest.raises(StopIteration) as stop:
        flow.send(_reply(_interaction(id="hop2", status="completed")))
    result = stop.value.value
    assert (result.id, result.status, result.continuation_ids) == ("hop2", "completed", ["hop1", "hop2"])


def test_continued_flow_keeps_the_output_when_a_later_hop_fails() -> None:
    c = _continuation.Continuation(_request({"model": "m", "input": "hi"}))
    flow = _flows.continued(c, adapter_for(Interaction))
    next(flow)
    flow.send(_reply(_interaction(id="hop1", status="requires_continuation", continuation_token="t1")))
    failure = InternalServerError("boom", status_code=500, body=None, headers={})
    with pytest.raises(ContinuationInterruptedError) as caught:
        flow.throw(failure)
    error = caught.value
    assert error.__cause__ is failure
    assert (error.continuation_token, error.interaction_id, error.continuation_ids) == ("t1", "hop1", ["hop1"])
    assert error.partial_interaction.id == "hop1"


def test_continued_flow_raises_a_first_hop_failure_as_it_is() -> None:
    c = _continuation.Continuation(_request({"model": "m", "input": "hi"}))
    flow = _flows.continued(c, adapter_for(Interaction))
    next(flow)
    failure = InternalServerError("boom", status_code=500, body=None, headers={})
    with pytest.raises(InternalServerError):
        flow.throw(failure)


def _poll_flow(**kwargs: Any) -> Any:
    policy = _wait.WaitPolicy(1.0, deadline=kwargs.pop("deadline", None))
    return _flows.wait("i1", policy, **kwargs)


def test_wait_flow_polls_sleeps_and_reports_each_status_change() -> None:
    seen: list[str] = []
    flow = _poll_flow(on_update=lambda i: seen.append(i.status))
    poll = next(flow)
    assert isinstance(poll, _flows.Poll) and poll.interaction_id == "i1"
    assert flow.send(_reply(_interaction(id="i1", status="queued"))) == _flows.Sleep(1.0)
    assert isinstance(flow.send(None), _flows.Poll)
    assert flow.send(_reply(_interaction(id="i1", status="queued"), {"retry-after": "3"})) == _flows.Sleep(3.0)
    flow.send(None)
    assert flow.send(_reply(_interaction(id="i1", status="in_progress"))) == _flows.Sleep(2.25)
    flow.send(None)
    with pytest.raises(StopIteration) as stop:
        flow.send(_reply(_interaction(id="i1", status="completed")))
    assert stop.value.value.status == "completed"
    assert seen == ["queued", "in_progress", "completed"]


@pytest.mark.parametrize("interrupt", [KeyboardInterrupt(), asyncio.CancelledError()])
def test_an_interrupted_wait_cancels_the_run_then_propagates(interrupt: BaseException) -> None:
    flow = _poll_flow()
    next(flow)
    flow.send(_reply(_interaction(id="i1", status="in_progress")))
    assert flow.throw(interrupt) == _flows.Cancel("i1")
    with pytest.raises(type(interrupt)):
        flow.send(_reply(_interaction(id="i1", status="cancelled")))


def test_an_interrupted_wait_may_leave_the_run_alone() -> None:
    flow = _poll_flow(cancel_on_interrupt=False)
    next(flow)
    with pytest.raises(KeyboardInterrupt):
        flow.throw(KeyboardInterrupt())


def test_wait_deadline_raises_with_the_last_interaction() -> None:
    clock = FakeClock()
    flow = _poll_flow(deadline=Deadline(1.5, clock=clock))
    next(flow)
    assert flow.send(_reply(_interaction(id="i1", status="queued"))) == _flows.Sleep(1.0)
    clock.now += 1.0
    flow.send(None)
    with pytest.raises(WaitTimeoutError) as caught:
        flow.send(_reply(_interaction(id="i1", status="in_progress")))  # the next 1.5 s sleep passes the deadline
    assert isinstance(caught.value, APITimeoutError)
    assert caught.value.interaction.status == "in_progress"


def test_create_and_wait_creates_in_the_background_and_returns_at_once_when_done() -> None:
    flow = _flows.create_and_wait({"model": "m", "input": "x"}, _wait.WaitPolicy())
    create = next(flow)
    assert isinstance(create, _flows.Create) and create.arguments == {"model": "m", "input": "x", "background": True}
    with pytest.raises(StopIteration) as stop:
        flow.send(_reply(_interaction(id="i1", status="completed")))
    assert stop.value.value.id == "i1"
