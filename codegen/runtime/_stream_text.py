"""Which stream events carry the answer's text: the text deltas of `model_output` steps (for `text_stream`)."""

from __future__ import annotations

from typing import Any


class OutputTextPicker:
    """Fed every event in order; `text(event)` is the text an event adds to a `model_output` step, else None.

    Steps are told apart by their `index`, so text of thoughts, tool steps and other deltas is left out; a
    continued answer's next hop starts its indexes again with a `step.start`, which re-labels them."""

    def __init__(self) -> None:
        self._output_steps: set[int] = set()
        # The model classes of the first text delta picked: the same classes again take the fast path.
        self._delta_event: Any = None
        self._text_delta: Any = None

    def text(self, event: Any) -> str | None:
        if type(event) is self._delta_event and event.index in self._output_steps:  # nearly every event
            delta = event.delta
            if type(delta) is self._text_delta:
                text = delta.text
                return text if type(text) is str and text else None
        kind = getattr(event, "event_type", None)
        index: Any = getattr(event, "index", None)
        if kind == "step.delta":
            if index in self._output_steps:
                delta = getattr(event, "delta", None)
                if getattr(delta, "type", None) == "text":
                    text = getattr(delta, "text", None)
                    if isinstance(text, str) and text:
                        self._delta_event, self._text_delta = type(event), type(delta)
                        return text
            return None
        if kind == "step.start":
            step = getattr(event, "step", None)
            if getattr(step, "type", None) == "model_output":
                self._output_steps.add(index)
                # A step may start with content already in it.
                texts = [_text(item) for item in getattr(step, "content", None) or ()]
                return "".join(t for t in texts if t) or None
            self._output_steps.discard(index)
        return None


def _text(item: Any) -> str | None:
    text = getattr(item, "text", None)
    return text if getattr(item, "type", None) == "text" and isinstance(text, str) else None
