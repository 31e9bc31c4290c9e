# Copied from codegen/runtime/_retry.py by `nox -s generate` - edit it there, not here.
"""When to retry a failed request and how long to wait first."""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._exceptions import APIError
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


def next_retry_delay(
    request: PreparedRequest, attempt: int, error: APIError, headers: Mapping[str, str] | None
) -> float:
    """Seconds to wait before retry number `attempt` of `request`, logged; raises `error` once retries are spent."""
    if attempt > request.max_retries:
        raise error
    delay = backoff_delay(attempt, headers)
    if request.deadline_at is not None and time.monotonic() + delay >= request.deadline_at:
        raise error  # the call's deadline would pass before the retry is sent
    logger.info(
        "retrying %s in %.2f s (retry %d of %d): %s",
        request.describe(),
        delay,
        attempt,
        request.max_retries,
        error.message,
    )
    return delay
