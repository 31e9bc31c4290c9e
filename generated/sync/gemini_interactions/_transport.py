# Copied from codegen/runtime_sync/_transport.py by `nox -s generate` - edit it there, not here.
"""HTTP for the sync client, on requests: sending with retries, and reading streams as bytes arrive."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any, TypeAlias

import requests

from ._credentials import authorized
from ._exceptions import APIConnectionError, APIStatusError, APITimeoutError
from ._logs import redacted_headers
from ._request import PreparedRequest, status_error
from ._retry import is_retryable_status, next_retry_delay

logger = logging.getLogger(__name__.rsplit(".", 1)[0])

HTTPResponse: TypeAlias = requests.Response  # what RawResponse.http_response and Stream.response hold

READ_SIZE = 64 * 1024


class Transport:
    def __init__(self, session: requests.Session | None = None) -> None:
        self._owns_session = session is None
        self.session = session if session is not None else requests.Session()

    def close(self) -> None:
        if self._owns_session:
            self.session.close()

    def send(self, request: PreparedRequest) -> requests.Response:
        """A response with a success status, after retrying what is worth retrying; the body is not read yet."""
        request = authorized(request)
        attempt = 0
        while True:
            error: APIConnectionError | APIStatusError
            headers: Any = None
            started = time.monotonic()
            logger.debug("sending %s headers=%s", request.describe(), redacted_headers(request.headers))
            try:
                response = self.session.request(
                    request.method,
                    request.url,
                    headers=request.headers,
                    params=request.params,
                    data=request.content,
                    stream=True,
                    timeout=(request.timeout.connect, request.timeout.read),
                )
            except requests.Timeout as exc:
                error = APITimeoutError(
                    f"{request.describe()} timed out: {type(exc).__name__}", method=request.method, url=request.url
                )
            except requests.RequestException as exc:
                error = APIConnectionError(
                    f"{request.describe()} failed: {type(exc).__name__}", method=request.method, url=request.url
                )
            else:
                logger.info(
                    "%s -> %d (%.0f ms)", request.describe(), response.status_code, (time.monotonic() - started) * 1000
                )
                if response.status_code < 400:
                    return response
                try:
                    body = response.content
                except requests.RequestException:
                    body = b""
                finally:
                    response.close()
                headers = response.headers
                error = status_error(request, response.status_code, response.headers, body)
                if not is_retryable_status(response.status_code):
                    raise error
            attempt += 1
            delay = next_retry_delay(request, attempt, error, headers)
            sleep(delay)


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
        raise _connection_error(exc, request) from exc


def close_response(response: requests.Response) -> None:
    """Close the connection under a response; an unread body is dropped, not drained."""
    response.close()


def sleep(seconds: float) -> None:
    time.sleep(seconds)


def _connection_error(exc: Exception, request: PreparedRequest) -> APIConnectionError:
    name = type(exc).__name__
    if "Timeout" in name or isinstance(exc, TimeoutError):
        return APITimeoutError(
            f"{request.describe()}: timed out reading the answer ({name})", method=request.method, url=request.url
        )
    return APIConnectionError(
        f"{request.describe()}: connection broke while reading ({name}: {exc})", method=request.method, url=request.url
    )
