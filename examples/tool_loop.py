"""A tool loop: two Python functions, one of them async, answer the model's function calls.

`run_tools` declares the functions (schemas from their type hints, descriptions from their
docstrings), runs every call the model makes (concurrently within a turn), sends the results back
and repeats until the model answers. Run it with GEMINI_API_KEY set to talk to the API; without,
it runs against the embedded test server, which plays the model.
"""

from __future__ import annotations

import asyncio
import os
from typing import Literal

from gemini_interactions.testing import InteractionsTestServer
from gemini_interactions_async import AsyncClient, ToolRun, function_tool
from gemini_interactions_async.types import Interaction
from typing_extensions import assert_type

MODEL = "gemini-3-flash-preview"


@function_tool
def get_weather(city: str, unit: Literal["celsius", "fahrenheit"] = "celsius") -> dict[str, object]:
    """The current weather in a city.

    Args:
        city: The city, e.g. "Paris".
        unit: The temperature unit.
    """
    return {"city": city, "temperature": 21 if unit == "celsius" else 70, "unit": unit, "sky": "clear"}


async def local_time(city: str) -> str:
    """The local time in a city.

    Args:
        city: The city, e.g. "Paris".
    """
    await asyncio.sleep(0)  # an async function is awaited; a plain one runs in a thread
    return "14:05"


async def main(client: AsyncClient) -> ToolRun[Interaction]:
    run = await client.interactions.run_tools(
        model=MODEL,
        input="What's the weather like in Paris, and what time is it there?",
        tools=[get_weather, local_time],
    )
    assert_type(run, ToolRun[Interaction])
    for call in run.calls:
        print(f"{call.name}({call.arguments}) -> {call.result}{' (failed)' if call.is_error else ''}")
    print(f"{len(run.turns)} turns: {run.interaction.output_text}")
    return run


async def run_example() -> ToolRun[Interaction]:
    if os.environ.get("GEMINI_API_KEY"):
        async with AsyncClient() as client:
            return await main(client)
    with InteractionsTestServer(default_scenario="model") as server:
        async with AsyncClient(api_key="test-key", base_url=server.base_url) as client:
            return await main(client)


if __name__ == "__main__":
    asyncio.run(run_example())
