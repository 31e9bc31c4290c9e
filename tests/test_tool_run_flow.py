"""The tool runner's sans-IO flow stepped by hand (no sockets): what it asks for, in what order."""

from __future__ import annotations

from typing import Any

import pytest
from gemini_interactions._tool_runner import CreateTurn, Invoke, RunCalls, ToolSet, tool_run_flow
from gemini_interactions.types import Interaction


def turn(*calls: tuple[str, str]) -> Interaction:
    steps = [{"type": "function_call", "id": call_id, "name": name, "arguments": {}} for call_id, name in calls]
    status = "requires_action" if calls else "completed"
    return Interaction.model_validate({"id": f"v1_{len(calls)}", "status": status, "steps": steps})


def known() -> str:
    return "known result"


def test_a_call_to_an_undeclared_function_is_answered_as_an_error_without_running_anything() -> None:
    flow = tool_run_flow(ToolSet([known]), {"model": "m", "input": "Hi"})
    first = next(flow)
    assert isinstance(first, CreateTurn) and first.arguments["tools"][0]["name"] == "known"
    step = flow.send(turn(("c1", "imagined"), ("c2", "known")))
    assert isinstance(step, RunCalls) and len(step.calls) == 1, "only the declared function is run"
    (call,) = step.calls
    invoke = next(call)
    assert isinstance(invoke, Invoke) and invoke.fn is known
    with pytest.raises(StopIteration) as done:
        call.send(invoke.fn())
    second = flow.send([done.value.value])
    assert isinstance(second, CreateTurn)
    results = second.arguments["input"]
    assert results[0]["call_id"] == "c1" and results[0]["is_error"] is True
    assert "no function named 'imagined'" in results[0]["result"]
    assert results[1] == {"type": "function_result", "call_id": "c2", "name": "known", "result": "known result"}
    with pytest.raises(StopIteration) as finished:
        flow.send(turn())
    assert finished.value.value.interaction.status == "completed"


def test_an_error_in_on_call_reaches_the_caller() -> None:
    def on_call(call: Any) -> Any:
        return True  # never called: the driver reports its failure by throwing it into the flow

    flow = tool_run_flow(ToolSet([known]), {"model": "m", "input": "Hi"}, on_call=on_call)
    next(flow)
    step = flow.send(turn(("c1", "known")))
    assert isinstance(step, Invoke) and step.fn is on_call and step.args[0].id == "c1"
    with pytest.raises(RuntimeError, match="the person said no"):
        flow.throw(RuntimeError("the person said no"))


def test_max_turns_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_turns"):
        next(tool_run_flow(ToolSet([]), {"input": "Hi"}, max_turns=0))
