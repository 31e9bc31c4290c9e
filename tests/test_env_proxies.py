"""Proxies from the environment (issue 18.9): HTTP_PROXY, HTTPS_PROXY and NO_PROXY alike in both flavours, and
`trust_env=False` to ignore them; through a local proxy on 127.0.0.1. ~/.netrc is not among them."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gemini_interactions.testing import InteractionsTestServer

from .conftest import API_KEY, SECRET, TEXT, Flavour
from .hostile_servers import HostileServer, forward_proxy

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY")
API_HOST = "interactions.test"  # never resolves (RFC 2606): only a proxy can reach it


@pytest.fixture
def proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[HostileServer]:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    with forward_proxy() as server:
        yield server
    # A socket left open (urllib3 < 2.2.3 after a refused CONNECT, on Python 3.10) warns only when collected:
    # collect now, so the warning fails this test (pytest errors on ResourceWarning), not whichever runs next.
    gc.collect()


def set_proxy_env(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    for spelling in (name, name.lower()):  # where both are set, libraries differ on which wins
        monkeypatch.setenv(spelling, value)


async def create(flavour: Flavour, base_url: str, **kwargs: Any) -> Any:
    client = flavour.client(api_key=SECRET, base_url=base_url, max_retries=0, **kwargs)
    try:
        return await flavour.create(client, **TEXT)
    finally:
        await flavour.close(client)


async def test_http_proxy_from_the_environment(
    flavour: Flavour, proxy: HostileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_proxy_env(monkeypatch, "HTTP_PROXY", proxy.base_url)
    result = await create(flavour, f"http://{API_HOST}")
    assert result.id == "v1_canned"
    (seen,) = proxy.seen
    assert (seen.method, seen.target) == ("POST", f"http://{API_HOST}/v1beta/interactions")


@pytest.mark.parametrize("switch", ["NO_PROXY", "trust_env=False"])
async def test_the_proxy_can_be_bypassed(
    flavour: Flavour, proxy: HostileServer, monkeypatch: pytest.MonkeyPatch, switch: str
) -> None:
    set_proxy_env(monkeypatch, "HTTP_PROXY", proxy.base_url)
    kwargs: dict[str, Any] = {}
    if switch == "NO_PROXY":
        set_proxy_env(monkeypatch, "NO_PROXY", API_HOST)
    else:
        kwargs["trust_env"] = False
    with pytest.raises(flavour.pkg.APIConnectionError, match=f"could not resolve host {API_HOST}"):
        await create(flavour, f"http://{API_HOST}", **kwargs)
    assert proxy.seen == []  # straight to the (unresolvable) host, not through the proxy


async def test_https_proxy_from_the_environment(
    flavour: Flavour, proxy: HostileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_proxy_env(monkeypatch, "HTTPS_PROXY", proxy.base_url)
    # The proxy refuses the tunnel: the request went to it, and the key did not (it travels inside the tunnel).
    with pytest.raises(flavour.pkg.APIConnectionError, match="could not connect through the proxy"):
        await create(flavour, f"https://{API_HOST}")
    (seen,) = proxy.seen
    assert (seen.method, seen.target) == ("CONNECT", f"{API_HOST}:443")
    assert SECRET not in repr(seen)


async def test_https_proxy_is_not_used_for_http(
    flavour: Flavour, proxy: HostileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_proxy_env(monkeypatch, "HTTPS_PROXY", proxy.base_url)
    with pytest.raises(flavour.pkg.APIConnectionError, match=f"could not resolve host {API_HOST}"):
        await create(flavour, f"http://{API_HOST}")
    assert proxy.seen == []


async def test_a_netrc_entry_for_the_api_host_is_not_sent(
    flavour: Flavour, server: InteractionsTestServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # requests and aiohttp (with trust_env) would add `Authorization: Basic` from it, over the client's own auth.
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login someone password netrc-secret\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    client = flavour.client(server, max_retries=0)
    try:
        await flavour.create(client, **TEXT)
    finally:
        await flavour.close(client)
    (request,) = server.requests
    assert request.header("authorization") is None, request.headers
    assert request.header("x-goog-api-key")


@pytest.mark.skipif(sys.platform in ("darwin", "win32"), reason="there, system proxy settings are looked up too")
async def test_without_proxy_variables_the_async_client_starts_no_lookup_thread(
    server: InteractionsTestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The lookup runs in a worker thread (it may read .netrc); with no *_proxy variable it can find nothing.
    import asyncio

    from gemini_interactions_async import AsyncClient

    for name in [n for n in os.environ if n.lower().endswith("_proxy")]:
        monkeypatch.delenv(name)
    loop = asyncio.get_running_loop()
    async with AsyncClient(api_key=API_KEY, base_url=server.base_url, max_retries=0) as client:
        assert (await client.interactions.create(**TEXT)).status == "completed"
    assert getattr(loop, "_default_executor", None) is None  # asyncio.to_thread was never called


async def test_the_environment_is_read_once_for_each_origin(
    flavour: Flavour, proxy: HostileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Both flavours look the proxy up when a client first talks to an origin, not on every request (requests
    # would scan os.environ again for each): a later change reaches a new client, not a running one.
    set_proxy_env(monkeypatch, "HTTP_PROXY", proxy.base_url)
    client = flavour.client(api_key=SECRET, base_url=f"http://{API_HOST}", max_retries=0)
    try:
        assert (await flavour.create(client, **TEXT)).id == "v1_canned"
        set_proxy_env(monkeypatch, "NO_PROXY", API_HOST)
        assert (await flavour.create(client, **TEXT)).id == "v1_canned"
    finally:
        await flavour.close(client)
    assert [seen.target for seen in proxy.seen] == [f"http://{API_HOST}/v1beta/interactions"] * 2
    with pytest.raises(flavour.pkg.APIConnectionError, match=f"could not resolve host {API_HOST}"):
        await create(flavour, f"http://{API_HOST}")
    assert len(proxy.seen) == 2
