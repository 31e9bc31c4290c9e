"""Loader conventions the IR builder tests (test_ir_builders.py) do not cover, on a small spec."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from codegen.loader import SpecError, load_spec


def spec(tags: dict[str, Any]) -> dict[str, Any]:
    holder = {"type": "object", "properties": {"tags": tags}}
    return {"openapi": "3.1.0", "x-api-revision": "2099-03-01", "paths": {}, "components": {"schemas": {"H": holder}}}


def load(tmp_path: Path, document: dict[str, Any]) -> None:
    path = tmp_path / "openapi.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    load_spec(path)


def test_an_array_member_of_a_union_must_be_a_named_schema(tmp_path: Path) -> None:
    strings = {"type": "array", "items": {"type": "string"}}
    document = spec({"oneOf": [{"type": "string"}, strings]})
    with pytest.raises(SpecError) as info:
        load(tmp_path, document)
    assert "  H/properties/tags/oneOf/1: an array member of a union must be a named schema" in str(info.value)

    document["components"]["schemas"]["Strings"] = strings
    document["components"]["schemas"]["H"]["properties"]["tags"]["oneOf"][1] = {"$ref": "#/components/schemas/Strings"}
    load(tmp_path, document)
