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


ParamLocation: TypeAlias = Literal["path", "query", "body"]


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

    @property
    def annotation(self) -> str:
        return self.type.render()

    @property
    def path_value(self) -> str:
        """The expression a path parameter is written into the path with: quoted, `/` included."""
        return f"_quote({self.name})"

    @property
    def signature(self) -> str:
        if self.required:
            return f"{self.name}: {self.annotation}"
        return f"{self.name}: {self.annotation} | None = None"


JSON_OBJECT = dict_of(ANY)


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
    def params(self) -> tuple[Param, ...]:
        """Every argument the signature lists, the stream switch aside."""
        return (*self.path_params, *self.query_params, *self.body_params)

    @property
    def response(self) -> TypeExpr:
        return Ref(self.response_model) if self.response_model else JSON_OBJECT

    @property
    def response_type(self) -> str:
        return self.response.render()

    def return_annotation(self, stream_class: str) -> str:
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
        """The path as a Python expression: a string, or an f-string over the quoted path parameters
        (a custom method's `:verb` suffix, `/webhooks/{id}:ping`, stays literal text)."""
        result = self.path
        for param in self.path_params:
            result = result.replace("{" + param.wire_name + "}", "{" + param.path_value + "}")
        return f'f"{result}"' if self.path_params else f'"{result}"'


# Resources with a hand-written helper layer (codegen/templates/shared/_helpers/<name>.py.j2), which
# the generated resource class inherits: resource name -> the helper class.
HELPER_MIXINS = {"interactions": "InteractionsHelpers"}


@dataclass(frozen=True)
class Resource:
    name: str  # attribute on the client: "interactions"
    class_name: str  # "Interactions"
    operations: tuple[Operation, ...]

    @property
    def helper_template(self) -> str | None:
        """The template of this resource's hand-written helper layer, if it has one."""
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
        return sorted({name for operation in self.operations for name in operation.refs})
