"""The tool runner as a sans-IO flow: create a turn, run the function calls it asks for, send the results back, repeat.

`tool_run_flow` yields what it needs done and receives the outcome:

- `CreateTurn(arguments)`: create an interaction (the driver sends back the Interaction);
- `Invoke(fn, args, kwargs)`: call the caller's code (the `on_call` hook) and send back what it returned;
- `RunCalls(calls, parallel)`: drive each call's own flow (which yields `Invoke`s), concurrently when
  `parallel`, and send back their `ToolCall`s in order.

An exception raised while doing a step is thrown into the flow. Each flavour's driver (`_drive.py`)
is the only code that does I/O; both run this same flow."""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic

import pydantic
from typing_extensions import TypeVar

from ._exceptions import GeminiInteractionsError
from ._parse import OutputFormat
from ._replay import Transcript
from ._tools import FunctionTool, ToolArgumentsError, result_value

if TYPE_CHECKING:
    from .types import FunctionCallStep, FunctionResultStepParam, Interaction

logger = logging.getLogger(__name__.rsplit(".", 1)[0])

# Named, not imported: the models are built on first use, not when this module is imported.
IT = TypeVar("IT", bound="Interaction", default="Interaction")
MAX_ERROR_CHARS = 500
DENIED = "The user declined to run this call."


@dataclass(frozen=True)
class CreateTurn:
    """Create an interaction with these keyword arguments; send back the Interaction."""

    arguments: dict[str, Any]


@dataclass(frozen=True)
class Invoke:
    """Call the caller's code; send back what it returned. The async driver awaits a coroutine
    function and runs any other function in a thread, so the event loop never blocks."""

    fn: Callable[..., Any]
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)


CallFlow = Generator[Invoke, Any, "ToolCall"]


@dataclass(frozen=True)
class RunCalls:
    """Drive every call flow (each yields Invokes), concurrently when `parallel`; send back their ToolCalls in order."""

    calls: list[CallFlow]
    parallel: bool


Step = CreateTurn | Invoke | RunCalls


@dataclass
class ToolCall:
    """One function call the runner answered: what the model asked for and what went back."""

    name: str
    call_id: str
    arguments: dict[str, Any]
    result: Any = None
    is_error: bool = False

    def as_input(self) -> FunctionResultStepParam:
        """The `function_result` input item answering the call."""
        item: FunctionResultStepParam = {
            "type": "function_result",
            "call_id": self.call_id,
            "name": self.name,
            "result": self.result,
        }
        if self.is_error:
            item["is_error"] = True
        return item


@dataclass
class ToolRun(Generic[IT]):
    """What `run_tools` did: the final Interaction, every turn's Interaction in order, and each call made.

    `pending_calls` holds the calls of the final turn that the runner could not run (their tools
    have no Python function): answer them and continue by hand (the Interaction is `requires_action`)."""

    interaction: IT
    turns: list[Interaction] = field(default_factory=list)
    calls: list[ToolCall] = field(default_factory=list)
    pending_calls: list[FunctionCallStep] = field(default_factory=list)


class MaxTurnsExceededError(GeminiInteractionsError):
    """The model still asked for function calls after `max_turns` turns.

    `interaction` is the last turn (with its unanswered calls), `tool_run` everything done so far."""

    def __init__(self, message: str, *, tool_run: ToolRun[Interaction]) -> None:
        super().__init__(message)
        self.tool_run: ToolRun[Interaction] = tool_run
        self.interaction: Interaction = tool_run.interaction


class ToolSet:
    """The tools of a run: the declarations sent to the API, and the Python functions behind them by name.

    Python functions (plain or wrapped by `function_tool`) are run by the runner; a `function`
    declaration without one (a dict or a typed `Function`) and built-in tools are passed through."""

    def __init__(self, tools: Sequence[Any]) -> None:
        self.declarations: list[Any] = []
        self.functions: dict[str, FunctionTool[..., Any]] = {}
        self.declared_only: set[str] = set()  # `function` tools the caller answers by hand
        for tool in tools:
            if isinstance(tool, FunctionTool):
                function: FunctionTool[..., Any] = tool
            elif callable(tool) and not isinstance(tool, (Mapping, pydantic.BaseModel, type)):
                function = FunctionTool(tool)
            else:
                self.declarations.append(tool)
                name = _tool_field(tool, "name")
                if _tool_field(tool, "type") == "function" and isinstance(name, str):
                    self.declared_only.add(name)
                continue
            if function.name in self.functions:
                raise ValueError(f"two tools are named {function.name!r}")
            self.functions[function.name] = function
            self.declarations.append(function.to_dict())


def tool_run_flow(
    tools: ToolSet,
    arguments: Mapping[str, Any],
    *,
    max_turns: int = 10,
    parallel: bool = True,
    on_call: Callable[[FunctionCallStep], Any] | None = None,
    output: OutputFormat[Any] | None = None,
) -> Generator[Step, Any, ToolRun[Any]]:
    """Run turns until one asks for no function call; returns the ToolRun (see the module docstring)."""
    if max_turns < 1:
        raise ValueError("max_turns must be at least 1")
    base = {**arguments, "tools": tools.declarations}
    if output is not None:
        base["response_format"] = output.response_format()
    stored = base.get("store") is not False
    transcript = None if stored else Transcript(base.get("input"))
    run: ToolRun[Any] = ToolRun(interaction=None)
    request = base
    for turn in range(1, max_turns + 1):
        interaction: Interaction = yield CreateTurn(request)
        interaction = yield from continued(interaction, request)
        run.interaction = interaction
        run.turns.append(interaction)
        calls = interaction.function_calls
        if not calls:
            if output is not None:
                run.interaction = output.parse(interaction)
            return run
        if any(call.name in tools.declared_only for call in calls):
            run.pending_calls = calls
            return run
        if turn == max_turns:
            raise MaxTurnsExceededError(
                f"the model still asked for {len(calls)} function call(s) after max_turns={max_turns} turns "
                f"(last interaction {interaction.id}); raise max_turns or answer them by hand",
                tool_run=run,
            )
        answered = yield from _answer(calls, tools, on_call, parallel)
        run.calls += answered
        results = [call.as_input() for call in answered]
        if transcript is None:
            request = {**base, "previous_interaction_id": interaction.id, "input": results}
        else:
            transcript.add_interaction(interaction)
            transcript.extend(results)
            request = {**base, "input": transcript.as_input()}
    raise AssertionError("unreachable")  # pragma: no cover


def continued(interaction: Interaction, request: Mapping[str, Any]) -> Generator[Step, Any, Interaction]:
    """The turn, continued until it no longer needs continuation, before its calls are read.

    INTEGRATION POINT with automatic continuation (issue "Long runs"), the only one: that work
    makes `create()` itself continue a `requires_continuation` answer (unary and streamed), so the
    turn the driver sends back is already the merged one (`continuation_ids` lists its hops) and
    this has nothing left to do. A turn created with `automatic_continuation=False` comes back as
    it is; a continuation flow written as a generator (`_flows.continued`) can take this
    function's place (`yield from`)."""
    return interaction
    yield  # a generator, so the continuation flow can take its place with `yield from`  # pragma: no cover


def _answer(
    calls: list[FunctionCallStep],
    tools: ToolSet,
    on_call: Callable[[FunctionCallStep], Any] | None,
    parallel: bool,
) -> Generator[Step, Any, list[ToolCall]]:
    """Ask `on_call` about each call, one after another (a person answers one question at a time),
    then run the approved calls together; the answers come back in the calls' order."""
    answered: dict[int, ToolCall] = {}
    flows: dict[int, CallFlow] = {}
    for i, call in enumerate(calls):
        decision = None if on_call is None else (yield Invoke(on_call, (call,)))
        if decision is False:
            answered[i] = _call_record(call, DENIED, is_error=True)
        elif decision is not None and decision is not True:
            answered[i] = _call_record(call, result_value(decision))
        elif call.name not in tools.functions:
            known = ", ".join(sorted(tools.functions)) or "none"
            answered[i] = _call_record(
                call, f"There is no function named {call.name!r} (known: {known}).", is_error=True
            )
        else:
            flows[i] = call_flow(tools.functions[call.name], call)
    if flows:
        results: list[ToolCall] = yield RunCalls(list(flows.values()), parallel)
        answered.update(zip(flows, results, strict=True))
    return [answered[i] for i in range(len(calls))]


def call_flow(tool: FunctionTool[..., Any], call: FunctionCallStep) -> CallFlow:
    """One call: validate the arguments, invoke the function, and turn what it returned (or raised) into a result."""
    try:
        args, kwargs = tool.bind(call.arguments)
    except ToolArgumentsError as exc:
        return _call_record(call, str(exc), is_error=True)
    try:
        value = yield Invoke(tool.fn, args, kwargs)
    except Exception as exc:
        logger.info(
            "tool %s (call %s) raised %s; the model is told", call.name, call.id, type(exc).__name__, exc_info=True
        )
        message = f"{type(exc).__name__}: {exc}"
        return _call_record(call, message[:MAX_ERROR_CHARS], is_error=True)
    return _call_record(call, result_value(value))


def _call_record(call: FunctionCallStep, result: Any, *, is_error: bool = False) -> ToolCall:
    return ToolCall(name=call.name, call_id=call.id, arguments=dict(call.arguments), result=result, is_error=is_error)


def _tool_field(tool: Any, name: str) -> Any:
    return tool.get(name) if isinstance(tool, Mapping) else getattr(tool, name, None)
