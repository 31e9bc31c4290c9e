"""Authentication besides an API key: a google-auth `Credentials` object, or a callable returning auth headers.

`Authorizer` is sans-IO apart from google-auth's own refresh: each transport asks it for a request's headers
just before sending (`authorized`), the async one running a due refresh in a worker thread first.
google-auth is an optional extra, imported only when a refresh is due."""

from __future__ import annotations

import inspect
import threading
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from ._exceptions import CredentialsError
from ._version import PACKAGE_NAME

if TYPE_CHECKING:
    from ._request import PreparedRequest

# The auth headers of a request, from a function you give the client (called before every request).
AuthHeaders = Callable[[], Mapping[str, str]]
# The async client also takes a coroutine function (or any callable returning an awaitable of them).
AsyncAuthHeaders = Callable[[], Awaitable[Mapping[str, str]]]


@runtime_checkable
class GoogleCredentials(Protocol):
    """What the client uses of a google-auth `google.auth.credentials.Credentials` object."""

    @property
    def valid(self) -> bool: ...

    def refresh(self, request: Any) -> None: ...

    def apply(self, headers: dict[str, str], token: str | None = None) -> None: ...


CredentialsLike = GoogleCredentials | AuthHeaders
AsyncCredentialsLike = GoogleCredentials | AuthHeaders | AsyncAuthHeaders
INSTALL_HINT = f"pip install '{PACKAGE_NAME}[google-auth]'"


class Authorizer:
    """A request's credential headers: `Authorization: Bearer …` (+ `x-goog-user-project`) or the callable's."""

    def __init__(self, credentials: AsyncCredentialsLike) -> None:
        if isinstance(credentials, GoogleCredentials):
            self._google: GoogleCredentials | None = credentials
            self._callable: AuthHeaders | AsyncAuthHeaders | None = None
        elif callable(credentials):
            self._google, self._callable = None, credentials
        else:
            raise TypeError(
                "credentials must be a google-auth Credentials object or a callable returning the auth headers, "
                f"not {type(credentials).__name__}"
            )
        self._lock = threading.Lock()  # one refresh at a time, however many threads send

    def __repr__(self) -> str:  # never the token
        source = self._google if self._google is not None else self._callable
        return f"Authorizer({type(source).__module__}.{type(source).__qualname__})"

    @property
    def credentials(self) -> AsyncCredentialsLike:
        return self._google if self._google is not None else self._callable  # type: ignore[return-value]

    def refresh_due(self) -> bool:
        """Whether google-auth credentials are expired or close to it (google-auth's `valid` keeps a margin)."""
        return self._google is not None and not self._google.valid

    def refresh(self) -> None:
        """Refresh google-auth credentials if still due (blocking I/O: the async client runs it in a thread)."""
        google = self._google
        if google is None:
            return
        with self._lock:
            if not google.valid:
                _refresh(google)

    @property
    def renewable(self) -> bool:
        """Whether a token the server refused can be replaced by a fresh one (google-auth credentials can)."""
        return self._google is not None

    def renew(self, refused: Mapping[str, str]) -> None:
        """Replace the token of `refused`, the headers of a request answered with HTTP 401 although the
        token had not expired here (revoked, or expired early by a skewed clock). Blocking I/O, like
        `refresh`. A token another request renewed meanwhile is kept, not renewed again."""
        google = self._google
        if google is None:
            return
        with self._lock:
            current: dict[str, str] = {}
            google.apply(current)
            if _authorization(current) == _authorization(refused):
                _refresh(google)

    def headers(self) -> dict[str, str]:
        """A request's credential headers; an awaitable from the callable is for the async client only."""
        if self._google is not None:
            if not self._google.valid:
                self.refresh()
            headers: dict[str, str] = {}
            self._google.apply(headers)
            return headers
        produced = self.produce()
        if inspect.isawaitable(produced):
            if inspect.iscoroutine(produced):
                produced.close()  # never awaited: no "coroutine was never awaited" warning
            raise CredentialsError(
                "The credentials callable returned an awaitable: an async credentials callable needs the async client"
            )
        return self.accept(produced)

    def produce(self) -> Any:
        """What the credentials callable gives (an async client awaits an awaitable), for `accept`."""
        assert self._callable is not None
        try:
            return self._callable()
        except Exception as exc:
            raise callable_failed(exc) from exc

    @property
    def produces(self) -> bool:
        """Whether the headers come from a callable (`produce`, then `accept`), not google-auth credentials."""
        return self._callable is not None

    def accept(self, produced: Any) -> dict[str, str]:
        """The headers from what the callable gave (awaited, if it was an awaitable)."""
        if not isinstance(produced, Mapping):
            raise CredentialsError(
                f"The credentials callable must return a mapping of headers, not {type(produced).__name__}"
            )
        return {str(name): str(value) for name, value in produced.items()}


def authorized(request: PreparedRequest) -> PreparedRequest:
    """The request with its credential headers filled in (refreshing in this thread when due)."""
    if request.auth is None:
        return request
    return with_credentials(request, request.auth.headers())


def with_credentials(request: PreparedRequest, headers: Mapping[str, str]) -> PreparedRequest:
    return replace(request, headers={**request.headers, **headers})


def callable_failed(exc: Exception) -> CredentialsError:
    """The error for a credentials callable that raised: it names the exception's type only, since the
    message may hold a token."""
    return CredentialsError(f"The credentials callable failed: {type(exc).__name__}")


def _refresh(google: GoogleCredentials) -> None:
    try:
        google.refresh(_refresh_request())
    except CredentialsError:
        raise
    except Exception as exc:
        # google-auth's messages name the token endpoint and the grant error, never the token itself.
        raise CredentialsError(f"Refreshing the credentials failed: {type(exc).__name__}: {exc}") from exc


def _authorization(headers: Mapping[str, str]) -> str | None:
    return next((value for name, value in headers.items() if name.lower() == "authorization"), None)


def _refresh_request() -> Any:
    try:
        from google.auth.transport.requests import Request
    except ImportError as exc:
        raise CredentialsError(f"Refreshing google-auth credentials needs google-auth: {INSTALL_HINT}") from exc
    return Request()
