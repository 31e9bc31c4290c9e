# Copied from codegen/runtime/testing/_state.py by `nox -s generate` - edit it there, not here.
"""Per-resource in-memory state: one small class with a lock per resource, created on first use."""

from __future__ import annotations

import threading
from typing import TypeVar

__all__ = ["ResourceState", "StateRegistry"]


class ResourceState:
    """Base of a resource's server-side state; subclasses hold their data and guard it with `lock`.

    A subclass must be constructible without arguments and forget everything in `reset`.
    """

    def __init__(self) -> None:
        self.lock: threading.RLock = threading.RLock()

    def reset(self) -> None:
        raise NotImplementedError


StateT = TypeVar("StateT", bound=ResourceState)


class StateRegistry:
    """The server's resource states, one instance per class (`server.state(InteractionStore)`)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._states: dict[type[ResourceState], ResourceState] = {}

    def get(self, kind: type[StateT]) -> StateT:
        with self._lock:
            state = self._states.get(kind)
            if state is None:
                state = self._states[kind] = kind()
        assert isinstance(state, kind)
        return state

    def reset(self) -> None:
        with self._lock:
            states = list(self._states.values())
        for state in states:
            state.reset()
