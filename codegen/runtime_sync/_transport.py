"""HTTP for the sync client, on requests: one attempt at a request, reading bodies, and the words requests needs.

The retry loop's decisions are `_retry.Attempts`'; `Transport.send` only drives it."""

from __future__ import annotations

import operator
import os
import time
import weakref
from collections.abc import Callable, Iterator
from typing import TypeAlias

import requests

from ._connection_errors import connection_error
from ._credentials import authorized
from ._exceptions import APIConnectionError, APIError, ClientClosedError
from ._request import PreparedRequest, status_error
from ._retry import Attempts
from ._sse import BlockParser, sseclient_block_parser

HTTPResponse: TypeAlias = requests.Response  # what RawResponse.http_response and Stream.response hold
status_of: Callable[[HTTPResponse], int] = operator.attrgetter("status_code")  # an HTTPResponse's status

READ_SIZE = 64 * 1024


class Transport:
    """The session requests go through; closed for good by `close()`.

    `trust_env` says whether a session the transport makes itself reads HTTP_PROXY, HTTPS_PROXY and
    NO_PROXY (and requests' other environment settings); a session passed in keeps its own setting."""

    def __init__(self, session: requests.Session | None = None, *, trust_env: bool = True) -> None:
        self._owns_session = session is None
        self.session: requests.Session = session if session is not None else requests.Session()
        if self._owns_session:
            self.session.trust_env = trust_env
        self._closed = False
        _live_transports.add(self)

    def close(self) -> None:
        self._closed = True
        if self._owns_session:
            self.session.close()

    def forget_connections(self) -> None:
        """Drop the pooled connections without touching their sockets' other owners (a forked child's parent)."""
        for adapter in self.session.adapters.values():
            adapter.close()  # empties urllib3's pools; new connections are made on the next request

    def send(self, request: PreparedRequest) -> requests.Response:
        """A response with a success status, after retrying what is worth retrying; the body is not read yet."""
        request = authorized(request)
        attempts = Attempts(request)
        while True:
            try:
                return self._attempt(attempts)
            except APIError as error:
                delay = attempts.retry_delay(error)
                if delay is None:
                    raise
            sleep(delay)

    def _attempt(self, attempts: Attempts) -> requests.Response:
        """Send once: the response of a success, else the typed error of what went wrong."""
        request = attempts.request
        if self._closed:
            raise ClientClosedError(f"{request.describe()}: the client was closed; create a new one")
        attempts.sending()
        try:
            response = self.session.request(
                request.method,
                request.url,
                headers=request.headers,
                params=request.params,
                data=request.content,
                stream=True,
                timeout=(request.timeout.connect, request.timeout.read),
                allow_redirects=False,  # _retry.Attempts follows same-origin redirects only
            )
        except requests.ConnectTimeout as exc:
            raise connection_error(request, exc, timeout="connect") from exc
        except requests.Timeout as exc:
            raise connection_error(request, exc, timeout="read") from exc
        except requests.RequestException as exc:
            raise connection_error(request, exc, proxy=isinstance(exc, requests.exceptions.ProxyError)) from exc
        if attempts.succeeded(response.status_code):
            return response
        try:
            body = read_body(response, request)
        except APIConnectionError:
            body = b""
        raise status_error(request, response.status_code, response.headers, body)


# Every live transport, so that a forked child can drop the connections it shares with its parent:
# two processes reading one socket would each get some of the other's answers.
_live_transports: weakref.WeakSet[Transport] = weakref.WeakSet()


def _forget_connections_in_child() -> None:
    for transport in list(_live_transports):
        transport.forget_connections()


if hasattr(os, "register_at_fork"):  # not on Windows, which has no fork
    os.register_at_fork(after_in_child=_forget_connections_in_child)


def read_body(response: requests.Response, request: PreparedRequest) -> bytes:
    """The whole body; the connection is released afterwards."""
    try:
        return response.content
    except requests.RequestException as exc:
        raise connection_error(request, exc, reading=True) from exc
    finally:
        response.close()


def sse_block_parser() -> BlockParser:
    """The SSE field parser for a new stream: sseclient-py's, behind the shared framer (see _sse.py)."""
    return sseclient_block_parser()


def iter_bytes(response: requests.Response, request: PreparedRequest) -> Iterator[bytes]:
    """Body bytes as soon as they arrive, whatever the framing (chunked, Content-Length, or read-until-close)."""
    raw = response.raw
    try:
        if getattr(raw, "chunked", False) and hasattr(raw, "read_chunked"):
            # urllib3 parses the chunked coding itself here (~1 µs a chunk); read1 goes through
            # http.client's (~4 µs a chunk), and an API stream is often one chunk per event. A chunk
            # is yielded as soon as it (or READ_SIZE of it) has arrived.
            yield from raw.read_chunked(READ_SIZE, decode_content=True)
            return
        while True:
            chunk = raw.read1(READ_SIZE, decode_content=True) if hasattr(raw, "read1") else raw.read(READ_SIZE)
            if not chunk:
                return
            yield chunk
    except Exception as exc:
        # urllib3's and http.client's own errors arrive here unwrapped by requests.
        timed_out = "Timeout" in type(exc).__name__ or isinstance(exc, TimeoutError)
        raise connection_error(request, exc, timeout="read" if timed_out else None, reading=True) from exc


def close_response(response: requests.Response) -> None:
    """Close the connection under a response; an unread body is dropped, not drained."""
    response.close()


def sleep(seconds: float) -> None:
    time.sleep(seconds)
