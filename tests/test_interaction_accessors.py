"""`Interaction.output_text`, `function_calls`, `thought_summaries`, `output_images`: from the wire, both flavours.

Expected values are read from the scenario the embedded server streams, never written here."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from gemini_interactions.testing import InteractionsTestServer

from codegen.project import PACKAGES

from .conftest import MODEL, Flavour

WEATHER_TOOL = {"type": "function", "name": "get_weather", "parameters": {"type": "object"}}
REQUESTS: dict[str, dict[str, Any]] = {
    "text": {"model": MODEL, "input": "Count from 1 to 25."},
    "thinking": {"model": MODEL, "input": "What is the greatest common divisor of 1071 and 462?"},
    "function_call": {"model": MODEL, "input": "Weather in Paris?", "tools": [WEATHER_TOOL]},
    "interleaved_image": {
        "model": "gemini-3.1-flash-image-preview",
        "input": "Write a short illustrated story.",
        "response_format": [{"type": "text"}, {"type": "image"}],
    },
}


def expected(server: InteractionsTestServer, scenario: str) -> dict[str, Any]:
    """The four accessors' values, worked out from the scenario's events."""
    step_types: dict[int, str] = {}
    calls: dict[int, dict[str, Any]] = {}
    text = ""
    summaries: list[str] = []
    images: list[tuple[bytes, str]] = []
    summary_step = None
    arguments: dict[int, str] = {}
    for event in server.scenario(scenario).events:
        kind, index = event["event_type"], event.get("index", -1)
        if kind == "step.start":
            step_types[index] = event["step"]["type"]
            if event["step"]["type"] == "function_call":
                calls[index] = event["step"]
        elif kind == "step.delta":
            delta, step = event["delta"], step_types[index]
            if step == "model_output" and delta["type"] == "text":
                text += delta["text"]
            elif step == "model_output" and delta["type"] == "image":
                images.append((base64.b64decode(delta["data"]), delta["mime_type"]))
            elif delta["type"] == "thought_summary":
                if summary_step == index:  # a step's summary texts arrive in pieces and form one text
                    summaries[-1] += delta["content"]["text"]
                else:
                    summaries.append(delta["content"]["text"])
                summary_step = index
            elif delta["type"] == "arguments_delta":
                arguments[index] = arguments.get(index, "") + delta["arguments"]
    return {
        "output_text": text,
        "thought_summaries": summaries,
        "output_images": images,
        "function_calls": [
            (calls[i]["name"], calls[i]["id"], json.loads(arguments[i]) if i in arguments else calls[i]["arguments"])
            for i in sorted(calls)
        ],
    }


def actual(interaction: Any) -> dict[str, Any]:
    return {
        "output_text": interaction.output_text,
        "thought_summaries": interaction.thought_summaries,
        "output_images": [(image.data, image.mime_type) for image in interaction.output_images],
        "function_calls": [(call.name, call.id, call.arguments) for call in interaction.function_calls],
    }


@pytest.mark.parametrize("scenario", sorted(REQUESTS))
async def test_accessors_on_created_and_final_interactions(
    flavour: Flavour, server: InteractionsTestServer, client: Any, scenario: str
) -> None:
    want = expected(server, scenario)
    created = await flavour.create(client, **REQUESTS[scenario])
    final = await flavour.final(await flavour.create(client, **REQUESTS[scenario], stream=True))
    assert {r.scenario for r in server.requests} == {scenario}
    for interaction in (created, final):
        assert actual(interaction) == want
        for call in interaction.function_calls:
            assert isinstance(call, flavour.types.FunctionCallStep) and isinstance(call.arguments, dict)


async def test_scenarios_exercise_every_accessor(server: InteractionsTestServer) -> None:
    # Guards the test above against scenarios that would make it vacuous.
    values = [expected(server, name) for name in REQUESTS]
    assert all(any(v[key] for v in values) for key in ("output_text", "thought_summaries", "output_images"))
    assert any(v["function_calls"] for v in values)
    assert all(data.startswith(b"\x89PNG") for data, _ in expected(server, "interleaved_image")["output_images"])


async def test_accessors_are_empty_on_an_interaction_still_running(flavour: Flavour, client: Any) -> None:
    running = await flavour.create(
        client, agent="deep-research-preview-04-2026", input="Research quantum computing.", background=True
    )
    assert running.status == "in_progress" and not running.steps
    assert (running.output_text, running.function_calls, running.thought_summaries, running.output_images) == (
        "",
        [],
        [],
        [],
    )


@pytest.mark.parametrize("package", PACKAGES)
def test_accessors_skip_what_they_cannot_use(package: str) -> None:
    types = __import__(package, fromlist=["types"]).types
    png = b"\x89PNG\r\n\x1a\nrest"
    interaction = types.Interaction.model_validate(
        {
            "status": "completed",
            "steps": [
                {"type": "model_output"},  # no content
                {"type": "model_output", "content": [{"type": "text", "text": "a"}, {"type": "audio", "data": "AAAA"}]},
                {"type": "model_output", "content": [{"type": "hologram", "text": "not text"}]},  # unknown content
                {"type": "future_step", "text": "ignored", "content": [{"type": "text", "text": "x"}]},  # unknown step
                {"type": "thought"},  # no summary
                {"type": "thought", "summary": [{"type": "image", "data": "AAAA"}, {"type": "text", "text": "t"}]},
                {
                    "type": "model_output",
                    "content": [
                        {"type": "image", "uri": "gs://bucket/only-a-link.png"},  # nothing inline to decode
                        {"type": "image", "data": "not base64!", "mime_type": "image/png"},
                        {"type": "image", "data": base64.urlsafe_b64encode(png).decode().rstrip("=")},
                        {"type": "text", "text": "b"},
                    ],
                },
            ],
        }
    )
    assert interaction.output_text == "ab"
    assert interaction.thought_summaries == ["t"]
    assert interaction.function_calls == []
    assert [(image.data, image.mime_type) for image in interaction.output_images] == [(png, None)]
    assert "bytes" in repr(interaction.output_images[0])
    bare = types.Interaction(status="completed")
    assert (bare.output_text, bare.function_calls, bare.thought_summaries, bare.output_images) == ("", [], [], [])
    assert "output_text" not in bare.to_dict(), "accessors are not fields: they are never sent or dumped"
