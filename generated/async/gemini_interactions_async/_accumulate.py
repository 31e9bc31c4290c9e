# Copied from codegen/runtime/_accumulate.py by `nox -s generate` - edit it there, not here.
"""Turning a stream back into the Interaction that the non-streaming call returns."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from ._assemble import assemble
from .types import Interaction


def interaction_from_events(event_data: Iterable[str | bytes]) -> Interaction:
    """The Interaction assembled from a stream's events (each the JSON of one event's data)."""
    return Interaction.model_validate(interaction_data(event_data))


def interaction_data(event_data: Iterable[str | bytes]) -> dict[str, Any]:
    """The assembled Interaction as JSON data."""
    return assemble([json.loads(data) for data in event_data])
