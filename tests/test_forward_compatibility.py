"""Values the SDK does not know yet (event types, variants, enum values, extra fields): kept, logged once,
never raised; both flavours."""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

import pytest
from gemini_interactions.testing import InteractionsTestServer, Scenario

from .conftest import TEXT, Flavour, dump, sent_events


def unknown_transcript(tag: str) -> str:
    events: list[dict[str, Any]] = [
        {
            "interaction": {"id": "v1_x", "status": "in_progress", "object": "interaction"},
            "event_type": "interaction.created",
        },
        {"interaction_id": "v1_x", "status": f"paused_for_lunch_{tag}", "event_type": "interaction.status_update"},
        {"event_type": f"interaction.weather_report_{tag}", "forecast": {"sky": "clear"}, "n": [1, 2]},
        {"index": 0, "step": {"type": "model_output"}, "event_type": "step.start"},
        {"index": 0, "delta": {"type": "text", "text": "Hi", "sparkle": {"level": 3}}, "event_type": "step.delta"},
        {"index": 0, "delta": {"type": f"hologram_{tag}", "frames": [1, 2, 3]}, "event_type": "step.delta"},
        {"index": 0, "delta": {"type": f"hologram_{tag}", "frames": [4]}, "event_type": "step.delta"},
        {"index": 0, "event_type": "step.stop"},
        {"index": 1, "step": {"type": f"teleport_{tag}", "destination": "moon"}, "event_type": "step.start"},
        {"index": 1, "event_type": "step.stop"},
        {"event_type": f"interaction.weather_report_{tag}", "forecast": {"sky": "rain"}},
        {
            "interaction": {"id": "v1_x", "status": "completed", "object": "interaction", "mood": "happy"},
            "event_type": "interaction.completed",
        },
    ]
    blocks = [f"event: {e['event_type']}\ndata: {json.dumps(e)}\n" for e in events]
    return ": scenario {}\n\n" + "\n".join(blocks) + "\n"


async def test_unknown_values_round_trip(
    flavour: Flavour, server: InteractionsTestServer, client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    t = flavour.types
    tag = uuid.uuid4().hex[:8]  # unknown values are reported once per process: make them new
    server.add_scenario(Scenario.from_sse(f"unknowns_{tag}", unknown_transcript(tag)))
    caplog.set_level(logging.DEBUG, logger=flavour.logger_name)
    stream, events = await flavour.stream_events(client, **TEXT, extra_headers={"x-test-scenario": f"unknowns_{tag}"})
    sent = sent_events(server, stream.interaction_id)
    assert len(events) == len(sent)
    for event, payload in zip(events, sent, strict=True):
        assert dump(event) == payload
        assert event.to_dict() == payload

    status = events[1]
    assert isinstance(status, t.InteractionStatusUpdate) and status.status == f"paused_for_lunch_{tag}"
    weather = events[2]
    assert isinstance(weather, t.UnknownInteractionSSEEvent)
    assert weather.event_type == f"interaction.weather_report_{tag}"
    assert weather.forecast == {"sky": "clear"}
    assert weather.raw == sent[2]
    extra = events[4]
    assert isinstance(extra, t.StepDelta) and isinstance(extra.delta, t.TextDelta)
    assert extra.delta.text == "Hi" and extra.delta.sparkle == {"level": 3}
    holo = events[5].delta
    assert isinstance(holo, t.UnknownStepDeltaData)
    assert holo.type == f"hologram_{tag}" and holo.frames == [1, 2, 3]
    step = events[8].step
    assert isinstance(step, t.UnknownStep)
    assert step.type == f"teleport_{tag}" and step.raw == {"type": f"teleport_{tag}", "destination": "moon"}
    assert events[-1].interaction.mood == "happy"

    records = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG and tag in r.getMessage()]
    for value in (f"interaction.weather_report_{tag}", f"hologram_{tag}", f"teleport_{tag}"):
        matching = [m for m in records if repr(value) in m or value in m]
        assert len(matching) == 1, (value, records)
    for record in caplog.records:
        if tag in record.getMessage():
            assert record.name.split(".")[0] == flavour.logger_name


async def test_unknown_values_in_final_interaction(
    flavour: Flavour, server: InteractionsTestServer, client: Any
) -> None:
    t = flavour.types
    tag = uuid.uuid4().hex[:8]
    server.add_scenario(Scenario.from_sse(f"unknowns_{tag}", unknown_transcript(tag)))
    stream = await flavour.create(client, **TEXT, stream=True, extra_headers={"x-test-scenario": f"unknowns_{tag}"})
    final = await flavour.final(stream)
    assert isinstance(final, t.Interaction)
    assert final.status == "completed"
    assert isinstance(final.steps[1], t.UnknownStep) and final.steps[1].type == f"teleport_{tag}"
    plain = await flavour.get(client, stream.interaction_id)
    assert isinstance(plain.steps[1], t.UnknownStep)


async def test_unknown_status_in_non_streamed_interaction(
    flavour: Flavour, server: InteractionsTestServer, client: Any
) -> None:
    tag = uuid.uuid4().hex[:8]
    server.add_scenario(Scenario.from_sse(f"unknowns_{tag}", unknown_transcript(tag)))
    interaction = await flavour.create(client, **TEXT, extra_headers={"x-test-scenario": f"unknowns_{tag}"})
    assert interaction.status == "completed"
    assert interaction.mood == "happy"
    assert isinstance(interaction.steps[1], flavour.types.UnknownStep)
    assert interaction.steps[1].destination == "moon"


def test_parse_event_accepts_dict_str_and_bytes(flavour: Flavour) -> None:
    t = flavour.types
    payload = {"index": 2, "delta": {"type": "text", "text": "hé"}, "event_type": "step.delta", "event_id": "evt_9"}
    text = json.dumps(payload, ensure_ascii=False)
    for source in (payload, text, text.encode()):
        event = t.parse_event(source)
        assert isinstance(event, t.StepDelta) and isinstance(event.delta, t.TextDelta)
        assert dump(event) == payload
    unknown = {"event_type": "brand.new", "x": 1}
    for source in (unknown, json.dumps(unknown), json.dumps(unknown).encode()):
        event = t.parse_event(source)
        assert isinstance(event, t.UnknownInteractionSSEEvent)
        assert event.event_type == "brand.new" and dump(event) == unknown


def test_unknown_value_logged_once_across_parses(flavour: Flavour, caplog: pytest.LogCaptureFixture) -> None:
    t = flavour.types
    caplog.set_level(logging.DEBUG, logger=flavour.logger_name)
    tag = f"mystery_{uuid.uuid4().hex[:8]}"
    for i in range(3):
        event = t.parse_event({"index": i, "delta": {"type": tag, "i": i}, "event_type": "step.delta"})
        assert isinstance(event.delta, t.UnknownStepDeltaData) and event.delta.type == tag and event.delta.i == i
    assert len([r for r in caplog.records if tag in r.getMessage() and r.levelno == logging.DEBUG]) == 1
