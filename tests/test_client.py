"""End-to-end tests of the generated clients (sync and async) against the embedded fake server, over real sockets."""

from __future__ import annotations

import asyncio
import base64
import gc
import json
import logging
import uuid
from typing import Any

import pytest
from gemini_interactions import API_REVISION
from gemini_interactions.testing import InteractionsTestServer, Scenario

Flavour = Any  # the adapter from conftest.py
API_KEY = "test-key"
MODEL = "gemini-3-flash-preview"
REVISION = API_REVISION  # the pinned one; the other revisions: test_revisions.py
WEATHER_TOOL: dict[str, Any] = {
    "type": "function",
    "name": "get_weather",
    "description": "Get the current weather in a given location",
    "parameters": {
        "type": "object",
        "properties": {"location": {"type": "string"}},
        "required": ["location"],
    },
}
FUNCTION_RESULT_INPUT: list[dict[str, Any]] = [
    {
        "type": "function_result",
        "name": "get_weather",
        "call_id": "fc_1",
        "result": {"content": [{"type": "text", "text": "Sunny, 22°C"}]},
    }
]

# scenario name -> create() kwargs that select it without x-test-scenario
SCENARIO_REQUESTS: dict[str, dict[str, Any]] = {
    "text": {"model": MODEL, "input": "Count from 1 to 25."},
    "thinking": {
        "model": MODEL,
        "input": "What is the greatest common divisor of 1071 and 462?",
        "generation_config": {"thinking_summaries": "auto"},
    },
    "function_call": {"model": MODEL, "input": "What is the weather in Paris right now?", "tools": [WEATHER_TOOL]},
    "function_call_result": {"model": MODEL, "input": FUNCTION_RESULT_INPUT},
    "search_and_function": {
        "model": MODEL,
        "input": "Highest mountain in the Alps and its weather now?",
        "tools": [{"type": "google_search"}, WEATHER_TOOL],
    },
    "interleaved_image": {
        "model": "gemini-3.1-flash-image-preview",
        "input": "Write a short illustrated story. Interleave text and images.",
        "response_format": [{"type": "text"}, {"type": "image"}],
    },
    "deep_research_agent": {
        "agent": "deep-research-preview-04-2026",
        "input": "Research the latest advances in quantum computing.",
        "background": True,
        "agent_config": {"type": "deep-research", "thinking_summaries": "auto"},
    },
}
TEXT = SCENARIO_REQUESTS["text"]
VOLATILE = ("id", "created", "updated", "continuation_ids")  # continuation_ids: the hop ids
SECRET = "AIzaSy-very-secret-key-0123456789"


def dump(event: Any) -> dict[str, Any]:
    return event.model_dump(mode="json", by_alias=True, exclude_unset=True)


def sent_events(server: InteractionsTestServer, interaction_id: str) -> list[dict[str, Any]]:
    """The exact JSON payloads the server streams for an interaction."""
    return json.loads(json.dumps(server.interactions[interaction_id].events))


def stable(interaction: Any) -> dict[str, Any]:
    data = interaction.to_dict()
    for key in VOLATILE:
        data.pop(key, None)
    return data


# --------------------------------------------------------------------------- 1. URLs and headers


async def test_urls_and_headers_on_every_method(flavour: Flavour, server: InteractionsTestServer, client: Any) -> None:
    created = await flavour.create(client, **TEXT)
    await flavour.get(client, created.id)
    stream = await flavour.get(client, created.id, stream=True)
    await flavour.events(stream)
    await flavour.cancel(client, created.id)
    await flavour.delete(client, created.id)

    requests = server.requests
    assert [(r.method, r.path) for r in requests] == [
        ("POST", "/v1beta/interactions"),
        ("GET", f"/v1beta/interactions/{created.id}"),
        ("GET", f"/v1beta/interactions/{created.id}"),
        ("POST", f"/v1beta/interactions/{created.id}/cancel"),
        ("DELETE", f"/v1beta/interactions/{created.id}"),
    ]
    assert requests[2].query.get("stream") == "true"
    for record in requests:
        assert record.headers["x-goog-api-key"] == API_KEY
        assert record.headers["api-revision"] == REVISION
        assert record.api_revision == REVISION and not record.revision_mismatch
        assert record.headers["user-agent"].startswith(flavour.pkg.__name__.replace("_", "-") + "/")
        assert "key=" not in json.dumps(record.query)


@pytest.mark.parametrize("prefix", ["/proxy/gemini", "/proxy/gemini/"])
async def test_base_url_prefix_and_api_version(flavour: Flavour, server: InteractionsTestServer, prefix: str) -> None:
    client = flavour.client(server, base_url=server.base_url + prefix, api_version="v1alpha")
    try:
        created = await flavour.create(client, **TEXT)
        await flavour.get(client, created.id)
    finally:
        await flavour.close(client)
    assert [r.path for r in server.requests] == [
        "/proxy/gemini/v1alpha/interactions",
        f"/proxy/gemini/v1alpha/interactions/{created.id}",
    ]


async def test_default_headers_extra_headers_query_and_body(flavour: Flavour, server: InteractionsTestServer) -> None:
    client = flavour.client(server, default_headers={"x-team": "blue"})
    try:
        await flavour.create(
            client,
            **TEXT,
            extra_headers={"x-call": "1"},
            extra_query={"trace": "on"},
            extra_body={"labels": {"env": "test"}},
        )
    finally:
        await flavour.close(client)
    record = server.last_request
    assert record.headers["x-team"] == "blue"
    assert record.headers["x-call"] == "1"
    assert record.query["trace"] == "on"
    assert record.body["labels"] == {"env": "test"}


async def test_api_revision_override_is_sent(flavour: Flavour, server: InteractionsTestServer) -> None:
    client = flavour.client(server, api_revision=REVISION)
    try:
        await flavour.create(client, **TEXT)
    finally:
        await flavour.close(client)
    assert server.last_request.headers["api-revision"] == REVISION


# --------------------------------------------------------------------------- 2. API key


async def test_api_key_resolution(flavour: Flavour, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    monkeypatch.delenv("GOOGLE_API_KEY", raising=False)
    with InteractionsTestServer(api_key=None) as server:

        async def key_sent(**kwargs: Any) -> str:
            client = flavour.client_class(base_url=server.base_url, **kwargs)
            try:
                await flavour.create(client, **TEXT)
            finally:
                await flavour.close(client)
            return server.last_request.headers["x-goog-api-key"]

        with pytest.raises(flavour.pkg.MissingAPIKeyError, match="GEMINI_API_KEY"):
            flavour.client_class(base_url=server.base_url)
        monkeypatch.setenv("GOOGLE_API_KEY", "google-key")
        assert await key_sent() == "google-key"
        monkeypatch.setenv("GEMINI_API_KEY", "gemini-key")
        assert await key_sent() == "gemini-key"
        assert await key_sent(api_key="explicit-key") == "explicit-key"


async def test_missing_key_error_is_a_value_error(flavour: Flavour, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    monkeypatch.delenv("GOOGLE_API_KEY", raising=False)
    with pytest.raises(ValueError, match="api_key"):
        flavour.client_class()


@pytest.mark.parametrize(
    ("fault", "status"), [("", 403), ("status=401", 401), ("status=403", 403), ("status=500", 500)]
)
async def test_key_never_leaks(
    flavour: Flavour, fault: str, status: int, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", SECRET)
    caplog.set_level(logging.DEBUG, logger=flavour.logger_name)
    # No fault: the server expects another key and rejects this one (403, as the real API does); else injected.
    with InteractionsTestServer(api_key=SECRET if fault else "other-key") as server:
        client = flavour.client_class(base_url=server.base_url, max_retries=0)
        try:
            assert SECRET not in repr(client) and SECRET not in str(vars(client))
            headers = {"x-test-fault": fault} if fault else {}
            with pytest.raises(flavour.pkg.APIStatusError) as info:
                await flavour.create(client, **TEXT, extra_headers=headers)
            with pytest.raises(flavour.pkg.APIStatusError):
                stream = await flavour.create(client, **TEXT, stream=True, extra_headers=headers)
                await flavour.close(stream)
        finally:
            await flavour.close(client)
        assert server.requests[0].headers["x-goog-api-key"] == SECRET
    exc = info.value
    assert exc.status_code == status
    for text in (str(exc), repr(exc), repr(exc.args), json.dumps(exc.body), str(exc.headers), exc.url or ""):
        assert SECRET not in text
    assert caplog.records, "expected the client to log its requests at DEBUG/INFO"
    assert SECRET not in caplog.text
    for record in caplog.records:
        assert SECRET not in record.getMessage()


# --------------------------------------------------------------------------- 3. create / get / cancel / delete


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


# --------------------------------------------------------------------------- 4. forward compatibility


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


# --------------------------------------------------------------------------- 5. HTTP errors and retries


@pytest.mark.parametrize(
    ("status", "name"),
    [
        (400, "BadRequestError"),
        (401, "AuthenticationError"),
        (403, "PermissionDeniedError"),
        (404, "NotFoundError"),
        (409, "ConflictError"),
        (422, "UnprocessableEntityError"),
        (429, "RateLimitError"),
        (500, "InternalServerError"),
        (503, "InternalServerError"),
    ],
)
async def test_status_errors_are_typed(
    flavour: Flavour, server: InteractionsTestServer, client: Any, status: int, name: str
) -> None:
    cls = getattr(flavour.pkg, name)
    with pytest.raises(cls) as info:
        await flavour.create(client, **TEXT, extra_headers={"x-test-fault": f"status={status}"}, max_retries=0)
    exc = info.value
    assert isinstance(exc, flavour.pkg.APIStatusError)
    assert exc.status_code == status
    assert exc.body["error"]["message"] == f"Injected fault: HTTP {status}."
    assert f"Injected fault: HTTP {status}." in str(exc)
    assert exc.code == exc.body["error"]["code"]
    assert len(server.requests) == 1


async def test_real_validation_error_400(flavour: Flavour, server: InteractionsTestServer, client: Any) -> None:
    with pytest.raises(flavour.pkg.BadRequestError) as info:
        await flavour.create(client, model=MODEL, input="hi", extra_body={"tools": "not-a-list"})
    assert info.value.status_code == 400
    assert info.value.body["error"]["message"] in str(info.value)
    assert len(server.requests) == 1, "400 must not be retried"


@pytest.mark.parametrize("status", [408, 409, 429, 500, 503])
@pytest.mark.parametrize("stream", [False, True])
async def test_retryable_statuses_are_retried(
    flavour: Flavour, server: InteractionsTestServer, client: Any, status: int, stream: bool
) -> None:
    fault = {"x-test-fault": f"status={status}; retry_after=0; fail_times=2"}
    result = await flavour.create(client, **TEXT, stream=stream, extra_headers=fault)
    if stream:
        result = await flavour.final(result)
    assert result.status == "completed"
    assert [r.status for r in server.requests] == [status, status, 200]


async def test_max_retries_zero_raises_at_once(flavour: Flavour, server: InteractionsTestServer) -> None:
    client = flavour.client(server, max_retries=0)
    try:
        with pytest.raises(flavour.pkg.RateLimitError):
            await flavour.create(client, **TEXT, extra_headers={"x-test-fault": "status=429; retry_after=0"})
    finally:
        await flavour.close(client)
    assert len(server.requests) == 1


async def test_retries_exhausted(flavour: Flavour, server: InteractionsTestServer, client: Any) -> None:
    with pytest.raises(flavour.pkg.InternalServerError):
        await flavour.create(client, **TEXT, max_retries=1, extra_headers={"x-test-fault": "status=500; retry_after=0"})
    assert len(server.requests) == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
async def test_client_errors_never_retried(
    flavour: Flavour, server: InteractionsTestServer, client: Any, status: int
) -> None:
    with pytest.raises(flavour.pkg.APIStatusError):
        await flavour.create(client, **TEXT, max_retries=3, extra_headers={"x-test-fault": f"status={status}"})
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    ("fault", "stream"),
    [
        ("drop_after=0; fail_times=2", False),  # the connection closes without an answer
        ("first_byte=1; fail_times=2", False),  # no answer within the read timeout
        ("first_byte=1; fail_times=2", True),  # ... while establishing a stream
    ],
)
async def test_connection_errors_and_timeouts_are_retried(
    flavour: Flavour, server: InteractionsTestServer, monkeypatch: pytest.MonkeyPatch, fault: str, stream: bool
) -> None:
    monkeypatch.setattr(f"{flavour.pkg.__name__}._retry.backoff_delay", lambda *a, **k: 0.0)
    client = flavour.client(server, timeout=flavour.pkg.Timeout(connect=2, read=0.3), max_retries=2)
    try:
        result = await flavour.create(client, **TEXT, stream=stream, extra_headers={"x-test-fault": fault})
        if stream:
            result = await flavour.final(result)
        assert result.status == "completed"
        assert len(server.requests) == 3
        server.reset()
        error = flavour.pkg.APITimeoutError if "first_byte" in fault else flavour.pkg.APIConnectionError
        with pytest.raises(error):  # the same faults with retries left out
            await flavour.create(client, **TEXT, stream=stream, max_retries=0, extra_headers={"x-test-fault": fault})
        assert len(server.requests) == 1
    finally:
        await flavour.close(client)


async def test_connection_error(flavour: Flavour) -> None:
    with InteractionsTestServer() as server:
        base_url = server.base_url
    client = flavour.client(base_url=base_url, max_retries=0, timeout=2)
    try:
        with pytest.raises(flavour.pkg.APIConnectionError):
            await flavour.create(client, **TEXT)
    finally:
        await flavour.close(client)


async def test_timeout(flavour: Flavour, server: InteractionsTestServer) -> None:
    client = flavour.client(server, timeout=flavour.pkg.Timeout(connect=2, read=0.2), max_retries=0)
    try:
        with pytest.raises(flavour.pkg.APITimeoutError):
            await flavour.create(client, **TEXT, extra_headers={"x-test-fault": "first_byte=1"})
    finally:
        await flavour.close(client)


# --------------------------------------------------------------------------- 6. stream lifecycle


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


async def test_stream_iterated_twice_raises(flavour: Flavour, client: Any) -> None:
    stream = await flavour.create(client, **TEXT, stream=True)
    events = await flavour.events(stream)
    assert events
    with pytest.raises(RuntimeError, match="already iterated"):
        await flavour.events(stream)
    await flavour.close(stream)


# --------------------------------------------------------------------------- 7. resume


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


# --------------------------------------------------------------------------- 8. final_interaction


@pytest.mark.parametrize("scenario", sorted(SCENARIO_REQUESTS))
async def test_final_interaction_equals_non_streamed(
    flavour: Flavour, server: InteractionsTestServer, client: Any, scenario: str
) -> None:
    kwargs = dict(SCENARIO_REQUESTS[scenario])
    plain = await flavour.create(client, **kwargs)
    while plain.status == "in_progress":  # background agent: poll until done
        plain = await flavour.get(client, plain.id)
    stream = await flavour.create(client, stream=True, **kwargs)
    final = await flavour.final(stream)
    assert isinstance(final, flavour.types.Interaction)
    assert {r.scenario for r in server.requests if r.method == "POST"} == {scenario}
    assert final.id == stream.interaction_id
    assert stable(final) == stable(plain)
    assert final.status == plain.status != "in_progress"


async def test_final_interaction_raises_on_error_event(flavour: Flavour, client: Any) -> None:
    stream = await flavour.create(client, **TEXT, stream=True, extra_headers={"x-test-fault": "error_after=3"})
    with pytest.raises(flavour.pkg.StreamError) as info:
        await flavour.final(stream)
    assert info.value.code == "gateway_timeout"


@pytest.mark.parametrize("consumed", ["all", "some"])
async def test_final_interaction_after_a_loop(
    flavour: Flavour, server: InteractionsTestServer, client: Any, consumed: str
) -> None:
    # The Stainless pattern: show events as they come, then ask for the whole result.
    kwargs = SCENARIO_REQUESTS["thinking"]
    plain = await flavour.create(client, **kwargs)
    stream = await flavour.create(client, stream=True, **kwargs)
    if consumed == "all":
        seen = await flavour.events(stream)
    else:
        events = flavour.iterator(stream)  # still held: the loop is paused, not left
        seen = [await flavour.next(events) for _ in range(4)]
    final = await flavour.final(stream)
    assert seen and seen[-1].event_type == ("interaction.completed" if consumed == "all" else "step.delta")
    assert stable(final) == stable(plain)
    assert await flavour.final(stream) == final  # asking twice gives the same answer


async def test_final_interaction_after_leaving_the_loop_early_is_a_clear_error(
    flavour: Flavour, server: InteractionsTestServer, client: Any
) -> None:
    stream = await flavour.create(client, **TEXT, stream=True, extra_headers={"x-test-fault": "delay=0.05"})
    await flavour.first_n(stream, 3)  # break: the connection is closed
    await flavour.wait_for_disconnects(server)
    with pytest.raises(RuntimeError, match="closed before the interaction completed") as info:
        await flavour.final(stream)
    assert f"last_event_id={stream.last_event_id!r}" in str(info.value)


async def test_final_interaction_raises_for_an_error_event_seen_in_a_loop(flavour: Flavour, client: Any) -> None:
    stream = await flavour.create(client, **TEXT, stream=True, extra_headers={"x-test-fault": "error_after=3"})
    events = await flavour.events(stream)
    assert events[-1].event_type == "error"  # a plain loop gets the event itself
    with pytest.raises(flavour.pkg.StreamError):
        await flavour.final(stream)


async def test_final_interaction_assembles_as_the_api_documents(flavour: Flavour, client: Any) -> None:
    # Written out by hand rather than by testing.assemble, which also builds the server's non-streamed answer.
    stream = await flavour.create(client, stream=True, **SCENARIO_REQUESTS["thinking"])
    thought, answer = (await flavour.final(stream)).steps
    assert thought.type == "thought" and thought.signature == "c2lnLXRoaW5raW5nLTAwMQ=="
    (summary,) = thought.summary  # the two summary deltas, concatenated
    assert summary.type == "text"
    assert summary.text.startswith("**Applying the Euclidean algorithm**\n\nDividing 1071 by 462")
    assert summary.text.endswith(
        "\n\n**Checking the result**\n\nBoth 1071 = 21 x 51 and 462 = 21 x 22, and 51 and 22 share no factor.\n\n"
    )
    assert answer.type == "model_output" and len(answer.content) == 1
    assert answer.content[0].text == (
        "The greatest common divisor of 1071 and 462 is **21**.\n\nUsing the Euclidean algorithm: "
        "1071 = 2 x 462 + 147, 462 = 3 x 147 + 21, 147 = 7 x 21 + 0."
    )
    stream = await flavour.create(client, stream=True, **SCENARIO_REQUESTS["function_call"])
    final = await flavour.final(stream)
    call = final.steps[-1]
    assert (call.type, call.id, call.name, call.arguments) == (
        "function_call",
        "fc_8q3zk1pw",
        "get_weather",
        {"location": "Paris, France"},
    )
    assert final.status == "requires_action" and final.usage.total_tokens == 188


async def test_final_interaction_joins_media_chunks(
    flavour: Flavour, server: InteractionsTestServer, client: Any
) -> None:
    # An image or audio clip may arrive as several deltas: base64 pieces of one item, the last one padded.
    image, audio = bytes(range(200)), b"\x00\x01" * 301
    image_b64, audio_b64 = base64.b64encode(image).decode(), base64.b64encode(audio).decode()
    assert image_b64.endswith("=") and audio_b64.endswith("=")
    steps = [
        {
            "step": {"type": "model_output"},
            "deltas": [
                {"type": "image", "mime_type": "image/png", "data": image_b64[:120]},
                {"type": "image", "mime_type": "image/png", "data": image_b64[120:]},
                {"type": "image", "mime_type": "image/png", "data": image_b64},  # a second, whole image
                {"type": "text", "text": "and a clip:"},
                {"type": "audio", "mime_type": "audio/l16", "data": audio_b64[:400]},
                {"type": "audio", "mime_type": "audio/l16", "data": audio_b64[400:]},
            ],
        }
    ]
    server.add_scenario({"name": "media_chunks", "model": MODEL, "steps": steps, "status": "completed"})
    stream = await flavour.create(client, **TEXT, stream=True, extra_headers={"x-test-scenario": "media_chunks"})
    final = await flavour.final(stream)
    content = final.steps[0].content
    assert [item.type for item in content] == ["image", "image", "text", "audio"]
    assert (content[0].data, content[1].data, content[3].data) == (image_b64, image_b64, audio_b64)
    assert [(i.data, i.mime_type) for i in final.output_images] == [(image, "image/png")] * 2


# --------------------------------------------------------------------------- client settings


async def test_per_call_timeout_and_float_timeout(flavour: Flavour, server: InteractionsTestServer) -> None:
    slow = {"x-test-fault": "first_byte=1"}
    client = flavour.client(server, timeout=0.2, max_retries=0)
    try:
        assert client.timeout == flavour.pkg.Timeout(connect=0.2, read=0.2)
        with pytest.raises(flavour.pkg.APITimeoutError):
            await flavour.create(client, **TEXT, extra_headers=slow)
        # a per-call timeout overrides the client's
        interaction = await flavour.create(client, **TEXT, extra_headers={"x-test-fault": "first_byte=0.3"}, timeout=5)
        assert interaction.status == "completed"
    finally:
        await flavour.close(client)


async def test_user_session_is_used_and_left_open(flavour: Flavour, server: InteractionsTestServer) -> None:
    if flavour.is_async:
        import aiohttp

        session: Any = aiohttp.ClientSession(headers={"x-from-session": "yes"})
    else:
        import requests

        session = requests.Session()
        session.headers["x-from-session"] = "yes"
    try:
        client = flavour.client(server, session=session)
        await flavour.create(client, **TEXT)
        await flavour.close(client)
        assert server.last_request.headers.get("x-from-session") == "yes"
        # still usable after the client was closed
        client = flavour.client(server, session=session)
        await flavour.create(client, **TEXT)
        await flavour.close(client)
        assert len(server.requests) == 2
    finally:
        await flavour.aw(session.close())


def test_unknown_value_logged_once_across_parses(flavour: Flavour, caplog: pytest.LogCaptureFixture) -> None:
    t = flavour.types
    caplog.set_level(logging.DEBUG, logger=flavour.logger_name)
    tag = f"mystery_{uuid.uuid4().hex[:8]}"
    for i in range(3):
        event = t.parse_event({"index": i, "delta": {"type": tag, "i": i}, "event_type": "step.delta"})
        assert isinstance(event.delta, t.UnknownStepDeltaData) and event.delta.type == tag and event.delta.i == i
    assert len([r for r in caplog.records if tag in r.getMessage() and r.levelno == logging.DEBUG]) == 1


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


# --------------------------------------------------------------------------- remaining faults


async def test_malformed_event_is_a_clear_validation_error(flavour: Flavour, client: Any) -> None:
    stream = await flavour.create(client, **TEXT, stream=True, extra_headers={"x-test-fault": "malformed_at=2"})
    with pytest.raises(flavour.pkg.APIResponseValidationError) as info:
        await flavour.events(stream)
    message = str(info.value)
    assert "stream event" in message and "data starts" in message
    assert info.value.payload  # the bad payload is kept on the error
    assert "test-key" not in message


@pytest.mark.parametrize("framing", ["chunked", "content-length", "close"])
async def test_every_framing_with_pauses_gives_the_whole_stream(
    flavour: Flavour, server: InteractionsTestServer, client: Any, framing: str
) -> None:
    _, reference = await flavour.stream_events(client, **TEXT)
    fault = f"framing={framing}; event_delay=0.01"
    _, events = await flavour.stream_events(client, **TEXT, extra_headers={"x-test-fault": fault})
    assert [e.event_type for e in events] == [e.event_type for e in reference]
    assert events[-1].event_type == "interaction.completed"


# --------------------------------------------------------------------------- lifecycle: GC, cancellation


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


@pytest.mark.parametrize("package", ["gemini_interactions", "gemini_interactions_async"])
def test_retry_after_accepts_seconds_and_http_dates(package: str) -> None:
    import email.utils
    import importlib
    import time

    retry = importlib.import_module(f"{package}._retry")
    assert retry.retry_after_seconds({"Retry-After": "1.5"}) == 1.5
    assert retry.retry_after_seconds({"retry-after-ms": "250"}) == 0.25
    soon = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 < retry.retry_after_seconds({"Retry-After": soon}) <= 30
    assert retry.retry_after_seconds({"Retry-After": "not a date"}) is None
    assert retry.backoff_delay(1, {"Retry-After": "2"}) == 2
    assert 0 < retry.backoff_delay(20) <= retry.MAX_DELAY  # capped, with jitter below the cap
