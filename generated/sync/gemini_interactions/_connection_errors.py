# Copied from codegen/runtime/_connection_errors.py by `nox -s generate` - edit it there, not here.
"""What failed when a connection did (refused, DNS, TLS, proxy, reset, timeout), said in the error's message.

Both transports hand their HTTP library's exception to `connection_error`, which names the failure
from the standard-library error at the root of the library's chain. The library's own text is left
out (it can hold a proxy URL with its password); the library's exception is chained as the cause."""

from __future__ import annotations

import http.client
import socket
import ssl
from collections.abc import Iterator
from typing import Literal
from urllib.parse import urlsplit

from ._exceptions import APIConnectionError, APIPoolTimeoutError, APITimeoutError
from ._request import PreparedRequest

_RESET = (ConnectionResetError, ConnectionAbortedError, BrokenPipeError)
# What failed, in words; {host} is host:port, {name} the host name, {detail} what the standard library said.
_WORDS = {
    "tls": "TLS handshake with {host} failed ({detail})",
    "dns": "could not resolve host {name} ({detail})",
    "refused": "connection to {host} refused",
    "reset": "connection to {host} reset ({detail})",
    "other": "connection to {host} failed ({detail})",
    "protocol": "the answer from {host} is not valid HTTP ({detail})",
}
# The same through a proxy, whose address (it may hold a password) is not told.
_PROXY_WORDS = {
    "tls": "TLS handshake failed ({detail})",
    "dns": "its host name did not resolve ({detail})",
    "refused": "connection refused",
    "reset": "connection reset ({detail})",
    "other": "{detail}",
}


def connection_error(
    request: PreparedRequest,
    cause: BaseException,
    *,
    timeout: Literal["connect", "read", "pool", "deadline"] | None = None,
    proxy: bool = False,
    reading: bool = False,
    malformed: BaseException | None = None,
) -> APIConnectionError:
    """The typed error for `cause`, chained to it.

    `timeout` says which of the request's timeouts ran out ("deadline": the call's, past which a
    transport cut the answer), `proxy` that the library blamed the proxy, `reading` that the answer
    had started arriving, `malformed` the HTTP library's error for an answer that breaks HTTP's
    rules (http.client's are found in the chain without it). The error's `_maybe_sent` is False when
    the request provably never left (it failed while connecting)."""
    parts = urlsplit(request.url)
    host = f"{parts.hostname}:{parts.port or (443 if parts.scheme == 'https' else 80)}"  # no user or password
    kind, detail = _root_cause(cause)
    if kind == "other":
        malformed = malformed or _malformed_answer(cause)
        if malformed is not None:
            kind, detail = "protocol", _first_line(malformed)
    words = _WORDS[kind].format(host=host, name=parts.hostname, detail=detail)
    maybe_sent = kind in ("reset", "other", "protocol")
    if timeout == "pool":
        words, maybe_sent = (
            f"no free connection to {host}{_after(request.timeout.pool)}: all of the client's "
            "max_connections are in use (raise max_connections or Timeout.pool)",
            False,
        )
    elif timeout == "connect":
        words, maybe_sent = f"timed out connecting to {host}{_after(request.timeout.connect)}", False
    elif timeout == "read":
        words, maybe_sent = f"timed out waiting for the answer{_after(request.timeout.read)}", True
    elif reading and kind != "protocol":
        words, maybe_sent = f"connection broke while reading the answer ({words})", True
    elif proxy:
        words = f"could not connect through the proxy ({_PROXY_WORDS[kind].format(detail=detail)})"
        maybe_sent = False
    kind_of_error = APIPoolTimeoutError if timeout == "pool" else APITimeoutError if timeout else APIConnectionError
    if timeout == "deadline" or request.deadline_passed():
        # The transports cut an answer still arriving at the call's deadline (per-read timeouts
        # would let a trickle run on): whatever broke then broke for that.
        if timeout == "pool":
            words = "the call's deadline passed while waiting for a free connection"
        elif timeout == "connect":
            words = f"the call's deadline passed while connecting to {host}"
        else:
            words, maybe_sent = "the call's deadline passed before the whole answer had arrived", True
        kind_of_error = APIPoolTimeoutError if timeout == "pool" else APITimeoutError
    error = kind_of_error(f"{request.describe()} failed: {words}", method=request.method, url=request.url)
    error._maybe_sent = maybe_sent
    error.__cause__ = cause
    return error


def _root_cause(cause: BaseException) -> tuple[str, str]:
    """Which of the _WORDS the standard-library error under `cause` is, and what it said."""
    innermost = cause
    for exc in _chain(cause):
        innermost = exc
        # aiohttp's certificate error is an SSLError without ssl's attributes: the real one is its cause.
        reason = getattr(exc, "verify_message", None) or getattr(exc, "reason", None)
        if isinstance(exc, ssl.SSLError) and isinstance(reason, str):
            return "tls", reason
        if isinstance(exc, socket.gaierror):
            return "dns", str(exc.strerror)
        if isinstance(exc, ConnectionRefusedError):
            return "refused", ""
        if isinstance(exc, _RESET):
            return "reset", type(exc).__name__
    return ("tls" if isinstance(innermost, ssl.SSLError) else "other"), type(innermost).__name__


def _malformed_answer(cause: BaseException) -> BaseException | None:
    """http.client's error for an answer that is not valid HTTP, if that is what `cause` came from.

    A body cut short (IncompleteRead) is a broken connection instead."""
    return found_in_chain(cause, (http.client.HTTPException,), but=(http.client.IncompleteRead,))


def found_in_chain(
    cause: BaseException, kinds: tuple[type[BaseException], ...], *, but: tuple[type[BaseException], ...] = ()
) -> BaseException | None:
    """The first exception in `cause`'s chain that is one of `kinds` and none of `but`."""
    for exc in _chain(cause):
        if isinstance(exc, kinds) and not isinstance(exc, but):
            return exc
    return None


def _first_line(exc: BaseException) -> str:
    """What the HTTP library said was wrong with the answer: the first line of its message, briefly.

    It describes the server's bytes (a status line, a header, a chunk size), never the request's."""
    message = getattr(exc, "message", None)
    text = (message if isinstance(message, str) else str(exc)).strip().splitlines()
    first = text[0].rstrip(":") if text else ""
    return f"{type(exc).__name__}: {first[:120]}" if first else type(exc).__name__


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """`exc` and every exception it was raised from or wraps, outermost first.

    urllib3 keeps the cause in `reason` and in `args`, aiohttp in `os_error` and `__cause__`."""
    seen: set[int] = set()
    pending: list[object] = [exc]
    while pending:
        item = pending.pop(0)
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        pending += [item.__cause__, item.__context__, getattr(item, "reason", None), getattr(item, "os_error", None)]
        pending += item.args


def _after(seconds: float | None) -> str:
    return "" if seconds is None else f" (after {seconds:g} s)"
