"""`ParsedInteraction[T]`: the Interaction with `output_parsed` (see `_parse.py`).

A subclass of the generated model, so it lives apart from `_parse.py`: it is built when it is first
needed, with the models, and importing the package does not build them."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import PrivateAttr

from .types import Interaction

T = TypeVar("T")


class ParsedInteraction(Interaction, Generic[T]):
    """An Interaction whose answer was parsed: `output_parsed` is the requested type."""

    _output_parsed: Any = PrivateAttr(default=None)

    @property
    def output_parsed(self) -> T:
        """The answer, validated into the type given as `response_format`."""
        return self._output_parsed  # type: ignore[no-any-return]
