"""Arguments of interactions.create(): typed params and plain dicts reach the server as written;
invalid ones fail before any request is sent (checked against the embedded server's request log)."""

from __future__ import annotations

import json
import runpy
from collections.abc import Callable
from typing import Any

import pytest
from gemini_interactions.testing import InteractionsTestServer

from codegen.project import PACKAGES

from .conftest import MODEL, REPO, SCENARIO_REQUESTS, SECRET, WEATHER_TOOL, Flavour

# (keyword arguments, the argument the error must name, text the message must contain)
INVALID: list[tuple[dict[str, Any], str | None, str]] = [
    ({"model": MODEL, "input": 5}, "input", "input: expected str | Content | ContentList | StepList, got int"),
    ({"model": MODEL, "input": {"type": "text"}}, "input", "input.text: required, missing"),
    ({"model": 3, "input": "Hi"}, "model", "model: expected ModelOption (a string), got int"),
    ({"input": "Hi"}, None, "needs exactly one of `model` or `agent`"),
    ({"model": MODEL, "agent": "deep-research-preview-04-2026", "input": "Hi"}, None, "got both"),
    ({"model": MODEL, "input": "Hi", "tools": "google_search"}, "tools", "tools: expected list[Tool], got str"),
    ({"model": MODEL, "input": "Hi", "tools": [{"type": "function", "name": 5}]}, "tools", "tools[0].name"),
    ({"model": MODEL, "input": "Hi", "generation_config": {"temperature": "hot"}}, "generation_config", "temperature"),
    ({"model": MODEL, "input": "Hi", "generation_config": {"max_output_tokens": 1.5}}, "generation_config", "int"),
    ({"model": MODEL, "input": "Hi", "safety_settings": [{"type": "harassment"}]}, "safety_settings", "threshold"),
    ({"model": MODEL, "input": "Hi", "store": "yes"}, "store", "store: expected bool, got str"),
    ({"model": MODEL, "input": "Hi", "labels": {"team": 1}}, "labels", "labels.team"),
    ({"model": MODEL, "input": "Hi", "webhook_config": {"uris": "https://x"}}, "webhook_config", "uris"),
    ({"model": MODEL, "input": "Hi", "response_format": {"type": "text", "schema": []}}, "response_format", "schema"),
    (
        {
            "agent": "deep-research-preview-04-2026",
            "input": "Hi",
            "agent_config": {"type": "deep-research", "collaborative_planning": "no"},
        },
        "agent_config",
        "collaborative_planning",
    ),
    (
        {"model": MODEL, "input": [{"type": "function_result", "call_id": "fc_1"}]},
        "input",
        "input[0].result: required, missing",
    ),
    (
        {"model": MODEL, "input": [{"type": "text", "text": 5}]},
        "input",
        "input[0].text: Input should be a valid string",
    ),
    (
        {"model": MODEL, "input": [{"type": "user_input", "content": [{"type": "text"}]}]},
        "input",
        "input[0].content[0].text: required, missing",
    ),
    ({"model": MODEL, "input": "Hi", "tools": [{"type": "text", "text": "Hi"}]}, "tools", "tools[0]: type 'text'"),
    (
        {
            "model": MODEL,
            "input": "Hi",
            "tools": [{"type": "retrieval", "exa_ai_search_config": {"api_key": SECRET}}],
            "store": 1,
        },
        "store",
        "store: expected bool, got int",
    ),
]


@pytest.mark.parametrize(("kwargs", "argument", "text"), INVALID, ids=[str(i) for i in range(len(INVALID))])
async def test_invalid_argument_fails_before_sending(
    flavour: Flavour, server: InteractionsTestServer, kwargs: dict[str, Any], argument: str | None, text: str
) -> None:
    client = flavour.client(server, api_key=SECRET)
    try:
        with pytest.raises(flavour.pkg.InvalidArgumentError) as caught:
            await flavour.create(client, **kwargs)
        # Also create(stream=True): the same check, before the stream opens.
        with pytest.raises(flavour.pkg.InvalidArgumentError):
            await flavour.create(client, stream=True, **kwargs)
    finally:
        await flavour.close(client)
    error: Any = caught.value
    assert isinstance(error, flavour.pkg.GeminiInteractionsError)
    assert isinstance(caught.value, TypeError) and isinstance(caught.value, ValueError)
    assert error.argument == argument
    assert text in str(error), str(error)
    assert str(error).startswith("interactions.create()")
    assert SECRET not in str(error) and SECRET not in repr(error) and SECRET not in " ".join(error.problems)
    assert server.requests == []


async def test_unknown_keyword_is_a_type_error_before_sending(flavour: Flavour, server: InteractionsTestServer) -> None:
    client = flavour.client(server)
    try:
        calls: tuple[Callable[[], Any], ...] = (
            lambda: client.interactions.create(model=MODEL, input="Hi", temprature=0.5),
            lambda: client.interactions.create(model=MODEL, input="Hi", stream=True, tool=[WEATHER_TOOL]),
            lambda: client.interactions.get("abc", include_inputs=True),
            lambda: client.interactions.cancel("abc", force=True),
            lambda: client.interactions.delete("abc", hard=True),
        )
        for call in calls:
            # Raised by the call itself (no coroutine is created in the async flavour).
            with pytest.raises(TypeError, match="unexpected keyword argument"):
                call()
        # `input` may be left out on a continuation hop, so its absence is the argument check's
        # InvalidArgumentError (a TypeError too), raised before anything is sent.
        with pytest.raises(TypeError, match="input"):
            await flavour.aw(client.interactions.create(model=MODEL))
    finally:
        await flavour.close(client)
    assert server.requests == []


@pytest.mark.parametrize("scenario", sorted(SCENARIO_REQUESTS))
async def test_guide_requests_as_plain_dicts_are_sent_as_written(
    flavour: Flavour, server: InteractionsTestServer, client: Any, scenario: str
) -> None:
    kwargs = SCENARIO_REQUESTS[scenario]
    interaction = await flavour.create(client, **kwargs)
    assert interaction.status in ("completed", "requires_action", "in_progress")
    assert server.last_request.body == json.loads(json.dumps(kwargs))


async def test_typed_params_and_models_are_sent_as_dicts(
    flavour: Flavour, server: InteractionsTestServer, client: Any
) -> None:
    t = flavour.types
    tool: Any = t.FunctionParam(WEATHER_TOOL)  # a TypedDict is a dict at run time
    config = t.GenerationConfig(thinking_summaries="auto", temperature=0.2)
    content = [t.TextContent(type="text", text="What is the weather in Paris?"), {"type": "text", "text": "Briefly."}]
    await flavour.create(
        client,
        model=MODEL,
        input=content,
        tools=[tool, t.GoogleSearch(type="google_search")],
        generation_config=config,
        safety_settings=[{"type": "harassment", "threshold": "block_only_high"}],
        response_format=t.TextResponseFormat(type="text", mime_type="application/json", schema={"type": "object"}),
    )
    assert server.last_request.body == {
        "model": MODEL,
        "input": [
            {"type": "text", "text": "What is the weather in Paris?"},
            {"type": "text", "text": "Briefly."},
        ],
        "tools": [WEATHER_TOOL, {"type": "google_search"}],
        "generation_config": {"thinking_summaries": "auto", "temperature": 0.2},
        "safety_settings": [{"type": "harassment", "threshold": "block_only_high"}],
        "response_format": {"type": "text", "mime_type": "application/json", "schema": {"type": "object"}},
    }


async def test_values_this_sdk_does_not_know_yet_are_sent(
    flavour: Flavour, server: InteractionsTestServer, client: Any
) -> None:
    """Open unions and enums stay open on the request side: the server may know what the SDK does not."""
    kwargs: dict[str, Any] = {
        "model": "gemini-9-ultra",
        "input": "Hi",
        "tools": [{"type": "quantum_search", "depth": 3}],
        "service_tier": "platinum",
        "generation_config": {"thinking_level": "galactic", "future_knob": True},
    }
    await flavour.create(client, **kwargs)
    assert server.last_request.body == kwargs


async def test_extra_body_can_supply_an_argument(flavour: Flavour, server: InteractionsTestServer, client: Any) -> None:
    await flavour.create(client, input="Hi", extra_body={"model": MODEL})
    assert server.last_request.body == {"input": "Hi", "model": MODEL}


def test_typed_usage_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    """examples/typed_usage.py is type-checked by `nox -s tests`; its calls also work at run time."""
    runpy.run_path(str(REPO / "examples" / "typed_usage.py"), run_name="__main__")
    assert "typed usage: all calls answered" in capsys.readouterr().out


@pytest.mark.parametrize("package", PACKAGES)
def test_plain_values_shortcut_agrees_with_the_request_validator(package: str) -> None:
    # Plain values skip building the request validator; whatever the shortcut lets through, the
    # validator must accept too, and it must take the usual calls (or it saves nothing).
    import importlib

    import pydantic

    arguments = importlib.import_module(f"{package}._arguments")
    models = importlib.import_module(f"{package}.types._models")
    variants = {"model": models.CreateModelInteractionParams, "agent": models.CreateAgentInteractionParams}
    samples: list[Any] = ["x", "", 1, 0, 1.5, True, False, None, "completed", "gemini-3-flash-preview"]
    shortcut_taken = 0
    for selector, model in variants.items():
        validator = pydantic.TypeAdapter(model)
        base = {selector: "some-name", "input": "Hi"}
        assert arguments._plainly_valid(model, base)
        for field in model.model_fields:
            for value in samples:
                payload = {**base, field: value}
                if arguments._plainly_valid(model, payload):
                    shortcut_taken += 1
                    with arguments.checking_request():
                        validator.validate_python(payload, strict=True)
        assert not arguments._plainly_valid(model, {**base, "tools": [{"type": "google_search"}]})
        assert not arguments._plainly_valid(model, {"input": "Hi"})  # the selector is required
        assert not arguments._plainly_valid(model, {**base, "not_a_field": "x"})
    assert shortcut_taken > 50
