"""The loader refuses a spec that breaks a convention the generator relies on, naming every problem."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from codegen.loader import SpecError, load_spec

REF = "#/components/schemas/"


def variant(tag: str) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"type": {"type": "string", "const": tag}, "x": {"type": "string"}},
        "required": ["type"],
    }


def spec() -> dict[str, Any]:
    """A spec that keeps every convention: one discriminated union of two variants."""
    return {
        "openapi": "3.1.0",
        "x-api-revision": "2099-03-01",
        "paths": {},
        "components": {
            "schemas": {
                "Tool": {
                    "oneOf": [{"$ref": REF + "A"}, {"$ref": REF + "B"}],
                    "discriminator": {"propertyName": "type", "mapping": {"a": REF + "A", "b": REF + "B"}},
                },
                "A": variant("a"),
                "B": variant("b"),
                "Holder": {"type": "object", "properties": {"tool": {"$ref": REF + "Tool"}}},
            }
        },
    }


def load(tmp_path: Path, document: dict[str, Any]) -> None:
    path = tmp_path / "openapi.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    load_spec(path)


def test_a_spec_that_keeps_the_conventions_loads(tmp_path: Path) -> None:
    load(tmp_path, spec())


def _member_inline(s: dict[str, Any]) -> None:
    s["Tool"]["oneOf"].append({"type": "object"})


def _mapping_extra(s: dict[str, Any]) -> None:
    s["C"] = variant("c")
    s["Tool"]["discriminator"]["mapping"]["c"] = REF + "C"


def _mapping_dangling(s: dict[str, Any]) -> None:
    s["Tool"]["oneOf"].append({"$ref": REF + "A"})
    s["Tool"]["discriminator"]["mapping"]["z"] = REF + "Z"


def _unmapped(s: dict[str, Any]) -> None:
    del s["Tool"]["discriminator"]["mapping"]["b"]


def _tag_not_string(s: dict[str, Any]) -> None:
    s["B"]["properties"]["type"] = {"const": "b"}


def _tag_not_required(s: dict[str, Any]) -> None:
    s["B"]["required"] = []


def _no_discriminator(s: dict[str, Any]) -> None:
    del s["Tool"]["discriminator"]


def _inline_union(s: dict[str, Any]) -> None:
    s["Holder"]["properties"]["tool"] = {"oneOf": [{"$ref": REF + "A"}, {"$ref": REF + "B"}]}


def _array_member(s: dict[str, Any]) -> None:
    s["Holder"]["properties"]["tags"] = {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}


BROKEN: list[tuple[Callable[[dict[str, Any]], None], str]] = [
    (_member_inline, "Tool: every oneOf member of a discriminated union must be a $ref"),
    (_mapping_extra, "Tool: mapping names C, which is not a oneOf member"),
    (_mapping_dangling, "Tool: mapping z -> #/components/schemas/Z does not resolve"),
    (_unmapped, "Tool: variant B has no discriminator mapping entry"),
    (_tag_not_string, "Tool: variant B must declare type as {type: string, const: 'b'}"),
    (_tag_not_required, "Tool: variant B must list type as required"),
    (_no_discriminator, "Tool: a union of object variants must be a named schema with a discriminator"),
    (_inline_union, "Holder/properties/tool: a union of object variants must be a named schema with a discriminator"),
    (_array_member, "Holder/properties/tags/oneOf/1: an array member of a union must be a named schema"),
]


@pytest.mark.parametrize(("breaks", "problem"), BROKEN, ids=[b.__name__.strip("_") for b, _ in BROKEN])
def test_a_broken_union_convention_is_named(
    tmp_path: Path, breaks: Callable[[dict[str, Any]], None], problem: str
) -> None:
    document = copy.deepcopy(spec())
    breaks(document["components"]["schemas"])
    with pytest.raises(SpecError) as info:
        load(tmp_path, document)
    assert "  " + problem in str(info.value).splitlines(), str(info.value)
