"""HTTP for the async client, on aiohttp: one attempt at a request, reading bodies, and the words aiohttp needs.

The retry loop's decisions are `_retry.Attempts`'; `Transport.send` only drives it."""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import operator
import os
import sys
import zlib
from collections.abc import AsyncIterator, Callable
from types import SimpleNamespace
from typing import Any, TypeAlias

import aiohttp
import yarl
from aiohttp.helpers import get_env_proxy_for_url
from aiohttp.http_exceptions import HttpProcessingError, PayloadEncodingError
from multidict import CIMultiDict, CIMultiDictProxy

from ._connection_errors import connection_error, found_in_chain
from ._credentials import authorized, callable_failed, with_credentials
from ._exceptions import APIConnectionError, APIError, ClientClosedError, EventLoopError
from ._redaction import redacted_headers
from ._request import PreparedRequest, status_error
from ._retry import Attempts
from ._sse import BlockParser, parse_block
from ._transfer_codings import TransferDecoding, transfer_decoding

HTTPResponse: TypeAlias = aiohttp.ClientResponse  # what RawResponse.http_response and Stream.response hold
status_of: Callable[[HTTPResponse], int] = operator.attrgetter("status")  # an HTTPResponse's status

READ_SIZE = 64 * 1024
_PROXY_ERRORS = (aiohttp.ClientProxyConnectionError, aiohttp.ClientHttpProxyError)


# The pool-wait mark of the request being sent in this task (see `_attempt`): aiohttp raises the same
# error for a connect timeout whether the request was still waiting for a free connection or connecting.
_pool_wait: contextvars.ContextVar[dict[str, bool] | None] = contextvars.ContextVar("pool_wait", default=None)


class _Connector(aiohttp.TCPConnector):
    """aiohttp's TCP connector, marking while a request waits for a free connection.

    A hook on the connector's own wait rather than a TraceConfig: a trace makes aiohttp build and
    signal every stage of every request, about 80 µs each, which at 1,000 streams shows."""

    async def _wait_for_available_connection(self, key: Any, traces: Any) -> None:
        mark = _pool_wait.get()
        if mark is not None:
            mark["waiting"] = True
        await super()._wait_for_available_connection(key, traces)
        if mark is not None:  # not when the wait ends by the timeout: that is the pool's
            mark["waiting"] = False


async def _queued(session: aiohttp.ClientSession, context: SimpleNamespace, params: Any) -> None:
    context.trace_request_ctx["waiting"] = True


async def _dequeued(session: aiohttp.ClientSession, context: SimpleNamespace, params: Any) -> None:
    context.trace_request_ctx["waiting"] = False


def new_session(max_connections: int) -> aiohttp.ClientSession:
    """At most `max_connections` connections, kept for reuse, marking a request that waits for one
    (aiohttp counts that wait into its connect timeout, and raises the same error for both).

    The session itself ignores the environment: `EnvProxies` finds the proxy once per origin."""
    if hasattr(aiohttp.TCPConnector, "_wait_for_available_connection"):  # aiohttp 3.11 on
        return aiohttp.ClientSession(connector=_Connector(limit=max_connections), trust_env=False)
    trace = aiohttp.TraceConfig()  # the public way, should a later aiohttp rename the wait
    trace.on_connection_queued_start.append(_queued)
    trace.on_connection_queued_end.append(_dequeued)
    connector = aiohttp.TCPConnector(limit=max_connections)
    return aiohttp.ClientSession(connector=connector, trace_configs=[trace], trust_env=False)


_Proxy: TypeAlias = "tuple[yarl.URL | None, aiohttp.BasicAuth | None]"


def _env_proxy(url: yarl.URL) -> _Proxy:
    try:
        return get_env_proxy_for_url(url)  # HTTP(S)_PROXY, NO_PROXY, and the proxy's .netrc credentials
    except LookupError:
        return None, None  # no proxy for this origin


def _may_have_proxy() -> bool:
    """Whether a proxy lookup could find one: on Linux and the like only a `*_proxy` variable names one
    (macOS and Windows also have system settings, which urllib reads when no variable is set)."""
    return sys.platform in ("darwin", "win32") or any(name.lower().endswith("_proxy") for name in os.environ)


class EnvProxies:
    """The proxy from the environment for each origin, looked up once in a worker thread (it may read
    .netrc). aiohttp's own `trust_env` looks up the proxy and .netrc on every request, each in a
    thread: two thread hops a request, which at 1,000 concurrent streams cost more than the streams."""

    def __init__(self) -> None:
        self._found: dict[tuple[str, str | None, int | None], asyncio.Future[_Proxy]] = {}

    async def lookup(self, url: yarl.URL) -> _Proxy:
        key = (url.scheme, url.host, url.port)
        found = self._found.get(key)
        if found is None:  # one lookup however many requests ask at once
            if _may_have_proxy():
                found = asyncio.ensure_future(asyncio.to_thread(_env_proxy, url))
            else:  # no thread for a lookup that can only find nothing
                found = asyncio.get_running_loop().create_future()
                found.set_result((None, None))
            self._found[key] = found
        if found.done():
            return found.result()
        try:
            return await asyncio.shield(found)  # a cancelled caller leaves the lookup to the others
        except BaseException:
            if found.done() and not found.cancelled() and found.exception() is not None:
                self._found.pop(key, None)  # asked again next time
            raise


async def _authorized(request: PreparedRequest) -> PreparedRequest:
    """`authorized`, with google-auth's blocking refresh in a worker thread and an async callable awaited."""
    auth = request.auth
    if auth is None:
        return request
    if not auth.produces:
        if auth.refresh_due():
            await asyncio.to_thread(auth.refresh)
        return authorized(request)
    produced = auth.produce()
    if inspect.isawaitable(produced):
        try:
            produced = await produced
        except Exception as exc:
            raise callable_failed(exc) from exc
    return with_credentials(request, auth.accept(produced))


def _plus(a: float | None, b: float | None) -> float | None:
    return None if a is None else a + (b or 0.0)


class Transport:
    """The session requests go through, bound to the event loop it is first used in; closed for good by `close()`.

    `trust_env` says whether a session the transport makes itself reads HTTP_PROXY, HTTPS_PROXY and
    NO_PROXY (and the proxy's .netrc credentials, as aiohttp's `trust_env` and requests do); a session
    passed in keeps its own."""

    def __init__(
        self, session: aiohttp.ClientSession | None = None, *, trust_env: bool = True, max_connections: int
    ) -> None:
        self._owns_session = session is None
        self._session = session
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False
        self._max_connections = max_connections
        self._env_proxies = EnvProxies() if self._owns_session and trust_env else None

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._closed:
            raise ClientClosedError("the client was closed; create a new one")
        loop = asyncio.get_running_loop()
        if self._loop is None:
            self._loop = loop
        elif loop is not self._loop:
            raise EventLoopError(
                "this async client is bound to the event loop it was first used in, and this is another one; "
                "create one client per event loop (for example inside the coroutine given to asyncio.run)"
            )
        # Created on first use: an aiohttp session must be made inside a running event loop.
        if self._session is None:
            self._session = new_session(self._max_connections)
        return self._session

    async def close(self) -> None:
        self._closed = True
        session, self._session = self._session, None
        if not self._owns_session or session is None:
            return
        loop = self._loop
        if loop is None or loop is asyncio.get_running_loop() or loop.is_closed():
            await session.close()  # with its loop closed, aiohttp only marks it closed
        elif loop.is_running():
            # The session's connections belong to a loop running in another thread: close them there.
            await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(session.close(), loop))
        else:
            self._session = session
            raise EventLoopError("close this async client in the event loop it was used in, which is not running")

    async def send(self, request: PreparedRequest) -> aiohttp.ClientResponse:
        """A response with a success status, after retrying what is worth retrying; the body is not read yet."""
        request = await _authorized(request)
        attempts = Attempts(request)
        while True:
            try:
                return await self._attempt(attempts)
            except APIError as error:
                delay = attempts.retry_delay(error)
                if delay is None:
                    raise
            await sleep(delay)
            renew = attempts.renewal()
            if renew is not None:
                await asyncio.to_thread(renew)  # google-auth refreshes with blocking I/O

    async def _attempt(self, attempts: Attempts) -> aiohttp.ClientResponse:
        """Send once: the response of a success, else the typed error of what went wrong."""
        request = attempts.request
        session = self.session  # ClientClosedError, EventLoopError before anything is logged or sent
        attempts.sending()
        timeout = request.timeout
        pool = {"waiting": False}  # set while the request waits for a connection (see new_session)
        # Already encoded (each path parameter one segment): yarl must not decode `%3A` or `%2F` back.
        url = yarl.URL(request.url, encoded=True)
        proxy, proxy_auth = (None, None) if self._env_proxies is None else await self._env_proxies.lookup(url)
        marked = _pool_wait.set(pool)
        try:
            response = await session.request(
                request.method,
                url,
                headers=request.headers,
                params=request.params,
                data=request.content,
                # aiohttp's `connect` covers the pool wait and connecting, `sock_connect` connecting alone.
                # `total` bounds the whole answer, a stream's too, by the call's deadline: per-read
                # timeouts alone would let a server trickling bytes hold it for as long as it likes.
                timeout=aiohttp.ClientTimeout(
                    total=request.deadline_left(),
                    connect=_plus(timeout.pool, timeout.connect),
                    sock_connect=timeout.connect,
                    sock_read=timeout.read,
                ),
                auto_decompress=True,
                trace_request_ctx=pool,
                allow_redirects=False,  # _retry.Attempts follows same-origin redirects only
                proxy=proxy,
                proxy_auth=proxy_auth,
            )
        except aiohttp.ConnectionTimeoutError as exc:
            raise connection_error(request, exc, timeout="pool" if pool["waiting"] else "connect") from exc
        except asyncio.TimeoutError as exc:  # `total`, the deadline, may run out while still queued for a slot
            raise connection_error(request, exc, timeout="pool" if pool["waiting"] else "read") from exc
        except aiohttp.ClientError as exc:
            raise _library_error(request, exc, proxy=isinstance(exc, _PROXY_ERRORS)) from exc
        finally:
            _pool_wait.reset(marked)
        if attempts.succeeded(response.status):
            return response
        try:
            body = await read_body(response, request)
        except APIConnectionError:
            body = b""
        raise status_error(request, response.status, response.headers, body)


async def read_body(response: aiohttp.ClientResponse, request: PreparedRequest) -> bytes:
    """The whole body; the connection is released afterwards."""
    try:
        decoding = _transfer_decoding(response, request)
        body = await response.read()
        return body if decoding is None else decoding.whole(body)
    except asyncio.TimeoutError as exc:
        raise connection_error(request, exc, timeout="read") from exc
    except aiohttp.ClientError as exc:
        raise _library_error(request, exc, reading=True) from exc
    except zlib.error as exc:
        raise connection_error(request, exc, reading=True, malformed=exc) from exc
    finally:
        response.close()


def _transfer_decoding(response: aiohttp.ClientResponse, request: PreparedRequest) -> TransferDecoding | None:
    # aiohttp undoes the chunked framing and a Content-Encoding, not the other transfer codings.
    headers = response.headers
    return transfer_decoding(
        request, ", ".join(headers.getall("Transfer-Encoding", ())), headers.get("Content-Encoding", "")
    )


def sse_block_parser() -> BlockParser:
    """The SSE field parser for a new stream: the shared reference parser (see _sse.py)."""
    return parse_block


async def iter_bytes(response: aiohttp.ClientResponse, request: PreparedRequest) -> AsyncIterator[bytes]:
    """Body bytes as soon as they arrive, whatever the framing; no line splitting (aiohttp's caps lines at 512 KiB)."""
    decoding = _transfer_decoding(response, request)
    try:
        while True:
            # What has arrived, at most READ_SIZE: pieces of a large event stay small, which keeps
            # the allocator from holding on to a whole event's worth of freed memory.
            chunk = await response.content.read(READ_SIZE)
            if decoding is not None:
                for piece in decoding.decode(chunk) if chunk else decoding.flush():
                    yield piece
            elif chunk:
                yield chunk
            if not chunk:
                return
    except asyncio.TimeoutError as exc:
        raise connection_error(request, exc, timeout="read") from exc
    except aiohttp.ClientError as exc:
        raise _library_error(request, exc, reading=True) from exc
    except zlib.error as exc:
        raise connection_error(request, exc, reading=True, malformed=exc) from exc


def _library_error(
    request: PreparedRequest, exc: aiohttp.ClientError, *, proxy: bool = False, reading: bool = False
) -> APIConnectionError:
    """`connection_error` for one of aiohttp's own errors, which is chained to ours.

    A ClientResponseError shows the request headers it keeps in its repr: their credentials are
    redacted first. aiohttp's parser error for an answer that breaks HTTP's rules is named as such
    (a body cut short, a PayloadEncodingError, is a broken connection instead)."""
    if isinstance(exc, aiohttp.ClientResponseError):
        info = exc.request_info
        exc.request_info = info._replace(headers=CIMultiDictProxy(CIMultiDict(redacted_headers(info.headers))))
    malformed = found_in_chain(exc, (HttpProcessingError,), but=(PayloadEncodingError,))
    return connection_error(request, exc, proxy=proxy, reading=reading, malformed=malformed)


def close_response(response: aiohttp.ClientResponse) -> None:
    """Close the connection under a response; an unread body is dropped, not drained."""
    response.close()


async def sleep(seconds: float) -> None:
    await asyncio.sleep(seconds)
