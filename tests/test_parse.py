"""Structured output over real sockets, both flavours: parse(), response_format=MyModel, partial objects."""

from __future__ import annotations

from typing import Any

import pydantic
import pytest
from gemini_interactions.testing import InteractionsTestServer

from .conftest import Flavour

MODEL = "gemini-3-flash-preview"


class Person(pydantic.BaseModel):
    name: str
    age: int
    languages: list[str]


async def parse(flavour: Flavour, client: Any, **kwargs: Any) -> Any:
    kwargs.setdefault("model", MODEL)
    kwargs.setdefault("input", "Ada Lovelace, 36, wrote in English and French.")
    return await flavour.aw(client.interactions.parse(**kwargs))


async def test_parse_returns_the_users_model(flavour: Flavour, client: Any, server: InteractionsTestServer) -> None:
    interaction = await parse(flavour, client, response_format=Person)
    assert isinstance(interaction, flavour.pkg.ParsedInteraction) and isinstance(interaction, flavour.types.Interaction)
    assert interaction.output_parsed == Person(name="name sample", age=3, languages=["languages sample"] * 2)
    sent = server.last_request.body["response_format"]
    assert sent == {"type": "text", "mime_type": "application/json", "schema": flavour.pkg.OutputFormat(Person).schema}
    assert "title" not in sent["schema"]


async def test_parse_takes_any_type_adapter_type(flavour: Flavour, client: Any) -> None:
    interaction = await parse(flavour, client, response_format=list[Person])
    assert [p.name for p in interaction.output_parsed] == ["name sample", "name sample"]


async def test_an_answer_that_does_not_validate_raises(flavour: Flavour, server: InteractionsTestServer) -> None:
    # The canned text scenario answers prose, whatever was asked.
    client = flavour.client(server, default_headers={"x-test-scenario": "text"})
    try:
        with pytest.raises(flavour.pkg.OutputValidationError) as caught:
            await parse(flavour, client, response_format=Person)
    finally:
        await flavour.close(client)
    assert caught.value.text and caught.value.text == caught.value.interaction.output_text
    assert caught.value.errors[0]["type"] == "json_invalid"


async def test_streaming_shows_the_object_as_it_arrives(flavour: Flavour, client: Any) -> None:
    stream = await parse(flavour, client, response_format=Person, stream=True)
    partials: list[Any] = []
    async_events = await _collect(flavour, stream, partials)
    assert async_events, "events are passed on"
    distinct = [p for i, p in enumerate(partials) if p is not None and (i == 0 or p != partials[i - 1])]
    assert len(distinct) >= 3, "the answer arrives over several deltas"
    assert distinct[0] != distinct[-1] and isinstance(distinct[0], dict)
    final = await flavour.final(stream)
    assert final.output_parsed == Person(name="name sample", age=3, languages=["languages sample"] * 2)
    assert distinct[-1] == final.output_parsed.model_dump()
    assert stream.text == final.output_text


async def _collect(flavour: Flavour, stream: Any, partials: list[Any]) -> list[Any]:
    events = []
    if flavour.is_async:
        async for event in stream:
            events.append(event)
            partials.append(stream.partial_parsed())
    else:
        for event in stream:
            events.append(event)
            partials.append(stream.partial_parsed())
    return events


async def test_json_response_format_is_answered_by_default(flavour: Flavour) -> None:
    with InteractionsTestServer() as srv:
        client = flavour.client(srv)
        try:
            schema = {"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]}
            interaction = await flavour.create(
                client,
                model=MODEL,
                input="Ok?",
                response_format={"type": "text", "mime_type": "application/json", "schema": schema},
            )
        finally:
            await flavour.close(client)
    assert interaction.output_text == '{"ok": true}'


def test_parsed_interaction_validates_and_dumps_on_its_own(flavour: Flavour) -> None:
    # The class inherits the generated fields; it must build from its own module at every supported pydantic.
    parsed = flavour.pkg.ParsedInteraction.model_validate({"id": "i-1", "status": "completed"})
    assert parsed.model_dump(exclude_unset=True) == {"id": "i-1", "status": "completed"}
    assert parsed.output_parsed is None
