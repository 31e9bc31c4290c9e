"""Routes: `METHOD` + path pattern -> handler function, and the API error a handler raises."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import unquote

if TYPE_CHECKING:
    from ._exchange import Exchange

__all__ = ["ApiError", "Handler", "Route", "Router"]

# A route's handler: reads the request from the exchange and answers through it (or raises ApiError).
Handler = Callable[["Exchange"], None]

# `{name}` is one path segment (up to `/` or `:`, so `{id}:cancel` works); `{name=**}` is the rest of the
# path, slashes included (file paths); `{api_version}` is `v1`, `v1beta`, `v1alpha2`...
_PLACEHOLDER = re.compile(r"\{(?P<name>[a-z_][a-z0-9_]*)(?P<rest>=\*\*)?\}")
_VERSION = r"v\d+[a-z0-9]*"


class ApiError(Exception):
    """An error answer in the API's shape (`{"error": {"code", "message"}}`) with its HTTP status."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def _compile(pattern: str) -> re.Pattern[str]:
    parts: list[str] = []
    position = 0
    for match in _PLACEHOLDER.finditer(pattern):
        parts.append(re.escape(pattern[position : match.start()]))
        name = match.group("name")
        if match.group("rest"):
            body = ".+"
        elif name == "api_version":
            body = _VERSION
        else:
            body = "[^/:]+"
        parts.append(f"(?P<{name}>{body})")
        position = match.end()
    parts.append(re.escape(pattern[position:]))
    # Any path prefix before the pattern is accepted (a base_url with a path, a proxy mount point).
    return re.compile(r"^(?P<_prefix>(?:/[^/]+)*?)" + "".join(parts) + "/?$")


@dataclass(frozen=True)
class Route:
    method: str
    pattern: str
    handler: Handler
    # False for routes that check no API key (e.g. a receiver that the server itself calls).
    auth: bool
    regex: re.Pattern[str]

    def match(self, path: str) -> dict[str, str] | None:
        """The path parameters (plus `_prefix`) when `path` fits the pattern, else `None`.

        The path is matched as sent, so an encoded `/` stays inside its segment; each parameter is
        then percent-decoded (RFC 3986: `%5F` is `_`)."""
        found = self.regex.match(path)
        return None if found is None else {name: unquote(value) for name, value in found.groupdict().items()}


@dataclass(frozen=True)
class Resolved:
    """The outcome of routing a request: its route and path parameters, or `route=None` (405)."""

    route: Route | None
    params: dict[str, str]


class Router:
    """An ordered table of routes; each resource module has one, the server includes them all.

    >>> router = Router()
    >>> @router.route("POST", "/{api_version}/webhooks/{id}:ping")
    ... def ping(exchange): ...
    """

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def route(self, method: str, pattern: str, *, auth: bool = True) -> Callable[[Handler], Handler]:
        """Decorator: register `handler` for `method` (GET, POST, PUT, PATCH, DELETE) on `pattern`."""

        def register(handler: Handler) -> Handler:
            self.add(method, pattern, handler, auth=auth)
            return handler

        return register

    def add(self, method: str, pattern: str, handler: Handler, *, auth: bool = True) -> None:
        self.routes.append(Route(method.upper(), pattern, handler, auth, _compile(pattern)))

    def include(self, other: Router) -> None:
        self.routes.extend(other.routes)

    def resolve(self, method: str, path: str) -> Resolved:
        """The route for `method` on `path`; ApiError 404 when no pattern fits the path at all.

        When several patterns fit, the one explaining most of the path (shortest
        prefix) wins, so `/upload/v1beta/...` reaches an upload route before a
        route for `/v1beta/...` mounted under an `/upload` prefix.
        """
        fitting: list[tuple[int, int, Route, dict[str, str]]] = []
        for order, route in enumerate(self.routes):
            params = route.match(path)
            if params is not None:
                fitting.append((len(params.pop("_prefix")), order, route, params))
        if not fitting:
            raise ApiError(404, "not_found", f"No route for {method} {path}.")
        fitting.sort(key=lambda item: (item[0], item[1]))
        for _, _, route, params in fitting:
            if route.method == method:
                return Resolved(route, params)
        return Resolved(None, {})
