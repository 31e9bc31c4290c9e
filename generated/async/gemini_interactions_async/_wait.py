# Copied from codegen/runtime/_wait.py by `nox -s generate` - edit it there, not here.
"""Waiting for a background interaction, without I/O: when to poll again, and when the wait is over.

A wait ends as soon as the status is anything but `queued` or `in_progress`: `completed`,
`failed`, `cancelled`, `incomplete`, `budget_exceeded`, `requires_action` (a tool call waits for
you), or a status this SDK does not know yet."""

from __future__ import annotations

from collections.abc import Mapping

from ._deadline import Deadline
from ._retry import MAX_RETRY_AFTER
from ._retry_after import retry_after_seconds

RUNNING_STATUSES = frozenset({"queued", "in_progress"})
DEFAULT_POLL_INTERVAL = 1.0
MAX_POLL_INTERVAL = 10.0
BACKOFF = 1.5


def is_running(status: object) -> bool:
    return status in RUNNING_STATUSES


class WaitPolicy:
    """Capped backoff between polls, starting at `poll_interval`; a Retry-After on a poll wins."""

    def __init__(
        self,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        *,
        max_interval: float = MAX_POLL_INTERVAL,
        deadline: Deadline | None = None,
    ) -> None:
        if poll_interval <= 0:
            raise ValueError("poll_interval must be a positive number of seconds")
        self.poll_interval = poll_interval
        self.max_interval = max(max_interval, poll_interval)
        self.deadline = deadline or Deadline(None)

    def delay(self, polls: int, headers: Mapping[str, str] | None = None) -> float:
        """Seconds to wait after poll number `polls` (1-based) before the next one."""
        requested = retry_after_seconds(headers or {})
        if requested is not None and 0 <= requested <= MAX_RETRY_AFTER:
            return requested
        return float(min(self.poll_interval * BACKOFF ** (polls - 1), self.max_interval))
