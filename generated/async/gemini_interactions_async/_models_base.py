# Copied from codegen/runtime/_models_base.py by `nox -s generate` - edit it there, not here.
"""Base classes of every generated model, and the open-union machinery.

Models keep what they do not know: extra fields are stored (and dumped back), enum fields
accept any string, and a union member whose tag this SDK version has never seen becomes an
`Unknown…` model instead of an error."""

from __future__ import annotations

import contextlib
import copy
import json
import logging
import re
import threading
import typing
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, ClassVar, Final

import pydantic
import pydantic_core
from pydantic import ConfigDict

logger = logging.getLogger(__name__.rsplit(".", 1)[0])

UNKNOWN_TAG = "__unknown__"
# JSON keys repeat from event to event, values (text deltas) hardly ever: caching only the keys
# saves pydantic-core a cache lookup per value (~7% of an event's validation).
CACHE_STRINGS: Final = "keys"
# An open union is two unions tried in order: the variants keyed by their tag's string value, which
# pydantic-core resolves on its own (no Python call, no copy of the payload as Python objects),
# then the open union, whose tag function sees every case the first one does not take. These
# label the two in validation errors; `validation_errors` keeps only what the open union says.
KNOWN_TAG = "known"
OPEN_TAG = "open"


class BaseModel(pydantic.BaseModel):
    model_config: ClassVar[ConfigDict] = ConfigDict(
        extra="allow",
        populate_by_name=True,
        # Schemas are built on first use, which keeps `import` fast.
        defer_build=True,
        protected_namespaces=(),
        cache_strings=CACHE_STRINGS,
    )

    def to_dict(self) -> dict[str, Any]:
        """The JSON object this model stands for: the fields that were set, by wire name."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)

    def to_json(self) -> str:
        return self.model_dump_json(by_alias=True, exclude_unset=True)


def type_adapter(tp: Any) -> pydantic.TypeAdapter[Any]:
    """A TypeAdapter with the models' settings (a model class brings its own)."""
    if isinstance(tp, type) and issubclass(tp, pydantic.BaseModel):
        return pydantic.TypeAdapter(tp)
    return pydantic.TypeAdapter(tp, config=ConfigDict(cache_strings=CACHE_STRINGS))


def dict_dumper(adapter: pydantic.TypeAdapter[Any]) -> Callable[[Any], dict[str, Any]]:
    """`value.to_dict()` for the values `adapter` validated, through the adapter's own serializer.

    The same JSON object, but a model class's own serializer is built (a whole schema build, as
    deferred) the first time one of its instances is dumped: a stream's first events would each
    build their class's, where the adapter that validated them already has one for all of them.
    A lenient (`Invalid`) value is not what the schema says, and dumps itself."""
    # The schema serializer itself where the adapter is built: TypeAdapter.dump_python adds a Python call.
    serializer = adapter.serializer
    dump = serializer.to_python if isinstance(serializer, pydantic_core.SchemaSerializer) else adapter.dump_python

    def to_dict(value: Any) -> dict[str, Any]:
        if isinstance(value, Invalid):
            return value.to_dict()
        return dump(value, mode="json", by_alias=True, exclude_unset=True)  # type: ignore[no-any-return]

    return to_dict


class UnknownVariant(BaseModel):
    """A union member of a type this SDK version does not know.

    The discriminator attribute holds the value that came over the wire, every other field is
    kept as an extra attribute, and `raw` gives the whole payload back."""

    if TYPE_CHECKING:
        # Fields of types added to the API later are reachable as attributes; they are untyped.
        def __getattr__(self, name: str) -> Any: ...

    @property
    def raw(self) -> dict[str, Any]:
        return self.to_dict()


_reported: set[tuple[str, str]] = set()
_reported_lock = threading.Lock()


def _report_unknown(union: str, tag: str) -> None:
    key = (union, tag)
    if key in _reported:
        return
    with _reported_lock:
        if key in _reported:
            return
        _reported.add(key)
    logger.debug("%s: unknown %s %r kept as Unknown%s", union, "type", tag, union)


# Every tag of every open union, and whether a request is being checked (see `checking_request`).
_all_known_tags: set[str] = set()
_checking_request: ContextVar[bool] = ContextVar("checking_request", default=False)


@contextlib.contextmanager
def checking_request() -> Iterator[None]:
    """Validate a request, not a response: a tag another union knows is a mistake here, not news.

    A response keeps any unknown tag (the API grew). In a request, `{"type": "text", ...}` among
    steps is content in the wrong place; without this, an open union would take it as an unknown
    step and hide why the content beside it failed."""
    token = _checking_request.set(True)
    try:
        yield
    finally:
        _checking_request.reset(token)


VariantShape = tuple[frozenset[str], frozenset[str]]  # (every field, required fields) of a variant


def open_discriminator(
    union: str, field: str, known: frozenset[str], shapes: dict[str, VariantShape] | None = None
) -> Callable[[Any], str]:
    """The tag function of an open union: a known tag selects its variant, anything else UNKNOWN_TAG.

    A payload without a tag (the API's own transcripts show some) gets the one variant whose
    fields it fits, when exactly one fits best; it keeps no tag, so it dumps back unchanged."""
    _all_known_tags.update(known)

    def tag_of(value: Any) -> str:
        tag = value.get(field) if isinstance(value, dict) else getattr(value, field, None)
        if tag in known:
            return tag  # type: ignore[no-any-return]
        if tag is None and shapes and isinstance(value, dict):
            inferred = _infer_tag(value, shapes)
            if inferred is not None:
                return inferred
        if tag in _all_known_tags and _checking_request.get():
            return str(tag)  # matches no variant here: validation fails, naming the tag
        _report_unknown(union, str(tag))
        return UNKNOWN_TAG

    tag_of.tag_field = field  # type: ignore[attr-defined]  # read by `lenient`
    return tag_of


def validation_errors(exc: pydantic.ValidationError, limit: int = 3) -> list[Any]:
    """The errors of `exc` as the open unions report them (each failure is also reported by the
    known-tag union tried before, under its own label: those copies are dropped)."""
    out: list[Any] = []
    for error in exc.errors(include_url=False, include_input=False):
        loc = error.get("loc", ())
        if KNOWN_TAG in loc:
            continue
        error["loc"] = tuple(part for part in loc if part != OPEN_TAG)
        out.append(error)
        if len(out) == limit:
            break
    return out


def _infer_tag(value: dict[str, Any], shapes: dict[str, VariantShape]) -> str | None:
    keys = set(value)
    if not keys:
        return None
    scored = sorted(
        (len(required & keys), -len(fields), tag)
        for tag, (fields, required) in shapes.items()
        if keys <= fields and required <= keys | {"type"}
    )
    if not scored or (len(scored) > 1 and scored[-1][:2] == scored[-2][:2]):
        return None
    return scored[-1][2]


# ---- Lenient forms: server JSON that fails validation is kept, not fatal (the cold path only) ----

_MAX_INT_DIGITS = 4000  # Python refuses int() on more digits; such a number is kept as its digits
_TAG_SNIFF = 1 << 16  # how much of an unparseable payload is searched for its tag
_warned_kinds: set[tuple[str, str]] = set()


class Invalid:
    """Mixed into the lenient form of a payload that failed validation.

    The object is of the class the payload names (`isinstance(event, StepDelta)` and its tag
    attribute hold as sent), built without validation: its fields are the JSON values as they came.
    `validation_errors` says what was wrong, `raw_json` is the payload as received."""

    __slots__ = ()

    @property
    def validation_errors(self) -> list[Any]:
        return self.__pydantic_private__["validation_errors"]  # type: ignore[attr-defined, no-any-return]

    @property
    def raw_json(self) -> str | bytes:
        return self.__pydantic_private__["raw_json"]  # type: ignore[attr-defined, no-any-return]

    def to_dict(self) -> dict[str, Any]:
        """The payload's JSON object as far as it could be read (its values were never validated); a
        copy all the way down, like a model's, which the caller may change or keep."""
        return copy.deepcopy(self.__pydantic_private__["payload"])  # type: ignore[attr-defined]

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, default=str)


_invalid_classes: dict[type[Any], type[Any]] = {}


def _invalid_class(cls: type[pydantic.BaseModel]) -> type[Any]:
    sub = _invalid_classes.get(cls)
    if sub is None:
        sub = _invalid_classes[cls] = type(f"Invalid{cls.__name__}", (Invalid, cls), {"__module__": cls.__module__})
    return sub


def _union_variants(tp: Any) -> tuple[str, dict[str, type[pydantic.BaseModel]]] | None:
    """(tag field, variant class by tag) of an open union alias; None for anything else."""
    found: list[type[pydantic.BaseModel]] = []
    field_name: list[str] = []

    def walk(t: Any, depth: int = 0) -> None:
        if depth > 12:
            return
        if isinstance(t, type) and issubclass(t, pydantic.BaseModel):
            found.append(t)
            return
        if isinstance(t, pydantic.Discriminator) and callable(t.discriminator):
            field_name.append(getattr(t.discriminator, "tag_field", ""))
        value = getattr(t, "__value__", None)
        if value is not None:
            walk(value, depth + 1)
        for arg in typing.get_args(t) + tuple(getattr(t, "__metadata__", ())):
            walk(arg, depth + 1)

    walk(tp)
    field = next((f for f in field_name if f), "")
    if not field:
        return None
    by_tag: dict[str, type[pydantic.BaseModel]] = {}
    for cls in found:
        info = cls.model_fields.get(field)
        if info is not None and isinstance(info.default, str):
            by_tag.setdefault(info.default, cls)
    return field, by_tag


_variants_cache: dict[Any, tuple[str, dict[str, type[pydantic.BaseModel]]] | None] = {}


def _loads(data: str | bytes) -> Any:
    """The payload as Python values, as far as Python's json can read it (NUL, lone surrogates, huge numbers)."""

    def parse_int(digits: str) -> int | str:
        return digits if len(digits) > _MAX_INT_DIGITS else int(digits)

    try:
        return json.loads(data, strict=False, parse_int=parse_int)
    except (ValueError, RecursionError):
        return None


def lenient(tp: Any, data: str | bytes, exc: pydantic.ValidationError, *, strict: bool) -> Any:
    """The lenient form of `data`, which failed to validate as `tp` with `exc`; `exc` itself when
    `strict` and the payload is of a known type (an unknown type never raises)."""
    if tp not in _variants_cache:
        _variants_cache[tp] = _union_variants(tp)
    variants = _variants_cache[tp]
    payload = _loads(data)
    if variants is None:
        cls: type[pydantic.BaseModel] | None = tp if isinstance(tp, type) else None
        tag = ""
    else:
        field, by_tag = variants
        tag_value = payload.get(field) if isinstance(payload, dict) else _sniff_tag(data, field)
        tag = tag_value if isinstance(tag_value, str) else ""
        cls = by_tag.get(tag)
        if not isinstance(payload, dict):
            payload = {field: tag} if tag else {}
    if strict and cls is not None:
        raise exc
    errors = validation_errors(exc, limit=10)
    name = getattr(tp, "__name__", str(tp))
    kind = (name, tag or "-")
    if kind not in _warned_kinds:
        _warned_kinds.add(kind)
        first = errors[0] if errors else {}
        logger.warning(
            "%s%s from the server failed validation (%s at %s); kept in a lenient form with its raw payload "
            "(further %s payloads like it are not logged)",
            name,
            f" {tag!r}" if tag else "",
            first.get("msg", "invalid"),
            ".".join(str(p) for p in first.get("loc", ())) or "top level",
            name,
        )
    target = _invalid_class(cls if cls is not None else UnknownVariant)
    fields = payload if isinstance(payload, dict) else {}
    instance = target.model_construct(**{str(k): v for k, v in fields.items()})
    object.__setattr__(
        instance, "__pydantic_private__", {"validation_errors": errors, "raw_json": data, "payload": fields}
    )
    return instance


def _sniff_tag(data: str | bytes, field: str) -> str | None:
    head = data[:_TAG_SNIFF]
    text = head.decode("utf-8", "replace") if isinstance(head, bytes) else head
    match = re.search('"' + re.escape(field) + r'"\s*:\s*"([^"\\]{1,200})"', text)
    return match.group(1) if match else None
