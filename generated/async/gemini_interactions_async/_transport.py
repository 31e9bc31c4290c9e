# Copied from codegen/runtime_async/_transport.py by `nox -s generate` - edit it there, not here.
"""HTTP for the async client, on aiohttp: sending with retries, and reading streams as bytes arrive."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from typing import Any, TypeAlias

import aiohttp

from ._credentials import authorized
from ._exceptions import APIConnectionError, APIStatusError, APITimeoutError
from ._logs import redacted_headers
from ._request import PreparedRequest, status_error
from ._retry import is_retryable_status, next_retry_delay

logger = logging.getLogger(__name__.rsplit(".", 1)[0])

HTTPResponse: TypeAlias = aiohttp.ClientResponse  # what RawResponse.http_response and Stream.response hold
READ_SIZE = 64 * 1024


class Transport:
    def __init__(self, session: aiohttp.ClientSession | None = None) -> None:
        self._owns_session = session is None
        self._session = session

    @property
    def session(self) -> aiohttp.ClientSession:
        # Created on first use: an aiohttp session must be made inside a running event loop.
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self._session

    async def close(self) -> None:
        if self._owns_session and self._session is not None:
            await self._session.close()
            self._session = None

    async def send(self, request: PreparedRequest) -> aiohttp.ClientResponse:
        """A response with a success status, after retrying what is worth retrying; the body is not read yet."""
        if request.auth is not None and request.auth.refresh_due():
            await asyncio.to_thread(request.auth.refresh)  # google-auth refreshes with blocking I/O
        request = authorized(request)
        attempt = 0
        timeout = aiohttp.ClientTimeout(total=None, connect=request.timeout.connect, sock_read=request.timeout.read)
        while True:
            error: APIConnectionError | APIStatusError
            headers: Any = None
            started = time.monotonic()
            logger.debug("sending %s headers=%s", request.describe(), redacted_headers(request.headers))
            try:
                response = await self.session.request(
                    request.method,
                    request.url,
                    headers=request.headers,
                    params=request.params,
                    data=request.content,
                    timeout=timeout,
                    auto_decompress=True,
                )
            except asyncio.TimeoutError as exc:
                error = APITimeoutError(
                    f"{request.describe()} timed out: {type(exc).__name__}", method=request.method, url=request.url
                )
            except aiohttp.ClientError as exc:
                error = APIConnectionError(
                    f"{request.describe()} failed: {type(exc).__name__}", method=request.method, url=request.url
                )
            else:
                logger.info(
                    "%s -> %d (%.0f ms)", request.describe(), response.status, (time.monotonic() - started) * 1000
                )
                if response.status < 400:
                    return response
                try:
                    body = await response.read()
                except (aiohttp.ClientError, asyncio.TimeoutError):
                    body = b""
                finally:
                    response.release()
                headers = response.headers
                error = status_error(request, response.status, response.headers, body)
                if not is_retryable_status(response.status):
                    raise error
            attempt += 1
            delay = next_retry_delay(request, attempt, error, headers)
            await sleep(delay)


async def iter_bytes(response: aiohttp.ClientResponse, request: PreparedRequest) -> AsyncIterator[bytes]:
    """Body bytes as soon as they arrive, whatever the framing; no line splitting (aiohttp's caps lines at 512 KiB)."""
    try:
        while True:
            # What has arrived, at most READ_SIZE: pieces of a large event stay small, which keeps
            # the allocator from holding on to a whole event's worth of freed memory.
            chunk = await response.content.read(READ_SIZE)
            if not chunk:
                return
            yield chunk
    except asyncio.TimeoutError as exc:
        raise APITimeoutError(
            f"{request.describe()}: timed out reading the answer", method=request.method, url=request.url
        ) from exc
    except aiohttp.ClientError as exc:
        raise APIConnectionError(
            f"{request.describe()}: connection broke while reading ({type(exc).__name__}: {exc})",
            method=request.method,
            url=request.url,
        ) from exc


def close_response(response: aiohttp.ClientResponse) -> None:
    """Close the connection under a response; an unread body is dropped, not drained."""
    response.close()


async def sleep(seconds: float) -> None:
    await asyncio.sleep(seconds)
