"""What changed between two API revisions, as the generated SDK sees it, for release notes.

Both revisions go through the generator's intermediate model (codegen/ir/), so operations are compared
as client methods (`interactions.create`), unions as their discriminator tags, fields with the
Python types the models declare, and enums as their values. Every change is marked breaking or
not for someone with a working application on the OLD revision: a client generated from OLD
talking to a server on NEW, and the same application code after upgrading to the SDK generated
from NEW. Whether a field is in a request, a response or both follows from where it is reachable
(request bodies and parameters vs responses and stream events; readOnly fields are response-only,
writeOnly request-only).

Breaking:
- an operation, parameter, union variant, type or field removed; an operation's HTTP method,
  path, body or response type changed; streaming removed;
- a field's or parameter's type changed (enum values aside, see below), or a union's
  discriminator, or the model a tag maps to (its class is renamed);
- a new required request field or parameter; an optional request field or parameter becoming
  required (old clients do not send it);
- a required response field becoming optional (old models require it; new code gets None);
- an enum value removed from an enum used in requests (old clients may still send it);
- a different server URL or default api_version.

Non-breaking:
- a new operation, type, parameter or optional request field, and any new response field (models
  keep unknown fields as extras);
- a new union variant: unions are open, so old clients parse it as the union's `Unknown…` model;
- a new enum value: enums are open (`Literal[...] | str`), old clients keep the string;
- an enum value removed from a response-only enum (old code comparing with it still type-checks);
- a request field becoming optional, a response field becoming required, a deprecation;
- streaming added to an operation.

Descriptions and examples are not compared."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from .ir import Api, Field, Operation, TypeExpr
from .ir.types import OpenEnum

REQUEST = "request"
RESPONSE = "response"


@dataclass(frozen=True, order=True)
class Change:
    """One changelog entry. `subject` names what changed the way SDK users write it."""

    breaking: bool
    kind: str  # e.g. "variant added", "field removed", "enum value added"
    subject: str  # e.g. "InteractionSSEEvent[interaction.progress]", "TextDelta.language"
    detail: str = field(default="", compare=False)

    def line(self) -> str:
        marker = "breaking" if self.breaking else "non-breaking"
        return f"- [{marker}] {self.kind}: `{self.subject}`" + (f" - {self.detail}" if self.detail else "")


@dataclass(frozen=True)
class FieldShape:
    type: str  # the model's Python type, every enum written as `enum` (values are compared apart)
    required: bool
    deprecated: bool
    sides: frozenset[str]


@dataclass(frozen=True)
class OperationShape:
    http: str  # "POST /interactions"
    params: dict[str, FieldShape]  # path and query parameters by wire name
    body: str | None
    response: str
    stream_event: str | None


@dataclass(frozen=True)
class Surface:
    """The parts of a generated SDK a changelog talks about."""

    revision: str
    server: str
    operations: dict[str, OperationShape]
    unions: dict[str, tuple[str, dict[str, str]]]  # name -> (discriminator, tag -> model)
    kinds: dict[str, str]  # every named type -> "model" | "union" | "alias"
    fields: dict[str, dict[str, FieldShape]]  # model -> field name -> shape
    aliases: dict[str, str]  # non-enum alias -> type expression
    enums: dict[str, tuple[tuple[str, ...], frozenset[str]]]  # enum name or Model.field -> (values, sides)


def surface(api: Api) -> Surface:
    sides = _sides(api)
    kinds = {name: "model" for name in api.model_names}
    kinds.update({u.name: "union" for u in api.unions})
    kinds.update({a.name: "alias" for a in api.aliases})
    fields: dict[str, dict[str, FieldShape]] = {}
    enums: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {}
    for model in api.models:
        shapes: dict[str, FieldShape] = {}
        for prop in model.fields:
            prop_sides = frozenset(_field_sides(prop, sides.get(model.name, set())))
            shapes[prop.name] = FieldShape(
                type=_without_enums(prop.type), required=prop.required, deprecated=prop.deprecated, sides=prop_sides
            )
            if prop.type.enum_values:
                enums[f"{model.name}.{prop.name}"] = (prop.type.enum_values, prop_sides)
        fields[model.name] = shapes
    aliases: dict[str, str] = {}
    for alias in api.aliases:
        if isinstance(alias.type, OpenEnum):
            enums[alias.name] = (alias.type.enum_values, frozenset(sides.get(alias.name, ())))
        else:
            aliases[alias.name] = _without_enums(alias.type)
    for resource in api.resources:
        for op in resource.operations:
            for param in (*op.path_params, *op.query_params):
                if param.type.enum_values:
                    enums[f"{resource.name}.{op.name}({param.wire_name})"] = (
                        param.type.enum_values,
                        frozenset({REQUEST}),
                    )
    return Surface(
        revision=api.revision,
        server=f"{api.base_url}/{api.api_version}",
        operations={
            f"{resource.name}.{op.name}": _operation_shape(op)
            for resource in api.resources
            for op in resource.operations
        },
        unions={u.name: (u.discriminator, {v.tag: v.model for v in u.variants}) for u in api.unions},
        kinds=kinds,
        fields=fields,
        aliases=aliases,
        enums=enums,
    )


def _without_enums(expression: TypeExpr) -> str:
    """The type with every open enum written `enum`: enum values are compared on their own."""
    return expression.render(lambda enum: "enum")


def _field_sides(prop: Field, model_sides: set[str]) -> set[str]:
    """Where a field travels: where its model does, less requests for output-only and responses for input-only."""
    return model_sides - ({REQUEST} if prop.read_only else set()) - ({RESPONSE} if prop.write_only else set())


def _operation_shape(op: Operation) -> OperationShape:
    params = (*op.path_params, *op.query_params, *((op.stream_param,) if op.stream_param else ()))
    return OperationShape(
        http=f"{op.http_method} {op.path}",
        params={
            p.wire_name: FieldShape(
                type=_without_enums(p.type), required=p.required, deprecated=False, sides=frozenset({REQUEST})
            )
            for p in params
            if p.location != "body"
        },
        body=op.body_model,
        response=op.response_type,
        stream_event=op.stream_event,
    )


def _sides(api: Api) -> dict[str, set[str]]:
    """For every named type: whether clients send it (request), receive it (response), or both."""
    models = {m.name: m for m in api.models}
    unions = {u.name: u for u in api.unions}
    aliases = {a.name: a for a in api.aliases}
    found: dict[str, set[str]] = {}

    def visit(name: str, side: str) -> None:
        if side in found.setdefault(name, set()):
            return
        found[name].add(side)
        if name in models:
            for prop in models[name].fields:
                if side in _field_sides(prop, {side}):
                    for ref in sorted(prop.refs):
                        visit(ref, side)
        elif name in unions:
            for variant in unions[name].variants:
                visit(variant.model, side)
        elif name in aliases:
            for ref in sorted(aliases[name].refs):
                visit(ref, side)

    for resource in api.resources:
        for op in resource.operations:
            for param in (*op.path_params, *op.query_params):
                for ref in sorted(param.type.refs):
                    visit(ref, REQUEST)
            if op.body_model:
                visit(op.body_model, REQUEST)
            for name in (op.response_model, op.stream_event):
                if name:
                    visit(name, RESPONSE)
    return found


# --------------------------------------------------------------------------- comparing


def diff(old: Surface, new: Surface) -> list[Change]:
    """Every change from old to new, breaking ones first, each group sorted by kind and subject."""
    changes = [
        *_server_changes(old, new),
        *_operation_changes(old, new),
        *_union_changes(old, new),
        *_type_changes(old, new),
        *_field_changes(old, new),
        *_enum_changes(old, new),
    ]
    return sorted(changes, key=lambda c: (not c.breaking, c.kind, c.subject))


def _server_changes(old: Surface, new: Surface) -> Iterator[Change]:
    if old.server != new.server:
        yield Change(True, "server changed", new.server, f"was {old.server}")


def _operation_changes(old: Surface, new: Surface) -> Iterator[Change]:
    for name in sorted(old.operations.keys() - new.operations.keys()):
        yield Change(True, "operation removed", name, old.operations[name].http)
    for name in sorted(new.operations.keys() - old.operations.keys()):
        yield Change(False, "operation added", name, new.operations[name].http)
    for name in sorted(old.operations.keys() & new.operations.keys()):
        was, now = old.operations[name], new.operations[name]
        for what, before, after in (
            ("HTTP method and path", was.http, now.http),
            ("request body", was.body, now.body),
            ("response type", was.response, now.response),
        ):
            if before != after:
                yield Change(True, "operation changed", name, f"{what}: {before} -> {after}")
        if was.stream_event and not now.stream_event:
            yield Change(True, "operation changed", name, "no longer streams")
        elif now.stream_event and not was.stream_event:
            yield Change(False, "operation changed", name, f"can stream {now.stream_event}")
        elif was.stream_event != now.stream_event:
            yield Change(True, "operation changed", name, f"streams {now.stream_event}, was {was.stream_event}")
        yield from _compare_fields(f"{name}(", ")", was.params, now.params, noun="parameter")


def _union_changes(old: Surface, new: Surface) -> Iterator[Change]:
    for name in sorted(old.unions.keys() & new.unions.keys()):
        (old_key, old_tags), (new_key, new_tags) = old.unions[name], new.unions[name]
        if old_key != new_key:
            yield Change(True, "union changed", name, f"discriminator {old_key} -> {new_key}")
        for tag in sorted(old_tags.keys() - new_tags.keys()):
            yield Change(True, "variant removed", f"{name}[{tag}]", f"{new_key}={tag!r} was {old_tags[tag]}")
        for tag in sorted(new_tags.keys() - old_tags.keys()):
            yield Change(
                False,
                "variant added",
                f"{name}[{tag}]",
                f"{new_key}={tag!r} is {new_tags[tag]}; clients of {old.revision} get Unknown{name}",
            )
        for tag in sorted(old_tags.keys() & new_tags.keys()):
            if old_tags[tag] != new_tags[tag]:
                yield Change(True, "variant changed", f"{name}[{tag}]", f"model {old_tags[tag]} -> {new_tags[tag]}")


def _variant_models(mine: Surface, others: Surface) -> set[str]:
    """Models of variants only `mine` has: their addition or removal is reported with the variant."""
    return {
        model
        for name, (_, tags) in mine.unions.items()
        for tag, model in tags.items()
        if tag not in others.unions.get(name, ("", {}))[1]
    }


def _type_changes(old: Surface, new: Surface) -> Iterator[Change]:
    for name in sorted(old.kinds.keys() - new.kinds.keys() - _variant_models(old, new)):
        yield Change(True, "type removed", name, old.kinds[name])
    for name in sorted(new.kinds.keys() - old.kinds.keys() - _variant_models(new, old)):
        yield Change(False, "type added", name, new.kinds[name])
    for name in sorted(old.kinds.keys() & new.kinds.keys()):
        if old.kinds[name] != new.kinds[name]:
            yield Change(True, "type changed", name, f"{old.kinds[name]} -> {new.kinds[name]}")
        elif name in old.aliases and name in new.aliases and old.aliases[name] != new.aliases[name]:
            yield Change(True, "type changed", name, f"{old.aliases[name]} -> {new.aliases[name]}")


def _field_changes(old: Surface, new: Surface) -> Iterator[Change]:
    for model in sorted(old.fields.keys() & new.fields.keys()):
        yield from _compare_fields(f"{model}.", "", old.fields[model], new.fields[model], noun="field")


def _compare_fields(
    prefix: str, suffix: str, old: dict[str, FieldShape], new: dict[str, FieldShape], *, noun: str
) -> Iterator[Change]:
    def where(shape: FieldShape) -> str:
        return " and ".join(sorted(shape.sides)) or "unused"

    for name in sorted(old.keys() - new.keys()):
        yield Change(True, f"{noun} removed", f"{prefix}{name}{suffix}", f"{old[name].type}, {where(old[name])}")
    for name in sorted(new.keys() - old.keys()):
        shape = new[name]
        required_in_request = shape.required and REQUEST in shape.sides
        detail = f"{'required' if shape.required else 'optional'} {shape.type}, {where(shape)}"
        yield Change(required_in_request, f"{noun} added", f"{prefix}{name}{suffix}", detail)
    for name in sorted(old.keys() & new.keys()):
        was, now, subject = old[name], new[name], f"{prefix}{name}{suffix}"
        if was.type != now.type:
            yield Change(True, f"{noun} type changed", subject, f"{was.type} -> {now.type}")
        if now.required and not was.required:
            yield Change(REQUEST in now.sides, f"{noun} now required", subject, where(now))
        if was.required and not now.required:
            yield Change(RESPONSE in now.sides, f"{noun} now optional", subject, where(now))
        if now.deprecated and not was.deprecated:
            yield Change(False, f"{noun} deprecated", subject)


def _enum_changes(old: Surface, new: Surface) -> Iterator[Change]:
    for name in sorted(old.enums.keys() & new.enums.keys()):
        (was, _), (now, sides) = old.enums[name], new.enums[name]
        for value in [v for v in was if v not in now]:
            yield Change(REQUEST in sides, "enum value removed", f"{name}={value!r}")
        for value in [v for v in now if v not in was]:
            yield Change(False, "enum value added", f"{name}={value!r}", f"clients of {old.revision} keep it as a str")


# --------------------------------------------------------------------------- report


def report(old: Surface, new: Surface, changes: list[Change]) -> str:
    """The changelog as Markdown: a summary line, then the breaking and the other changes."""
    breaking = [c for c in changes if c.breaking]
    others = [c for c in changes if not c.breaking]
    lines = [
        f"# Interactions API changes: {old.revision} -> {new.revision}",
        "",
        f"For an application built on {old.revision}: {len(breaking)} breaking, {len(others)} non-breaking.",
    ]
    for title, group in (("Breaking", breaking), ("Non-breaking", others)):
        lines += ["", f"## {title}", ""]
        lines += [c.line() for c in group] or ["(none)"]
    return "\n".join(lines) + "\n"
