# Copied from codegen/runtime/_tools.py by `nox -s generate` - edit it there, not here.
"""Python functions as tools: the `function` declaration from a signature, and calling it with the model's arguments.

`function_tool(fn)` reads the type hints (through pydantic, so `Literal`, enums, `Optional`, nested
models, lists and `Annotated[..., Field(description=...)]` all work) and the docstring (Google,
NumPy or reST style). A function whose only parameter is a pydantic model takes that model's schema
and is called with a validated instance. A hint without a JSON Schema fails here, where the tool is
defined, not when the model first calls it."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Generic, TypeVar, get_args, get_origin, get_type_hints, overload

import pydantic
import pydantic_core
from pydantic.fields import FieldInfo
from typing_extensions import ParamSpec

from ._docstrings import parse_docstring
from ._json_schema import SchemaError, adapter_schema
from ._models_base import validation_errors

P = ParamSpec("P")
R = TypeVar("R")

# Kinds of content item a function result may be made of (FunctionResultSubcontent).
CONTENT_TYPES = frozenset({"text", "image", "audio", "document", "video"})


class ToolDefinitionError(SchemaError):
    """A function cannot be a tool: a hint without a JSON Schema, `*args`, or a missing name."""


class ToolArgumentsError(ValueError):
    """The model's arguments do not fit the function's parameters (sent back to it as an error result)."""


class FunctionTool(Generic[P, R]):
    """A Python function with the `function` tool declaration the API needs to offer it to the model.

    Call it like the function. `to_dict()` is the declaration; `name`, `description` and
    `parameters` (the JSON Schema of the arguments) are its parts."""

    def __init__(self, fn: Callable[P, R], *, name: str | None = None, description: str | None = None) -> None:
        self.fn: Callable[P, R] = fn
        self.name: str = name or str(getattr(fn, "__name__", ""))
        if not self.name or self.name == "<lambda>":
            raise ToolDefinitionError(f"{fn!r}: a tool needs a name; pass function_tool(fn, name=...)")
        doc = parse_docstring(inspect.getdoc(fn))
        self.description: str | None = description if description is not None else (doc.description or None)
        self.is_async: bool = inspect.iscoroutinefunction(fn)
        self._signature = inspect.signature(fn)
        try:
            hints = get_type_hints(fn, include_extras=True)
        except Exception as exc:  # a hint naming something that does not exist
            raise ToolDefinitionError(f"tool {self.name!r}: its type hints cannot be resolved: {exc}") from None
        params = list(self._signature.parameters.values())
        for param in params:
            if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
                star = "*" if param.kind == param.VAR_POSITIONAL else "**"
                raise ToolDefinitionError(
                    f"tool {self.name!r}: parameter {star}{param.name} cannot be described to the model; "
                    "declare each parameter by name"
                )
        only = hints.get(params[0].name) if len(params) == 1 else None
        self._model_parameter: type[pydantic.BaseModel] | None = (
            only if isinstance(only, type) and issubclass(only, pydantic.BaseModel) else None
        )
        if self._model_parameter is not None:
            model = self._model_parameter
        else:
            model = _arguments_model(self.name, params, hints)
        self._arguments = model
        try:
            what = f"tool {self.name!r}: its parameters"
            self.parameters: dict[str, Any] = adapter_schema(pydantic.TypeAdapter(model), what=what)
        except SchemaError as exc:
            raise ToolDefinitionError(_which_parameter(self.name, params, hints) or str(exc)) from None
        if self._model_parameter is None:
            self._describe_from_docstring(params, hints, doc.params)

    def _describe_from_docstring(
        self, params: list[inspect.Parameter], hints: Mapping[str, Any], described: Mapping[str, str]
    ) -> None:
        properties = self.parameters.get("properties", {})
        for param in params:
            text = described.get(param.name)
            if text and param.name in properties and not _has_description(hints.get(param.name)):
                properties[param.name]["description"] = text

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        return self.fn(*args, **kwargs)

    def __repr__(self) -> str:
        return f"FunctionTool(name={self.name!r})"

    def to_dict(self) -> dict[str, Any]:
        """The `function` tool declaration, as the API takes it in `tools`."""
        declaration: dict[str, Any] = {"type": "function", "name": self.name}
        if self.description:
            declaration["description"] = self.description
        declaration["parameters"] = self.parameters
        return declaration

    def bind(self, arguments: Mapping[str, Any]) -> tuple[tuple[Any, ...], dict[str, Any]]:
        """The positional and keyword arguments to call the function with; ToolArgumentsError when they do not fit."""
        try:
            validated = self._arguments.model_validate(dict(arguments))
        except pydantic.ValidationError as exc:
            raise ToolArgumentsError(f"invalid arguments for {self.name}: {_short_errors(exc)}") from None
        if self._model_parameter is not None:
            return (validated,), {}
        args: list[Any] = []
        kwargs: dict[str, Any] = {}
        for param in self._signature.parameters.values():
            value = getattr(validated, _field_name(param.name))
            if param.kind == param.POSITIONAL_ONLY:
                args.append(value)
            else:
                kwargs[param.name] = value
        return tuple(args), kwargs


@overload
def function_tool(
    fn: Callable[P, R], *, name: str | None = None, description: str | None = None
) -> FunctionTool[P, R]: ...


@overload
def function_tool(
    *, name: str | None = None, description: str | None = None
) -> Callable[[Callable[P, R]], FunctionTool[P, R]]: ...


def function_tool(
    fn: Callable[P, R] | None = None, *, name: str | None = None, description: str | None = None
) -> FunctionTool[P, R] | Callable[[Callable[P, R]], FunctionTool[P, R]]:
    """A `function` tool from a Python function; also a decorator (`@function_tool` or `@function_tool(name=...)`).

    The parameters' JSON Schema comes from the type hints, `required` from the parameters without
    defaults, the description and each parameter's description from the docstring."""
    if fn is None:
        return lambda f: FunctionTool(f, name=name, description=description)
    return FunctionTool(fn, name=name, description=description)


def result_value(value: Any) -> Any:
    """What a function returned, as a `function_result`'s `result`: text, a JSON object, or content items.

    Text and dicts go as they are (dict values made JSON), a pydantic model as its JSON object,
    content items (or a list of them) as a list; anything else is wrapped as `{"result": value}`."""
    if isinstance(value, str):
        return value
    if _is_content(value):
        return [_jsonable(value)]
    if isinstance(value, (list, tuple)) and value and all(_is_content(item) for item in value):
        return [_jsonable(item) for item in value]
    if isinstance(value, pydantic.BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
    jsonable = _jsonable(value)
    if isinstance(jsonable, dict):
        return jsonable
    return {"result": jsonable}


def _is_content(value: Any) -> bool:
    kind = value.get("type") if isinstance(value, Mapping) else getattr(value, "type", None)
    return isinstance(kind, str) and kind in CONTENT_TYPES and (isinstance(value, (Mapping, pydantic.BaseModel)))


def _jsonable(value: Any) -> Any:
    if isinstance(value, pydantic.BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
    return pydantic_core.to_jsonable_python(value, fallback=str)


def _arguments_model(name: str, params: list[inspect.Parameter], hints: Mapping[str, Any]) -> type[pydantic.BaseModel]:
    fields: dict[str, Any] = {}
    for param in params:
        hint = hints.get(param.name, Any)
        default = ... if param.default is inspect.Parameter.empty else param.default
        field = _field_name(param.name)
        fields[field] = (hint, pydantic.Field(default, alias=param.name) if field != param.name else default)
    try:
        return pydantic.create_model(
            f"{name}_arguments",
            __config__=pydantic.ConfigDict(arbitrary_types_allowed=False, populate_by_name=True),
            **fields,
        )
    except (pydantic.PydanticUserError, TypeError, NameError) as exc:
        which = _which_parameter(name, params, hints)
        raise ToolDefinitionError(
            which or f"tool {name!r}: its parameters have no JSON Schema: {_message(exc)}"
        ) from None


def _which_parameter(name: str, params: list[inspect.Parameter], hints: Mapping[str, Any]) -> str | None:
    """The message naming the first parameter whose hint has no JSON Schema, if one alone is the cause."""
    for param in params:
        hint = hints.get(param.name, Any)
        try:
            pydantic.TypeAdapter(hint).json_schema()
        except (pydantic.PydanticUserError, pydantic.errors.PydanticInvalidForJsonSchema) as exc:
            return (
                f"tool {name!r}: parameter {param.name!r} has a type hint ({_hint_name(hint)}) with no JSON Schema, "
                f"so the model cannot be told how to call it: {_message(exc)}"
            )
    return None


def _hint_name(hint: Any) -> str:
    return getattr(hint, "__name__", None) or repr(hint)


def _field_name(parameter: str) -> str:
    # pydantic reserves names starting with an underscore and model_ attributes; such parameters get an alias.
    return f"p{parameter}" if parameter.startswith("_") or parameter.startswith("model_") else parameter


def _has_description(hint: Any) -> bool:
    if get_origin(hint) is not Annotated:
        return False
    return any(isinstance(extra, FieldInfo) and extra.description for extra in get_args(hint)[1:])


def _message(exc: Exception) -> str:
    return getattr(exc, "message", None) or str(exc)


def _short_errors(exc: pydantic.ValidationError) -> str:
    parts = []
    for error in validation_errors(exc, limit=5):
        where = ".".join(str(p) for p in error.get("loc", ())) or "arguments"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    return "; ".join(parts) or str(exc)
