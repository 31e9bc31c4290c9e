"""The async driver of the sans-IO flows: each step is awaited, a turn's function calls gathered.

The caller's code never blocks the event loop: a coroutine function is awaited, any other runs in a thread."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Generator
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # the tool runner is imported when a program first uses it
    from ._tool_runner import CallFlow, Invoke, RunCalls, ToolCall

S = TypeVar("S")
R = TypeVar("R")


async def drive(flow: Generator[S, Any, R], perform: Callable[[S], Awaitable[Any]]) -> R:
    """Run `flow` to its end: await each step it yields with `perform`, send back the outcome
    (or throw the error in)."""
    try:
        step = next(flow)
        while True:
            try:
                outcome = await perform(step)
            except BaseException as exc:  # Ctrl-C and cancellation too: a wait cancels its run, then re-raises
                step = flow.throw(exc)
            else:
                step = flow.send(outcome)
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]


async def invoke(step: Invoke) -> Any:
    if inspect.iscoroutinefunction(step.fn):
        return await step.fn(*step.args, **step.kwargs)
    value = await asyncio.to_thread(step.fn, *step.args, **step.kwargs)
    return await value if inspect.isawaitable(value) else value


async def run_calls(step: RunCalls) -> list[ToolCall]:
    """Every call flow to its end, gathered when the turn's calls may run in parallel; results in order."""

    async def run(call: CallFlow) -> ToolCall:
        return await drive(call, invoke)

    if not step.parallel:
        return [await run(call) for call in step.calls]
    return list(await asyncio.gather(*(run(call) for call in step.calls)))
