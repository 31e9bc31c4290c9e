"""The intermediate model: what the templates render, built from a loaded spec.

All decisions about names, Python types and method signatures are made here so that the
templates only lay the result out."""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, field
from typing import Any

from .loader import HTTP_METHODS, LoadedSpec, SpecError, ref_name


@dataclass(frozen=True)
class Variant:
    tag: str
    model: str
    fields: tuple[str, ...] = ()
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
    expression: str  # Python type expression
    description: str
    depends_on: frozenset[str]

    @property
    def docstring(self) -> str:
        return self.description or f"The {self.name} type of the API."


@dataclass(frozen=True)
class ParamField:
    """One key of a request-side TypedDict, by its wire name."""

    name: str
    annotation: str  # Python type expression, without Required[]
    required: bool
    description: str

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


@dataclass(frozen=True)
class BodyVariant:
    """One shape of a request body, chosen by the keyword argument only it requires."""

    selector: str  # wire name of that argument: "model" or "agent"
    model: str  # the request model that validates the body


@dataclass(frozen=True)
class Param:
    """One keyword (or positional path) argument of a client method."""

    name: str  # Python identifier
    wire_name: str  # name on the wire (path, query or body)
    location: str  # "path" | "query" | "body"
    annotation: str  # Python type expression for the signature
    required: bool
    description: str
    expected: str = ""  # the API's type of the value, for error messages: "list[Tool]"

    @property
    def signature(self) -> str:
        if self.required:
            return f"{self.name}: {self.annotation}"
        return f"{self.name}: {self.annotation} | None = None"


@dataclass(frozen=True)
class SdkParam:
    """A keyword argument the SDK adds to a method (no wire field): `automatic_continuation`, ..."""

    name: str
    annotation: str
    default: str  # Python expression
    description: str

    @property
    def signature(self) -> str:
        return f"{self.name}: {self.annotation} = {self.default}"


# What `x-sdk-continuation: true` adds to a create method (see runtime/_continuation.py).
CONTINUATION_PARAMS = (
    SdkParam(
        "automatic_continuation",
        "bool",
        "True",
        "Continue an answer that stops with status requires_continuation, hop by hop, into one Interaction "
        "(False: return each hop as it is).",
    ),
    SdkParam("max_continuations", "int", "DEFAULT_MAX_CONTINUATIONS", "Most continuation hops of one call."),
    SdkParam(
        "deadline",
        "float | None",
        "None",
        "Seconds for the whole call (hops, retries, reconnects); `timeout` bounds each request.",
    ),
)
# Idempotent by HTTP semantics (RFC 9110) when the spec does not say (`x-sdk-idempotent`).
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


@dataclass(frozen=True)
class Operation:
    name: str  # Python method name: create, get, ...
    operation_id: str
    http_method: str  # "GET", "POST", ...
    path: str  # relative to /{api_version}, e.g. "/interactions/{id}"
    summary: str
    path_params: tuple[Param, ...]
    query_params: tuple[Param, ...]
    body_params: tuple[Param, ...]
    body_model: str | None  # type that validates the whole body, if any
    body_variants: tuple[BodyVariant, ...]  # the body's shapes, for checking arguments before sending
    response_model: str | None  # None: the response body is ignored (returns None)
    stream_event: str | None  # event union when the operation can stream
    stream_param: Param | None  # the `stream` switch (body or query), popped from the params
    idempotent: bool = True  # may be sent again after it may have taken effect (x-sdk-idempotent)
    continues: bool = False  # automatic continuation of a requires_continuation answer (x-sdk-continuation)
    # Body fields required unless one of the others is given (x-sdk-required-unless).
    required_unless: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def sdk_params(self) -> tuple[SdkParam, ...]:
        return CONTINUATION_PARAMS if self.continues else ()

    @property
    def unary_call(self) -> str:
        """The client call that answers the non-streaming request (continued hop by hop, or sent once)."""
        if self.continues:
            return f"_continued(continuation, adapter_for({self.response_type}))"
        return f"_request(request, adapter_for({self.response_type}))"

    @property
    def stream_continuation_arg(self) -> str:
        return "continuation=continuation," if self.continues else ""

    @property
    def body_check_required_unless(self) -> str:
        """`{wire field: (alternatives, ...)}` as a Python literal, for the BodyCheck."""
        return "{" + ", ".join(f"{field!r}: {others!r}" for field, others in self.required_unless) + "}"

    @property
    def can_stream(self) -> bool:
        return self.stream_event is not None

    @property
    def has_body(self) -> bool:
        return self.body_model is not None

    @property
    def response_type(self) -> str:
        return self.response_model or "dict[str, Any]"

    def return_annotation(self, stream_class: str) -> str:
        if self.stream_event is None:
            return self.response_type
        return f"{self.response_type} | {stream_class}[{self.stream_event}]"

    @property
    def docstring(self) -> str:
        lines = [self.summary or f"{self.http_method} {self.path}"]
        documented = [p for p in (*self.path_params, *self.keyword_params, *self.sdk_params) if p.description]
        if documented:
            lines += ["", "Args:"] + [f"    {p.name}: {p.description}" for p in documented]
        return "\n".join(lines).replace('"' * 3, "'" * 3)

    def _stream_item(self, location: str) -> str:
        param = self.stream_param
        if param is None or param.location != location:
            return ""
        # Sent only when true, so the non-streaming call's body stays what the user wrote.
        return f'"{param.wire_name}": {param.name} or None'

    @property
    def stream_query_item(self) -> str:
        return self._stream_item("query")

    @property
    def stream_body_item(self) -> str:
        return self._stream_item("body")

    @property
    def stream_resume_args(self) -> str:
        """Keyword arguments telling a stream which interaction it reads, when the call names it."""
        args = [f"interaction_id={p.name}," for p in self.path_params if p.wire_name == "id"]
        args += [f"last_event_id={p.name}," for p in self.query_params if p.wire_name == "last_event_id"]
        return " ".join(args)

    @property
    def type_names(self) -> set[str]:
        """Identifiers the method's signature uses."""
        text = " ".join(
            [p.annotation for p in (*self.path_params, *self.query_params, *self.body_params)]
            + [self.response_type, self.stream_event or ""]
            + [v.model for v in self.body_variants]
        )
        return set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))

    @property
    def body_check_name(self) -> str:
        """The module-level BodyCheck that validates this operation's arguments before sending."""
        return f"{self.name.upper()}_BODY"

    @property
    def body_check_arguments(self) -> str:
        """`{wire name: (argument, expected type)}` as a Python literal, for the BodyCheck's messages."""
        items = (f"{p.wire_name!r}: ({p.name!r}, {p.expected!r})" for p in self.body_params)
        return "{" + ", ".join(items) + "}"

    @property
    def body_check_variants(self) -> str:
        """`{selecting argument: request model}` as a Python expression."""
        return "{" + ", ".join(f"{v.selector!r}: {v.model}" for v in self.body_variants) + "}"

    @property
    def keyword_params(self) -> tuple[Param, ...]:
        params = (*self.query_params, *self.body_params)
        return tuple(sorted(params, key=lambda p: not p.required))

    @property
    def positional_params(self) -> tuple[Param, ...]:
        return self.path_params

    @property
    def path_expression(self) -> str:
        """The path as a Python expression: a string, or an f-string over the quoted path parameters."""
        result = self.path
        for param in self.path_params:
            result = result.replace("{" + param.wire_name + "}", "{_quote(" + param.name + ")}")
        return f'f"{result}"' if self.path_params else f'"{result}"'


# Resources with a hand-written helper layer (codegen/templates/shared/_helpers/<name>.py.j2), which
# the generated resource class inherits: resource name -> the helper class.
HELPER_MIXINS = {"interactions": "InteractionsHelpers"}


@dataclass(frozen=True)
class Resource:
    name: str  # attribute on the client: "interactions"
    class_name: str  # "Interactions"
    operations: tuple[Operation, ...]
    schema_names: frozenset[str] = frozenset()

    @property
    def helper_template(self) -> str | None:
        """The template of this resource's helper layer, if it has one."""
        return f"shared/_helpers/{self.name}.py.j2" if self.name in HELPER_MIXINS else None

    @property
    def helper_imports(self) -> list[str]:
        return [f"from .._helpers.{self.name} import {HELPER_MIXINS[self.name]}"] if self.name in HELPER_MIXINS else []

    @property
    def bases(self) -> str:
        """The class statement's base list: the helper layer, or nothing."""
        return f"({HELPER_MIXINS[self.name]})" if self.name in HELPER_MIXINS else ""

    @property
    def type_imports(self) -> list[str]:
        """The generated types the resource module needs, sorted."""
        used: set[str] = set()
        for operation in self.operations:
            used |= operation.type_names
        return sorted(used & self.schema_names)


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


def _markdown_cell(text: str) -> str:
    return text.replace("|", "\\|")


def _reference_type(schema: dict[str, Any], schemas: dict[str, Any]) -> str:
    """A type as the reference shows it: like the models' annotations, long enums abridged."""
    if "enum" in schema and len(schema["enum"]) > 4:
        return f"str ({len(schema['enum'])} known values)"
    if schema.get("type") == "array" and "enum" in schema.get("items", {}):
        return f"list[{_reference_type(schema['items'], schemas)}]"
    return model_type(schema, schemas)


def reference_sections(unions: tuple[OpenUnion, ...], schemas: dict[str, Any]) -> tuple[ReferenceSection, ...]:
    """The type reference of every open union, in spec order: events, steps, deltas, content, tools, ..."""
    sections = []
    for union in unions:
        rows = []
        for variant in union.variants:
            schema = schemas[variant.model]
            required = set(schema.get("required", []))
            fields = ", ".join(
                f"`{prop}`{'' if prop in required else '?'}: {_markdown_cell(_reference_type(prop_schema, schemas))}"
                for prop, prop_schema in schema.get("properties", {}).items()
                if prop != union.discriminator
            )
            rows.append(
                ReferenceRow(
                    tag=variant.tag,
                    model=variant.model,
                    fields=fields or "(none)",
                    description=_markdown_cell(_one_line(schema.get("description", ""))),
                )
            )
        sections.append(
            ReferenceSection(
                union=union.name,
                discriminator=union.discriminator,
                description=union.description,
                unknown_model=union.unknown_model,
                rows=tuple(rows),
            )
        )
    return tuple(sections)


@dataclass(frozen=True)
class Api:
    title: str
    revision: str
    base_url: str
    api_version: str
    resources: tuple[Resource, ...]
    unions: tuple[OpenUnion, ...]
    models: tuple[str, ...]  # every object schema with properties, in spec order
    aliases: tuple[Alias, ...]
    event_union: str
    param_dicts: tuple[ParamDict, ...]  # request-side TypedDicts
    param_unions: tuple[ParamUnion, ...]
    schemas: dict[str, Any] = field(repr=False, compare=False)

    @property
    def reference(self) -> tuple[ReferenceSection, ...]:
        return reference_sections(self.unions, self.schemas)

    @property
    def param_names(self) -> list[str]:
        return [p.name for p in self.param_dicts] + [u.name for u in self.param_unions]

    @property
    def param_enum_imports(self) -> list[str]:
        """The model-side enum aliases the TypedDicts name."""
        text = " ".join(f.annotation for p in self.param_dicts for f in p.fields)
        used = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))
        return sorted(a.name for a in self.aliases if a.name in used)

    @property
    def package_version(self) -> str:
        """The package version names the revision it pins: 2026-05-20 -> 2026.5.20 (PEP 440)."""
        year, month, day = (int(part) for part in self.revision.split("-"))
        return f"{year}.{month}.{day}"

    def definitions_in_order(self) -> list[OpenUnion | Alias]:
        """Unions and aliases, each after the aliases it names (their values are evaluated eagerly)."""
        pending: dict[str, OpenUnion | Alias] = {u.name: u for u in self.unions}
        pending.update({a.name: a for a in self.aliases})
        ordered: list[OpenUnion | Alias] = []
        done: set[str] = set()

        def visit(name: str, trail: tuple[str, ...]) -> None:
            if name in done or name not in pending:
                return
            if name in trail:
                raise SpecError(f"type aliases refer to each other in a cycle: {' -> '.join(trail + (name,))}")
            item = pending[name]
            for dep in sorted(item.depends_on if isinstance(item, Alias) else ()):
                visit(dep, trail + (name,))
            done.add(name)
            ordered.append(item)

        for name in pending:
            visit(name, ())
        return ordered


def python_name(name: str) -> str:
    cleaned = re.sub(r"\W", "_", name)
    return cleaned + "_" if keyword.iskeyword(cleaned) else cleaned


def build_api(spec: LoadedSpec) -> Api:
    document = spec.document
    schemas = spec.schemas
    unions = tuple(
        _build_union(name, schema)
        for name, schema in schemas.items()
        if isinstance(schema, dict) and "discriminator" in schema
    )
    union_names = {u.name for u in unions}
    typer = _Typer(schemas, union_names)
    resources: dict[str, list[Operation]] = {}
    event_unions: set[str] = set()
    for path, item in document["paths"].items():
        for method in HTTP_METHODS:
            if method in item:
                operation = _build_operation(path, method, item[method], typer, schemas)
                resources.setdefault(item[method]["x-sdk-resource"], []).append(operation)
                if operation.stream_event:
                    event_unions.add(operation.stream_event)
    if len(event_unions) != 1:
        raise SpecError(f"expected exactly one streamed event union, found {sorted(event_unions)}")
    parameters = _api_version_default(document)
    body_roots = [
        variant
        for ops in resources.values()
        for op in ops
        if op.body_model
        for variant in body_variant_names(schemas, op.body_model)
    ]
    all_unions = tuple(_with_shapes(u, schemas) for u in unions)
    param_dicts, param_unions = build_params(schemas, all_unions, body_roots)
    type_names = frozenset(schemas) | {p.name for p in param_dicts} | {u.name for u in param_unions}
    return Api(
        title=document["info"]["title"],
        revision=spec.revision,
        base_url=document["servers"][0]["url"].rstrip("/"),
        api_version=parameters,
        resources=tuple(
            Resource(name=name, class_name=_pascal(name), operations=tuple(ops), schema_names=type_names)
            for name, ops in sorted(resources.items())
        ),
        unions=all_unions,
        models=tuple(n for n, s in schemas.items() if is_model(s)),
        aliases=tuple(
            _build_alias(name, schema, schemas, union_names)
            for name, schema in schemas.items()
            if not is_model(schema) and name not in union_names
        ),
        event_union=event_unions.pop(),
        param_dicts=param_dicts,
        param_unions=param_unions,
        schemas=schemas,
    )


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[_\W]+", name) if part)


def _is_object(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "object" and "discriminator" not in schema


def is_model(schema: dict[str, Any]) -> bool:
    """Object schemas with properties become classes; everything else becomes a type alias."""
    return _is_object(schema) and bool(schema.get("properties")) and "oneOf" not in schema and "anyOf" not in schema


def _build_alias(name: str, schema: dict[str, Any], schemas: dict[str, Any], unions: set[str]) -> Alias:
    expression = model_type(schema, schemas)
    refs = {ref_name(r) for r in _refs(schema)}
    return Alias(
        name=name,
        expression=expression,
        description=_one_line(schema.get("description", "")),
        depends_on=frozenset(r for r in refs if not is_model(schemas[r])),
    )


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def model_type(schema: dict[str, Any], schemas: dict[str, Any]) -> str:
    """The Python type expression of a schema on the model side (exact types, open enums)."""
    if "$ref" in schema:
        return ref_name(schema["$ref"])
    for key in ("oneOf", "anyOf"):
        if key in schema and "discriminator" not in schema:
            members = [model_type(member, schemas) for member in schema[key]]
            return " | ".join(dict.fromkeys(members))
    if "enum" in schema:
        literals = ", ".join(repr(v) for v in schema["enum"])
        return f"Literal[{literals}] | str"
    kind = schema.get("type")
    if kind == "array":
        return f"list[{model_type(schema.get('items', {}), schemas)}]"
    if kind == "object":
        return "dict[str, Any]"
    return {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}.get(str(kind), "Any")


def _api_version_default(document: dict[str, Any]) -> str:
    for item in document["paths"].values():
        for method in HTTP_METHODS:
            for param in item.get(method, {}).get("parameters", []):
                if param["name"] == "api_version":
                    return str(param["schema"].get("default", "v1beta"))
    return "v1beta"


def _build_union(name: str, schema: dict[str, Any]) -> OpenUnion:
    discriminator = schema["discriminator"]
    mapping = discriminator.get("mapping", {})
    return OpenUnion(
        name=name,
        discriminator=discriminator["propertyName"],
        variants=tuple(Variant(tag=tag, model=ref_name(ref)) for tag, ref in mapping.items()),
        description=_one_line(schema.get("description", "")),
    )


def split_union(expression: str) -> list[str]:
    """The members of a `A | B[C | D]` type expression (only top-level bars split)."""
    parts: list[str] = []
    depth = 0
    current = ""
    for char in expression:
        depth += char in "[(" and 1 or 0
        depth -= char in "])" and 1 or 0
        if char == "|" and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    parts.append(current.strip())
    return parts


def _with_shapes(union: OpenUnion, schemas: dict[str, Any]) -> OpenUnion:
    variants = tuple(
        Variant(
            tag=v.tag,
            model=v.model,
            fields=tuple(p for p in schemas[v.model].get("properties", {}) if p != union.discriminator),
            required=tuple(p for p in schemas[v.model].get("required", []) if p != union.discriminator),
        )
        for v in union.variants
    )
    return OpenUnion(union.name, union.discriminator, variants, union.description)


def _one_line(text: str) -> str:
    return " ".join(text.split())


PARAM_SUFFIX = "Param"


class _Typer:
    """Python type expressions for request-side values: TypedDicts named `…Param`, open enums, Sequences.

    At the top of a method signature (`accept_models`) a typed model is accepted as well as its TypedDict;
    inside a TypedDict only the TypedDicts are, so a plain dict literal is checked key by key."""

    def __init__(self, schemas: dict[str, Any], unions: set[str]) -> None:
        self.schemas = schemas
        self.unions = unions

    def annotation(self, schema: dict[str, Any], *, accept_models: bool = False) -> str:
        if "$ref" in schema:
            name = ref_name(schema["$ref"])
            target = self.schemas[name]
            if name in self.unions or is_model(target):
                return f"{name}{PARAM_SUFFIX} | {name}" if accept_models else f"{name}{PARAM_SUFFIX}"
            if "enum" in target:
                return name
            return self.annotation(target, accept_models=accept_models)
        for key in ("oneOf", "anyOf"):
            if key in schema:
                members = [
                    part
                    for member in schema[key]
                    for part in split_union(self.annotation(member, accept_models=accept_models))
                ]
                return " | ".join(dict.fromkeys(_merge_sequences(members)))
        if "const" in schema:
            return f"Literal[{schema['const']!r}]"
        kind = schema.get("type")
        if kind == "array":
            return f"Sequence[{self.annotation(schema.get('items', {}), accept_models=accept_models)}]"
        if kind == "object":
            values = schema.get("additionalProperties")
            if isinstance(values, dict) and values:
                return f"Mapping[str, {self.annotation(values, accept_models=accept_models)}]"
            return "Mapping[str, Any]"
        if "enum" in schema:
            literals = ", ".join(repr(v) for v in schema["enum"])
            return f"Literal[{literals}] | str"
        return {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}.get(str(kind), "Any")

    def expected(self, schema: dict[str, Any]) -> str:
        """The API's type of a value, as error messages name it: one alias deep, model-side names."""
        if "$ref" in schema:
            name = ref_name(schema["$ref"])
            target = self.schemas[name]
            if "enum" in target:
                return f"{name} (a string)"
            if name in self.unions or is_model(target):
                return name
            return model_type(target, self.schemas)
        values = schema.get("additionalProperties")
        if schema.get("type") == "object" and isinstance(values, dict) and values:
            return f"dict[str, {model_type(values, self.schemas)}]"
        return model_type(schema, self.schemas)


def _merge_sequences(members: list[str]) -> list[str]:
    """`Sequence[A] | Sequence[B]` as `Sequence[A | B]`: a type checker cannot infer a list literal's
    items against two sequence types, so `input=[{"type": "text", ...}]` would be rejected."""
    sequences = [m for m in members if m.startswith("Sequence[")]
    if len(sequences) < 2:
        return members
    items = [item for m in sequences for item in split_union(m[len("Sequence[") : -1])]
    first = members.index(sequences[0])
    others = [m for m in members if m not in sequences]
    return others[:first] + ["Sequence[" + " | ".join(dict.fromkeys(items)) + "]"] + others[first:]


def _writable(schema: dict[str, Any]) -> dict[str, Any]:
    """The properties a request may carry: all but the output-only ones."""
    return {name: prop for name, prop in schema.get("properties", {}).items() if not prop.get("readOnly")}


def _request_side_names(schemas: dict[str, Any], roots: list[str]) -> list[str]:
    """Every named schema a request body can contain, in spec order."""
    seen: set[str] = set()
    pending = [ref_name(r) for root in roots for r in _refs(_writable(schemas[root]))]
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        schema = schemas[name]
        pending += [ref_name(r) for r in _refs({**schema, "properties": _writable(schema)})]
    return [name for name in schemas if name in seen]


def build_params(
    schemas: dict[str, Any], unions: tuple[OpenUnion, ...], roots: list[str]
) -> tuple[tuple[ParamDict, ...], tuple[ParamUnion, ...]]:
    """TypedDicts for every object schema reachable from the request bodies, and unions of them."""
    by_name = {u.name: u for u in unions}
    typer = _Typer(schemas, set(by_name))
    dicts: list[ParamDict] = []
    param_unions: list[ParamUnion] = []
    for name in _request_side_names(schemas, roots):
        schema = schemas[name]
        if name in by_name:
            union = by_name[name]
            param_unions.append(
                ParamUnion(
                    name=name + PARAM_SUFFIX,
                    model=name,
                    members=tuple(v.model + PARAM_SUFFIX for v in union.variants),
                    description=union.description,
                )
            )
        elif is_model(schema):
            required = set(schema.get("required", []))
            fields = tuple(
                ParamField(
                    name=prop,
                    annotation=typer.annotation(prop_schema),
                    required=prop in required,
                    description=_one_line(prop_schema.get("description", "")),
                )
                for prop, prop_schema in _writable(schema).items()
            )
            bad = [f.name for f in fields if not f.name.isidentifier() or keyword.iskeyword(f.name)]
            if bad:
                raise SpecError(f"{name}: property names {bad} cannot be TypedDict keys")
            dicts.append(
                ParamDict(
                    name=name + PARAM_SUFFIX,
                    model=name,
                    fields=fields,
                    description=_one_line(schema.get("description", "")),
                )
            )
    return tuple(dicts), tuple(param_unions)


def _build_operation(
    path: str, method: str, operation: dict[str, Any], typer: _Typer, schemas: dict[str, Any]
) -> Operation:
    prefix = "/{api_version}"
    if not path.startswith(prefix):
        raise SpecError(f"{path}: paths must start with {prefix}")
    path_params: list[Param] = []
    query_params: list[Param] = []
    for raw in operation.get("parameters", []):
        if raw["name"] == "api_version":
            continue
        param = Param(
            name=python_name(raw["name"]),
            wire_name=raw["name"],
            location=raw["in"],
            annotation=typer.annotation(raw.get("schema", {})),
            required=bool(raw.get("required")),
            description=_one_line(raw.get("description", "")),
        )
        (path_params if raw["in"] == "path" else query_params).append(param)
    body_params: list[Param] = []
    body_model = None
    body_variants: tuple[BodyVariant, ...] = ()
    body_ref = (
        operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")
    )
    if body_ref:
        body_model = ref_name(body_ref)
        body_params = _body_params(schemas, body_model, typer)
        body_variants = _body_variants(schemas, body_model)
    responses = operation.get("responses", {}).get("200", {}).get("content", {})
    response_ref = responses.get("application/json", {}).get("schema", {}).get("$ref")
    event_ref = responses.get("text/event-stream", {}).get("schema", {}).get("$ref")
    stream_param = None
    if operation.get("x-sdk-stream"):
        for params in (body_params, query_params):
            for param in params:
                if param.wire_name == "stream":
                    stream_param = param
                    params.remove(param)
                    break
        if stream_param is None or not event_ref:
            raise SpecError(
                f"{operation['operationId']}: x-sdk-stream needs a `stream` field and an event-stream response"
            )
    return Operation(
        name=operation["x-sdk-method"],
        operation_id=operation["operationId"],
        http_method=method.upper(),
        path=path[len(prefix) :],
        summary=_one_line(operation.get("summary", "")),
        path_params=tuple(path_params),
        query_params=tuple(query_params),
        body_params=tuple(body_params),
        body_model=body_model,
        body_variants=body_variants,
        response_model=ref_name(response_ref) if response_ref else None,
        stream_event=ref_name(event_ref) if event_ref else None,
        stream_param=stream_param,
        idempotent=bool(operation.get("x-sdk-idempotent", method.upper() in IDEMPOTENT_METHODS)),
        continues=bool(operation.get("x-sdk-continuation")),
        required_unless=_required_unless(schemas, body_model) if body_model else (),
    )


def _required_unless(schemas: dict[str, Any], name: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The body's `x-sdk-required-unless` (the same on every variant, or absent from all)."""
    marks = {
        tuple((field, tuple(others)) for field, others in schemas[variant].get("x-sdk-required-unless", {}).items())
        for variant in body_variant_names(schemas, name)
    }
    if len(marks) > 1:
        raise SpecError(f"{name}: every variant must carry the same x-sdk-required-unless")
    return marks.pop()


def _body_params(schemas: dict[str, Any], name: str, typer: _Typer) -> list[Param]:
    """Keyword arguments for a request body: the properties of every variant of the body.

    A property is a required keyword only when every variant requires it (model vs agent)."""
    variants = [schemas[variant] for variant in body_variant_names(schemas, name)]
    merged: dict[str, dict[str, Any]] = {}
    for variant in variants:
        for prop, prop_schema in variant.get("properties", {}).items():
            if not prop_schema.get("readOnly"):  # output-only fields are not arguments
                merged.setdefault(prop, prop_schema)
    return [
        Param(
            name=python_name(prop),
            wire_name=prop,
            location="body",
            annotation=typer.annotation(prop_schema, accept_models=True),
            required=all(prop in v.get("required", []) for v in variants),
            description=_one_line(prop_schema.get("description", "")),
            expected=typer.expected(prop_schema),
        )
        for prop, prop_schema in merged.items()
    ]


def body_variant_names(schemas: dict[str, Any], name: str) -> list[str]:
    """The object schemas a request body can be: the members of its oneOf, or itself."""
    schema = schemas[name]
    return [ref_name(m["$ref"]) for m in schema["oneOf"]] if "oneOf" in schema else [name]


def _body_variants(schemas: dict[str, Any], name: str) -> tuple[BodyVariant, ...]:
    """Each body shape with the argument that selects it: required there and nowhere else (the first such, in
    declaration order, when a variant has several; `agent` rather than a field only agents need)."""
    names = body_variant_names(schemas, name)
    if len(names) == 1:
        return (BodyVariant(selector="", model=names[0]),)
    variants = []
    for variant in names:
        others = {r for other in names if other != variant for r in schemas[other].get("required", [])}
        required = set(schemas[variant].get("required", [])) - others
        own = [p for p in schemas[variant].get("properties", {}) if p in required]
        if not own:
            raise SpecError(f"{name}: variant {variant} needs a required property no other variant requires")
        variants.append(BodyVariant(selector=own[0], model=variant))
    return tuple(variants)
