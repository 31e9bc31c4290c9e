"""Structured output without sockets: the response_format a type becomes, parsing answers, partial JSON."""

from __future__ import annotations

import json
from typing import Any

import pydantic
import pytest
from gemini_interactions import OutputFormat, OutputValidationError, ParsedInteraction, SchemaError
from gemini_interactions._parse import OutputText, is_output_type, partial_json
from gemini_interactions.testing._model_scenario import instance_of
from gemini_interactions.types import Interaction, InteractionSSEEvent, adapter_for
from typing_extensions import TypedDict


class Person(pydantic.BaseModel):
    """Someone mentioned in the text."""

    name: str
    age: int
    tags: list[str] = []


class City(TypedDict):
    name: str
    population: int


def _interaction(text: str) -> Interaction:
    return Interaction.model_validate(
        {
            "id": "v1_x",
            "status": "completed",
            "steps": [{"type": "model_output", "content": [{"type": "text", "text": text}]}],
            "usage": {"total_tokens": 3},
        }
    )


def test_response_format_of_a_model_is_the_apis_json_schema_form() -> None:
    fmt = OutputFormat(Person).response_format()
    assert fmt["type"] == "text" and fmt["mime_type"] == "application/json"
    schema = fmt["schema"]
    assert schema["required"] == ["name", "age"] and "title" not in schema
    assert schema["properties"]["tags"] == {"default": [], "items": {"type": "string"}, "type": "array"}
    listed = OutputFormat(list[Person]).response_format()["schema"]
    assert listed["type"] == "array" and listed["items"]["properties"]["age"] == {"type": "integer"}
    assert "$defs" not in listed and "$ref" not in json.dumps(listed)
    assert OutputFormat(City).schema["required"] == ["name", "population"]


def test_type_without_schema_is_a_clear_error() -> None:
    class Opaque:
        pass

    with pytest.raises(SchemaError, match="response_format Opaque"):
        OutputFormat(Opaque)


def test_parse_gives_a_typed_interaction_keeping_every_field() -> None:
    interaction = _interaction('{"name": "Ada", "age": 36}')
    parsed = OutputFormat(Person).parse(interaction)
    assert isinstance(parsed, ParsedInteraction) and isinstance(parsed, Interaction)
    assert parsed.output_parsed == Person(name="Ada", age=36)
    assert parsed.id == "v1_x" and parsed.usage == interaction.usage and parsed.output_text == interaction.output_text
    assert OutputFormat(list[int]).parse(_interaction("[1, 2]")).output_parsed == [1, 2]


@pytest.mark.parametrize("text", ['{"name": "Ada"}', "not json", ""])
def test_an_answer_that_does_not_validate_raises_with_the_text_and_errors(text: str) -> None:
    with pytest.raises(OutputValidationError) as caught:
        OutputFormat(Person).parse(_interaction(text))
    assert caught.value.text == text and caught.value.errors
    assert caught.value.interaction is not None and caught.value.interaction.id == "v1_x"
    assert "not a valid Person" in str(caught.value)


def test_partial_json_as_far_as_it_arrived() -> None:
    assert partial_json("") is None
    assert partial_json('{"name": "Ad') == {"name": "Ad"}
    assert partial_json('{"name": "Ada", "tags": ["x", "y') == {"name": "Ada", "tags": ["x", "y"]}
    assert partial_json('[{"a": 1}, {"a"') == [{"a": 1}, {}]


def test_output_text_collects_model_output_deltas_only() -> None:
    adapter: Any = adapter_for(InteractionSSEEvent)
    events = [
        {"event_type": "step.start", "index": 0, "step": {"type": "thought"}},
        {
            "event_type": "step.delta",
            "index": 0,
            "delta": {"type": "thought_summary", "content": {"type": "text", "text": "hmm"}},
        },
        {"event_type": "step.start", "index": 1, "step": {"type": "model_output"}},
        {"event_type": "step.delta", "index": 1, "delta": {"type": "text", "text": '{"name": "A'}},
    ]
    text = OutputText()
    seen = []
    for data in events:
        text.feed(adapter.validate_python(data))
        seen.append(text.partial())
    assert text.text == '{"name": "A' and seen[-1] == {"name": "A"} and seen[0] is None


def test_is_output_type() -> None:
    assert is_output_type(Person) and is_output_type(list[Person]) and is_output_type(int)
    assert not is_output_type({"type": "text"}) and not is_output_type(None) and not is_output_type([{"type": "text"}])


@pytest.mark.parametrize("tp", [Person, list[Person], City, dict[str, int], bool])
def test_the_test_servers_instances_are_valid_by_construction(tp: Any) -> None:
    fmt = OutputFormat(tp)
    fmt.adapter.validate_python(instance_of(fmt.schema))
