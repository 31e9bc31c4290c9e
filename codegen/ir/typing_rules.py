"""Which Python type a JSON schema becomes: on the model side (exact, open enums) and on the
request side (TypedDicts named `…Param`, Sequences and Mappings a caller's literals satisfy)."""

from __future__ import annotations

from typing import Any

from ..loader import ref_name
from .types import (
    ANY,
    STR,
    Literal,
    OpenEnum,
    Ref,
    TypeExpr,
    Union,
    dict_of,
    json_type,
    list_of,
    mapping_of,
    merge_sequences,
    sequence_of,
    union,
)

PARAM_SUFFIX = "Param"


def is_object(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "object" and "discriminator" not in schema


def is_model(schema: dict[str, Any]) -> bool:
    """Object schemas with properties become classes; everything else becomes a type alias."""
    return is_object(schema) and bool(schema.get("properties")) and "oneOf" not in schema and "anyOf" not in schema


def model_type(schema: dict[str, Any]) -> TypeExpr:
    """The type of a schema on the model side: named types by name, enums open, free-form objects as dicts."""
    if "$ref" in schema:
        return Ref(ref_name(schema["$ref"]))
    for key in ("oneOf", "anyOf"):
        if key in schema and "discriminator" not in schema:
            # Repeats dropped member by member; an open enum stays whole (`Literal[...] | str | str` is what
            # a member list of an enum and a string gives, as datamodel-code-generator writes the field).
            members = tuple(dict.fromkeys(model_type(member) for member in schema[key]))
            return members[0] if len(members) == 1 else Union(members)
    if "enum" in schema:
        return OpenEnum(tuple(schema["enum"]))
    kind = schema.get("type")
    if kind == "array":
        return list_of(model_type(schema.get("items", {})))
    if kind == "object":
        # Values stay Any even where additionalProperties types them (the models say `dict[str, str]`):
        # the aliases and the type reference have always been written so; tightening them is an API change.
        return dict_of(ANY)
    return json_type(kind)


class RequestTyper:
    """Request-side types: TypedDicts named `…Param`, open enums, Sequences and Mappings.

    At the top of a method signature (`accept_models`) a typed model is accepted as well as its TypedDict;
    inside a TypedDict only the TypedDicts are, so a plain dict literal is checked key by key."""

    def __init__(self, schemas: dict[str, Any], unions: set[str]) -> None:
        self.schemas = schemas
        self.unions = unions

    def type(self, schema: dict[str, Any], *, accept_models: bool = False) -> TypeExpr:
        if "$ref" in schema:
            name = ref_name(schema["$ref"])
            target = self.schemas[name]
            if name in self.unions or is_model(target):
                param = Ref(name + PARAM_SUFFIX)
                return union(param, Ref(name)) if accept_models else param
            if "enum" in target:
                return Ref(name)
            return self.type(target, accept_models=accept_models)
        for key in ("oneOf", "anyOf"):
            if key in schema:
                members = [self.type(member, accept_models=accept_models) for member in schema[key]]
                return merge_sequences(_absorb_str(union(*members)))
        if "const" in schema:
            return Literal((schema["const"],))
        kind = schema.get("type")
        if kind == "array":
            return sequence_of(self.type(schema.get("items", {}), accept_models=accept_models))
        if kind == "object":
            values = schema.get("additionalProperties")
            if isinstance(values, dict) and values:
                return mapping_of(self.type(values, accept_models=accept_models))
            return mapping_of(ANY)
        if "enum" in schema:
            return OpenEnum(tuple(schema["enum"]))
        return json_type(kind)

    def expected(self, schema: dict[str, Any]) -> str:
        """The API's type of a value, as error messages name it: one alias deep, model-side names."""
        if "$ref" in schema:
            name = ref_name(schema["$ref"])
            target = self.schemas[name]
            if "enum" in target:
                return f"{name} (a string)"
            if name in self.unions or is_model(target):
                return name
            return model_type(target).render()
        values = schema.get("additionalProperties")
        if schema.get("type") == "object" and isinstance(values, dict) and values:
            return dict_of(model_type(values)).render()
        text = model_type(schema).render()
        if len(text) > LONGEST_EXPECTED:
            # A long inline enum reads as a string in the message (its values are in the signature and docs).
            text = model_type(schema).render(lambda enum: "str")
        return text


LONGEST_EXPECTED = 100  # characters of an expected type in a message before its enums read `str`


def _absorb_str(expression: TypeExpr) -> TypeExpr:
    """`Literal[...] | str | str` as `Literal[...] | str`: an open enum already accepts any string."""
    members = expression.members
    if not any(isinstance(m, OpenEnum) for m in members):
        return expression
    return union(*(m for m in members if m != STR))
