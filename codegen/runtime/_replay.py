"""A conversation as the next turn's `input`, for turns the service does not store (`store=False`).

Without `previous_interaction_id` the model sees only what the input holds, so every turn resends
the whole history: what the user sent, every step the model produced (thoughts with their
signatures, function calls, output), and the function results. The tool runner and the
conversation helper both keep their history in a `Transcript`."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ._request import to_jsonable

# The content item kinds an input may hold (a bare content item, or a list of them, is one user turn).
CONTENT_TYPES = frozenset({"text", "image", "audio", "document", "video"})
# Steps that are the caller's own input echoed back in an interaction, not something the model produced.
INPUT_STEP_TYPES = frozenset({"user_input", "function_result"})


def input_steps(value: Any) -> list[dict[str, Any]]:
    """The steps an `input` stands for: text or content items become one `user_input` step; steps stay as they are."""
    if value is None:
        return []
    if isinstance(value, str):
        return [_user_turn([{"type": "text", "text": value}])]
    item = to_jsonable(value)
    if isinstance(item, Mapping):
        return [_user_turn([item])] if item.get("type") in CONTENT_TYPES else [dict(item)]
    if not isinstance(item, list):
        raise TypeError(f"an input must be text, content or steps, not {type(value).__name__}")
    steps: list[dict[str, Any]] = []
    pending: list[Any] = []  # consecutive content items: one user turn
    for element in item:
        if isinstance(element, str):
            pending.append({"type": "text", "text": element})
        elif isinstance(element, Mapping) and element.get("type") in CONTENT_TYPES:
            pending.append(dict(element))
        else:
            if pending:
                steps.append(_user_turn(pending))
                pending = []
            steps.append(dict(element))
    if pending:
        steps.append(_user_turn(pending))
    return steps


def model_steps(interaction: Any) -> list[dict[str, Any]]:
    """Every step the model produced in an interaction, as sent back (thought signatures included)."""
    steps = getattr(interaction, "steps", None) or ()
    return [step.to_dict() for step in steps if getattr(step, "type", None) not in INPUT_STEP_TYPES]


class Transcript:
    """The history of a conversation that is resent whole each turn.

    `add_input(x)` after the caller's turn, `add_interaction(i)` after the model's; `as_input()` is
    the next create's `input` (a list of steps)."""

    def __init__(self, first_input: Any = None) -> None:
        self.steps: list[dict[str, Any]] = input_steps(first_input)

    def add_input(self, value: Any) -> None:
        self.steps += input_steps(value)

    def add_interaction(self, interaction: Any) -> None:
        self.steps += model_steps(interaction)

    def extend(self, steps: Iterable[Mapping[str, Any]]) -> None:
        self.steps += [dict(step) for step in steps]

    def as_input(self) -> list[dict[str, Any]]:
        return copy.deepcopy(self.steps)

    def __len__(self) -> int:
        return len(self.steps)


def _user_turn(content: Sequence[Any]) -> dict[str, Any]:
    return {"type": "user_input", "content": list(content)}
