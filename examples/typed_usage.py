"""What a type checker sees when using the SDK: `nox -s typecheck` runs mypy --strict over this file.

Each `assert_type` states the type mypy must infer; a wrong overload or a lost TypedDict makes
mypy fail. Nothing talks to the network when this module is imported or type-checked; run it
(`python examples/typed_usage.py`) to make the same calls against the embedded test server.
"""

from __future__ import annotations

import asyncio

from gemini_interactions import Client, Stream
from gemini_interactions.testing import InteractionsTestServer
from gemini_interactions.types import (
    ContentParam,
    FunctionParam,
    GenerationConfig,
    Interaction,
    InteractionSSEEvent,
    StepDelta,
    TextContent,
    TextDelta,
    ToolParam,
    UnknownVariant,
)
from gemini_interactions_async import AsyncClient, AsyncStream
from gemini_interactions_async import types as async_types
from typing_extensions import assert_type

MODEL = "gemini-3-flash-preview"

WEATHER: FunctionParam = {
    "type": "function",
    "name": "get_weather",
    "description": "Current weather for a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}


def sync_calls(client: Client) -> None:
    interaction = client.interactions.create(model=MODEL, input="Hello")
    assert_type(interaction, Interaction)

    stream = client.interactions.create(model=MODEL, input="Count to 5.", stream=True)
    assert_type(stream, Stream[InteractionSSEEvent])
    with stream:
        for event in stream:
            # The guide's own test narrows the event and its delta by their tags, as written.
            if event.event_type == "step.delta" and event.delta.type == "text":
                assert_type(event, StepDelta)
                assert_type(event.delta, TextDelta)
            if isinstance(event, UnknownVariant):  # a type this SDK version does not know (run time only)
                print("unknown event", event.event_type)

    # Plain dict literals are checked against the TypedDicts; models are accepted as well.
    tools: list[ToolParam] = [WEATHER, {"type": "google_search", "search_types": ["web_search"]}]
    content: list[ContentParam] = [{"type": "text", "text": "Weather in Paris?"}]
    answer = client.interactions.create(
        model=MODEL,
        input=content,
        tools=tools,
        generation_config={"thinking_level": "low", "max_output_tokens": 256},
        safety_settings=[{"type": "harassment", "threshold": "block_only_high"}],
        stream=False,
    )
    assert_type(answer, Interaction)
    inline = client.interactions.create(
        model=MODEL, input=[{"type": "text", "text": "Hi"}], tools=[{"type": "url_context"}]
    )
    assert_type(inline, Interaction)
    typed = client.interactions.create(
        model=MODEL,
        input=[TextContent(type="text", text="Hi")],
        generation_config=GenerationConfig(temperature=0.2),
    )
    assert_type(typed, Interaction)

    flag: bool = len(tools) > 1
    either = client.interactions.create(model=MODEL, input="Hi", stream=flag)
    assert_type(either, Interaction | Stream[InteractionSSEEvent])

    if interaction.id is not None:
        with client.interactions.get(interaction.id, stream=True) as replay:
            assert_type(replay, Stream[InteractionSSEEvent])
            print(f"replayed {len(list(replay))} events")


async def async_calls(client: AsyncClient) -> None:
    # The async package generates its own classes of the same names.
    interaction = await client.interactions.create(model=MODEL, input="Hello", tools=[{"type": "url_context"}])
    assert_type(interaction, async_types.Interaction)

    stream = await client.interactions.create(model=MODEL, input="Count to 5.", stream=True)
    assert_type(stream, AsyncStream[async_types.InteractionSSEEvent])
    async with stream:
        async for event in stream:
            assert_type(event, async_types.InteractionSSEEvent)
            if event.event_type == "step.delta" and event.delta.type == "text":
                assert_type(event.delta.text, str)


async def run_async(base_url: str) -> None:
    async with AsyncClient(api_key="test-key", base_url=base_url) as client:
        await async_calls(client)


def main() -> None:
    """The calls above, against the embedded test server (no network, no key)."""
    with InteractionsTestServer() as server:
        with Client(api_key="test-key", base_url=server.base_url) as client:
            sync_calls(client)
        asyncio.run(run_async(server.base_url))
    print("typed usage: all calls answered")


if __name__ == "__main__":
    main()
