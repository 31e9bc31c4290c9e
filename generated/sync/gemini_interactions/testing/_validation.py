# Copied from codegen/runtime/testing/_validation.py by `nox -s generate` - edit it there, not here.
"""Request body validation for the fake server."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from typing import Any, Protocol

__all__ = ["Validator", "default_validator", "structural_validator"]

# `validate_request(body) -> None` when the body is fine, else an error message.
Validator = Callable[[dict[str, Any]], "str | None"]


class _Adapter(Protocol):
    def validate_python(self, obj: Any, /) -> Any: ...


_UNSET: Any = object()
_adapter_cache: Any = _UNSET
_adapter_lock = threading.Lock()


def _sdk_adapter() -> _Adapter | None:
    """A pydantic TypeAdapter on the SDK's `CreateInteractionParams`, if available.

    The generated SDK package provides `..types.CreateInteractionParams` next to
    this `testing` package; when run standalone the import fails and only the
    structural checks apply.
    """
    global _adapter_cache
    with _adapter_lock:
        if _adapter_cache is _UNSET:
            adapter: _Adapter | None = None
            try:
                types_module = importlib.import_module("..types", __package__)
                params = types_module.CreateInteractionParams
                pydantic = importlib.import_module("pydantic")
                adapter = pydantic.TypeAdapter(params)
            except (ImportError, AttributeError, TypeError, ValueError):
                adapter = None
            except Exception:  # noqa: BLE001 - never let validation setup break the server
                adapter = None
            _adapter_cache = adapter
        result: _Adapter | None = _adapter_cache
        return result


def structural_validator(body: dict[str, Any]) -> str | None:
    """Basic shape checks that mirror the API's own first-line validation."""
    has_model = body.get("model") is not None
    has_agent = body.get("agent") is not None
    if has_model and has_agent:
        return "Only one of 'model' or 'agent' may be set."
    if not has_model and not has_agent:
        return "Exactly one of 'model' or 'agent' must be set."
    for key in ("model", "agent"):
        if key in body and body[key] is not None and not isinstance(body[key], str):
            return f"'{key}' must be a string."
    if body.get("input") is None:
        # A continuation hop or a follow-up of a stored interaction may send none.
        if body.get("continuation_token") is None and body.get("previous_interaction_id") is None:
            return "'input' is required."
    elif not isinstance(body["input"], (str, list, dict)):
        return "'input' must be a string, a content object or a list."
    for key in ("stream", "background", "store"):
        if key in body and not isinstance(body[key], bool):
            return f"'{key}' must be a boolean."
    if "tools" in body and not isinstance(body["tools"], list):
        return "'tools' must be a list."
    previous = body.get("previous_interaction_id")
    if previous is not None and not isinstance(previous, str):
        return "'previous_interaction_id' must be a string."
    return None


def default_validator(body: dict[str, Any]) -> str | None:
    """Structural checks, then the SDK's request model when it is importable."""
    problem = structural_validator(body)
    if problem is not None:
        return problem
    adapter = _sdk_adapter()
    if adapter is not None:
        try:
            adapter.validate_python(body)
        except Exception as exc:  # noqa: BLE001 - pydantic.ValidationError and friends
            return f"Invalid CreateInteractionParams: {exc}"
    return None
