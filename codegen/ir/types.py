"""Type expressions: the Python types the generated code writes, as nodes that render themselves.

A node knows its text (`render()`), the generated types it names (`refs`, for imports) and the
enum values it holds (`enum_values`), so no consumer parses an annotation back."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeAlias

# How a consumer writes open enums instead of `Literal[...] | str` (spec-diff: "enum"; the type
# reference abridges long ones); None keeps the default text.
EnumText: TypeAlias = Callable[["OpenEnum"], "str | None"]


class TypeExpr:
    """A Python type expression."""

    def render(self, enum_text: EnumText | None = None) -> str:
        raise NotImplementedError

    def children(self) -> tuple[TypeExpr, ...]:
        return ()

    def walk(self) -> Iterator[TypeExpr]:
        """This node and every node inside it, depth first."""
        yield self
        for child in self.children():
            yield from child.walk()

    @property
    def refs(self) -> frozenset[str]:
        """The generated types (models, aliases, unions, TypedDicts) the expression names."""
        return frozenset(node.name for node in self.walk() if isinstance(node, Ref))

    @property
    def enum_values(self) -> tuple[str, ...]:
        """The values of every open enum written inside the expression, in order."""
        return tuple(str(v) for node in self.walk() if isinstance(node, OpenEnum) for v in node.values)

    @property
    def members(self) -> tuple[TypeExpr, ...]:
        """The alternatives of a union; any other expression is its only member."""
        return (self,)

    def __str__(self) -> str:
        return self.render()


@dataclass(frozen=True)
class Builtin(TypeExpr):
    """`str`, `int`, `float`, `bool`, `Any`."""

    name: str

    def render(self, enum_text: EnumText | None = None) -> str:
        return self.name


ANY = Builtin("Any")
STR = Builtin("str")
_JSON_TYPES = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}


def json_type(kind: object) -> Builtin:
    """The Python type of a JSON schema `type` keyword; anything else is Any."""
    return Builtin(_JSON_TYPES[kind]) if isinstance(kind, str) and kind in _JSON_TYPES else ANY


@dataclass(frozen=True)
class Ref(TypeExpr):
    """A generated type, by name."""

    name: str

    def render(self, enum_text: EnumText | None = None) -> str:
        return self.name


@dataclass(frozen=True)
class Literal(TypeExpr):
    """`Literal['a', 'b']`: exactly these values (a discriminator's const)."""

    values: tuple[object, ...]

    def render(self, enum_text: EnumText | None = None) -> str:
        return f"Literal[{', '.join(repr(v) for v in self.values)}]"


@dataclass(frozen=True)
class OpenEnum(TypeExpr):
    """`Literal['a', 'b'] | str`: the known values for readers and type checkers, any string at run time."""

    values: tuple[object, ...]

    def render(self, enum_text: EnumText | None = None) -> str:
        custom = enum_text(self) if enum_text else None
        return custom if custom is not None else f"{Literal(self.values).render()} | str"


@dataclass(frozen=True)
class Generic(TypeExpr):
    """A subscripted collection: `list[X]`, `Sequence[X]`, `dict[str, X]`, `Mapping[str, X]`."""

    origin: str
    args: tuple[TypeExpr, ...]

    def render(self, enum_text: EnumText | None = None) -> str:
        return f"{self.origin}[{', '.join(arg.render(enum_text) for arg in self.args)}]"

    def children(self) -> tuple[TypeExpr, ...]:
        return self.args


def list_of(item: TypeExpr) -> Generic:
    return Generic("list", (item,))


def sequence_of(item: TypeExpr) -> Generic:
    return Generic("Sequence", (item,))


def dict_of(value: TypeExpr) -> Generic:
    return Generic("dict", (STR, value))


def mapping_of(value: TypeExpr) -> Generic:
    return Generic("Mapping", (STR, value))


@dataclass(frozen=True)
class Union(TypeExpr):
    """`A | B | C`. Build it with `union()`, which flattens and removes repeats."""

    alternatives: tuple[TypeExpr, ...]

    def render(self, enum_text: EnumText | None = None) -> str:
        return " | ".join(member.render(enum_text) for member in self.alternatives)

    def children(self) -> tuple[TypeExpr, ...]:
        return self.alternatives

    @property
    def members(self) -> tuple[TypeExpr, ...]:
        return self.alternatives


def union(*members: TypeExpr) -> TypeExpr:
    """The union of the members, nested unions flattened and repeats dropped (first kept); one member is itself."""
    flat = list(dict.fromkeys(m for member in members for m in member.members))
    return flat[0] if len(flat) == 1 else Union(tuple(flat))


def merge_sequences(expression: TypeExpr) -> TypeExpr:
    """`Sequence[A] | Sequence[B]` as `Sequence[A | B]`, where the first sequence was: a type checker
    cannot infer a list literal's items against two sequence types, so `input=[{"type": "text", ...}]`
    would be rejected."""
    members = expression.members
    sequences = [m for m in members if isinstance(m, Generic) and m.origin == "Sequence"]
    if len(sequences) < 2:
        return expression
    merged = sequence_of(union(*(s.args[0] for s in sequences)))
    first = members.index(sequences[0])
    others = [m for m in members if m not in sequences]
    return union(*others[:first], merged, *others[first:])
