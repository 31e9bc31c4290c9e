"""Conversations (`client.interactions.chat(...)`) without I/O: each turn's arguments, the history, persistence.

`Conversation.turn(input, overrides)` is a flow like the others (see `_tool_runner.py`): it yields the one
call a turn needs and records what came back. The call is `CreateTurn` (a model turn), `RunTools` (the chat's
tools are Python functions: the tool runner answers the calls and the turn's final answer comes back) or
`CreateAndWait` (an agent turn runs in the background and is waited for). With `store=True` turns are chained
by `previous_interaction_id`; with `store=False` the whole history is resent as `input` (the `_replay` core,
shared with the tool runner), thought signatures included. A streamed turn is recorded once its stream
has completed (`pending` / `settle`)."""

from __future__ import annotations

import copy
import logging
from collections.abc import Generator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pydantic

from ._replay import input_steps, model_steps
from ._request import to_jsonable
from ._tool_runner import CreateTurn, ToolRun, ToolSet
from ._tools import FunctionTool

if TYPE_CHECKING:
    from .types import Interaction

logger = logging.getLogger(__name__.rsplit(".", 1)[0])

FORMAT = "gemini-interactions/chat@1"
_UNFINISHED = frozenset({None, "queued", "in_progress", "failed", "cancelled"})


@dataclass(frozen=True)
class RunTools:
    """Run the turn through the tool runner (`interactions.run_tools(**arguments)`); send back the ToolRun."""

    arguments: dict[str, Any]


@dataclass(frozen=True)
class CreateAndWait:
    """A background turn waited for (`interactions.create_and_wait(**arguments)`); send back the Interaction."""

    arguments: dict[str, Any]


TurnStep = CreateTurn | RunTools | CreateAndWait


class Conversation:
    """The state of a chat: its defaults, its history (every step, in order) and its last interaction."""

    def __init__(
        self,
        defaults: Mapping[str, Any],
        *,
        store: bool = True,
        history: list[dict[str, Any]] | None = None,
        last_interaction: Interaction | None = None,
    ) -> None:
        if ("model" in defaults) == ("agent" in defaults):
            raise TypeError("chat() takes model=... or agent=..., one of them")
        self.defaults: dict[str, Any] = dict(defaults)
        self.store: bool = store
        self.history: list[dict[str, Any]] = history or []
        self.last_interaction: Interaction | None = last_interaction
        self._pending: tuple[Any, Any] | None = None  # (input, stream) of a streamed turn not recorded yet

    @property
    def runs_tools(self) -> bool:
        """Whether some of the chat's tools are Python functions (the tool runner answers their calls)."""
        return bool(ToolSet(self.defaults.get("tools") or ()).functions)

    def arguments(self, input: Any, overrides: Mapping[str, Any]) -> dict[str, Any]:
        """The create arguments of the next turn."""
        if "previous_interaction_id" in overrides or "store" in overrides:
            raise TypeError("a chat sets previous_interaction_id and store itself; fork() to branch")
        arguments = {**self.defaults, **overrides, "store": self.store}
        if self.store:
            arguments["input"] = input
            if self.last_interaction is not None:
                arguments["previous_interaction_id"] = self.last_interaction.id
        else:
            arguments["input"] = [*copy.deepcopy(self.history), *input_steps(input)]
        return arguments

    def turn(self, input: Any, overrides: Mapping[str, Any]) -> Generator[TurnStep, Any, Interaction]:
        """One turn: the call it needs, then the history updated with what it produced."""
        self.settle()
        arguments = self.arguments(input, overrides)
        if self.runs_tools:
            run: ToolRun[Any] = yield RunTools(arguments)
            self.record_run(input, run)
            return run.interaction  # type: ignore[no-any-return]
        if "agent" in arguments:
            interaction: Interaction = yield CreateAndWait(arguments)
        else:
            interaction = yield CreateTurn(arguments)
        self.record(input, interaction)
        return interaction

    def stream_call(self, input: Any, overrides: Mapping[str, Any]) -> TurnStep:
        """The call of a streamed turn (made with `stream=True`); pass the stream to `pending` afterwards."""
        self.settle()
        arguments = self.arguments(input, overrides)
        if self.runs_tools:
            return RunTools(arguments)
        if "agent" in arguments:
            arguments["background"] = True  # an agent runs in the background; its stream can be resumed
        return CreateTurn(arguments)

    def pending(self, input: Any, stream: Any) -> None:
        self._pending = (input, stream)

    def settle(self) -> None:
        """Record a streamed turn once its stream completed; a stream that did not complete is no turn."""
        if self._pending is None:
            return
        input, stream = self._pending
        self._pending = None
        run = getattr(stream, "tool_run", None)
        if isinstance(run, ToolRun):
            self.record_run(input, run)
            return
        current = getattr(stream, "current_interaction", None)
        interaction = current() if callable(current) else None
        if interaction is None or getattr(interaction, "status", None) in _UNFINISHED:
            logger.info("a streamed chat turn did not complete; it is not part of the history")
            return
        self.record(input, interaction)

    def record(self, input: Any, interaction: Interaction) -> None:
        self.history += [*input_steps(input), *model_steps(interaction)]
        self.last_interaction = interaction

    def record_run(self, input: Any, run: ToolRun[Any]) -> None:
        """A tool run's turns: each turn's steps, then the results the runner sent for its calls."""
        self.history += input_steps(input)
        calls = iter(run.calls)
        for turn in run.turns:
            self.history += model_steps(turn)
            if turn is not run.interaction:
                answered = [next(calls) for _ in turn.function_calls]
                self.history += [dict(call.as_input()) for call in answered]
        self.last_interaction = run.interaction

    def fork(self) -> Conversation:
        self.settle()
        return Conversation(
            self.defaults, store=self.store, history=copy.deepcopy(self.history), last_interaction=self.last_interaction
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON data of the conversation; Python function tools are kept by name (pass them again to from_dict)."""
        self.settle()
        defaults = dict(self.defaults)
        if "tools" in defaults:
            defaults["tools"] = [_tool_data(tool) for tool in defaults["tools"]]
        return {
            "format": FORMAT,
            "store": self.store,
            "defaults": to_jsonable(defaults),
            "history": copy.deepcopy(self.history),
            "last_interaction": None if self.last_interaction is None else self.last_interaction.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, tools: list[Any] | None = None) -> Conversation:
        if not isinstance(data, Mapping) or data.get("format") != FORMAT:
            raise ValueError(f"not a saved chat (expected format {FORMAT!r})")
        defaults = dict(data["defaults"])
        saved = defaults.get("tools")
        if saved is not None:
            defaults["tools"] = _restore_tools(saved, tools or [])
        elif tools:
            defaults["tools"] = list(tools)
        last = data.get("last_interaction")
        from .types import Interaction  # the models are built on first use

        try:
            interaction = None if last is None else Interaction.model_validate(last)
        except pydantic.ValidationError as exc:
            raise ValueError(f"the saved chat's last_interaction is not an Interaction: {exc}") from exc
        return cls(defaults, store=bool(data["store"]), history=list(data["history"]), last_interaction=interaction)


def _tool_data(tool: Any) -> Any:
    if isinstance(tool, FunctionTool) or (callable(tool) and not isinstance(tool, (Mapping, pydantic.BaseModel, type))):
        function = tool if isinstance(tool, FunctionTool) else FunctionTool(tool)
        return {"python_function": function.name}
    return to_jsonable(tool)


def _restore_tools(saved: list[Any], functions: list[Any]) -> list[Any]:
    by_name = {(f if isinstance(f, FunctionTool) else FunctionTool(f)).name: f for f in functions}
    restored: list[Any] = []
    for tool in saved:
        name = tool.get("python_function") if isinstance(tool, Mapping) else None
        if name is None:
            restored.append(tool)
        elif name in by_name:
            restored.append(by_name.pop(name))
        else:
            raise ValueError(f"the saved chat used the Python function {name!r}: pass it in tools=[...]")
    return restored + list(by_name.values())
