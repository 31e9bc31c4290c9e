"""Streams end to end: typed events in order, replay after an event id, framings, bad events, and every way of
leaving a stream closing its connection; both flavours."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import pytest
from gemini_interactions.testing import InteractionsTestServer

from .conftest import TEXT, Flavour, dump, sent_events


async def test_stream_yields_typed_events_in_order(
    flavour: Flavour, server: InteractionsTestServer, client: Any
) -> None:
    t = flavour.types
    stream, events = await flavour.stream_events(client, **TEXT)
    assert isinstance(stream, flavour.stream_class)
    assert stream.status_code == 200
    assert "text/event-stream" in {k.lower(): v for k, v in stream.headers.items()}["content-type"]
    sent = sent_events(server, stream.interaction_id)
    assert [dump(e) for e in events] == sent
    assert isinstance(events[0], t.InteractionCreatedEvent)
    assert isinstance(events[-1], t.InteractionCompletedEvent)
    assert stream.last_event_id == sent[-1]["event_id"]
    by_type = {
        "interaction.created": t.InteractionCreatedEvent,
        "interaction.status_update": t.InteractionStatusUpdate,
        "step.start": t.StepStart,
        "step.delta": t.StepDelta,
        "step.stop": t.StepStop,
        "interaction.completed": t.InteractionCompletedEvent,
    }
    for event, payload in zip(events, sent, strict=True):
        assert type(event) is by_type[payload["event_type"]]
    deltas = [e.delta for e in events if isinstance(e, t.StepDelta)]
    assert any(isinstance(d, t.TextDelta) for d in deltas)
    assert server.last_request.body["stream"] is True


async def test_get_stream_replays_after_last_event_id(
    flavour: Flavour, server: InteractionsTestServer, client: Any
) -> None:
    created = await flavour.create(client, **TEXT)
    sent = sent_events(server, created.id)
    full = await flavour.events(await flavour.get(client, created.id, stream=True))
    assert [dump(e) for e in full] == sent
    k = 4
    after = sent[k - 1]["event_id"]
    stream = await flavour.get(client, created.id, stream=True, last_event_id=after)
    rest = await flavour.events(stream)
    assert [dump(e) for e in rest] == sent[k:]
    assert server.last_request.query["last_event_id"] == after
    assert stream.last_event_id == sent[-1]["event_id"]


@pytest.mark.parametrize("framing", ["chunked", "content-length", "close"])
async def test_every_framing_with_pauses_gives_the_whole_stream(
    flavour: Flavour, server: InteractionsTestServer, client: Any, framing: str
) -> None:
    _, reference = await flavour.stream_events(client, **TEXT)
    fault = f"framing={framing}; event_delay=0.01"
    _, events = await flavour.stream_events(client, **TEXT, extra_headers={"x-test-fault": fault})
    assert [e.event_type for e in events] == [e.event_type for e in reference]
    assert events[-1].event_type == "interaction.completed"


async def test_malformed_event_is_a_clear_validation_error(flavour: Flavour, client: Any) -> None:
    stream = await flavour.create(client, **TEXT, stream=True, extra_headers={"x-test-fault": "malformed_at=2"})
    with pytest.raises(flavour.pkg.APIResponseValidationError) as info:
        await flavour.events(stream)
    message = str(info.value)
    assert "stream event" in message and "data starts" in message
    assert info.value.payload  # the bad payload is kept on the error
    assert "test-key" not in message


async def test_stream_iterated_twice_raises(flavour: Flavour, client: Any) -> None:
    stream = await flavour.create(client, **TEXT, stream=True)
    events = await flavour.events(stream)
    assert events
    with pytest.raises(RuntimeError, match="already iterated"):
        await flavour.events(stream)
    await flavour.close(stream)


@pytest.mark.parametrize("how", ["break", "with", "close"])
async def test_leaving_a_stream_disconnects(
    flavour: Flavour, server: InteractionsTestServer, client: Any, how: str
) -> None:
    slow = {"x-test-fault": "delay=0.05"}
    stream = await flavour.create(client, **TEXT, stream=True, extra_headers=slow)
    if how == "break":
        got = await flavour.first_n(stream, 2)
    elif how == "with":
        if flavour.is_async:
            async with stream:
                got = await flavour.first_n(stream, 2)
        else:
            with stream:
                got = await flavour.first_n(stream, 2)
        stream = None
    else:
        await flavour.close(stream)
        got = [None, None]
    assert len(got) == 2
    disconnects = await flavour.wait_for_disconnects(server)
    assert len(disconnects) == 1
    total = len(server.scenario("text").events)
    assert disconnects[0].events_sent < total
    if stream is not None:
        await flavour.close(stream)  # idempotent


async def test_garbage_collected_stream_closes_its_connection(
    flavour: Flavour, server: InteractionsTestServer, client: Any
) -> None:
    slow = {"x-test-fault": "event_delay=0.05"}
    stream = await flavour.create(client, **TEXT, stream=True, extra_headers=slow)
    iterator = flavour.iterator(stream)
    first = await flavour.next(iterator)
    assert first.event_type == "interaction.created"
    del iterator, stream, first
    gc.collect()
    await asyncio.sleep(0)  # lets asyncio run the async generator's finaliser
    assert await flavour.wait_for_disconnects(server)


async def test_cancelling_the_task_closes_the_connection(server: InteractionsTestServer) -> None:
    import gemini_interactions_async

    async with gemini_interactions_async.AsyncClient(api_key="test-key", base_url=server.base_url) as client:
        seen: list[Any] = []

        async def consume() -> None:
            stream = await client.interactions.create(
                **TEXT, stream=True, extra_headers={"x-test-fault": "event_delay=0.2"}
            )
            async for event in stream:
                seen.append(event)

        task = asyncio.create_task(consume())
        while not seen:
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert await asyncio.to_thread(server.wait_for_disconnects, 1, 5.0)
