"""HTTP sessions: connection reuse, closing what the client owns, leaving yours open, proxies; both flavours.

The embedded server records the client's (host, port) of the TCP connection behind each request, so
the same port on every request means one reused connection."""

from __future__ import annotations

import asyncio
import shutil
import ssl
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from gemini_interactions.testing import InteractionsTestServer

from .conftest import API_KEY, TEXT, Flavour


async def eventually(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Whether the condition becomes true within the timeout (the server sees a close a moment after it happens)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.01)
    return True


async def every_method(flavour: Flavour, client: Any) -> None:
    """Seven sequential calls: every method, a whole stream and a raw response."""
    created = await flavour.create(client, **TEXT)
    await flavour.get(client, created.id)
    await flavour.events(await flavour.get(client, created.id, stream=True))
    await flavour.events(await flavour.create(client, **TEXT, stream=True))
    await flavour.aw(client.interactions.with_raw_response.get(created.id))
    await flavour.cancel(client, created.id)
    await flavour.delete(client, created.id)


def new_session(flavour: Flavour, proxy: str | None = None, ca_file: Path | None = None) -> Any:
    """A session of the flavour's HTTP library that adds a header; optionally a proxy and a CA to trust."""
    if flavour.is_async:
        import aiohttp

        connector = aiohttp.TCPConnector(ssl=ssl.create_default_context(cafile=ca_file) if ca_file else True)
        return aiohttp.ClientSession(headers={"x-from-session": "yes"}, proxy=proxy, connector=connector)
    import requests

    session = requests.Session()
    session.headers["x-from-session"] = "yes"
    if proxy:
        session.proxies = {"http": proxy}
    if ca_file:
        session.verify = str(ca_file)
    return session


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made for this test run: (certificate, key)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is not installed: no certificate for the TLS test")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        + ["-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1"]
        + ["-addext", "subjectAltName=IP:127.0.0.1", "-addext", "basicConstraints=critical,CA:TRUE"],
        check=True,
        capture_output=True,
    )
    return cert, key


async def test_sequential_calls_reuse_one_connection(
    flavour: Flavour, server: InteractionsTestServer, client: Any
) -> None:
    await every_method(flavour, client)
    addresses = [r.client_address for r in server.requests]
    assert len(addresses) == 7
    assert len(set(addresses)) == 1, f"expected one TCP connection, got {sorted(set(addresses))}"
    assert server.open_connections == 1


@pytest.mark.parametrize("how", ["close", "context manager"])
async def test_closing_the_client_closes_the_session_it_owns(
    flavour: Flavour, server: InteractionsTestServer, how: str
) -> None:
    client = flavour.client(server)
    if how == "close":
        await flavour.create(client, **TEXT)
        assert server.open_connections == 1
        await flavour.close(client)
    elif flavour.is_async:
        async with client as entered:
            assert entered is client
            await flavour.create(client, **TEXT)
            assert server.open_connections == 1
    else:
        with client as entered:
            assert entered is client
            await flavour.create(client, **TEXT)
            assert server.open_connections == 1
    assert await eventually(lambda: server.open_connections == 0), "the client left its connection open"


@pytest.mark.parametrize("how", ["close", "context manager"])
async def test_your_session_is_used_for_every_call_and_left_open(
    flavour: Flavour, server: InteractionsTestServer, how: str
) -> None:
    session = new_session(flavour)
    try:
        client = flavour.client(server, session=session)
        if how == "close":
            await every_method(flavour, client)
            await flavour.close(client)
        elif flavour.is_async:
            async with client:
                await every_method(flavour, client)
        else:
            with client:
                await every_method(flavour, client)
        assert all(r.headers.get("x-from-session") == "yes" for r in server.requests)
        assert len({r.client_address for r in server.requests}) == 1
        if flavour.is_async:
            assert not session.closed

        # The session, and the connection in its pool, outlived the client: a new client carries on with both.
        await asyncio.sleep(0.05)
        assert server.open_connections == 1
        again = flavour.client(server, session=session)
        await flavour.create(again, **TEXT)
        await flavour.close(again)
        assert server.last_request.client_address == server.requests[0].client_address
    finally:
        await flavour.aw(session.close())
    assert await eventually(lambda: server.open_connections == 0)


async def test_a_proxy_set_on_your_session_is_used(flavour: Flavour, server: InteractionsTestServer) -> None:
    # The embedded server answers proxy-form requests too; the API host itself is never resolved or contacted.
    session = new_session(flavour, proxy=server.base_url)
    try:
        client = flavour.client(base_url="http://interactions.test", session=session, max_retries=0)
        created = await flavour.create(client, **TEXT)
        await flavour.get(client, created.id)
        await flavour.close(client)
    finally:
        await flavour.aw(session.close())
    assert [(r.method, r.path) for r in server.requests] == [
        ("POST", "/v1beta/interactions"),
        ("GET", f"/v1beta/interactions/{created.id}"),
    ]
    assert {r.headers["host"] for r in server.requests} == {"interactions.test"}


async def test_tls_settings_on_your_session_are_used(
    flavour: Flavour, certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # requests lets these variables override session.verify (unless session.trust_env is False).
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    with InteractionsTestServer(ssl_context=context) as server:
        assert server.base_url.startswith("https://127.0.0.1:")
        # The certificate is signed by no CA the default settings trust: the client's own session refuses it.
        untrusting = flavour.client(server, max_retries=0)
        try:
            with pytest.raises(flavour.pkg.APIConnectionError):
                await flavour.create(untrusting, **TEXT)
        finally:
            await flavour.close(untrusting)
        assert server.requests == []

        session = new_session(flavour, ca_file=cert)
        try:
            client = flavour.client(server, session=session)
            interaction = await flavour.create(client, **TEXT)
            await flavour.close(client)
        finally:
            await flavour.aw(session.close())
        assert interaction.status == "completed"
        assert [(r.status, r.headers.get("x-from-session")) for r in server.requests] == [(200, "yes")]


@pytest.mark.parametrize("trust_env", [True, False])
def test_the_sync_clients_own_session_takes_a_ca_bundle_from_the_environment(
    certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, trust_env: bool
) -> None:
    # requests' REQUESTS_CA_BUNDLE, read with the proxies (once per origin), ignored like them with trust_env=False.
    from gemini_interactions import APIConnectionError, Client

    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    cert, key = certificate
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    with InteractionsTestServer(ssl_context=context) as server:
        with Client(api_key=API_KEY, base_url=server.base_url, max_retries=0, trust_env=trust_env) as client:
            if trust_env:
                assert client.interactions.create(**TEXT).status == "completed"
            else:
                with pytest.raises(APIConnectionError):
                    client.interactions.create(**TEXT)
        assert len(server.requests) == (1 if trust_env else 0)


def test_the_params_of_your_requests_session_are_sent_with_the_calls_own(server: InteractionsTestServer) -> None:
    import requests
    from gemini_interactions import Client

    session = requests.Session()
    session.params = {"from-session": "yes"}
    with Client(api_key=API_KEY, base_url=server.base_url, max_retries=0, session=session) as client:
        created = client.interactions.create(**TEXT)
        for _ in client.interactions.get(created.id, stream=True):
            pass
    session.close()
    first, second = server.requests
    assert first.query == {"from-session": "yes"}
    assert second.query.get("from-session") == "yes" and second.query.get("stream") == "true", second.query
