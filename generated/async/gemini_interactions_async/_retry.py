# Copied from codegen/runtime/_retry.py by `nox -s generate` - edit it there, not here.
"""When to retry a failed request and how long to wait first: the policy both transports drive."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from ._credentials import authorized
from ._exceptions import APIConnectionError, APIError, APIPoolTimeoutError, APIStatusError
from ._redaction import redacted_headers
from ._redirects import MAX_REDIRECTS, follow, is_cross_origin, location
from ._retry_after import retry_after_seconds

if TYPE_CHECKING:
    from ._request import PreparedRequest

logger = logging.getLogger(__name__.rsplit(".", 1)[0])

RETRYABLE_STATUSES = frozenset({408, 409, 429})
# Answers saying a request was not processed: even a create may be sent again after them.
NOT_PROCESSED = frozenset({408, 429, 503})
INITIAL_DELAY = 0.5
MAX_DELAY = 8.0
MAX_RETRY_AFTER = 60.0  # the longest server-requested wait honoured; a longer one raises the error instead


def is_retryable_status(status: int) -> bool:
    return status in RETRYABLE_STATUSES or status >= 500


def backoff_delay(attempt: int, headers: Mapping[str, str] | None = None, *, initial: float | None = None) -> float:
    """Seconds before retry number `attempt` (1-based): the server's Retry-After, else capped exponential with jitter.

    A Retry-After of 0 or a date already past gets the backoff, not an immediate retry; one above
    MAX_RETRY_AFTER never gets here (`Attempts` raises instead). `initial` replaces the first delay
    (a stream's SSE `retry` field sets it for reconnecting)."""
    requested = retry_after_seconds(headers or {})
    if requested is not None and 0 < requested <= MAX_RETRY_AFTER:
        return requested
    first = INITIAL_DELAY if initial is None else min(initial, MAX_DELAY)
    delay: float = min(first * 2.0 ** (attempt - 1), MAX_DELAY)
    return delay * (1 - 0.25 * random.random())


class Attempts:
    """The attempts at one request: logs each, and after a failure says whether and when to try again.

    Sans-IO, so both transports drive it the same way: `sending()` before each attempt,
    `succeeded(status)` when an answer arrives, and after a failed attempt `retry_delay(error)`,
    the seconds to sleep before the next one, or None to raise the error. A same-origin redirect is
    such a failure too: `retry_delay` then points `request` at the new location and says 0 (it
    spends no retry; at most MAX_REDIRECTS are followed). So is the first 401 when the credentials
    can be renewed: the transport then runs `renewal()` before sending again. What is worth
    retrying is decided in `_worth_retrying`, the one place a per-request rule goes
    (`request.idempotent` is there for one: a connection error's `_maybe_sent` says whether the
    request can have left)."""

    def __init__(self, request: PreparedRequest) -> None:
        self.request = request
        self.retries = 0
        self.redirects = 0
        self._started = 0.0
        self._renew = False  # the credentials are to be renewed before the next attempt (see renewal)
        self._renewed = False

    def sending(self) -> None:
        self._started = time.monotonic()
        if logger.isEnabledFor(logging.DEBUG):  # not built per request when nobody reads it
            logger.debug("sending %s headers=%s", self.request.describe(), redacted_headers(self.request.headers))

    def succeeded(self, status: int) -> bool:
        """Log the answer's status; True for a success, which the transport hands back unread."""
        elapsed_ms = (time.monotonic() - self._started) * 1000
        logger.info("%s %s -> %d (%.0f ms)", self.request.method, self.request.url, status, elapsed_ms)  # = describe()
        return status < 300

    def retry_delay(self, error: APIError) -> float | None:
        """Seconds to wait before trying again after `error`, logged; None: not worth it, or the retries are spent.

        A request that is not idempotent and may have taken effect is never sent again: `error`
        then says so and how to go on."""
        if isinstance(error, APIStatusError) and error.status_code < 400:
            return self._redirect(error)
        if isinstance(error, APIStatusError) and error.status_code == 401 and self._may_renew():
            # A refused token: the request was not processed, so even a create is sent again, once.
            self._renew = self._renewed = True
            logger.info(
                "%s was refused (HTTP 401): renewing the credentials, then sending it again", self.request.describe()
            )
            return 0.0
        if not self._worth_retrying(error):
            if not self.request.idempotent and _outcome_unknown(error):
                _say_it_may_exist(error)
            return None
        if self.retries >= self.request.max_retries:
            return None
        if isinstance(error, APIStatusError) and error.retry_after is not None and error.retry_after > MAX_RETRY_AFTER:
            logger.info(
                "not retrying %s: the server asked to wait %.0f s, more than %.0f s",
                self.request.describe(),
                error.retry_after,
                MAX_RETRY_AFTER,
            )
            return None
        self.retries += 1
        headers = error.headers if isinstance(error, APIStatusError) else None
        delay = backoff_delay(self.retries, headers)
        deadline_at = self.request.deadline_at
        if deadline_at is not None and time.monotonic() + delay >= deadline_at:
            error._cut_by_deadline = True  # the call's deadline would pass before the retry is sent
            logger.info("not retrying %s in %.2f s: the call's deadline passes first", self.request.describe(), delay)
            return None
        logger.info(
            "retrying %s in %.2f s (retry %d of %d): %s",
            self.request.describe(),
            delay,
            self.retries,
            self.request.max_retries,
            error.message,
        )
        return delay

    def renewal(self) -> Callable[[], None] | None:
        """After a 401 that `retry_delay` answered with 0: what renews the credentials and puts the new
        token into `request` (blocking I/O: the async transport runs it in a thread); else None."""
        auth = self.request.auth
        if not self._renew or auth is None:
            return None
        self._renew = False
        refused = self.request.headers

        def renew() -> None:
            auth.renew(refused)
            self.request = authorized(self.request)

        return renew

    def _may_renew(self) -> bool:
        auth = self.request.auth
        return auth is not None and auth.renewable and not self._renewed

    def _redirect(self, error: APIStatusError) -> float | None:
        target = location(self.request, error.status_code, error.headers)
        if target is None or is_cross_origin(self.request, target) or self.redirects >= MAX_REDIRECTS:
            return None
        self.redirects += 1
        previous, self.request = self.request.describe(), follow(self.request, error.status_code, target)
        logger.info("following the %d redirect of %s to %s", error.status_code, previous, self.request.describe())
        return 0.0

    def _worth_retrying(self, error: APIError) -> bool:
        """The one retry rule: an idempotent request after any transient failure; any other only
        when it provably did not take effect (never sent, or an answer saying it was not processed)."""
        if isinstance(error, APIPoolTimeoutError):
            return False  # the caller bounded the wait with Timeout.pool; a retry would wait as long again
        if self.request.idempotent:
            if isinstance(error, APIStatusError):
                return is_retryable_status(error.status_code)
            return isinstance(error, APIConnectionError)
        if isinstance(error, APIStatusError):
            return error.status_code in NOT_PROCESSED
        return isinstance(error, APIConnectionError) and not error._maybe_sent


def _outcome_unknown(error: APIError) -> bool:
    """Whether the request may have taken effect: lost after it may have left, or a 5xx that does not say."""
    if isinstance(error, APIStatusError):
        return error.status_code >= 500 and error.status_code not in NOT_PROCESSED
    return isinstance(error, APIConnectionError) and error._maybe_sent


def _say_it_may_exist(error: APIError) -> None:
    """Add to `error`'s message that the request it failed may have taken effect, and what to do."""
    note = (
        " - not sent again: the request may have reached the server, so the interaction may exist "
        "(check before creating another; for long work use background=True and interactions.wait())"
    )
    error.message += note
    error.args = (error.message, *error.args[1:])
