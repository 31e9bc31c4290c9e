# Copied from codegen/runtime/_models_base.py by `nox -s generate` - edit it there, not here.
"""Base classes of every generated model, and the open-union machinery.

Models keep what they do not know: extra fields are stored (and dumped back), enum fields
accept any string, and a union member whose tag this SDK version has never seen becomes an
`Unknown…` model instead of an error."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, ClassVar, Final

import pydantic
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
