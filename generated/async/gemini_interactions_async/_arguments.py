# Copied from codegen/runtime/_arguments.py by `nox -s generate` - edit it there, not here.
"""Checking a method's arguments against the API's request schema before anything is sent.

The body built from the keyword arguments is validated, strictly, by the generated request model
of its variant (a model turn or an agent run). Open unions and open enums stay open: an unknown
`type` or enum value passes, as the server may know it; a wrong Python type, or a known variant
missing a required field, fails with `InvalidArgumentError`. Messages carry paths and type names,
never the values (a value may be a credential)."""

from __future__ import annotations

import sys
import types
from collections.abc import Collection, Mapping
from typing import Annotated, Any, ForwardRef, Literal, Union, get_args, get_origin

import pydantic
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails
from typing_extensions import TypeAliasType

from ._exceptions import InvalidArgumentError
from ._models_base import checking_request

MAX_PROBLEMS = 5
PLAIN_TYPES = frozenset({str, bool, int, float, type(None)})


class BodyCheck:
    """The request schema of one method: its body variants, by the argument that selects each."""

    def __init__(
        self,
        call: str,
        variants: Mapping[str, Any],  # a request model, or the union or alias a body is
        arguments: Mapping[str, tuple[str, str]],
        required_unless: Mapping[str, tuple[str, ...]] | None = None,
    ) -> None:
        self.call: str = call  # "interactions.create", for messages
        # selecting wire field ("" when there is one variant) -> request model
        self.variants: dict[str, Any] = dict(variants)
        # wire field -> (keyword argument, the API's type of it)
        self.arguments: dict[str, tuple[str, str]] = dict(arguments)
        # wire field -> the fields any one of which makes it optional (`input` on a continuation hop)
        self.required_unless: dict[str, tuple[str, ...]] = dict(required_unless or {})
        self._adapters: dict[str, pydantic.TypeAdapter[Any]] = {}

    def check(self, payload: Mapping[str, Any], *, supplied_elsewhere: Collection[str] = ()) -> None:
        """Raise InvalidArgumentError unless `payload` (JSON values) fits exactly one variant.

        Fields in `supplied_elsewhere` (from `extra_body`) count as given and are not checked."""
        self._check_required_unless(payload, supplied_elsewhere)
        selector = self._selector(payload, supplied_elsewhere)
        if _plainly_valid(self.variants[selector], payload):
            return
        adapter = self._adapters.get(selector)
        if adapter is None:
            adapter = self._adapters[selector] = pydantic.TypeAdapter(self.variants[selector])
        try:
            with checking_request():
                adapter.validate_python(payload, strict=True)
        except pydantic.ValidationError as exc:
            problems = self._problems(exc, payload, supplied_elsewhere)
            if problems:
                argument = problems[0][0]
                lines = [line for _, line in problems]
                shown = lines[:MAX_PROBLEMS]
                if len(lines) > MAX_PROBLEMS:
                    shown.append(f"... and {len(lines) - MAX_PROBLEMS} more")
                raise InvalidArgumentError(
                    f"{self.call}(): invalid argument `{argument}`:\n  " + "\n  ".join(shown),
                    argument=argument,
                    problems=lines,
                ) from None

    def _check_required_unless(self, payload: Mapping[str, Any], supplied_elsewhere: Collection[str]) -> None:
        def given(field: str) -> bool:
            return payload.get(field) is not None or field in supplied_elsewhere

        for field, others in self.required_unless.items():
            if not given(field) and not any(given(other) for other in others):
                argument = self.arguments.get(field, (field, ""))[0]
                alternatives = " or ".join(f"`{self.arguments.get(o, (o, ''))[0]}`" for o in others)
                problem = f"{argument}: required, missing (it may be left out only with {alternatives})"
                raise InvalidArgumentError(
                    f"{self.call}(): invalid argument `{argument}`:\n  {problem}", argument=argument, problems=[problem]
                )

    def _selector(self, payload: Mapping[str, Any], supplied_elsewhere: Collection[str]) -> str:
        if list(self.variants) == [""]:
            return ""
        given = [s for s in self.variants if payload.get(s) is not None or s in supplied_elsewhere]
        if len(given) == 1:
            return given[0]
        names = " or ".join(f"`{self.arguments.get(s, (s, ''))[0]}`" for s in self.variants)
        problem = f"needs exactly one of {names}" + (", got both" if given else "")
        raise InvalidArgumentError(f"{self.call}() {problem}", argument=None, problems=[problem])

    def _problems(
        self, exc: pydantic.ValidationError, payload: Mapping[str, Any], supplied_elsewhere: Collection[str]
    ) -> list[tuple[str, str]]:
        """(argument, line) per distinct path; several union members failing at one path read as one line."""
        by_path: dict[str, list[ErrorDetails]] = {}
        arguments: dict[str, str] = {}
        for error in exc.errors(include_url=False, include_input=True):
            loc = error["loc"]
            wire = str(loc[0]) if loc else ""
            if wire in supplied_elsewhere:
                continue
            path = _path(loc, payload, missing=error["type"] == "missing")
            by_path.setdefault(path, []).append(error)
            arguments[path] = self.arguments.get(wire, (wire, ""))[0]
        # A tag in the wrong union (content among steps) matters only when nothing else explains the failure.
        misplaced = {path for path, errors in by_path.items() if errors[0]["type"] == "union_tag_invalid"}
        if len(misplaced) < len(by_path):
            for path in misplaced:
                del by_path[path]
        # Where a union member got further (`input[0].text`), the other members' "not a str" is noise.
        for path in [p for p in by_path if any(q.startswith((f"{p}.", f"{p}[")) for q in by_path)]:
            del by_path[path]
        problems = []
        for path, errors in by_path.items():
            got = _type_name(errors[0].get("input"))
            kind = errors[0]["type"]
            if kind == "missing":
                line = f"{path}: required, missing"
            elif kind == "union_tag_invalid":
                line = f"{path}: type {errors[0].get('ctx', {}).get('tag')!r} is not allowed here"
            # The same complaint from several union members (known-tag and open) is still one complaint.
            elif len({(e["type"], e["msg"]) for e in errors}) > 1 or (
                path in self.arguments and kind.endswith("_type")
            ):
                expected = self.arguments.get(path, (path, "one of the types the API allows"))[1]
                line = f"{path}: expected {expected}, got {got}"
            else:
                line = f"{path}: {errors[0]['msg']}, got {got}"
            problems.append((arguments[path], line))
        return problems


def _path(loc: tuple[int | str, ...], payload: Any, *, missing: bool) -> str:
    """`tools[0].name` from pydantic's location, without the union member labels it inserts
    (`tagged-union[...]`, a variant's tag, `str`): only keys and indexes of the payload are kept,
    and the last part of a missing field."""
    text = ""
    node = payload
    for i, part in enumerate(loc):
        if isinstance(part, int) and isinstance(node, list) and 0 <= part < len(node):
            text += f"[{part}]"
            node = node[part]
        elif isinstance(part, str) and isinstance(node, Mapping) and part in node:
            text += f".{part}" if text else part
            node = node[part]
        elif missing and i == len(loc) - 1:
            text += f".{part}" if text else str(part)
    return text


def _type_name(value: Any) -> str:
    return "None" if value is None else type(value).__name__


# Most calls pass only plain values (`model="…", input="…", stream=True`). Those are checked
# against the field's annotation directly: building the request model's validator costs tens of
# milliseconds, once per process, which is most of a fresh process's time to its first event.
# Anything else (a dict, a list, a model, a value the annotation does not plainly accept) goes to
# the validator, so the answer is the same either way.


def _plainly_valid(model: Any, payload: Mapping[str, Any]) -> bool:
    if not (isinstance(model, type) and issubclass(model, pydantic.BaseModel)):
        return False  # a union or an alias body: the validator decides
    fields = model.model_fields
    required = _REQUIRED.get(model)
    if required is None:
        required = _REQUIRED[model] = frozenset(name for name, field in fields.items() if field.is_required())
    if not required.issubset(payload):
        return False
    for name, value in payload.items():
        if type(value) not in PLAIN_TYPES or name not in fields:
            return False
        accepted = _plain_values(model, name)
        if accepted is None or not (type(value) in accepted or (type(value), value) in accepted):
            return False
    return True


_REQUIRED: dict[type[pydantic.BaseModel], frozenset[str]] = {}  # a request model's required fields
_PLAIN_VALUES: dict[tuple[type[pydantic.BaseModel], str], frozenset[Any] | None] = {}


def _plain_values(model: type[pydantic.BaseModel], name: str) -> frozenset[Any] | None:
    """The plain types a field accepts as they are, plus (type, value) pairs of its literals;
    None when its annotation carries constraints (left to the validator)."""
    key = (model, name)
    if key not in _PLAIN_VALUES:
        annotation: Any = model.model_fields[name].annotation
        if isinstance(annotation, ForwardRef):
            annotation = eval(annotation.__forward_arg__, vars(sys.modules[model.__module__]))  # noqa: S307
        _PLAIN_VALUES[key] = _flatten(annotation)
    return _PLAIN_VALUES[key]


def _descriptive(extra: Any) -> bool:
    """Annotated metadata that says how to tell union members apart or what a field means, not
    what values it takes (a constraint or a validator would)."""
    if isinstance(extra, FieldInfo):
        return not extra.metadata
    return isinstance(extra, (pydantic.Discriminator, pydantic.Tag))


def _flatten(annotation: Any) -> frozenset[Any] | None:
    accepted: set[Any] = set()
    pending = [annotation]
    while pending:
        kind = pending.pop()
        origin = get_origin(kind)
        if origin is Annotated:
            base, *extras = get_args(kind)
            if all(_descriptive(extra) for extra in extras):
                pending.append(base)
            elif _flatten(base) != frozenset():  # a constraint or validator on what a plain value could be
                return None
        elif isinstance(kind, TypeAliasType):
            pending.append(kind.__value__)
        elif origin is Union or origin is types.UnionType:
            pending.extend(get_args(kind))
        elif origin is Literal:
            accepted.update((type(value), value) for value in get_args(kind))
        elif kind in PLAIN_TYPES:
            accepted.add(kind)
    return frozenset(accepted)
