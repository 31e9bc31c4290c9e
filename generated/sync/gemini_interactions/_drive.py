# Copied from codegen/runtime_sync/_drive.py by `nox -s generate` - edit it there, not here.
"""The sync driver of the sans-IO flows: each step is done inline, a turn's function calls in threads."""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # the tool runner is imported when a program first uses it
    from ._tool_runner import CallFlow, Invoke, RunCalls, ToolCall

S = TypeVar("S")
R = TypeVar("R")


def drive(flow: Generator[S, Any, R], perform: Callable[[S], Any]) -> R:
    """Run `flow` to its end: do each step it yields with `perform`, send back the outcome
    (or throw the error in)."""
    try:
        step = next(flow)
        while True:
            try:
                outcome = perform(step)
            except BaseException as exc:  # Ctrl-C and cancellation too: a wait cancels its run, then re-raises
                step = flow.throw(exc)
            else:
                step = flow.send(outcome)
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]


def invoke(step: Invoke) -> Any:
    return step.fn(*step.args, **step.kwargs)


def run_calls(step: RunCalls) -> list[ToolCall]:
    """Every call flow to its end, in threads when the turn's calls may run in parallel; results in order."""

    def run(call: CallFlow) -> ToolCall:
        return drive(call, invoke)

    if not step.parallel or len(step.calls) < 2:
        return [run(call) for call in step.calls]
    from concurrent.futures import ThreadPoolExecutor  # only a turn with several calls needs it

    with ThreadPoolExecutor(max_workers=len(step.calls), thread_name_prefix="tool-call") as pool:
        return list(pool.map(run, step.calls))
