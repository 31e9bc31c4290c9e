# Copied from codegen/runtime/_exceptions.py by `nox -s generate` - edit it there, not here.
"""Every error this SDK raises: one hierarchy, the same in the sync and async packages.

Messages name what went wrong and where, never the API key."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._headers import Headers

REQUEST_ID_HEADERS = ("x-request-id", "x-goog-request-id", "request-id")


def request_id_of(headers: Mapping[str, str]) -> str | None:
    """The server's id for the request, from the first request-id header present (names in any case)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    return next((lowered[h] for h in REQUEST_ID_HEADERS if h in lowered), None)


class GeminiInteractionsError(Exception):
    """Base class of every exception raised by this package."""


class MissingAPIKeyError(GeminiInteractionsError, ValueError):
    """No API key was given and none was found in GEMINI_API_KEY or GOOGLE_API_KEY."""


class CredentialsError(GeminiInteractionsError):
    """The client's `credentials` could not give the auth headers (a failed refresh, a failing callable)."""


class InvalidArgumentError(GeminiInteractionsError, TypeError, ValueError):
    """An argument does not fit the API's schema; raised before anything is sent.

    A TypeError and a ValueError alike, so either `except` catches it. `argument` names the first
    offending keyword argument; `problems` has one line per mismatch (paths and types, no values)."""

    def __init__(self, message: str, *, argument: str | None, problems: list[str]) -> None:
        super().__init__(message)
        self.argument = argument
        self.problems = problems


class APIError(GeminiInteractionsError):
    """A request to the API failed."""

    # True when a retry was worth it but the call's deadline would have passed first (`_retry.Attempts`).
    _cut_by_deadline: bool = False

    def __init__(self, message: str, *, method: str | None = None, url: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.url = url


class APIConnectionError(APIError):
    """The server could not be reached, or the connection broke."""

    # False when the request provably never left (refused, DNS, TLS, proxy, connect timeout): safe to send again.
    _maybe_sent: bool = True


class APITimeoutError(APIConnectionError):
    """The request timed out (connecting, or waiting for data)."""


class APIPoolTimeoutError(APITimeoutError):
    """No connection of the client's pool came free within `Timeout.pool`: every one of `max_connections`
    was busy (the client's own congestion, not the server's). The request was not sent."""

    _maybe_sent = False


class WaitTimeoutError(APITimeoutError):
    """The deadline of `interactions.wait()` passed while the run was still going.

    `interaction` is the last state seen; the run goes on on the server: wait again, or cancel it."""

    def __init__(self, message: str, *, interaction: Any) -> None:
        super().__init__(message)
        self.interaction = interaction


class StreamResumeError(APIConnectionError):
    """A stream broke and reconnecting did not get it going again.

    `interaction_id` and `last_event_id` say where to resume by hand with
    `client.interactions.get(interaction_id, stream=True, last_event_id=last_event_id)`."""

    def __init__(
        self,
        message: str,
        *,
        interaction_id: str | None,
        last_event_id: str | None,
        method: str | None = None,
        url: str | None = None,
    ) -> None:
        super().__init__(message, method=method, url=url)
        self.interaction_id = interaction_id
        self.last_event_id = last_event_id


class ContinuationInterruptedError(APIError):
    """An automatically continued call failed after output was delivered; the work so far is kept.

    `partial_interaction` holds the hops merged so far (None for a stream, whose events were
    delivered already); resume by hand with `interactions.create(continuation_token=...,
    previous_interaction_id=interaction_id)` (with `store=False`: the original `input` and the
    token). The failure itself is `__cause__`."""

    def __init__(
        self,
        message: str,
        *,
        partial_interaction: Any,
        continuation_token: str | None,
        interaction_id: str | None,
        continuation_ids: list[str],
    ) -> None:
        super().__init__(message)
        self.partial_interaction = partial_interaction
        self.continuation_token = continuation_token
        self.interaction_id = interaction_id
        self.continuation_ids = continuation_ids


class APIResponseValidationError(APIError):
    """The server sent something that is not what the API promises (for example invalid JSON)."""

    def __init__(
        self, message: str, *, payload: str | bytes | None = None, method: str | None = None, url: str | None = None
    ) -> None:
        super().__init__(message, method=method, url=url)
        self.payload = payload


class EventTooLargeError(APIError):
    """A stream event was larger than the client's `max_event_size` (bytes); the stream is closed.

    Raised as soon as the event's bytes pass the bound, so a line that never ends costs at most
    that much memory. `limit` is the bound."""

    def __init__(self, message: str, *, limit: int) -> None:
        super().__init__(message)
        self.limit = limit


class StreamError(APIError):
    """The stream carried an `error` event; raised by helpers that need the stream to complete."""

    def __init__(self, message: str, *, code: str | None, event: Any) -> None:
        super().__init__(message)
        self.code: str | None = code
        self.event: Any = event


class ClientClosedError(GeminiInteractionsError, RuntimeError):
    """The client was used after `close()` (or after leaving its `with` block); make a new one."""


class EventLoopError(GeminiInteractionsError, RuntimeError):
    """An async client was used from an event loop other than the one it first ran in.

    Its connections belong to that loop; make one client per event loop (per `asyncio.run`)."""


class APIStatusError(APIError):
    """The API answered with an HTTP error status.

    `retry_after` is the wait in seconds the server asked for (`Retry-After` / `retry-after-ms`),
    None when it asked for none."""

    status_code: int
    retry_after: float | None = None

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        body: Any,
        headers: Mapping[str, str],
        method: str | None = None,
        url: str | None = None,
    ) -> None:
        super().__init__(message, method=method, url=url)
        self.status_code = status_code
        self.body: Any = body
        self.headers: Headers = Headers(headers)  # case-insensitive, like a response's
        self.request_id: str | None = request_id_of(headers)
        error = body.get("error") if isinstance(body, dict) else None
        self.code: str | None = str(error["code"]) if isinstance(error, dict) and "code" in error else None


class CrossOriginRedirectError(APIStatusError):
    """The server redirected the request to another origin (scheme, host or port); it was not followed.

    Following it would send the credentials (or the request body) somewhere you did not configure.
    `location` is where the server pointed."""

    location: str | None = None


class BadRequestError(APIStatusError):
    status_code = 400


class AuthenticationError(APIStatusError):
    status_code = 401


class PermissionDeniedError(APIStatusError):
    status_code = 403


class NotFoundError(APIStatusError):
    status_code = 404


class RequestTimeoutError(APIStatusError):
    status_code = 408


class ConflictError(APIStatusError):
    status_code = 409


class UnprocessableEntityError(APIStatusError):
    status_code = 422


class RateLimitError(APIStatusError):
    status_code = 429


class InternalServerError(APIStatusError):
    """Any 5xx answer."""

    status_code = 500


_BY_STATUS: dict[int, type[APIStatusError]] = {
    cls.status_code: cls
    for cls in (
        BadRequestError,
        AuthenticationError,
        PermissionDeniedError,
        NotFoundError,
        RequestTimeoutError,
        ConflictError,
        UnprocessableEntityError,
        RateLimitError,
    )
}


def status_error_class(status_code: int) -> type[APIStatusError]:
    if status_code >= 500:
        return InternalServerError
    return _BY_STATUS.get(status_code, APIStatusError)
