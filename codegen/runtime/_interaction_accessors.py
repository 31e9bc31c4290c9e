"""Shortcuts on `Interaction` to what most callers want from its steps; the generated model inherits them.

Each works on any Interaction: missing steps, content or fields give an empty result, never an error."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._models_base import BaseModel

if TYPE_CHECKING:
    from .types import FunctionCallStep


@dataclass(frozen=True)
class OutputImage:
    """An image the model returned inline: the decoded bytes and their MIME type."""

    data: bytes
    mime_type: str | None

    def __repr__(self) -> str:
        return f"OutputImage(mime_type={self.mime_type!r}, {len(self.data)} bytes)"


class InteractionAccessors(BaseModel):
    """Base class of the generated `Interaction` model (it adds no fields)."""

    @property
    def output_text(self) -> str:
        """The text of every `model_output` step, in order, joined; "" when there is none."""
        return "".join(text for item in self._output_content() if (text := _text_of(item)) is not None)

    @property
    def function_calls(self) -> list[FunctionCallStep]:
        """The `function_call` steps, in order; each step's `arguments` is a dict."""
        return [step for step in self._steps() if getattr(step, "type", None) == "function_call"]

    @property
    def thought_summaries(self) -> list[str]:
        """The text of each thought summary item, in order (summaries are sent when thinking_summaries is on)."""
        summaries: list[str] = []
        for step in self._steps():
            if getattr(step, "type", None) == "thought":
                summaries += [text for item in getattr(step, "summary", None) or () if (text := _text_of(item))]
        return summaries

    @property
    def output_images(self) -> list[OutputImage]:
        """The images of the `model_output` steps that carry their data inline, decoded, in order."""
        images: list[OutputImage] = []
        for item in self._output_content():
            data = getattr(item, "data", None)
            if getattr(item, "type", None) == "image" and isinstance(data, str):
                decoded = _decode_base64(data)
                if decoded is not None:
                    images.append(OutputImage(data=decoded, mime_type=getattr(item, "mime_type", None)))
        return images

    def _steps(self) -> list[Any]:
        return list(getattr(self, "steps", None) or ())

    def _output_content(self) -> Iterator[Any]:
        for step in self._steps():
            if getattr(step, "type", None) == "model_output":
                yield from getattr(step, "content", None) or ()


def _text_of(item: Any) -> str | None:
    text = getattr(item, "text", None)
    return text if getattr(item, "type", None) == "text" and isinstance(text, str) else None


def _decode_base64(data: str) -> bytes | None:
    """Standard or URL-safe base64, padded or not; None when it is not base64 at all."""
    padded = data + "=" * (-len(data) % 4)
    try:
        return base64.b64decode(padded, altchars=b"-_" if ("-" in data or "_" in data) else None, validate=True)
    except (binascii.Error, ValueError):
        return None
