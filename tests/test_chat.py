"""`client.interactions.chat(...)`: conversations over real sockets in both flavours, stored and stateless.

The embedded server checks what the real API checks: a chained turn names a stored interaction, and a
stateless replay brings back every thought step with the signature the server issued."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from gemini_interactions.testing import InteractionsTestServer

from .conftest import MODEL, Flavour


def get_weather(city: str) -> dict[str, Any]:
    """The current weather.

    Args:
        city: City to look up.
    """
    return {"city": city, "temperature": 21}


@pytest.fixture
def model_server() -> Iterator[InteractionsTestServer]:
    with InteractionsTestServer(default_scenario="model") as srv:
        yield srv


def kinds(steps: list[dict[str, Any]]) -> list[str]:
    return [step["type"] for step in steps]


async def test_stored_turns_are_chained_by_previous_interaction_id(
    flavour: Flavour, server: InteractionsTestServer, client: Any
) -> None:
    chat = client.interactions.chat(model=MODEL, system_instruction="Be brief.")
    assert isinstance(chat, flavour.pkg.AsyncChat if flavour.is_async else flavour.pkg.Chat)
    first = await flavour.aw(chat.send("Hello"))
    second = await flavour.aw(chat.send("And then?", generation_config={"temperature": 0.5}))
    assert chat.last_interaction == second and second.output_text
    bodies = [r.body for r in server.requests]
    assert [b.get("previous_interaction_id") for b in bodies] == [None, first.id]
    assert [b["input"] for b in bodies] == ["Hello", "And then?"]
    assert all(b["system_instruction"] == "Be brief." and b["store"] is True for b in bodies)
    assert "generation_config" not in bodies[0] and bodies[1]["generation_config"] == {"temperature": 0.5}
    assert kinds(chat.history) == ["user_input", "thought", "model_output"] * 2
    assert chat.history[0]["content"] == [{"type": "text", "text": "Hello"}]
    assert chat.history[2]["content"][0]["text"] == first.output_text


async def test_stateless_turns_replay_the_history_with_thought_signatures(
    flavour: Flavour, server: InteractionsTestServer, client: Any
) -> None:
    chat = client.interactions.chat(model=MODEL, store=False)
    first = await flavour.aw(chat.send("Hello"))
    second = await flavour.aw(chat.send("And then?"))
    assert second.status == "completed" and chat.store is False
    replay = server.requests[1].body
    assert replay["store"] is False and "previous_interaction_id" not in replay
    assert kinds(replay["input"]) == ["user_input", "thought", "model_output", "user_input"]
    thought = next(step for step in first.steps if step.type == "thought")
    assert replay["input"][1]["signature"] == thought.signature and thought.signature
    assert replay["input"][3] == {"type": "user_input", "content": [{"type": "text", "text": "And then?"}]}
    assert kinds(chat.history) == ["user_input", "thought", "model_output"] * 2


async def test_the_server_rejects_a_replay_without_signatures(flavour: Flavour, client: Any) -> None:
    first = await flavour.create(client, model=MODEL, input="Hello", store=False)
    steps = [step.to_dict() for step in first.steps]
    for step in steps:
        step.pop("signature", None)
    history = [{"type": "user_input", "content": [{"type": "text", "text": "Hello"}]}, *steps]
    with pytest.raises(flavour.pkg.BadRequestError, match="missing its signature"):
        await flavour.create(client, model=MODEL, input=[*history, history[0]], store=False)
    with pytest.raises(flavour.pkg.NotFoundError, match="stored"):  # a stateless turn cannot be chained on
        await flavour.create(client, model=MODEL, input="more", previous_interaction_id=first.id)


@pytest.mark.parametrize("store", [True, False], ids=["stored", "stateless"])
async def test_fork_branches_from_here(
    flavour: Flavour, server: InteractionsTestServer, client: Any, store: bool
) -> None:
    chat = client.interactions.chat(model=MODEL, store=store)
    first = await flavour.aw(chat.send("Hello"))
    branch = chat.fork()
    await flavour.aw(chat.send("Left"))
    await flavour.aw(branch.send("Right"))
    assert len(chat.history) == len(branch.history) == 6
    assert chat.history[3]["content"][0]["text"] == "Left" and branch.history[3]["content"][0]["text"] == "Right"
    left, right = server.requests[1].body, server.requests[2].body
    if store:
        assert left["previous_interaction_id"] == right["previous_interaction_id"] == first.id
    else:
        assert left["input"][:3] == right["input"][:3] and len(right["input"]) == 4


@pytest.mark.parametrize("store", [True, False], ids=["stored", "stateless"])
async def test_a_saved_chat_goes_on_in_another_client(
    flavour: Flavour, server: InteractionsTestServer, client: Any, store: bool
) -> None:
    chat = client.interactions.chat(model=MODEL, store=store, system_instruction="Be brief.")
    first = await flavour.aw(chat.send("Hello"))
    saved = json.dumps(chat.to_dict())
    other = flavour.client(server)
    try:
        chat_class = flavour.pkg.AsyncChat if flavour.is_async else flavour.pkg.Chat
        resumed = chat_class.from_dict(other, json.loads(saved))
        assert resumed.history == chat.history and resumed.last_interaction == first
        await flavour.aw(resumed.send("Again"))
    finally:
        await flavour.close(other)
    body = server.requests[-1].body
    assert body["system_instruction"] == "Be brief."
    if store:
        assert body["previous_interaction_id"] == first.id
    else:
        assert kinds(body["input"]) == ["user_input", "thought", "model_output", "user_input"]
    with pytest.raises(ValueError, match="not a saved chat"):
        chat_class.from_dict(client, {"history": []})


@pytest.mark.parametrize("store", [True, False], ids=["stored", "stateless"])
async def test_python_function_tools_run_within_a_turn(
    flavour: Flavour, model_server: InteractionsTestServer, store: bool
) -> None:
    client = flavour.client(model_server)
    try:
        chat = client.interactions.chat(model=MODEL, store=store, tools=[get_weather])
        answer = await flavour.aw(chat.send("Weather in Paris?"))
        assert answer.status == "completed" and "get_weather" in answer.output_text
        assert kinds(chat.history) == ["user_input", "thought", "function_call", "function_result", "model_output"]
        saved = chat.to_dict()
        assert saved["defaults"]["tools"] == [{"python_function": "get_weather"}]
        chat_class = flavour.pkg.AsyncChat if flavour.is_async else flavour.pkg.Chat
        resumed = chat_class.from_dict(client, json.loads(json.dumps(saved)), tools=[get_weather])
        await flavour.aw(resumed.send("And in Rome?"))
        with pytest.raises(ValueError, match="get_weather"):
            chat_class.from_dict(client, saved)
    finally:
        await flavour.close(client)
    third = model_server.requests[2].body  # the first call of the resumed chat's turn
    if store:
        assert third["previous_interaction_id"] == answer.id
    else:  # the whole history, the tool turn included, replayed with its signature
        assert kinds(third["input"])[:6] == [*kinds(chat.history), "user_input"]
        assert third["input"][1]["signature"]


async def test_calls_to_functions_the_chat_cannot_run_are_left_to_the_caller(
    flavour: Flavour, model_server: InteractionsTestServer
) -> None:
    declared = {"type": "function", "name": "lookup", "parameters": {"type": "object", "properties": {}}}
    client = flavour.client(model_server)
    try:
        chat = client.interactions.chat(model=MODEL, tools=[declared])
        turn = await flavour.aw(chat.send("Look it up"))
        assert turn.status == "requires_action"
        call = turn.function_calls[0]
        result = {"type": "function_result", "call_id": call.id, "name": call.name, "result": "42"}
        answer = await flavour.aw(chat.send([result]))
    finally:
        await flavour.close(client)
    assert answer.status == "completed" and "42" in answer.output_text
    assert model_server.requests[-1].body["previous_interaction_id"] == turn.id
    assert kinds(chat.history)[-3:] == ["function_call", "function_result", "model_output"]


async def test_a_streamed_turn_joins_the_history_once_complete(
    flavour: Flavour, server: InteractionsTestServer, client: Any
) -> None:
    chat = client.interactions.chat(model=MODEL)
    stream = await flavour.aw(chat.stream("Hello"))
    texts = await flavour.events(stream.text_stream)
    assert "".join(texts) == chat.last_interaction.output_text
    await flavour.aw(chat.send("More"))
    assert server.requests[-1].body["previous_interaction_id"] == stream.interaction_id
    # A stream left before it completed is no turn: the chat goes on from the turn before.
    broken = await flavour.aw(chat.stream("Again"))
    await flavour.first_n(broken, 2)
    await flavour.close(broken)
    assert len(chat.history) == 6


async def test_an_agent_chat_runs_each_turn_in_the_background(
    flavour: Flavour, server: InteractionsTestServer, client: Any
) -> None:
    if not hasattr(client.interactions, "create_and_wait"):
        pytest.skip("create_and_wait (issue 13, branch wt-long) is not merged yet: the chat's integration point")
    chat = client.interactions.chat(agent="deep-research-preview-04-2026")
    answer = await flavour.aw(chat.send("Research the history of lighthouses."))
    assert answer.status == "completed" and answer.output_text
    assert server.requests[0].body["background"] is True
    await flavour.aw(chat.send("Summarise it."))
    creates = [r.body for r in server.requests if r.method == "POST"]
    assert len(creates) == 2 and all(body["background"] is True for body in creates)
    assert creates[1]["previous_interaction_id"] == answer.id


def test_a_chat_takes_a_model_or_an_agent(client: Any) -> None:
    with pytest.raises(TypeError, match="model=... or agent="):
        client.interactions.chat()
    with pytest.raises(TypeError, match="sets previous_interaction_id and store itself"):
        chat = client.interactions.chat(model=MODEL)
        chat._conversation.arguments("hi", {"store": False})
