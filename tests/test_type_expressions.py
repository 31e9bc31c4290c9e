"""Type expressions of the intermediate model: what they render, the names they need, the enum values they hold."""

from __future__ import annotations

from codegen.ir.types import (
    ANY,
    STR,
    Builtin,
    Literal,
    OpenEnum,
    Ref,
    Union,
    dict_of,
    json_type,
    list_of,
    mapping_of,
    merge_sequences,
    sequence_of,
    union,
)
from codegen.ir.typing_rules import RequestTyper, model_type

INT = Builtin("int")


def test_each_node_renders_the_python_it_stands_for() -> None:
    assert Ref("Tool").render() == "Tool"
    assert Literal(("text",)).render() == "Literal['text']"
    assert OpenEnum(("low", "high")).render() == "Literal['low', 'high'] | str"
    assert list_of(Ref("Step")).render() == "list[Step]"
    assert sequence_of(Ref("ToolParam")).render() == "Sequence[ToolParam]"
    assert dict_of(ANY).render() == "dict[str, Any]"
    assert mapping_of(STR).render() == "Mapping[str, str]"
    assert union(STR, list_of(Ref("Content"))).render() == "str | list[Content]"
    assert str(union(Ref("A"), Ref("B"))) == "A | B"


def test_json_types_map_to_builtins_and_anything_else_to_any() -> None:
    assert [json_type(k).render() for k in ("string", "integer", "number", "boolean")] == [
        "str",
        "int",
        "float",
        "bool",
    ]
    assert json_type(None) is ANY
    assert json_type("null") is ANY


def test_refs_are_the_generated_names_an_expression_needs_imported() -> None:
    expression = union(sequence_of(union(Ref("ToolParam"), Ref("Tool"))), mapping_of(Ref("Content")), STR)
    assert expression.refs == {"ToolParam", "Tool", "Content"}
    assert OpenEnum(("a",)).refs == frozenset()
    assert dict_of(ANY).refs == frozenset()


def test_enum_values_come_from_every_open_enum_inside() -> None:
    expression = union(list_of(OpenEnum(("a", "b"))), OpenEnum((1,)), Literal(("const",)))
    assert expression.enum_values == ("a", "b", "1")  # a const is not an enum
    assert Ref("Status").enum_values == ()


def test_open_enums_can_be_written_another_way_without_parsing() -> None:
    expression = union(Ref("A"), list_of(OpenEnum(("x", "y", "z"))))
    assert expression.render(lambda enum: "enum") == "A | list[enum]"
    assert expression.render(lambda enum: None) == "A | list[Literal['x', 'y', 'z'] | str]"


def test_union_flattens_drops_repeats_and_collapses_to_one_member() -> None:
    assert union(Ref("A"), union(Ref("B"), Ref("A")), Ref("C")) == Union((Ref("A"), Ref("B"), Ref("C")))
    assert union(Ref("A"), Ref("A")) == Ref("A")
    assert union(Ref("A")).members == (Ref("A"),)


def test_two_sequences_merge_into_one_where_the_first_was() -> None:
    expression = union(
        STR, sequence_of(Ref("StepParam")), INT, sequence_of(union(Ref("ContentParam"), Ref("StepParam")))
    )
    merged = merge_sequences(expression)
    assert merged.render() == "str | Sequence[StepParam | ContentParam] | int"
    assert merge_sequences(union(STR, sequence_of(INT))) == union(STR, sequence_of(INT))


def test_model_side_types_from_schemas() -> None:
    assert model_type({"$ref": "#/components/schemas/Tool"}) == Ref("Tool")
    assert (
        model_type({"type": "array", "items": {"type": "string", "enum": ["a"]}}).render() == "list[Literal['a'] | str]"
    )
    assert model_type({"oneOf": [{"type": "string"}, {"type": "integer"}, {"type": "string"}]}).render() == "str | int"
    assert model_type({"type": "object", "additionalProperties": {"type": "string"}}).render() == "dict[str, Any]"
    assert model_type({}).render() == "Any"


SCHEMAS = {
    "Tool": {
        "oneOf": [{"$ref": "#/components/schemas/Function"}],
        "discriminator": {"propertyName": "type", "mapping": {"function": "#/components/schemas/Function"}},
    },
    "Function": {
        "type": "object",
        "required": ["type"],
        "properties": {"type": {"type": "string", "const": "function"}, "name": {"type": "string"}},
    },
    "Level": {"type": "string", "enum": ["low", "high"]},
    "Labels": {"type": "object", "additionalProperties": {"type": "string"}},
}


def test_request_side_types_name_typed_dicts_and_accept_models_at_the_top() -> None:
    typer = RequestTyper(SCHEMAS, {"Tool"})
    tools = {"type": "array", "items": {"$ref": "#/components/schemas/Tool"}}
    assert typer.type(tools).render() == "Sequence[ToolParam]"
    assert typer.type(tools, accept_models=True).render() == "Sequence[ToolParam | Tool]"
    assert typer.type({"$ref": "#/components/schemas/Function"}).render() == "FunctionParam"
    assert typer.type({"$ref": "#/components/schemas/Level"}) == Ref("Level")  # an enum alias keeps its name
    assert typer.type({"$ref": "#/components/schemas/Labels"}).render() == "Mapping[str, str]"  # aliases inline
    assert typer.type({"type": "string", "const": "x"}).render() == "Literal['x']"
    assert (
        typer.type({"oneOf": [{"type": "string", "enum": ["a"]}, {"type": "string"}]}).render() == "Literal['a'] | str"
    )
    assert typer.expected(tools) == "list[Tool]"
    assert typer.expected({"$ref": "#/components/schemas/Level"}) == "Level (a string)"
    assert typer.expected({"type": "object", "additionalProperties": {"type": "integer"}}) == "dict[str, int]"
