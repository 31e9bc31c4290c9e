"""The intermediate model's nodes: what the templates render.

Every decision about names, Python types and signatures is made when the nodes are built
(builders.py), so the templates only lay them out; a node renders its own fragments."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ..loader import SpecError
from .operations import Resource
from .types import TypeExpr

# ------------------------------------------------------------------------------- model side


@dataclass(frozen=True)
class Field:
    """One property of a model, by its wire name, with the Python type the model declares."""

    name: str
    type: TypeExpr
    required: bool
    description: str = ""
    read_only: bool = False  # sent by the server only
    write_only: bool = False  # sent by clients only
    deprecated: bool = False
    refs: frozenset[str] = frozenset()  # every named type a value can hold (the type may abridge some)


@dataclass(frozen=True)
class RuntimeBase:
    """A hand-written runtime class a model inherits behaviour (not fields) from."""

    module: str  # "_interaction_accessors"
    name: str  # "InteractionAccessors"


@dataclass(frozen=True)
class Model:
    """An object schema that becomes a pydantic class (written by datamodel-code-generator)."""

    name: str
    fields: tuple[Field, ...]
    description: str
    base: RuntimeBase | None = None
    refs: frozenset[str] = frozenset()  # every named type its schema names (its own name, if recursive)
    # The schema datamodel-code-generator writes the class from; nothing else reads it.
    schema: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    is_union = False
    is_model = True  # its source is datamodel-code-generator's, which the models template places

    @property
    def defines(self) -> tuple[str, ...]:
        return (self.name,)

    @property
    def depends_on(self) -> frozenset[str]:
        return self.refs


@dataclass(frozen=True)
class Variant:
    """One member of an open union: the discriminator value that selects `model`, and its fields."""

    tag: str
    model: str
    fields: tuple[str, ...] = ()  # every field but the discriminator
    required: tuple[str, ...] = ()


@dataclass(frozen=True)
class OpenUnion:
    """A discriminated union whose unknown tags fall back to `unknown_model`."""

    name: str
    discriminator: str
    variants: tuple[Variant, ...]
    description: str

    @property
    def unknown_model(self) -> str:
        return f"Unknown{self.name}"

    is_union = True  # for the models template, which writes models, unions and aliases in one sequence
    is_model = False

    @property
    def defines(self) -> tuple[str, ...]:
        return (self.unknown_model, self.name)

    @property
    def depends_on(self) -> frozenset[str]:
        return frozenset(v.model for v in self.variants)

    @property
    def known_tags(self) -> tuple[str, ...]:
        return tuple(v.tag for v in self.variants)

    @property
    def shapes(self) -> str:
        """The variants' field names as a Python literal, for inferring the variant of an untagged payload."""
        items = (
            f"{v.tag!r}: (frozenset({sorted(v.fields)!r}), frozenset({sorted(v.required)!r}))" for v in self.variants
        )
        return "{" + ", ".join(items) + "}"


@dataclass(frozen=True)
class Alias:
    """A named non-object type: an open enum, an array, a plain union or a free-form object."""

    name: str
    type: TypeExpr
    description: str
    refs: frozenset[str]  # every named type a value can hold

    is_union = False
    is_model = False

    @property
    def depends_on(self) -> frozenset[str]:
        return self.refs  # its value is evaluated when it is defined

    @property
    def defines(self) -> tuple[str, ...]:
        return (self.name,)

    @property
    def expression(self) -> str:
        return self.type.render()

    @property
    def docstring(self) -> str:
        return self.description or f"The {self.name} type of the API."


Definition = Model | OpenUnion | Alias  # what the models module defines, one at a time


# ------------------------------------------------------------------------------- request side


@dataclass(frozen=True)
class ParamField:
    """One key of a request-side TypedDict, by its wire name."""

    name: str
    type: TypeExpr  # without Required[]
    required: bool
    description: str

    @property
    def annotation(self) -> str:
        return self.type.render()

    @property
    def declaration(self) -> str:
        return f"{self.name}: Required[{self.annotation}]" if self.required else f"{self.name}: {self.annotation}"


@dataclass(frozen=True)
class ParamDict:
    """The TypedDict a caller may pass instead of the model `model` (request side only)."""

    name: str  # "FunctionParam"
    model: str  # "Function"
    fields: tuple[ParamField, ...]
    description: str

    @property
    def docstring(self) -> str:
        return self.description or f"The request-side shape of `{self.model}`, as a plain dict."

    @property
    def refs(self) -> frozenset[str]:
        return frozenset(name for f in self.fields for name in f.type.refs)


@dataclass(frozen=True)
class ParamUnion:
    """A discriminated union of TypedDicts, one per known variant."""

    name: str  # "ToolParam"
    model: str  # "Tool"
    members: tuple[str, ...]
    description: str

    @property
    def expression(self) -> str:
        return " | ".join(self.members)

    @property
    def docstring(self) -> str:
        return self.description or f"The request-side shape of `{self.model}`, as a plain dict."


# ------------------------------------------------------------------------------- the type reference


@dataclass(frozen=True)
class ReferenceRow:
    """One variant of a union, as the generated type reference lists it (Markdown-ready cells)."""

    tag: str
    model: str
    fields: str  # "`id`: str, `signature`?: str" (optional fields marked with ?)
    description: str


@dataclass(frozen=True)
class ReferenceSection:
    union: str
    discriminator: str
    description: str
    unknown_model: str
    rows: tuple[ReferenceRow, ...]


# ------------------------------------------------------------------------------- the API


@dataclass(frozen=True)
class Api:
    title: str
    revision: str
    base_url: str
    api_version: str
    resources: tuple[Resource, ...]
    unions: tuple[OpenUnion, ...]
    models: tuple[Model, ...]  # every object schema with properties, in spec order
    aliases: tuple[Alias, ...]
    event_union: str
    param_dicts: tuple[ParamDict, ...]  # request-side TypedDicts
    param_unions: tuple[ParamUnion, ...]

    @property
    def model_names(self) -> tuple[str, ...]:
        return tuple(m.name for m in self.models)

    @property
    def definition_names(self) -> tuple[str, ...]:
        """The names the models template itself defines: each union after its Unknown… model, the aliases."""
        own: tuple[OpenUnion | Alias, ...] = (*self.unions, *self.aliases)
        return tuple(name for item in own for name in item.defines)

    reference: tuple[ReferenceSection, ...] = field(repr=False)  # the README's type reference

    @property
    def model_bases(self) -> tuple[RuntimeBase, ...]:
        """The runtime classes some models inherit from, once each, sorted."""
        return tuple(sorted({m.base for m in self.models if m.base}, key=lambda b: (b.module, b.name)))

    @property
    def param_names(self) -> list[str]:
        return [p.name for p in self.param_dicts] + [u.name for u in self.param_unions]

    @property
    def param_enum_imports(self) -> list[str]:
        """The model-side enum aliases the TypedDicts name."""
        used = {name for p in self.param_dicts for name in p.refs}
        return sorted(a.name for a in self.aliases if a.name in used)

    def definitions_in_order(self) -> tuple[Definition, ...]:
        """Models, unions and aliases, each after what it names: the models module evaluates its
        annotations when it defines a class, which costs far less than resolving them by name later."""
        return self._ordered_definitions[0]

    @property
    def annotations_deferred(self) -> bool:
        """Whether some model names itself or a later definition (a recursive type), so the models
        module must leave its annotations unevaluated (`from __future__ import annotations`)."""
        return self._ordered_definitions[1]

    @cached_property
    def _ordered_definitions(self) -> tuple[tuple[Definition, ...], bool]:
        pending: dict[str, Definition] = {m.name: m for m in self.models}
        pending.update({u.name: u for u in self.unions})
        pending.update({a.name: a for a in self.aliases})
        ordered: list[Definition] = []
        done: set[str] = set()
        recursive = False

        def visit(name: str, trail: tuple[str, ...]) -> None:
            nonlocal recursive
            if name in done or name not in pending:
                return
            if name in trail:
                loop = trail[trail.index(name) :] + (name,)
                if not any(pending[n].is_model for n in loop):
                    raise SpecError(f"type aliases refer to each other in a cycle: {' -> '.join(loop)}")
                recursive = True  # a class may name what comes after it, as a string resolved later
                return
            for dep in sorted(pending[name].depends_on):
                visit(dep, trail + (name,))
            done.add(name)
            ordered.append(pending[name])

        for name in pending:
            visit(name, ())
        return tuple(ordered), recursive
