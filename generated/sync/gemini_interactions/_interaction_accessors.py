# Copied from codegen/runtime/_interaction_accessors.py by `nox -s generate` - edit it there, not here.
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


@dataclass(frozen=True)
class OutputMedia:
    """Audio or video the model returned: the decoded bytes when sent inline, else the `uri` it can be fetched from."""

    data: bytes | None
    mime_type: str | None
    uri: str | None = None

    def __repr__(self) -> str:
        where = f"{len(self.data)} bytes" if self.data is not None else f"uri={self.uri!r}"
        return f"{type(self).__name__}(mime_type={self.mime_type!r}, {where})"


@dataclass(frozen=True, repr=False)
class OutputAudio(OutputMedia):
    """An audio clip the model returned; `sample_rate` and `channels` when the API says."""

    sample_rate: int | None = None
    channels: int | None = None


@dataclass(frozen=True, repr=False)
class OutputVideo(OutputMedia):
    """A video the model returned."""


class InteractionAccessors(BaseModel):
    """Base class of the generated `Interaction` model (it adds no fields)."""

    @property
    def output_text(self) -> str:
        """The answer's text: the text items of the `model_output` steps after the last `user_input` step, joined.

        That is the last turn's answer, also when `steps` holds earlier turns (a stateless replay, a fetch
        with `include_input`); an agent's text between tool calls is part of it. Thoughts, tool steps and
        non-text items are not; "" when there is no such text."""
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
        """The images of the last turn's `model_output` steps (see `output_text`) sent inline, decoded, in order."""
        images: list[OutputImage] = []
        for item in self._output_content():
            data = getattr(item, "data", None)
            if getattr(item, "type", None) == "image" and isinstance(data, str):
                decoded = _decode_base64(data)
                if decoded is not None:
                    images.append(OutputImage(data=decoded, mime_type=getattr(item, "mime_type", None)))
        return images

    @property
    def output_audio(self) -> list[OutputAudio]:
        """The audio items of the last turn's `model_output` steps (see `output_text`), in order."""
        return [
            OutputAudio(
                data=data,
                mime_type=getattr(item, "mime_type", None),
                uri=uri,
                sample_rate=getattr(item, "sample_rate", None),
                channels=getattr(item, "channels", None),
            )
            for item, data, uri in self._media("audio")
        ]

    @property
    def output_videos(self) -> list[OutputVideo]:
        """The videos of the last turn's `model_output` steps (see `output_text`), in order."""
        return [
            OutputVideo(data=data, mime_type=getattr(item, "mime_type", None), uri=uri)
            for item, data, uri in self._media("video")
        ]

    def _steps(self) -> list[Any]:
        return list(getattr(self, "steps", None) or ())

    def _last_turn(self) -> list[Any]:
        """The steps after the last `user_input` step (all of them when there is none)."""
        steps = self._steps()
        starts = [i for i, step in enumerate(steps) if getattr(step, "type", None) == "user_input"]
        return steps[starts[-1] + 1 :] if starts else steps

    def _output_content(self) -> Iterator[Any]:
        for step in self._last_turn():
            if getattr(step, "type", None) == "model_output":
                yield from getattr(step, "content", None) or ()

    def _media(self, kind: str) -> Iterator[tuple[Any, bytes | None, str | None]]:
        """(item, decoded inline bytes, uri) of each `kind` item that carries either."""
        for item in self._output_content():
            if getattr(item, "type", None) != kind:
                continue
            data, uri = getattr(item, "data", None), getattr(item, "uri", None)
            decoded = _decode_base64(data) if isinstance(data, str) else None
            uri = uri if isinstance(uri, str) else None
            if decoded is not None or uri is not None:
                yield item, decoded, uri


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
