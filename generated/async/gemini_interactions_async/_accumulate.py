# Copied from codegen/runtime/_accumulate.py by `nox -s generate` - edit it there, not here.
"""Turning a stream back into the Interaction that the non-streaming call returns."""

from __future__ import annotations

from typing import Any

from ._assemble import assemble
from .types import Interaction


class InteractionAccumulator:
    """Collects a stream's events; `interaction()` assembles steps from their start, deltas and stop."""

    def __init__(self) -> None:
        self._events: list[dict[str, Any]] = []

    def add(self, event: Any) -> None:
        self._events.append(event.to_dict())

    def interaction(self) -> Interaction:
        return Interaction.model_validate(assemble(self._events))
