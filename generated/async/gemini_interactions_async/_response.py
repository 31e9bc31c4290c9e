# Copied from codegen/runtime/_response.py by `nox -s generate` - edit it there, not here.
"""Raw HTTP responses: `client.<resource>.with_raw_response.<method>(...)` gives status, headers and `.parse()`.

A method wrapped by `to_raw_response_wrapper` runs exactly as usual, with a context flag set that
tells the client to hand back a `RawResponse` around what it would have returned."""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Generic, TypeVar, cast

from typing_extensions import ParamSpec

from ._exceptions import request_id_of
from ._headers import Headers
from ._transport import HTTPResponse

P = ParamSpec("P")
R = TypeVar("R")
# Covariant: a RawResponse only hands its result out, so one of an Interaction is one of `Interaction | Stream`.
R_co = TypeVar("R_co", covariant=True)

_raw_response_requested: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "gemini_interactions_raw_response", default=False
)


class RawResponse(Generic[R_co]):
    """The HTTP response of one call: status and headers now, the typed result from `parse()`.

    For a streamed call, `parse()` returns the stream, not yet iterated (a stream continues over
    its hops as it is read). A create continued automatically over several hops gives the last
    hop's response: `parse()` is the merged Interaction and `hops` every hop's RawResponse."""

    def __init__(
        self,
        *,
        http_response: HTTPResponse,
        status_code: int,
        headers: Mapping[str, str],
        parse: Callable[[], R_co],
        content: bytes | None = None,
    ) -> None:
        self.http_response = http_response  # the HTTP library's own response (requests or aiohttp)
        self.status_code = status_code
        self.headers: Headers = Headers(headers)
        self._parse = parse
        self._content = content
        self._parsed: list[R_co] = []
        self._earlier_hops: list[RawResponse[Any]] = []  # not including self: no reference cycle holding the response

    @property
    def request_id(self) -> str | None:
        return request_id_of(self.headers)

    @property
    def content(self) -> bytes:
        """The body as received; a streamed body is read by iterating what `parse()` returns instead."""
        if self._content is None:
            raise RuntimeError("the body of a streamed response is read by iterating the stream from parse()")
        return self._content

    def parse(self) -> R_co:
        """The typed result the method returns without `with_raw_response` (parsed once, then reused)."""
        if not self._parsed:
            self._parsed.append(self._parse())
        return self._parsed[0]

    @property
    def hops(self) -> list[RawResponse[Any]]:
        """Every HTTP response of the call, in order: just this one, except for a create continued over several hops."""
        return [*self._earlier_hops, self]

    def __repr__(self) -> str:
        return f"<RawResponse [{self.status_code}] request_id={self.request_id!r}>"


def merged_hops(last: RawResponse[R], result: R, hops: list[RawResponse[Any]]) -> RawResponse[R]:
    """The last hop's response, parsing to `result`, the answer merged from `hops` (`last` among them, last)."""
    last._parse, last._parsed = (lambda: result), [result]
    last._earlier_hops = [hop for hop in hops if hop is not last]
    return last


def raw_response_requested() -> bool:
    """True inside a call made through `with_raw_response`."""
    return _raw_response_requested.get()


def to_raw_response_wrapper(method: Callable[P, R]) -> Callable[P, RawResponse[R]]:
    """The same method, returning the RawResponse around its result (same parameters, overloads kept)."""

    @functools.wraps(method)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> RawResponse[R]:
        token = _raw_response_requested.set(True)
        try:
            return cast(RawResponse[R], method(*args, **kwargs))
        finally:
            _raw_response_requested.reset(token)

    return wrapped


def async_to_raw_response_wrapper(method: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[RawResponse[R]]]:
    """`to_raw_response_wrapper` for coroutine methods."""

    @functools.wraps(method)
    async def wrapped(*args: P.args, **kwargs: P.kwargs) -> RawResponse[R]:
        token = _raw_response_requested.set(True)
        try:
            return cast(RawResponse[R], await method(*args, **kwargs))
        finally:
            _raw_response_requested.reset(token)

    return wrapped
