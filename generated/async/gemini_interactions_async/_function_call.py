# Copied from codegen/runtime/_function_call.py by `nox -s generate` - edit it there, not here.
"""`FunctionCallStep.result(...)`: the answer to a function call, as the next turn's input item.

The generated `FunctionCallStep` model inherits it (this base adds no fields)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._models_base import BaseModel

if TYPE_CHECKING:
    from .types import FunctionResultStepParam


class FunctionCallMethods(BaseModel):
    """Base class of the generated `FunctionCallStep` model."""

    def result(self, value: Any, *, is_error: bool = False) -> FunctionResultStepParam:
        """The `function_result` input item answering this call: its `call_id` and `name`, and `value`.

        `value` may be text, a dict, a list, a pydantic model, or content items (see `result_value`);
        `is_error=True` tells the model the call failed and `value` says why."""
        from ._tools import result_value

        item: FunctionResultStepParam = {
            "type": "function_result",
            "call_id": getattr(self, "id", ""),
            "name": getattr(self, "name", ""),
            "result": result_value(value),
        }
        if is_error:
            item["is_error"] = True
        return item
