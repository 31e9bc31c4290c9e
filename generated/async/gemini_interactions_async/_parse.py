# Copied from codegen/runtime/_parse.py by `nox -s generate` - edit it there, not here.
"""Structured output: a Python type as the API's JSON `response_format`, and the model's answer parsed into it.

`OutputFormat(MyModel)` holds the schema and the validator; `ParsedInteraction[T]` (`_parsed.py`) is
the Interaction with `output_parsed`; `OutputText` collects a stream's answer text so a partial
object can be shown while it arrives."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar, get_origin

import pydantic
import pydantic_core

from ._exceptions import GeminiInteractionsError
from ._json_schema import adapter_schema, type_adapter_for
from ._stream_text import OutputTextPicker

if TYPE_CHECKING:
    from ._parsed import ParsedInteraction
    from .types import Interaction

T = TypeVar("T")


class OutputValidationError(GeminiInteractionsError, ValueError):
    """The model's answer is not JSON of the requested type.

    `text` is the answer as received, `errors` pydantic's errors, `interaction` the Interaction."""

    def __init__(self, message: str, *, text: str, errors: list[Any], interaction: Interaction | None) -> None:
        super().__init__(message)
        self.text = text
        self.errors = errors
        self.interaction = interaction


class OutputFormat(Generic[T]):
    """A type the answer must have: `response_format()` asks for it, `parse()` reads it."""

    def __init__(self, tp: type[T]) -> None:
        self.type: type[T] = tp
        what = f"response_format {self._name()}"
        self.adapter: pydantic.TypeAdapter[T] = type_adapter_for(tp, what=what)
        self.schema: dict[str, Any] = adapter_schema(self.adapter, what=what)

    def response_format(self) -> dict[str, Any]:
        """The `response_format` that asks the model for JSON of this type."""
        return {"type": "text", "mime_type": "application/json", "schema": self.schema}

    def parse(self, interaction: Interaction) -> ParsedInteraction[T]:
        """`interaction` with `output_parsed`; OutputValidationError when its text is not a valid instance."""
        text = interaction.output_text
        try:
            value = self.adapter.validate_json(text)
        except pydantic.ValidationError as exc:
            errors = exc.errors(include_url=False)
            first = errors[0]["msg"] if errors else str(exc)
            raise OutputValidationError(
                f"interaction {interaction.id}: the answer is not a valid {self._name()}: {first} "
                f"({len(errors)} error{'s' if len(errors) != 1 else ''}; text starts {text[:120]!r})",
                text=text,
                errors=errors,
                interaction=interaction,
            ) from None
        from ._parsed import ParsedInteraction  # a model: built with the models, on first use

        parsed: ParsedInteraction[T] = ParsedInteraction.model_construct(
            _fields_set=interaction.model_fields_set, **dict(interaction), **(interaction.model_extra or {})
        )
        parsed._output_parsed = value
        return parsed

    def _name(self) -> str:
        return getattr(self.type, "__name__", None) or repr(self.type)


def partial_json(text: str) -> Any:
    """The JSON value of `text` as far as it has arrived (an open string, list or object is cut where
    the text ends); None before any."""
    if not text.strip():
        return None
    try:
        return pydantic_core.from_json(text, allow_partial="trailing-strings")
    except ValueError:
        return None


class OutputText:
    """The answer text of a stream so far: the text deltas of its `model_output` steps, fed event by event."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._picker = OutputTextPicker()

    def feed(self, event: Any) -> None:
        text = self._picker.text(event)
        if text:
            self._parts.append(text)

    @property
    def text(self) -> str:
        return "".join(self._parts)

    def partial(self) -> Any:
        return partial_json(self.text)


def is_output_type(value: Any) -> bool:
    """A Python type to parse the answer into (a class, or a generic alias such as `list[Model]`),
    as opposed to a `response_format` the API takes as it is."""
    if value is None or isinstance(value, (Mapping, list, tuple, pydantic.BaseModel)):
        return False
    return isinstance(value, type) or get_origin(value) is not None
