"""create / get / cancel / delete over real sockets: typed results, and dicts or models sending the same body."""

from __future__ import annotations

import json
from typing import Any

import pytest
from gemini_interactions.testing import InteractionsTestServer

from .conftest import FUNCTION_RESULT_INPUT, MODEL, SCENARIO_REQUESTS, TEXT, WEATHER_TOOL, Flavour


async def test_create_returns_typed_interaction(flavour: Flavour, client: Any) -> None:
    t = flavour.types
    interaction = await flavour.create(client, **TEXT)
    assert isinstance(interaction, t.Interaction)
    assert interaction.status == "completed"
    assert interaction.id and interaction.id.startswith("v1_")
    assert isinstance(interaction.usage, t.Usage)
    assert interaction.usage.total_input_tokens is not None
    assert [type(s) for s in interaction.steps] == [t.ThoughtStep, t.ModelOutputStep]
    text = "".join(c.text for c in interaction.steps[1].content if isinstance(c, t.TextContent))
    assert text.startswith("1, 2, 3") and "25" in text


async def test_function_call_steps_are_typed(flavour: Flavour, client: Any) -> None:
    t = flavour.types
    interaction = await flavour.create(client, **SCENARIO_REQUESTS["function_call"])
    assert interaction.status == "requires_action"
    calls = [s for s in interaction.steps if isinstance(s, t.FunctionCallStep)]
    assert len(calls) == 1
    assert calls[0].name == "get_weather"
    assert isinstance(calls[0].arguments, dict) and calls[0].arguments


async def test_dicts_and_typed_models_send_the_same_body(
    flavour: Flavour, server: InteractionsTestServer, client: Any
) -> None:
    t = flavour.types
    as_dicts: dict[str, Any] = {
        "model": MODEL,
        "input": "What is the weather in Paris right now?",
        "tools": [WEATHER_TOOL],
        "generation_config": {"temperature": 0.5, "max_output_tokens": 64, "thinking_summaries": "auto"},
    }
    as_models: dict[str, Any] = {
        "model": MODEL,
        "input": "What is the weather in Paris right now?",
        "tools": [t.Function(**WEATHER_TOOL)],
        "generation_config": t.GenerationConfig(temperature=0.5, max_output_tokens=64, thinking_summaries="auto"),
    }
    await flavour.create(client, **as_dicts)
    await flavour.create(client, **as_models)
    first, second = server.requests
    assert first.body == second.body
    assert first.body["tools"] == [WEATHER_TOOL]
    assert first.body["generation_config"] == {
        "temperature": 0.5,
        "max_output_tokens": 64,
        "thinking_summaries": "auto",
    }
    assert json.loads(first.raw_body) == json.loads(second.raw_body)

    # function_result input: plain dicts vs typed steps
    await flavour.create(client, model=MODEL, input=FUNCTION_RESULT_INPUT)
    typed_input = [t.FunctionResultStep(**FUNCTION_RESULT_INPUT[0])]
    await flavour.create(client, model=MODEL, input=typed_input)
    third, fourth = server.requests[2:]
    assert third.body == fourth.body
    assert third.body["input"] == FUNCTION_RESULT_INPUT
    assert third.scenario == fourth.scenario == "function_call_result"


async def test_get_cancel_delete(flavour: Flavour, server: InteractionsTestServer, client: Any) -> None:
    t = flavour.types
    created = await flavour.create(client, **SCENARIO_REQUESTS["deep_research_agent"])
    assert created.status == "in_progress"
    fetched = await flavour.get(client, created.id, include_input=True)
    assert isinstance(fetched, t.Interaction) and fetched.id == created.id
    assert server.last_request.query.get("include_input") == "true"
    assert fetched.input is not None
    cancelled = await flavour.cancel(client, created.id)
    assert isinstance(cancelled, t.Interaction)
    assert cancelled.status == "cancelled"
    assert (await flavour.get(client, created.id)).status == "cancelled"
    await flavour.delete(client, created.id)
    with pytest.raises(flavour.pkg.NotFoundError) as info:
        await flavour.get(client, created.id)
    assert info.value.status_code == 404
    assert created.id not in server.interactions
