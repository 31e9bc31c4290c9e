# Copied from codegen/runtime/_json_schema.py by `nox -s generate` - edit it there, not here.
"""JSON Schema of a Python type in the form the API accepts: pydantic's schema, references inlined, no titles.

A recursive model cannot be inlined; its definitions stay under `$defs` and are referenced."""

from __future__ import annotations

import copy
from typing import Any

import pydantic

from ._exceptions import GeminiInteractionsError

# Keywords whose value maps names (of properties, of definitions) to schemas: the names are data, not keywords.
_NAMED_SCHEMAS = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"})
# Keywords whose value is data (a default, a constant): kept exactly.
_DATA = frozenset({"default", "const", "enum", "examples"})
_DEFS_PREFIX = "#/$defs/"


class SchemaError(GeminiInteractionsError, TypeError):
    """A type has no JSON Schema (so it cannot describe a tool's parameters or an answer's format)."""


def adapter_schema(adapter: pydantic.TypeAdapter[Any], *, what: str) -> dict[str, Any]:
    """`api_schema` of the type an adapter validates; `what` names the type in the error."""
    try:
        schema = adapter.json_schema()
    except (pydantic.PydanticUserError, pydantic.errors.PydanticInvalidForJsonSchema) as exc:
        raise SchemaError(f"{what} has no JSON Schema: {exc.message}") from None
    return api_form(schema)


def type_adapter_for(tp: Any, *, what: str) -> pydantic.TypeAdapter[Any]:
    """A TypeAdapter for `tp`, or SchemaError naming `what` when pydantic cannot handle the type at all."""
    try:
        return pydantic.TypeAdapter(tp)
    except pydantic.PydanticUserError as exc:
        raise SchemaError(f"{what} is not a type pydantic can validate: {exc.message}") from None


def api_form(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` with every `$ref` replaced by its definition (except recursive ones) and `title`s dropped."""
    defs: dict[str, Any] = schema.get("$defs", {})
    recursive = {name for name in defs if _reaches(defs, name, name, set())}
    result = _inline(schema, defs, recursive)
    result.pop("$defs", None)
    if recursive:
        result["$defs"] = {name: _inline(defs[name], defs, recursive) for name in sorted(recursive)}
    stripped: dict[str, Any] = _strip_titles(result)
    return stripped


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"][len(_DEFS_PREFIX) :]] if str(node.get("$ref", "")).startswith(_DEFS_PREFIX) else []
        return found + [ref for key, value in node.items() if key != "$defs" for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for item in node for ref in _refs(item)]
    return []


def _reaches(defs: dict[str, Any], start: str, target: str, seen: set[str]) -> bool:
    for ref in _refs(defs.get(start, {})):
        if ref == target:
            return True
        if ref not in seen:
            seen.add(ref)
            if _reaches(defs, ref, target, seen):
                return True
    return False


def _inline(node: Any, defs: dict[str, Any], keep: set[str]) -> Any:
    if isinstance(node, list):
        return [_inline(item, defs, keep) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith(_DEFS_PREFIX) and ref[len(_DEFS_PREFIX) :] not in keep:
        target = copy.deepcopy(defs[ref[len(_DEFS_PREFIX) :]])
        siblings = {key: value for key, value in node.items() if key != "$ref"}
        return _inline({**target, **siblings}, defs, keep)
    return {key: _inline(value, defs, keep) for key, value in node.items() if key != "$defs"}


def _strip_titles(node: Any, *, names: bool = False) -> Any:
    """Drop the `title` keyword everywhere (a property called `title` is a name, not the keyword, and stays)."""
    if isinstance(node, list):
        return [_strip_titles(item) for item in node]
    if not isinstance(node, dict):
        return node
    if names:
        return {key: _strip_titles(value) for key, value in node.items()}
    return {
        key: value if key in _DATA else _strip_titles(value, names=key in _NAMED_SCHEMAS)
        for key, value in node.items()
        if not (key == "title" and isinstance(value, str))
    }
