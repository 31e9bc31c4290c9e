"""The intermediate model: what the templates render, built from a loaded spec.

- `types`: type expressions (`list[Tool]`, `Literal['a'] | str`) as nodes that render themselves;
- `typing_rules`: which type expression a JSON schema becomes, model side and request side;
- `nodes`: models, unions, aliases, TypedDicts, the type reference rows, the API;
- `operations`: client methods, their parameters and body shapes, resources;
- `builders`: the nodes from a loaded spec (`build_api`);
- `reference`: the type reference the READMEs list."""

from __future__ import annotations

from .builders import build_api
from .nodes import (
    Alias,
    Api,
    Field,
    Model,
    OpenUnion,
    ParamDict,
    ParamField,
    ParamUnion,
    ReferenceRow,
    ReferenceSection,
    RuntimeBase,
    Variant,
)
from .operations import BodyVariant, Operation, Param, Resource
from .types import TypeExpr

__all__ = [
    "Alias",
    "Api",
    "BodyVariant",
    "Field",
    "Model",
    "OpenUnion",
    "Operation",
    "Param",
    "ParamDict",
    "ParamField",
    "ParamUnion",
    "ReferenceRow",
    "ReferenceSection",
    "Resource",
    "RuntimeBase",
    "TypeExpr",
    "Variant",
    "build_api",
]
