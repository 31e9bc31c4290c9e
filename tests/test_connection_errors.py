"""A failed connection says what failed (refused, DNS, TLS, proxy, reset, timeout) and keeps the library's error.

Every case is a real socket on 127.0.0.1 (or a name under `.invalid`, which never resolves); both flavours."""

from __future__ import annotations

import asyncio
import socket
import ssl
import struct
import threading
from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest
import requests
from gemini_interactions.testing import InteractionsTestServer

Flavour = Any  # the adapter from conftest.py
TEXT = {"model": "gemini-3-flash-preview", "input": "Count from 1 to 25."}
SECRET = "AIzaSy-connection-secret-0123456789"
PROXY_PASSWORD = "proxy-password-secret-42"


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A port on 127.0.0.1 that refuses connections: bound (so nothing else takes it) but not listening."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


@pytest.fixture
def resetting_port() -> Iterator[int]:
    """A port whose server reads one request, then resets the connection instead of answering."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(10)

    def serve_one() -> None:
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        with conn:
            conn.recv(65536)
            # Linger 0: close() sends RST, not FIN.
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    thread = threading.Thread(target=serve_one, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        thread.join(10)
        listener.close()


async def failed_call(flavour: Flavour, base_url: str, session: Any = None, **kwargs: Any) -> Any:
    """The APIConnectionError a create() against base_url raises, with retries off."""
    client = flavour.client(api_key=SECRET, base_url=base_url, max_retries=0, session=session, **kwargs)
    try:
        with pytest.raises(flavour.pkg.APIConnectionError) as info:
            await flavour.create(client, **TEXT)
    finally:
        await flavour.close(client)
        if session is not None:
            await flavour.aw(session.close())
    error = info.value
    for shown in (str(error), repr(error), repr(vars(error)), error.message):
        assert SECRET not in shown
        assert PROXY_PASSWORD not in shown
    assert error.message.startswith(f"POST {base_url}/v1beta/interactions failed: ")
    assert error.method == "POST" and error.url == f"{base_url}/v1beta/interactions"
    return error


def library_errors(flavour: Flavour) -> type[BaseException]:
    return aiohttp.ClientError if flavour.is_async else requests.RequestException


def chain(error: BaseException) -> list[BaseException]:
    found: list[BaseException] = []
    pending: list[object] = [error]
    while pending:
        item = pending.pop(0)
        if isinstance(item, BaseException) and item not in found:
            found.append(item)
            pending += [item.__cause__, item.__context__, getattr(item, "reason", None), *item.args]
    return found


async def test_refused(flavour: Flavour, closed_port: int) -> None:
    error = await failed_call(flavour, f"http://127.0.0.1:{closed_port}")
    assert type(error) is flavour.pkg.APIConnectionError
    assert error.message.endswith(f"failed: connection to 127.0.0.1:{closed_port} refused")
    assert isinstance(error.__cause__, library_errors(flavour))
    assert any(isinstance(e, ConnectionRefusedError) for e in chain(error))
    assert error._maybe_sent is False


async def test_unresolvable_host(flavour: Flavour) -> None:
    error = await failed_call(flavour, "http://nonexistent.invalid")
    assert type(error) is flavour.pkg.APIConnectionError
    assert "failed: could not resolve host nonexistent.invalid (" in error.message
    assert isinstance(error.__cause__, library_errors(flavour))
    assert any(isinstance(e, socket.gaierror) for e in chain(error))
    assert error._maybe_sent is False


async def test_tls_handshake_with_a_plain_http_server(flavour: Flavour, server: InteractionsTestServer) -> None:
    port = server.base_url.rsplit(":", 1)[1]
    error = await failed_call(flavour, f"https://127.0.0.1:{port}")
    assert type(error) is flavour.pkg.APIConnectionError
    assert f"failed: TLS handshake with 127.0.0.1:{port} failed (" in error.message
    assert isinstance(error.__cause__, library_errors(flavour))
    assert any(isinstance(e, ssl.SSLError) for e in chain(error))
    assert error._maybe_sent is False
    assert server.requests == []


async def test_unreachable_proxy(flavour: Flavour, closed_port: int, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "HTTPS_PROXY", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    for name in ("HTTP_PROXY", "http_proxy"):  # the lower-case one wins where both are set
        monkeypatch.setenv(name, f"http://user:{PROXY_PASSWORD}@127.0.0.1:{closed_port}")
    # requests reads the variable itself; an aiohttp session reads it when told to trust the environment.
    session = aiohttp.ClientSession(trust_env=True) if flavour.is_async else None
    error = await failed_call(flavour, "http://interactions.test", session=session)
    assert type(error) is flavour.pkg.APIConnectionError
    assert "failed: could not connect through the proxy (" in error.message
    assert "refused" in error.message
    assert isinstance(error.__cause__, library_errors(flavour))
    assert error._maybe_sent is False


async def test_reset_before_the_answer(flavour: Flavour, resetting_port: int) -> None:
    error = await failed_call(flavour, f"http://127.0.0.1:{resetting_port}")
    assert type(error) is flavour.pkg.APIConnectionError
    assert f"failed: connection to 127.0.0.1:{resetting_port} reset (" in error.message
    assert isinstance(error.__cause__, library_errors(flavour))
    assert error._maybe_sent is True  # the request went out: it may have been processed


async def test_read_timeout_says_which_timeout(flavour: Flavour, server: InteractionsTestServer) -> None:
    client = flavour.client(server, timeout=flavour.pkg.Timeout(connect=2, read=0.2), max_retries=0)
    try:
        with pytest.raises(flavour.pkg.APITimeoutError) as info:
            await flavour.create(client, **TEXT, extra_headers={"x-test-fault": "first_byte=1"})
    finally:
        await flavour.close(client)
    error = info.value
    assert "failed: timed out waiting for the answer (after 0.2 s)" in error.message
    assert "may exist" in error.message  # a create that timed out is not sent again (see test_long_runs)
    # asyncio.TimeoutError: builtins.TimeoutError from 3.11 on, a class of its own on 3.10.
    assert isinstance(error.__cause__, asyncio.TimeoutError if flavour.is_async else requests.Timeout)
    assert error._maybe_sent is True
    assert "test-key" not in repr(vars(error))
