"""The tool runner over real sockets, both flavours: the embedded server plays the model (its `model` scenario)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pydantic
import pytest
from gemini_interactions.testing import InteractionsTestServer

from .conftest import Flavour

MODEL = "gemini-3-flash-preview"
HANDSHAKE_TIMEOUT = 5.0


@pytest.fixture
def server() -> Iterator[InteractionsTestServer]:
    with InteractionsTestServer(default_scenario="model") as srv:
        yield srv


def get_weather(city: str, unit: str = "celsius") -> dict[str, Any]:
    """The current weather.

    Args:
        city: City to look up.
        unit: celsius or fahrenheit.
    """
    return {"city": city, "temperature": 21, "unit": unit}


def get_time(zone: str) -> str:
    """The time in a time zone."""
    return f"12:00 in {zone}"


async def run_tools(flavour: Flavour, client: Any, **kwargs: Any) -> Any:
    kwargs.setdefault("model", MODEL)
    kwargs.setdefault("input", "What is the weather in Paris, and the time?")
    return await flavour.aw(client.interactions.run_tools(**kwargs))


async def test_runs_every_call_and_chains_turns_with_previous_interaction_id(
    flavour: Flavour, client: Any, server: InteractionsTestServer
) -> None:
    run = await run_tools(flavour, client, tools=[get_weather, flavour.pkg.function_tool(get_time)])
    assert isinstance(run, flavour.pkg.ToolRun)
    assert [turn.status for turn in run.turns] == ["requires_action", "completed"]
    assert run.interaction is run.turns[-1] and run.pending_calls == []
    assert [(c.name, c.arguments, c.is_error) for c in run.calls] == [
        ("get_weather", {"city": "city sample"}, False),
        ("get_time", {"zone": "zone sample"}, False),
    ]
    assert run.calls[0].result == {"city": "city sample", "temperature": 21, "unit": "celsius"}
    assert run.interaction.output_text == (
        'Results: get_weather: {"city": "city sample", "temperature": 21, "unit": "celsius"}; '
        'get_time: "12:00 in zone sample"'
    )
    first, second = (r.body for r in server.requests)
    assert first["tools"][0]["parameters"]["properties"]["city"] == {
        "type": "string",
        "description": "City to look up.",
    }
    assert second["previous_interaction_id"] == run.turns[0].id
    assert second["input"] == [
        {"type": "function_result", "call_id": c.call_id, "name": c.name, "result": c.result} for c in run.calls
    ]
    assert second["tools"] == first["tools"] and second["model"] == MODEL


async def test_store_false_replays_the_whole_history_with_thought_signatures(
    flavour: Flavour, client: Any, server: InteractionsTestServer
) -> None:
    run = await run_tools(flavour, client, tools=[get_weather], store=False, system_instruction="Be brief.")
    assert run.interaction.status == "completed"
    second = server.requests[1].body
    assert "previous_interaction_id" not in second and second["store"] is False
    assert second["system_instruction"] == "Be brief."
    steps = second["input"]
    assert [s["type"] for s in steps] == ["user_input", "thought", "function_call", "function_result"]
    assert steps[0]["content"] == [{"type": "text", "text": "What is the weather in Paris, and the time?"}]
    thought = next(s for s in run.turns[0].steps if s.type == "thought")
    assert steps[1]["signature"] == thought.signature and thought.signature
    assert steps[2]["id"] == steps[3]["call_id"] and steps[3]["name"] == "get_weather"


async def test_calls_of_one_turn_run_concurrently(flavour: Flavour, client: Any) -> None:
    # Each tool waits for the other: only concurrent calls get past the barrier.
    barrier = threading.Barrier(2, timeout=HANDSHAKE_TIMEOUT)
    threads: list[threading.Thread] = []

    def left(x: int) -> str:
        threads.append(threading.current_thread())
        barrier.wait()
        return "left"

    def right(y: int) -> str:
        threads.append(threading.current_thread())
        barrier.wait()
        return "right"

    run = await run_tools(flavour, client, tools=[left, right])
    assert [(c.result, c.is_error) for c in run.calls] == [("left", False), ("right", False)]
    assert threading.main_thread() not in threads, "plain functions never block the caller's thread or the loop"


async def test_parallel_false_runs_calls_one_after_another(flavour: Flavour, client: Any) -> None:
    running = threading.Lock()
    overlaps: list[bool] = []

    def one(x: int) -> str:
        overlaps.append(not running.acquire(blocking=False))
        running.release()
        return "one"

    def two(y: int) -> str:
        overlaps.append(not running.acquire(blocking=False))
        running.release()
        return "two"

    run = await run_tools(flavour, client, tools=[one, two], parallel=False)
    assert [c.result for c in run.calls] == ["one", "two"] and overlaps == [False, False]


async def test_async_functions_are_awaited_and_gathered() -> None:
    import gemini_interactions_async as pkg

    started = asyncio.Event()
    both = asyncio.Event()
    count = 0

    async def ping(n: int) -> str:
        nonlocal count
        count += 1
        if count == 2:
            both.set()
        await asyncio.wait_for(both.wait(), HANDSHAKE_TIMEOUT)
        started.set()
        return "pong"

    async def pong(m: int) -> str:
        return await ping(m)

    with InteractionsTestServer(default_scenario="model") as srv:
        async with pkg.AsyncClient(api_key="test-key", base_url=srv.base_url) as client:
            run = await client.interactions.run_tools(model=MODEL, input="Go", tools=[ping, pong])
    assert [(c.result, c.is_error) for c in run.calls] == [("pong", False), ("pong", False)]


async def test_failures_go_back_to_the_model_as_error_results(
    flavour: Flavour, client: Any, server: InteractionsTestServer
) -> None:
    def explode(city: str) -> str:
        raise RuntimeError(f"no weather for {city}")

    def count(n: int) -> int:
        return n

    typed = flavour.pkg.function_tool(count)
    # The model is told n is a string; the function wants an int: validation fails before the call.
    typed.parameters = {"type": "object", "properties": {"n": {"type": "string"}}, "required": ["n"]}
    run = await run_tools(flavour, client, tools=[explode, typed])
    assert run.interaction.status == "completed"
    failed, invalid = run.calls
    assert failed.is_error and failed.result == "RuntimeError: no weather for city sample"
    assert invalid.is_error and invalid.result.startswith("invalid arguments for count: n: ")
    sent = server.requests[1].body["input"]
    assert [item.get("is_error") for item in sent] == [True, True]
    assert "explode failed" in run.interaction.output_text


async def test_max_turns_raises_with_the_last_interaction(flavour: Flavour, client: Any) -> None:
    calls: list[str] = []

    def record(city: str) -> str:
        calls.append(city)
        return "ok"

    with pytest.raises(flavour.pkg.MaxTurnsExceededError, match="max_turns=1") as caught:
        await run_tools(flavour, client, tools=[record], max_turns=1)
    assert caught.value.interaction.status == "requires_action"
    assert caught.value.interaction.function_calls[0].name == "record"
    assert caught.value.tool_run.turns == [caught.value.interaction] and calls == []


async def test_on_call_runs_denies_or_replaces(flavour: Flavour, client: Any, server: InteractionsTestServer) -> None:
    ran: list[str] = []

    def a(x: str) -> str:
        ran.append("a")
        return "from a"

    def b(x: str) -> str:
        ran.append("b")
        return "from b"

    def c(x: str) -> str:
        ran.append("c")
        return "from c"

    asked: list[str] = []
    decisions = {"a": True, "b": False, "c": {"answer": "from the person"}}

    def decide(call: Any) -> Any:
        asked.append(call.name)
        return decisions[call.name]

    run = await run_tools(flavour, client, tools=[a, b, c], on_call=decide)
    assert asked == ["a", "b", "c"] and ran == ["a"]
    assert [(x.result, x.is_error) for x in run.calls] == [
        ("from a", False),
        ("The user declined to run this call.", True),
        ({"answer": "from the person"}, False),
    ]


async def test_async_on_call_is_awaited() -> None:
    import gemini_interactions_async as pkg

    async def deny(call: Any) -> bool:
        await asyncio.sleep(0)
        return False

    with InteractionsTestServer(default_scenario="model") as srv:
        async with pkg.AsyncClient(api_key="test-key", base_url=srv.base_url) as client:
            run = await client.interactions.run_tools(model=MODEL, input="Go", tools=[get_time], on_call=deny)
    assert run.calls[0].is_error and run.calls[0].result == "The user declined to run this call."


async def test_stream_yields_every_turns_events_then_the_tool_run(
    flavour: Flavour, client: Any, server: InteractionsTestServer
) -> None:
    stream = await run_tools(flavour, client, tools=[get_weather], stream=True)
    assert isinstance(stream, flavour.pkg.AsyncToolRunStream if flavour.is_async else flavour.pkg.ToolRunStream)
    events = await flavour.events(stream)
    kinds = [e.event_type for e in events]
    assert kinds.count("interaction.created") == 2 and kinds.count("interaction.completed") == 2
    assert kinds.index("interaction.completed") < len(kinds) - 1, "the first turn's events come first"
    assert any(getattr(e.delta, "type", None) == "arguments_delta" for e in events if e.event_type == "step.delta")
    run = stream.tool_run
    assert run is not None and [t.status for t in run.turns] == ["requires_action", "completed"]
    assert (await flavour.final(stream)) is run.interaction
    assert all(r.body.get("stream") is True for r in server.requests)
    assert server.requests[1].body["input"][0]["call_id"] == run.calls[0].call_id


async def test_final_interaction_without_iterating(flavour: Flavour, client: Any) -> None:
    stream = await run_tools(flavour, client, tools=[get_time], stream=True)
    final = await flavour.final(stream)
    assert final.status == "completed" and "12:00 in zone sample" in final.output_text


async def test_tools_without_a_function_end_the_run_with_pending_calls(
    flavour: Flavour, client: Any, server: InteractionsTestServer
) -> None:
    ran: list[str] = []

    def local(x: str) -> str:
        ran.append(x)
        return x

    declared = {
        "type": "function",
        "name": "remote",
        "parameters": {"type": "object", "properties": {"q": {"type": "string"}}},
    }
    typed = flavour.types.Function(name="typed_remote", parameters={"type": "object"})
    search = {"type": "google_search"}
    run = await run_tools(flavour, client, tools=[local, declared, typed, search])
    assert run.interaction.status == "requires_action" and len(run.turns) == 1
    assert [c.name for c in run.pending_calls] == ["local", "remote", "typed_remote"]
    assert ran == [] and run.calls == []
    sent = server.requests[0].body["tools"]
    assert [t.get("name", t["type"]) for t in sent] == ["local", "remote", "typed_remote", "google_search"]
    assert sent[1] == declared


async def test_a_hand_written_loop_with_function_call_result(flavour: Flavour, client: Any) -> None:
    first = await flavour.create(
        client, model=MODEL, input="Weather?", tools=[flavour.pkg.function_tool(get_weather).to_dict()]
    )
    (call,) = first.function_calls
    item = call.result(get_weather(**call.arguments))
    assert item == {
        "type": "function_result",
        "call_id": call.id,
        "name": "get_weather",
        "result": get_weather("city sample"),
    }
    assert call.result("broken", is_error=True)["is_error"] is True
    second = await flavour.create(client, model=MODEL, previous_interaction_id=first.id, input=[item])
    assert second.status == "completed" and "21" in second.output_text


@pytest.mark.parametrize(
    ("result", "message"),
    [
        ({"type": "function_result", "call_id": "call_1_get_weather", "result": "x"}, "has no `name`"),
        ({"type": "function_result", "call_id": "nope", "name": "get_weather", "result": "x"}, "call_id 'nope'"),
    ],
)
async def test_the_server_rejects_results_the_api_rejects(
    flavour: Flavour, client: Any, result: Any, message: str
) -> None:
    first = await flavour.create(
        client, model=MODEL, input="Weather?", tools=[flavour.pkg.function_tool(get_weather).to_dict()]
    )
    with pytest.raises(flavour.pkg.BadRequestError, match=message):
        await flavour.create(client, model=MODEL, previous_interaction_id=first.id, input=[result])


class Forecast(pydantic.BaseModel):
    city: str
    temperature: int


async def test_run_tools_parses_the_final_turn(flavour: Flavour, client: Any, server: InteractionsTestServer) -> None:
    run = await run_tools(flavour, client, tools=[get_weather], response_format=Forecast)
    assert isinstance(run.interaction, flavour.pkg.ParsedInteraction)
    assert run.interaction.output_parsed == Forecast(city="city sample", temperature=3)
    assert server.requests[0].body["response_format"]["schema"]["required"] == ["city", "temperature"]
