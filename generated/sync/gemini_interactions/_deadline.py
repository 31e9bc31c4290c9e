# Copied from codegen/runtime/_deadline.py by `nox -s generate` - edit it there, not here.
"""`deadline=`: a wall-clock budget for one logical call (its hops, retries, reconnects and polls).

Distinct from `timeout`, which bounds each HTTP request: a deadline is fixed when the call starts,
each request is sent with at most the time left, and nothing new starts once it has passed. A
flow that calls a generated method (a wait's `get()`) runs it `within(deadline)`: every request
prepared inside is bounded the same way (`bound_to_current`), retries and their sleeps included."""

from __future__ import annotations

import contextvars
import dataclasses
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from ._config import Timeout
from ._exceptions import APIError, APITimeoutError

if TYPE_CHECKING:
    from ._request import PreparedRequest


class Deadline:
    def __init__(self, seconds: float | None, *, clock: Callable[[], float] = time.monotonic) -> None:
        if seconds is not None and seconds <= 0:
            raise ValueError("deadline must be a positive number of seconds (or None for no deadline)")
        self.seconds = seconds
        self._clock = clock
        self._at = None if seconds is None else clock() + seconds

    def remaining(self) -> float | None:
        """Seconds left, None when unbounded (never below zero)."""
        return None if self._at is None else max(0.0, self._at - self._clock())

    @property
    def expired(self) -> bool:
        return self._at is not None and self._clock() >= self._at

    def allows_wait(self, seconds: float) -> bool:
        """Whether waiting `seconds` (a backoff, a poll interval) still leaves time to do something."""
        return self._at is None or self._clock() + seconds < self._at

    def error(self, what: str) -> APITimeoutError:
        return APITimeoutError(f"{what}: the deadline of {self.seconds:g} s passed")

    def cut(self, error: APIError) -> bool:
        """Whether `error` was raised because a retry would have outlived this deadline (`_retry.Attempts`):
        the call then raises this deadline's APITimeoutError, the refused answer as its cause."""
        return error._cut_by_deadline and self._at is not None

    def check(self, what: str) -> None:
        """Raise APITimeoutError once the deadline has passed."""
        if self.expired:
            raise self.error(what)

    def bound(self, request: PreparedRequest) -> PreparedRequest:
        """`request` with its timeouts cut to the time left, so no single wait outlives the deadline."""
        if self._at is None:
            return request
        return dataclasses.replace(request, timeout=self.timeout(request.timeout), deadline_at=self._at)

    def timeout(self, timeout: Timeout) -> Timeout:
        """`timeout` cut to the time left."""
        left = self.remaining()
        if left is None:
            return timeout
        # replace(), not a new Timeout: the stream idle bound keeps its setting. The pool wait is cut too:
        # a call queued behind busy connections (pool=None waits as long as it takes) ends at its deadline.
        return dataclasses.replace(
            timeout,
            connect=_least(timeout.connect, left),
            read=_least(timeout.read, left),
            pool=_least(timeout.pool, left),
        )


def _least(value: float | None, left: float) -> float:
    # A zero timeout means "do not wait" to neither library; a tiny one times out at once.
    return max(min(left, value) if value is not None else left, 0.001)


# The deadline of the logical call a generated method runs inside, if any (a contextvar: per thread and per task).
_current: contextvars.ContextVar[Deadline | None] = contextvars.ContextVar("gemini_interactions_deadline", default=None)


@contextmanager
def within(deadline: Deadline) -> Iterator[None]:
    """Requests prepared inside are bounded by `deadline` (see `bound_to_current`)."""
    token = _current.set(deadline)
    try:
        yield
    finally:
        _current.reset(token)


def bound_to_current(request: PreparedRequest) -> PreparedRequest:
    """`request` bounded by the deadline of the call it is made within, if any."""
    deadline = _current.get()
    return request if deadline is None else deadline.bound(request)
