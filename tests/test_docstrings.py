"""Every schema and every property of the spec is documented, and both packages carry the text:
class docstrings, field descriptions (`model_fields[...].description`), attribute docstrings that
editors show, the docstrings of the union and alias definitions, and those of the request TypedDicts."""

from __future__ import annotations

import ast
import importlib
import inspect
import itertools
from typing import Any

import pytest

from .conftest import Flavour, current_spec

SCHEMAS: dict[str, Any] = current_spec()["components"]["schemas"]
PARAM_SUFFIX = "Param"


def one_line(text: str) -> str:
    return " ".join(text.split())


def is_class(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "object" and bool(schema.get("properties")) and "discriminator" not in schema


def documented_definitions(module: Any) -> dict[str, str]:
    """Module-level names whose assignment is followed by a docstring, and that docstring."""
    # An open union is defined under `if TYPE_CHECKING:` (what editors read) and again under `else:`.
    body = [
        n
        for node in ast.parse(inspect.getsource(module)).body
        for n in (node.body if isinstance(node, ast.If) else [node])
    ]
    found: dict[str, str] = {}
    for node, after in itertools.pairwise(body):
        target = node.targets[0] if isinstance(node, ast.Assign) else getattr(node, "target", None)
        if isinstance(target, ast.Name) and isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant):
            found[target.id] = one_line(str(after.value.value))
    return found


def attribute_docstrings(module: Any) -> dict[tuple[str, str], str]:
    """(class, attribute) -> the docstring written under the attribute."""
    found: dict[tuple[str, str], str] = {}
    for cls in ast.parse(inspect.getsource(module)).body:
        if not isinstance(cls, ast.ClassDef):
            continue
        for node, after in itertools.pairwise(cls.body):
            if (
                isinstance(node, ast.AnnAssign)
                and isinstance(node.target, ast.Name)
                and isinstance(after, ast.Expr)
                and isinstance(after.value, ast.Constant)
            ):
                found[(cls.name, node.target.id)] = one_line(str(after.value.value))
    return found


def test_the_spec_documents_every_schema_and_property() -> None:
    undocumented = [name for name, schema in SCHEMAS.items() if not schema.get("description")]
    undocumented += [
        f"{name}.{prop}"
        for name, schema in SCHEMAS.items()
        for prop, prop_schema in schema.get("properties", {}).items()
        if not prop_schema.get("description")
    ]
    assert undocumented == [], "add a description in the spec for: " + ", ".join(undocumented)


def test_models_and_fields_carry_the_spec_descriptions(flavour: Flavour) -> None:
    types = flavour.types
    models_module = importlib.import_module(f"{types.__name__}._models")  # loaded on first use, not by import
    attributes = attribute_docstrings(models_module)
    definitions = documented_definitions(models_module)
    problems = []
    for name, schema in SCHEMAS.items():
        description = one_line(schema.get("description", ""))
        if is_class(schema):
            cls = getattr(types, name)
            cls.model_rebuild()  # models are built on first use (defer_build); then their fields are complete
            if description and one_line(cls.__doc__ or "") != description:
                problems.append(f"{name}: class docstring {cls.__doc__!r}")
            by_wire_name = {field.alias or attr: (attr, field) for attr, field in cls.model_fields.items()}
            for prop, prop_schema in schema["properties"].items():
                text = one_line(prop_schema.get("description", ""))
                if not text:
                    continue
                attr, field = by_wire_name[prop]  # `schema` is `schema_` in Python (BaseModel has a schema())
                if one_line(field.description or "") != text:
                    problems.append(f"{name}.{prop}: description {field.description!r}")
                if attributes.get((name, attr)) != text:
                    problems.append(f"{name}.{prop}: attribute docstring {attributes.get((name, attr))!r}")
        elif description and definitions.get(name) != description:
            problems.append(f"{name}: definition docstring {definitions.get(name)!r}")
        if "discriminator" in schema:
            unknown = getattr(types, f"Unknown{name}")
            assert name in (unknown.__doc__ or ""), unknown.__doc__
    assert problems == []


def test_request_typeddicts_carry_the_spec_descriptions(flavour: Flavour) -> None:
    params_module = importlib.import_module(f"{flavour.types.__name__}._params")
    attributes = attribute_docstrings(params_module)
    definitions = documented_definitions(params_module)
    names = [n for n in flavour.types.__all__ if n.endswith(PARAM_SUFFIX) and n[: -len(PARAM_SUFFIX)] in SCHEMAS]
    assert len(names) > 90  # every request-side object and union
    problems = []
    for param in names:
        schema = SCHEMAS[param[: -len(PARAM_SUFFIX)]]
        description = one_line(schema.get("description", ""))
        if is_class(schema):
            if description and one_line(getattr(flavour.types, param).__doc__ or "") != description:
                problems.append(f"{param}: class docstring")
            for prop, prop_schema in schema["properties"].items():
                if prop_schema.get("readOnly"):
                    continue
                if attributes.get((param, prop)) != one_line(prop_schema.get("description", "")):
                    problems.append(f"{param}.{prop}: attribute docstring {attributes.get((param, prop))!r}")
        elif description and definitions.get(param) != description:
            problems.append(f"{param}: definition docstring {definitions.get(param)!r}")
    assert problems == []


@pytest.mark.parametrize("schema", ["Interaction", "TextContent", "Function"])
def test_a_field_description_reads_as_written(flavour: Flavour, schema: str) -> None:
    cls = getattr(flavour.types, schema)
    cls.model_validate({"status": "completed", "type": schema.lower().removesuffix("content"), "text": "Hi"})
    spec_properties = SCHEMAS[schema]["properties"]
    for attr, field in cls.model_fields.items():
        assert field.description == one_line(spec_properties[field.alias or attr]["description"])
