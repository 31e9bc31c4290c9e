"""Operation nodes: one client method per path and HTTP method, grouped into resources.

New kinds of operation (list pages, raw-body uploads, custom `:verb` methods) are new fields here,
read from the spec in builders.build_operation, so the resource template only lays them out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeAlias

from .types import ANY, Ref, TypeExpr, dict_of


@dataclass(frozen=True)
class BodyVariant:
    """One shape of a request body, chosen by the keyword argument only it requires."""

    selector: str  # wire name of that argument: "model" or "agent"
    model: str  # the request model that validates the body


ParamLocation: TypeAlias = Literal["path", "query", "header", "body"]


@dataclass(frozen=True)
class Param:
    """One keyword (or positional path) argument of a client method."""

    name: str  # Python identifier
    wire_name: str  # name on the wire (path, query or body)
    location: ParamLocation
    type: TypeExpr  # the signature's type
    required: bool
    description: str
    expected: str = ""  # the API's type of the value, for error messages: "list[Tool]"
    allow_reserved: bool = False  # a path parameter whose `/` separate segments (an environment file's path)

    @property
    def annotation(self) -> str:
        return self.type.render()

    @property
    def path_value(self) -> str:
        """The expression a path parameter is written into the path with: one percent-encoded segment
        (`/` included), or for `x-sdk-allow-reserved` several, each encoded; `.`, `..` and empty ones refused."""
        function = "path_segments" if self.allow_reserved else "path_segment"
        return f"{function}({self.name}, {self.name!r})"

    @property
    def signature(self) -> str:
        if self.required:
            return f"{self.name}: {self.annotation}"
        return f"{self.name}: {self.annotation} | None = None"


JSON_OBJECT = dict_of(ANY)


@dataclass(frozen=True)
class Page:
    """A list operation by the page-token convention: `page_token` in, `next_page_token` and one list out."""

    items_field: str  # the response's list: "agents"
    item: TypeExpr  # the type of one item: Agent
    token_param: str  # the argument that asks for a page: "page_token"
    token_field: str  # the response field naming the next page: "next_page_token"
    response_fields: tuple[tuple[str, str], ...]  # (name, annotation) of the response model's fields
    refs: frozenset[str] = frozenset()  # the generated types the item and the response fields name

    @property
    def item_type(self) -> str:
        return self.item.render()


@dataclass(frozen=True)
class FixedHeader:
    """A header an operation always sends with one value (a `const` header parameter)."""

    name: str
    value: str


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
        "Continue a requires_continuation answer into one Interaction (False: each hop).",
    ),
    SdkParam("max_continuations", "int", "DEFAULT_MAX_CONTINUATIONS", "Most continuation hops of one call."),
    SdkParam(
        "deadline",
        "float | None",
        "None",
        "Seconds for the whole call (hops, retries, reconnects); `timeout` is per request.",
    ),
)
# The per-call options every method takes after its own arguments (the template's `options()` lists their types).
REQUEST_OPTIONS = ("extra_headers", "extra_query", "extra_body", "timeout", "max_retries")
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
    header_params: tuple[Param, ...] = ()
    fixed_headers: tuple[FixedHeader, ...] = ()
    path_prefix: str = ""  # before /{api_version}: "/upload" for the upload endpoints
    idempotent: bool = True  # False: never replayed once it may have reached the server (x-sdk-idempotent)
    update_mask: Param | None = None  # the field mask a PATCH derives from the fields given when not passed
    page: Page | None = None  # set for list operations: the method returns a page over every item
    response_headers: tuple[str, ...] = ()  # headers the success response declares
    continues: bool = False  # automatic continuation of a requires_continuation answer (x-sdk-continuation)
    # Body fields required unless one of the others is given (x-sdk-required-unless).
    required_unless: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def returns_headers(self) -> bool:
        """A success without a body but with headers (an upload's start): the method returns the headers."""
        return self.response_model is None and bool(self.response_headers)

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
    def params(self) -> tuple[Param, ...]:
        """Every argument the signature lists, the stream switch aside."""
        return (*self.path_params, *self.query_params, *self.header_params, *self.body_params)

    @property
    def response(self) -> TypeExpr:
        return Ref(self.response_model) if self.response_model else JSON_OBJECT

    @property
    def response_type(self) -> str:
        return self.response.render()

    @property
    def page_class(self) -> str:
        """The generated page class of a list operation: `ListAgentsResponsePage`."""
        return f"{self.response_model}Page"

    @property
    def reference_returns(self) -> str:
        """What the method returns, as the type reference shows it."""
        if self.page is not None:
            return f"`{self.page_class}`: pages of `{self.page.item_type}` (from `{self.response_model}`)"
        if self.returns_headers:
            return "the response headers"
        result = f"`{self.response_type}`"
        return f"{result}, or a stream of `{self.stream_event}`" if self.stream_event else result

    @property
    def reference_takes(self) -> str:
        """The request body's type, as the type reference shows it."""
        return f"`{self.body_model}`" if self.body_model else ""

    def return_annotation(self, stream_class: str) -> str:
        if self.returns_headers:
            return "Headers"
        if self.page is not None:
            return self.page_class
        if self.stream_event is None:
            return self.response_type
        return f"{self.response_type} | {stream_class}[{self.stream_event}]"

    @property
    def docstring(self) -> str:
        lines = [self.summary or f"{self.http_method} {self.path}"]
        documented = [(p.name, p.description) for p in (*self.path_params, *self.keyword_params) if p.description]
        documented += [(p.name, p.description) for p in self.sdk_params]
        if documented:
            lines += ["", "Args:"] + [f"    {name}: {description}" for name, description in documented]
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
    def refs(self) -> frozenset[str]:
        """The generated types the method's signature and body check name."""
        names = {name for p in self.params for name in p.type.refs} | set(self.response.refs)
        names |= {self.stream_event} if self.stream_event else set()
        return frozenset(names | {v.model for v in self.body_variants})

    @property
    def body_check_name(self) -> str:
        """The module-level BodyCheck that validates this operation's arguments before sending."""
        return f"_{self.name.upper()}_BODY"

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
        params = (*self.query_params, *self.header_params, *self.body_params)
        return tuple(sorted(params, key=lambda p: not p.required))

    @property
    def query_items(self) -> str:
        """The query as `"wire": argument, ...` (a derived update mask when the caller gave none)."""
        items = []
        for p in self.query_params:
            value = p.name
            if p is self.update_mask:
                fields = ", ".join(f'"{b.wire_name}": {b.name}' for b in self.body_params)
                value = f"{p.name} if {p.name} is not None else derive_update_mask({{{fields}}})"
            items.append(f'"{p.wire_name}": {value}')
        if self.stream_query_item:
            items.append(self.stream_query_item)
        return ", ".join(items)

    @property
    def header_items(self) -> str:
        """The operation's own headers as `"Name": value, ...`: the fixed ones, then the arguments."""
        items = [f'"{h.name}": {h.value!r}' for h in self.fixed_headers]
        items += [f'"{p.wire_name}": {p.name}' for p in self.header_params]
        return ", ".join(items)

    @property
    def positional_params(self) -> tuple[Param, ...]:
        return self.path_params

    @property
    def call_arguments(self) -> str:
        """Every argument of the method passed on as given: the path parameters by position, the rest by name."""
        named = [p.name for p in self.keyword_params] + [p.name for p in self.sdk_params]
        named += [self.stream_param.name] if self.stream_param is not None else []
        positional = [p.name for p in self.positional_params]
        return ", ".join([*positional, *(f"{name}={name}" for name in (*named, *REQUEST_OPTIONS))])

    @property
    def path_expression(self) -> str:
        """The path as a Python expression: a string, or an f-string over the quoted path parameters
        (a custom method's `:verb` suffix, `/webhooks/{id}:ping`, stays literal text)."""
        result = self.path
        for param in self.path_params:
            result = result.replace("{" + param.wire_name + "}", "{" + param.path_value + "}")
        return f'f"{result}"' if self.path_params else f'"{result}"'


@dataclass(frozen=True)
class Helper:
    """The hand-written mixin a resource class inherits: `InteractionsHelpers` from `_helpers/interactions.py`,
    rendered per flavour from `templates/shared/_helpers/<module>.py.j2` (found there by the resource's name)."""

    template: str
    module: str
    class_name: str

    @property
    def import_line(self) -> str:
        return f"from .._helpers.{self.module} import {self.class_name}"


@dataclass(frozen=True)
class Resource:
    name: str  # x-sdk-resource: "interactions", or "environments.files" for a nested one
    class_name: str  # "Interactions", "EnvironmentFiles"
    operations: tuple[Operation, ...]
    children: tuple[Resource, ...] = ()  # nested resources, attributes of this one: environments.files
    helper: Helper | None = None

    @property
    def attribute(self) -> str:
        """The attribute on the client or the parent resource: "interactions", "files"."""
        return self.name.rsplit(".", 1)[-1]

    @property
    def module(self) -> str:
        """The module under resources/: "interactions", "environments_files"."""
        return self.name.replace(".", "_")

    @property
    def bases(self) -> str:
        return f"({self.helper.class_name})" if self.helper else ""

    @property
    def streams(self) -> bool:
        return any(op.can_stream for op in self.operations)

    @property
    def all(self) -> tuple[Resource, ...]:
        """This resource and every resource nested in it, parents first."""
        return (self, *(r for child in self.children for r in child.all))

    @property
    def pages(self) -> tuple[Operation, ...]:
        """The list operations, one page class each."""
        return tuple(op for op in self.operations if op.page is not None)

    @property
    def type_imports(self) -> list[str]:
        """The generated types the resource module needs, sorted."""
        names = {name for operation in self.operations for name in operation.refs}
        names |= {name for op in self.pages if op.page for name in op.page.refs}
        return sorted(names)
