"""A stream that breaks off resumes where it stopped (GET ?stream=true&last_event_id=...), repeats nothing,
and gives up with a clear error; both flavours."""

from __future__ import annotations

import json
from typing import Any

import pytest
from gemini_interactions.testing import InteractionsTestServer

from .conftest import TEXT, Flavour, dump


@pytest.mark.parametrize("fault", ["drop_after=3", "truncate_after=5", "drop_after=1; chunk=7"])
async def test_dropped_stream_resumes_transparently(
    flavour: Flavour, server: InteractionsTestServer, client: Any, fault: str
) -> None:
    reference, expected = await flavour.stream_events(client, **TEXT)
    expected_dumps = [dump(e) for e in expected]
    server.reset()

    stream = await flavour.create(client, **TEXT, stream=True, extra_headers={"x-test-fault": f"{fault}; fail_times=1"})
    events = await flavour.events(stream)
    got = [dump(e) for e in events]

    def normalise(items: list[dict[str, Any]], interaction_id: str) -> list[str]:
        text = json.dumps(items).replace(interaction_id, "ID")
        items = json.loads(text)
        for item in items:
            for key in ("created", "updated"):
                item.get("interaction", {}).pop(key, None)
        return [json.dumps(i, sort_keys=True) for i in items]

    assert normalise(got, stream.interaction_id) == normalise(expected_dumps, reference.interaction_id)
    ids = [e.event_id for e in events]
    assert len(ids) == len(set(ids)), "duplicate events after resume"

    post, get = server.requests
    assert post.method == "POST"
    assert get.method == "GET" and get.path.endswith(f"/interactions/{stream.interaction_id}")
    assert get.query["stream"] == "true"
    assert get.query["last_event_id"] == got[int(fault.split("=")[1].split(";")[0]) - 1]["event_id"]
    assert stream.last_event_id == ids[-1]


async def test_resume_of_a_stream_without_event_ids_repeats_nothing(
    flavour: Flavour, server: InteractionsTestServer, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The guide's transcripts carry no event_id: the reconnect cannot name the last event, the server
    # replays from the start, and the client skips as many events as it had delivered.
    monkeypatch.setattr(f"{flavour.pkg.__name__}._streaming.backoff_delay", lambda *a, **k: 0.0)
    _, expected = await flavour.stream_events(client, **TEXT)
    server.reset()
    fault = "no_event_ids=1; drop_after=4; fail_times=1"  # the replay has no ids either
    stream = await flavour.create(client, **TEXT, stream=True, extra_headers={"x-test-fault": fault})
    events = await flavour.events(stream)

    assert [r.method for r in server.requests] == ["POST", "GET"]
    assert "last_event_id" not in server.requests[1].query
    assert [e.event_type for e in events] == [e.event_type for e in expected]
    texts = [e.delta.text for e in events if e.event_type == "step.delta" and e.delta.type == "text"]
    assert "".join(texts) == "".join(
        e.delta.text for e in expected if e.event_type == "step.delta" and e.delta.type == "text"
    )
    assert all(getattr(e, "event_id", None) is None for e in events)
    final = await flavour.aw(client.interactions.get(stream.interaction_id))
    assert final.status == "completed"


async def test_read_timeout_mid_stream_resumes_where_it_stopped(
    flavour: Flavour, server: InteractionsTestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(f"{flavour.pkg.__name__}._streaming.backoff_delay", lambda *a, **k: 0.0)
    client = flavour.client(server)
    try:
        _, expected = await flavour.stream_events(client, **TEXT)
        server.reset()
        # The created stream stalls after its first event, longer than the read timeout; the resumed one does not.
        stalling = {"x-test-fault": "event_delay=2; on=create"}
        stream = await flavour.create(client, **TEXT, stream=True, timeout=0.5, extra_headers=stalling)
        events = await flavour.events(stream)
    finally:
        await flavour.close(client)

    assert [e.event_type for e in events] == [e.event_type for e in expected]
    ids = [e.event_id for e in events]
    assert len(ids) == len(set(ids))
    post, get = server.requests
    assert post.method == "POST" and get.method == "GET"
    assert get.query == {"stream": "true", "last_event_id": ids[0]}


async def test_resume_gives_up_with_stream_resume_error(
    flavour: Flavour, server: InteractionsTestServer, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(f"{flavour.pkg.__name__}._streaming.backoff_delay", lambda *a, **k: 0.0)
    server.set_faults("drop_after=2")
    stream = await flavour.create(client, **TEXT, stream=True)
    events = flavour.iterator(stream)
    await flavour.next(events)
    server.set_faults("drop_after=0")  # every reconnect now breaks before any event: no progress
    with pytest.raises(flavour.pkg.StreamResumeError) as info:
        for _ in range(100):
            await flavour.next(events)
    assert len([r for r in server.requests if r.method == "GET"]) >= 2
    assert info.value.interaction_id == stream.interaction_id
    assert info.value.last_event_id is not None
    assert str(info.value.last_event_id) in str(info.value)
