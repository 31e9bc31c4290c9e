"""Every variant of every union in the spec round-trips through both packages.

The examples are synthesised from spec/<CURRENT>/openapi.yaml when the tests run, so a variant
added to the spec is covered without touching this file: one payload per variant with every
property filled in with a plausible value, the same with a field this SDK does not know, and the
same with an enum value it does not know. Each must parse into its own variant class (never the
Unknown… fallback) and dump back to exactly the input. An unknown tag must parse into Unknown….
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from .conftest import Flavour, current_spec

SPEC = current_spec()
SCHEMAS: dict[str, Any] = SPEC["components"]["schemas"]
PREFIX = "#/components/schemas/"
UNIONS = {name: schema for name, schema in SCHEMAS.items() if "discriminator" in schema}
VARIANTS = [
    (union, tag, ref.removeprefix(PREFIX))
    for union, schema in UNIONS.items()
    for tag, ref in schema["discriminator"]["mapping"].items()
]
UNKNOWN_ENUM_VALUE = "value_from_a_later_revision"
MAX_DEPTH = 6  # below this, only required properties: keeps nested examples small


def _string(schema: dict[str, Any], name: str) -> str:
    return {"byte": "aGVsbG8gd29ybGQ=", "int64": "1234567890123", "google-duration": "1.5s"}.get(
        schema.get("format", ""), f"example {name}"
    )


def example(schema: dict[str, Any], name: str = "value", depth: int = 0) -> Any:
    """A plausible JSON value for a schema: the first enum value, the first union member, every property."""
    if "$ref" in schema:
        return example(SCHEMAS[schema["$ref"].removeprefix(PREFIX)], name, depth)
    if "discriminator" in schema:
        first = next(iter(schema["discriminator"]["mapping"].values()))
        return example({"$ref": first}, name, depth)
    if "oneOf" in schema:
        return example(schema["oneOf"][0], name, depth)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "array":
        return [example(schema.get("items", {}), name, depth + 1)]
    if kind == "object":
        properties = schema.get("properties", {})
        if properties:
            required = set(schema.get("required", []))
            return {
                prop: example(prop_schema, prop, depth + 1)
                for prop, prop_schema in properties.items()
                if depth < MAX_DEPTH or prop in required
            }
        values = schema.get("additionalProperties")
        if isinstance(values, dict) and values:
            return {"some_key": example(values, name, depth + 1)}
        return {"free": "form", "nested": {"list": [1, 2.5, True, None]}}
    if kind == "string":
        return _string(schema, name)
    return {"integer": 42, "number": 0.25, "boolean": True}.get(str(kind), "unknown")


def _is_enum(schema: dict[str, Any]) -> bool:
    if "$ref" in schema:
        return _is_enum(SCHEMAS[schema["$ref"].removeprefix(PREFIX)])
    return "enum" in schema


def with_unknown_enum(variant: str, payload: dict[str, Any]) -> dict[str, Any] | None:
    """The payload with its first enum-typed property set to a value no revision of the spec has."""
    for prop, prop_schema in SCHEMAS[variant].get("properties", {}).items():
        if _is_enum(prop_schema):
            return {**payload, prop: UNKNOWN_ENUM_VALUE}
    return None


def payloads(variant: str) -> dict[str, dict[str, Any]]:
    base = example({"$ref": PREFIX + variant})
    cases = {"full": base, "extra field": {**base, "field_from_a_later_revision": {"nested": [1, "two"]}}}
    unknown_enum = with_unknown_enum(variant, base)
    if unknown_enum is not None:
        cases["unknown enum value"] = unknown_enum
    return cases


def dump(value: Any) -> Any:
    return value.model_dump(mode="json", by_alias=True, exclude_unset=True)


def test_the_spec_has_the_unions_the_issue_lists() -> None:
    assert len(UNIONS) >= 12 and len(VARIANTS) >= 90
    # Enough variants have an enum property for the unknown-value case to mean something.
    assert sum(with_unknown_enum(v, example({"$ref": PREFIX + v})) is not None for _, _, v in VARIANTS) >= 20


@pytest.mark.parametrize(("union", "tag", "variant"), VARIANTS, ids=[f"{u}.{t}" for u, t, _ in VARIANTS])
def test_variant_round_trips(flavour: Flavour, union: str, tag: str, variant: str) -> None:
    types = flavour.types
    adapter = types.adapter_for(getattr(types, union))
    for case, payload in payloads(variant).items():
        for parsed in (adapter.validate_python(payload), adapter.validate_json(json.dumps(payload))):
            assert type(parsed) is getattr(types, variant), f"{case}: parsed as {type(parsed).__name__}"
            assert dump(parsed) == payload, case
        if case == "unknown enum value":
            assert UNKNOWN_ENUM_VALUE in json.dumps(dump(parsed))


@pytest.mark.parametrize("union", sorted(UNIONS))
def test_unknown_tag_parses_into_the_fallback(flavour: Flavour, union: str) -> None:
    types = flavour.types
    field = UNIONS[union]["discriminator"]["propertyName"]
    payload = {field: "type_from_a_later_revision", "payload": {"deep": [1, 2]}, "text": "kept"}
    parsed = types.adapter_for(getattr(types, union)).validate_json(json.dumps(payload))
    assert type(parsed).__name__ == f"Unknown{union}"
    assert getattr(parsed, field) == "type_from_a_later_revision"
    assert dump(parsed) == payload == parsed.raw
