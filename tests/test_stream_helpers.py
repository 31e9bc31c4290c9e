"""Stream helpers in both flavours: `text_stream`, `until_done()`, `current_interaction()`, and how they compose."""

from __future__ import annotations

from typing import Any

import pytest
from gemini_interactions.testing import InteractionsTestServer

from .conftest import SCENARIO_REQUESTS, TEXT, Flavour

THINKING = SCENARIO_REQUESTS["thinking"]  # thoughts (with summaries) before the answer: text to skip
FUNCTION_CALL = SCENARIO_REQUESTS["function_call"]


def output_text_deltas(server: InteractionsTestServer, scenario: str) -> list[str]:
    """The text deltas of model_output steps, read from the scenario's events."""
    outputs: set[int] = set()
    texts: list[str] = []
    for event in server.scenario(scenario).events:
        if event["event_type"] == "step.start" and event["step"]["type"] == "model_output":
            outputs.add(event["index"])
        elif event["event_type"] == "step.delta" and event["index"] in outputs and event["delta"]["type"] == "text":
            texts.append(event["delta"]["text"])
    return texts


@pytest.mark.parametrize("scenario", ["text", "thinking", "interleaved_image"])
async def test_text_stream_is_the_answer_text_then_final_interaction_is_whole(
    flavour: Flavour, server: InteractionsTestServer, client: Any, scenario: str
) -> None:
    plain = await flavour.create(client, **SCENARIO_REQUESTS[scenario])
    stream = await flavour.create(client, stream=True, **SCENARIO_REQUESTS[scenario])
    texts = await flavour.events(stream.text_stream)
    final = await flavour.final(stream)
    assert texts == output_text_deltas(server, scenario) and len(texts) > 1
    assert all(type(text) is str for text in texts)
    assert "".join(texts) == final.output_text == plain.output_text
    assert final.model_dump(exclude={"id", "created", "updated", "continuation_ids"}) == plain.model_dump(
        exclude={"id", "created", "updated", "continuation_ids"}
    )


async def test_text_stream_of_a_tool_call_is_empty(flavour: Flavour, client: Any) -> None:
    stream = await flavour.create(client, stream=True, **FUNCTION_CALL)
    assert await flavour.events(stream.text_stream) == []
    assert (await flavour.final(stream)).function_calls


async def test_text_stream_raises_on_an_error_event(flavour: Flavour, client: Any) -> None:
    stream = await flavour.create(client, **TEXT, stream=True, extra_headers={"x-test-fault": "error_after=8"})
    texts: list[str] = []
    with pytest.raises(flavour.pkg.StreamError) as info:
        if flavour.is_async:
            async for text in stream.text_stream:
                texts.append(text)
        else:
            for text in stream.text_stream:
                texts.append(text)
    assert info.value.code == "gateway_timeout" and texts  # the text before the error was delivered


async def test_until_done_consumes_the_rest_and_raises_on_error(flavour: Flavour, client: Any) -> None:
    stream = await flavour.create(client, stream=True, **THINKING)
    events = flavour.iterator(stream)
    first = [await flavour.next(events) for _ in range(3)]
    assert await flavour.aw(stream.until_done()) is None
    assert first[0].event_type == "interaction.created"
    assert (await flavour.final(stream)).status == "completed"

    failing = await flavour.create(client, **TEXT, stream=True, extra_headers={"x-test-fault": "error_after=3"})
    with pytest.raises(flavour.pkg.StreamError):
        await flavour.aw(failing.until_done())


async def test_current_interaction_at_every_point_of_the_stream(flavour: Flavour, client: Any) -> None:
    stream = await flavour.create(client, stream=True, **THINKING)
    before = stream.current_interaction()
    assert before.status == "in_progress" and before.steps == []
    snapshots = []
    if flavour.is_async:
        async for _ in stream:
            snapshots.append(stream.current_interaction())
    else:
        for _ in stream:
            snapshots.append(stream.current_interaction())
    final = await flavour.final(stream)
    assert snapshots[-1] == final == stream.current_interaction()
    texts = [snapshot.output_text for snapshot in snapshots]
    assert texts == sorted(texts, key=len) and texts[0] == "" and texts[-1] == final.output_text
    assert snapshots[0].id == final.id and snapshots[0].status == "in_progress"
    # Mid-stream, a snapshot is an Interaction like any other: accessors work on it.
    assert any(s.thought_summaries and not s.output_text for s in snapshots)


async def test_text_stream_follows_every_continuation_hop(flavour: Flavour, client: Any) -> None:
    # The text is picked in the stream's own loop, which carries on into each next hop.
    request = {"model": TEXT["model"], "input": "Tell me the long answer."}
    stream = await flavour.create(client, stream=True, **request)
    texts = await flavour.events(stream.text_stream)
    final = await flavour.final(stream)
    unary = await flavour.create(client, **request)
    assert len(final.continuation_ids) == 3 and len(texts) > 3
    assert "".join(texts) == final.output_text == unary.output_text


async def test_text_stream_is_the_one_iteration_of_the_stream(flavour: Flavour, client: Any) -> None:
    stream = await flavour.create(client, stream=True, **TEXT)
    texts = stream.text_stream
    with pytest.raises(RuntimeError, match="already iterated"):
        flavour.iterator(stream)
    assert "".join(await flavour.events(texts)) == (await flavour.final(stream)).output_text


def test_text_stream_leaves_out_text_deltas_of_other_steps_after_the_first_picked(flavour: Flavour) -> None:
    # The picker learns the delta classes from the first text it picks; the same classes in a step
    # that is not model_output (here a thought carrying text-typed deltas) stay out.
    from importlib import import_module

    picker = import_module(f"{flavour.pkg.__name__}._stream_text").OutputTextPicker()
    parse = flavour.pkg.types.parse_event

    def delta(index: int, text: str) -> dict[str, Any]:
        return {"event_type": "step.delta", "index": index, "delta": {"type": "text", "text": text}}

    events = [
        {"event_type": "step.start", "index": 0, "step": {"type": "model_output"}},
        delta(0, "Hello"),
        {"event_type": "step.start", "index": 1, "step": {"type": "thought"}},
        delta(1, "(thinking)"),
        delta(0, ", world"),
        delta(0, ""),
        {"event_type": "step.start", "index": 0, "step": {"type": "thought"}},  # index 0 re-labelled
        delta(0, "(more thinking)"),
    ]
    picked = [picker.text(parse(event)) for event in events]
    assert picked == [None, "Hello", None, None, ", world", None, None, None]
