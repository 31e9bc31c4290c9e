# Copied from codegen/runtime/_retry.py by `nox -s generate` - edit it there, not here.
"""When to retry a failed request and how long to wait first: the policy both transports drive."""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ._exceptions import APIConnectionError, APIError, APIStatusError
from ._logs import redacted_headers

if TYPE_CHECKING:
    from ._request import PreparedRequest

logger = logging.getLogger(__name__.rsplit(".", 1)[0])

RETRYABLE_STATUSES = frozenset({408, 409, 429})
INITIAL_DELAY = 0.5
MAX_DELAY = 8.0
MAX_RETRY_AFTER = 60.0


def is_retryable_status(status: int) -> bool:
    return status in RETRYABLE_STATUSES or status >= 500


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """The server's requested wait from `retry-after-ms` or `Retry-After` (seconds or an HTTP date)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    if "retry-after-ms" in lowered:
        try:
            return float(lowered["retry-after-ms"]) / 1000
        except ValueError:
            pass
    value = lowered.get("retry-after")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, parsed.timestamp() - time.time())


def backoff_delay(attempt: int, headers: Mapping[str, str] | None = None, *, initial: float | None = None) -> float:
    """Seconds before retry number `attempt` (1-based): Retry-After when sane, else capped exponential with jitter.

    `initial` replaces the first delay (a stream's SSE `retry` field sets it for reconnecting)."""
    requested = retry_after_seconds(headers or {})
    if requested is not None and 0 <= requested <= MAX_RETRY_AFTER:
        return requested
    first = INITIAL_DELAY if initial is None else min(initial, MAX_DELAY)
    delay: float = min(first * 2.0 ** (attempt - 1), MAX_DELAY)
    return delay * (1 - 0.25 * random.random())


class Attempts:
    """The attempts at one request: logs each, and after a failure says whether and when to try again.

    Sans-IO, so both transports drive it the same way: `sending()` before each attempt,
    `succeeded(status)` when an answer arrives, and after a failed attempt `retry_delay(error)`,
    the seconds to sleep before the next one, or None to raise the error. What is worth retrying
    is decided in `_worth_retrying`, the one place a per-request rule goes (`request.idempotent`
    is there for one: a connection error's `_maybe_sent` says whether the request can have left)."""

    def __init__(self, request: PreparedRequest) -> None:
        self.request = request
        self.retries = 0
        self._started = 0.0

    def sending(self) -> None:
        self._started = time.monotonic()
        logger.debug("sending %s headers=%s", self.request.describe(), redacted_headers(self.request.headers))

    def succeeded(self, status: int) -> bool:
        """Log the answer's status; True for a success, which the transport hands back unread."""
        elapsed_ms = (time.monotonic() - self._started) * 1000
        logger.info("%s -> %d (%.0f ms)", self.request.describe(), status, elapsed_ms)
        return status < 400

    def retry_delay(self, error: APIError) -> float | None:
        """Seconds to wait before trying again after `error`, logged; None: not worth it, or the retries are spent."""
        if not self._worth_retrying(error) or self.retries >= self.request.max_retries:
            return None
        self.retries += 1
        headers = error.headers if isinstance(error, APIStatusError) else None
        delay = backoff_delay(self.retries, headers)
        logger.info(
            "retrying %s in %.2f s (retry %d of %d): %s",
            self.request.describe(),
            delay,
            self.retries,
            self.request.max_retries,
            error.message,
        )
        return delay

    def _worth_retrying(self, error: APIError) -> bool:
        if isinstance(error, APIStatusError):
            return is_retryable_status(error.status_code)
        return isinstance(error, APIConnectionError)
