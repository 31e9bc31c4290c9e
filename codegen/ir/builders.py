"""Build the intermediate model from a loaded spec: the models, unions and aliases of
components.schemas, the request-side TypedDicts, and one operation per path and method."""

from __future__ import annotations

import keyword
from pathlib import Path
from typing import Any

from ..loader import HTTP_METHODS, LoadedSpec, SpecError, ref_name
from .names import one_line, pascal, python_name
from .nodes import (
    Alias,
    Api,
    Field,
    Model,
    OpenUnion,
    ParamDict,
    ParamField,
    ParamUnion,
    RuntimeBase,
    Variant,
)
from .operations import IDEMPOTENT_METHODS, BodyVariant, FixedHeader, Helper, Operation, Page, Param, Resource
from .reference import reference_sections
from .typing_rules import PARAM_SUFFIX, RequestTyper, is_model, model_type

API_PATH_PREFIX = "/{api_version}"
# What may come before /{api_version}: the media endpoints live under /upload (as Google's APIs put them).
PATH_PREFIXES = ("", "/upload")
# The page-token convention (AIP-158): a list takes `page_token` and answers `next_page_token` and one list.
PAGE_TOKEN_PARAM = "page_token"
NEXT_PAGE_TOKEN_FIELD = "next_page_token"
UPDATE_MASK_PARAM = "update_mask"
HELPER_TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "shared" / "_helpers"
DEFAULT_API_VERSION = "v1beta"
# Models that inherit hand-written behaviour from the runtime (which adds no fields).
RUNTIME_BASES = {
    "Interaction": RuntimeBase("_interaction_accessors", "InteractionAccessors"),
    "FunctionCallStep": RuntimeBase("_function_call", "FunctionCallMethods"),
}


def build_api(spec: LoadedSpec) -> Api:
    document = spec.document
    schemas = spec.schemas
    models = build_models(schemas)
    unions = build_unions(schemas, models)
    union_names = {u.name for u in unions}
    typer = RequestTyper(schemas, union_names)
    resources: dict[str, list[Operation]] = {}
    for path, item in document["paths"].items():
        for method in HTTP_METHODS:
            if method in item:
                operation = build_operation(path, method, item[method], typer, schemas, models)
                resources.setdefault(item[method]["x-sdk-resource"], []).append(operation)
    operations = [op for ops in resources.values() for op in ops]
    event_unions = {op.stream_event for op in operations if op.stream_event}
    if len(event_unions) != 1:
        raise SpecError(f"expected exactly one streamed event union, found {sorted(event_unions)}")
    body_roots = [v.model for op in operations for v in op.body_variants]
    param_dicts, param_unions = build_params(schemas, unions, body_roots)
    return Api(
        title=document["info"]["title"],
        revision=spec.revision,
        base_url=document["servers"][0]["url"].rstrip("/"),
        api_version=_api_version_default(document),
        resources=build_resources(resources),
        unions=unions,
        models=models,
        aliases=build_aliases(schemas, union_names),
        event_union=event_unions.pop(),
        param_dicts=param_dicts,
        param_unions=param_unions,
        reference=reference_sections(unions, models),
    )


def build_resources(operations: dict[str, list[Operation]]) -> tuple[Resource, ...]:
    """The top-level resources, sorted, each with its nested ones (`environments.files` under `environments`)."""

    def build(name: str) -> Resource:
        prefix = name + "."
        children = sorted(n for n in operations if n.startswith(prefix) and "." not in n[len(prefix) :])
        return Resource(
            name=name,
            class_name=resource_class_name(name),
            operations=tuple(operations.get(name, ())),
            children=tuple(build(child) for child in children),
            helper=find_helper(name),
        )

    tops = sorted({name.split(".", 1)[0] for name in operations})
    return tuple(build(name) for name in tops)


def resource_class_name(name: str) -> str:
    """`interactions` -> Interactions; `environments.files` -> EnvironmentFiles (the parent in the singular)."""
    *parents, last = name.split(".")
    return "".join(pascal(p.removesuffix("s")) for p in parents) + pascal(last)


def find_helper(name: str) -> Helper | None:
    """The hand-written mixin of a resource, when templates/shared/_helpers/ has one named after it."""
    module = name.replace(".", "_")
    if not (HELPER_TEMPLATES / f"{module}.py.j2").is_file():
        return None
    return Helper(
        template=f"shared/_helpers/{module}.py.j2", module=module, class_name=resource_class_name(name) + "Helpers"
    )


# ------------------------------------------------------------------------------- models, unions, aliases


def build_models(schemas: dict[str, Any]) -> tuple[Model, ...]:
    """A class per object schema with properties, in spec order."""
    return tuple(build_model(name, schema) for name, schema in schemas.items() if is_model(schema))


def build_model(name: str, schema: dict[str, Any]) -> Model:
    required = set(schema.get("required", []))
    return Model(
        name=name,
        fields=tuple(
            Field(
                name=prop,
                type=model_type(prop_schema),
                required=prop in required,
                description=one_line(prop_schema.get("description", "")),
                read_only=bool(prop_schema.get("readOnly")),
                write_only=bool(prop_schema.get("writeOnly")),
                deprecated=bool(prop_schema.get("deprecated")),
                refs=frozenset(ref_name(r) for r in _refs(prop_schema)),
            )
            for prop, prop_schema in schema.get("properties", {}).items()
        ),
        description=one_line(schema.get("description", "")),
        base=RUNTIME_BASES.get(name),
        refs=frozenset(ref_name(r) for r in _refs(schema)),
        schema=schema,
    )


def build_unions(schemas: dict[str, Any], models: tuple[Model, ...]) -> tuple[OpenUnion, ...]:
    """An open union per discriminated schema (the loader checked its conventions), in spec order."""
    by_name = {m.name: m for m in models}
    return tuple(build_union(name, schema, by_name) for name, schema in schemas.items() if "discriminator" in schema)


def build_union(name: str, schema: dict[str, Any], models: dict[str, Model]) -> OpenUnion:
    discriminator = schema["discriminator"]["propertyName"]
    variants = []
    for tag, ref in schema["discriminator"].get("mapping", {}).items():
        model = models[ref_name(ref)]
        variants.append(
            Variant(
                tag=tag,
                model=model.name,
                fields=tuple(f.name for f in model.fields if f.name != discriminator),
                required=tuple(f.name for f in model.fields if f.required and f.name != discriminator),
            )
        )
    return OpenUnion(
        name=name,
        discriminator=discriminator,
        variants=tuple(variants),
        description=one_line(schema.get("description", "")),
    )


def build_aliases(schemas: dict[str, Any], unions: set[str]) -> tuple[Alias, ...]:
    """A type alias per named schema that is neither a class nor an open union."""
    return tuple(
        build_alias(name, schema) for name, schema in schemas.items() if not is_model(schema) and name not in unions
    )


def build_alias(name: str, schema: dict[str, Any]) -> Alias:
    refs = {ref_name(r) for r in _refs(schema)}
    return Alias(
        name=name,
        type=model_type(schema),
        description=one_line(schema.get("description", "")),
        refs=frozenset(refs),
    )


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


# ------------------------------------------------------------------------------- request-side TypedDicts


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
    """TypedDicts for every object schema reachable from the request bodies `roots`, and unions of them."""
    by_name = {u.name: u for u in unions}
    typer = RequestTyper(schemas, set(by_name))
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
            dicts.append(build_param_dict(name, schema, typer))
    return tuple(dicts), tuple(param_unions)


def build_param_dict(name: str, schema: dict[str, Any], typer: RequestTyper) -> ParamDict:
    required = set(schema.get("required", []))
    fields = tuple(
        ParamField(
            name=prop,
            type=typer.type(prop_schema),
            required=prop in required,
            description=one_line(prop_schema.get("description", "")),
        )
        for prop, prop_schema in _writable(schema).items()
    )
    bad = [f.name for f in fields if not f.name.isidentifier() or keyword.iskeyword(f.name)]
    if bad:
        raise SpecError(f"{name}: property names {bad} cannot be TypedDict keys")
    return ParamDict(
        name=name + PARAM_SUFFIX,
        model=name,
        fields=fields,
        description=one_line(schema.get("description", "")),
    )


# ------------------------------------------------------------------------------- operations


def _api_version_default(document: dict[str, Any]) -> str:
    for item in document["paths"].values():
        for method in HTTP_METHODS:
            for param in item.get(method, {}).get("parameters", []):
                if param["name"] == "api_version":
                    return str(param["schema"].get("default", DEFAULT_API_VERSION))
    return DEFAULT_API_VERSION


def build_operation(
    path: str,
    method: str,
    operation: dict[str, Any],
    typer: RequestTyper,
    schemas: dict[str, Any],
    models: tuple[Model, ...] = (),
) -> Operation:
    """One client method: its arguments by where they go, its body's shapes, what it returns and streams."""
    prefix = next((p for p in PATH_PREFIXES if path.startswith(p + API_PATH_PREFIX)), None)
    if prefix is None:
        raise SpecError(f"{path}: paths must start with {API_PATH_PREFIX} (or /upload{API_PATH_PREFIX})")
    path_params, query_params, header_params, fixed_headers = _parameters(operation, typer)
    body_params: list[Param] = []
    body_model = None
    body_variants: tuple[BodyVariant, ...] = ()
    body_ref = _content_ref(operation.get("requestBody", {}), "application/json")
    if body_ref:
        body_model = ref_name(body_ref)
        body_params = _body_params(schemas, body_model, typer)
        body_variants = _body_variants(schemas, body_model)
    response = operation.get("responses", {}).get("200", {})
    response_ref = _content_ref(response, "application/json")
    event_ref = _content_ref(response, "text/event-stream")
    stream_param = None
    if operation.get("x-sdk-stream"):
        stream_param = _pop_stream_switch(body_params, query_params)
        if stream_param is None or not event_ref:
            raise SpecError(
                f"{operation['operationId']}: x-sdk-stream needs a `stream` field and an event-stream response"
            )
    response_model = ref_name(response_ref) if response_ref else None
    update_mask = next((p for p in query_params if p.wire_name == UPDATE_MASK_PARAM), None) if body_params else None
    return Operation(
        name=operation["x-sdk-method"],
        operation_id=operation["operationId"],
        http_method=method.upper(),
        path=path[len(prefix + API_PATH_PREFIX) :],
        summary=one_line(operation.get("summary", "")),
        path_params=tuple(path_params),
        query_params=tuple(query_params),
        body_params=tuple(body_params),
        body_model=body_model,
        body_variants=body_variants,
        response_model=response_model,
        stream_event=ref_name(event_ref) if event_ref else None,
        stream_param=stream_param,
        header_params=tuple(header_params),
        fixed_headers=tuple(fixed_headers),
        path_prefix=prefix,
        idempotent=bool(operation.get("x-sdk-idempotent", method.upper() in IDEMPOTENT_METHODS)),
        update_mask=update_mask,
        page=_page(query_params, response_model, {m.name: m for m in models}),
        response_headers=tuple(response.get("headers", {})),
        continues=bool(operation.get("x-sdk-continuation")),
        required_unless=_required_unless(schemas, body_model) if body_model else (),
    )


def _page(query_params: list[Param], response_model: str | None, models: dict[str, Model]) -> Page | None:
    """The page-token convention, recognised: a `page_token` argument and a response with `next_page_token`
    and exactly one list (the items)."""
    model = models.get(response_model or "")
    if model is None or not any(p.wire_name == PAGE_TOKEN_PARAM for p in query_params):
        return None
    names = {f.name for f in model.fields}
    lists = [f for f in model.fields if f.type.render().startswith("list[")]
    if NEXT_PAGE_TOKEN_FIELD not in names or len(lists) != 1:
        return None
    items = lists[0]
    item = items.type.children()[0]
    return Page(
        items_field=items.name,
        item=item,
        token_param=python_name(PAGE_TOKEN_PARAM),
        token_field=NEXT_PAGE_TOKEN_FIELD,
        response_fields=tuple(
            (f.name, f.type.render() if f.required else f"{f.type.render()} | None") for f in model.fields
        ),
        refs=frozenset(name for f in model.fields for name in f.type.refs),
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


def _content_ref(holder: dict[str, Any], media_type: str) -> str | None:
    """The schema $ref a request body or response declares for one media type."""
    ref = holder.get("content", {}).get(media_type, {}).get("schema", {}).get("$ref")
    return ref if isinstance(ref, str) else None


def _parameters(
    operation: dict[str, Any], typer: RequestTyper
) -> tuple[list[Param], list[Param], list[Param], list[FixedHeader]]:
    """The path, query and header parameters in declaration order (api_version is the client's), and the
    headers whose value is fixed (`const`), which are sent rather than asked for."""
    found: dict[str, list[Param]] = {"path": [], "query": [], "header": []}
    fixed: list[FixedHeader] = []
    for raw in operation.get("parameters", []):
        if raw["name"] == "api_version":
            continue
        if raw["in"] not in found:
            raise SpecError(
                f"{operation['operationId']}: parameter {raw['name']} is in {raw['in']}; only path, query, header are"
            )
        schema = raw.get("schema", {})
        if raw["in"] == "header" and "const" in schema:
            fixed.append(FixedHeader(name=raw["name"], value=str(schema["const"])))
            continue
        found[raw["in"]].append(
            Param(
                name=_argument_name(raw["name"], raw["in"]),
                wire_name=raw["name"],
                location=raw["in"],
                type=typer.type(schema),
                required=bool(raw.get("required")),
                description=one_line(raw.get("description", "")),
                allow_reserved=bool(raw.get("x-sdk-allow-reserved")),
            )
        )
    return found["path"], found["query"], found["header"], fixed


def _argument_name(wire_name: str, location: str) -> str:
    """A header `X-Goog-Upload-Header-Content-Length` is the argument `upload_header_content_length`."""
    if location == "header":
        return python_name(wire_name.lower().removeprefix("x-goog-"))
    return python_name(wire_name)


def _pop_stream_switch(*candidates: list[Param]) -> Param | None:
    """Take the `stream` argument out of the body (or else the query) parameters: it selects the return type."""
    for params in candidates:
        for param in params:
            if param.wire_name == "stream":
                params.remove(param)
                return param
    return None


def _body_params(schemas: dict[str, Any], name: str, typer: RequestTyper) -> list[Param]:
    """Keyword arguments for a request body: the properties of every variant of the body.

    A property is a required keyword only when every variant requires it (model vs agent)."""
    variants = [schemas[variant] for variant in body_variant_names(schemas, name)]
    merged: dict[str, dict[str, Any]] = {}
    for variant in variants:
        for prop, prop_schema in variant.get("properties", {}).items():
            if not prop_schema.get("readOnly"):  # output-only fields are not arguments
                merged.setdefault(prop, prop_schema)
    discriminator = schemas[name].get("discriminator", {}).get("propertyName")
    if discriminator in merged:
        # The tag of a discriminated body takes any variant's value (open: a newer variant's too).
        tags = tuple(schemas[name]["discriminator"].get("mapping", {}))
        merged[discriminator] = {**merged[discriminator], "enum": list(tags)}
        merged[discriminator].pop("const", None)
    return [
        Param(
            name=python_name(prop),
            wire_name=prop,
            location="body",
            type=typer.type(prop_schema, accept_models=True),
            required=all(prop in v.get("required", []) for v in variants),
            description=one_line(prop_schema.get("description", "")),
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
    if "discriminator" in schemas[name]:
        return (BodyVariant(selector="", model=name),)  # the open union validates it, by its tag
    variants = []
    for variant in names:
        others = {r for other in names if other != variant for r in schemas[other].get("required", [])}
        required = set(schemas[variant].get("required", [])) - others
        own = [p for p in schemas[variant].get("properties", {}) if p in required]
        if not own:
            raise SpecError(f"{name}: variant {variant} needs a required property no other variant requires")
        variants.append(BodyVariant(selector=own[0], model=variant))
    return tuple(variants)
