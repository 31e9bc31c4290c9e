"""The key never leaves the configured origin (issue 18.1): redirects, secrets in base_url, pickling; both flavours.

Every case is a real socket to a hostile server from tests/hostile_servers.py."""

from __future__ import annotations

import base64
import importlib
import json
import logging
import pickle
from collections.abc import Iterator
from typing import Any

import pytest

from .conftest import SECRET, TEXT, Flavour
from .hostile_servers import HostileServer, Seen, json_answer

PASSWORD = "base-url-password-secret-7"
REDIRECT_CODES = [301, 302, 307, 308]


def redirecting(code: int, location: str) -> HostileServer:
    """Answers anything outside /landed/ with `code` to `location` ({path}, {port}: the request's), and /landed/
    requests with an interaction."""

    def respond(seen: Seen) -> tuple[int, dict[str, str], bytes]:
        if seen.target.startswith("/landed/"):
            return json_answer()
        port = seen.headers["host"].rsplit(":", 1)[1]
        return code, {"Location": location.format(path=seen.target, port=port)}, b""

    return HostileServer(respond)


@pytest.fixture
def other_origin() -> Iterator[HostileServer]:
    with HostileServer(lambda seen: json_answer()) as server:
        yield server


async def call(flavour: Flavour, client: Any, stream: bool) -> Any:
    result = await flavour.create(client, **TEXT, stream=stream)
    if stream:
        result = await flavour.final(result)
    return result


@pytest.mark.parametrize("stream", [False, True], ids=["unary", "stream"])
@pytest.mark.parametrize("code", REDIRECT_CODES)
@pytest.mark.parametrize("elsewhere", ["other-port", "other-host"])
async def test_cross_origin_redirect_is_refused(
    flavour: Flavour, other_origin: HostileServer, code: int, elsewhere: str, stream: bool
) -> None:
    # other-host: the same server under the name localhost, a different origin that would record a follow.
    target = other_origin.base_url if elsewhere == "other-port" else "http://localhost:{port}"
    with redirecting(code, target + "/landed{path}") as server:
        target = target.format(port=server.port)
        client = flavour.client(base_url=server.base_url, api_key=SECRET)
        try:
            with pytest.raises(flavour.pkg.CrossOriginRedirectError) as info:
                await call(flavour, client, stream)
        finally:
            await flavour.close(client)
        assert [seen.target for seen in server.seen] == ["/v1beta/interactions"]
    assert other_origin.seen == []
    error = info.value
    assert isinstance(error, flavour.pkg.APIStatusError) and error.status_code == code
    assert error.location == f"{target}/landed/v1beta/interactions"
    _, _, origin = target.rpartition("/")
    assert f"redirected to another origin (http://{origin})" in error.message
    assert "credentials stay with http://127.0.0.1:" in error.message
    assert SECRET not in repr(vars(error))


@pytest.mark.parametrize("code", REDIRECT_CODES)
async def test_same_origin_redirect_is_followed(flavour: Flavour, code: int) -> None:
    with redirecting(code, "/landed{path}?moved=1") as server:
        client = flavour.client(base_url=server.base_url, api_key=SECRET)
        try:
            result = await call(flavour, client, stream=False)
        finally:
            await flavour.close(client)
    assert result.id == "v1_canned"
    first, landed = server.seen
    assert landed.target == "/landed/v1beta/interactions?moved=1"
    assert landed.headers["x-goog-api-key"] == SECRET  # the same origin: it may have the key
    if code in (307, 308):  # the request again, body and all
        assert (landed.method, landed.body) == ("POST", first.body)
        assert json.loads(landed.body)["input"] == TEXT["input"]
    else:  # as browsers and HTTP libraries do: a GET, without the body
        assert (landed.method, landed.body) == ("GET", b"")
        assert "content-type" not in landed.headers


async def test_redirect_loop_ends(flavour: Flavour) -> None:
    with HostileServer(lambda seen: (302, {"Location": "/again"}, b"")) as server:
        client = flavour.client(base_url=server.base_url, api_key=SECRET)
        try:
            with pytest.raises(flavour.pkg.APIStatusError) as info:
                await call(flavour, client, stream=False)
        finally:
            await flavour.close(client)
    assert info.value.status_code == 302
    assert len(server.seen) == 6  # the request and five redirects followed


@pytest.mark.parametrize("stream", [False, True], ids=["unary", "stream"])
async def test_credentials_in_base_url_are_sent_and_never_shown(
    flavour: Flavour, stream: bool, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("GEMINI_API_KEY", "GOOGLE_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    caplog.set_level(logging.DEBUG)  # every logger: the SDK's, requests', urllib3's, aiohttp's
    answer = json_answer({"error": {"code": 503, "message": "overloaded"}}, status=503)
    with HostileServer(lambda seen: answer) as server:
        host = server.base_url.removeprefix("http://")
        base_url = f"http://gemini-user:{PASSWORD}@{host}/prefix/?key={SECRET}&region=eu"
        client = flavour.client_class(base_url=base_url, max_retries=1)
        try:
            shown = [repr(client), str(vars(client)), client.base_url]
            with pytest.raises(flavour.pkg.InternalServerError) as info:
                await call(flavour, client, stream)
        finally:
            await flavour.close(client)
    assert client.base_url == f"http://{host}/prefix"
    assert len(server.seen) == 2
    for seen in server.seen:
        # The API path goes before the query, the key in its header, the userinfo as Basic auth.
        assert seen.target == "/prefix/v1beta/interactions?region=eu"
        assert seen.headers["x-goog-api-key"] == SECRET
        assert seen.headers["authorization"] == "Basic " + base64.b64encode(f"gemini-user:{PASSWORD}".encode()).decode()
    error = info.value
    assert error.url == f"http://{host}/prefix/v1beta/interactions"
    shown += [str(error), repr(error), repr(vars(error)), error.message, caplog.text]
    shown += [record.getMessage() for record in caplog.records]
    assert any("retrying" in record.getMessage() for record in caplog.records)
    for text in shown:
        assert SECRET not in text and PASSWORD not in text


async def test_a_connection_error_does_not_show_base_url_secrets(flavour: Flavour) -> None:
    with HostileServer(lambda seen: json_answer()) as server:
        port = server.port
    client = flavour.client_class(base_url=f"http://u:{PASSWORD}@127.0.0.1:{port}?key={SECRET}", max_retries=0)
    try:
        with pytest.raises(flavour.pkg.APIConnectionError) as info:
            await call(flavour, client, stream=False)
    finally:
        await flavour.close(client)
    error = info.value
    assert error.url == f"http://127.0.0.1:{port}/v1beta/interactions"
    for text in (str(error), repr(vars(error)), str(error.__cause__)):
        assert SECRET not in text and PASSWORD not in text


async def test_a_key_in_base_url_gives_way_to_api_key(flavour: Flavour) -> None:
    with HostileServer(lambda seen: json_answer()) as server:
        client = flavour.client_class(base_url=f"{server.base_url}?key=from-url", api_key=SECRET)
        try:
            await call(flavour, client, stream=False)
        finally:
            await flavour.close(client)
    assert server.seen[0].headers["x-goog-api-key"] == SECRET
    assert server.seen[0].target == "/v1beta/interactions"


async def test_a_client_cannot_be_pickled(flavour: Flavour) -> None:
    client = flavour.client(api_key=SECRET, base_url="http://127.0.0.1:9")
    try:
        for protocol in (0, 2, pickle.HIGHEST_PROTOCOL):
            with pytest.raises(TypeError, match="cannot be pickled: it holds your credentials") as info:
                pickle.dumps(client, protocol=protocol)
            assert SECRET not in str(info.value)
    finally:
        await flavour.close(client)


def test_what_counts_as_the_same_origin(flavour: Flavour) -> None:
    origin = importlib.import_module(f"{flavour.pkg.__name__}._redaction").origin
    assert origin("https://API.example/v1beta/x?y=1") == origin("https://api.example:443/other")
    assert origin("http://api.example/") == origin("http://api.example:80")
    assert origin("https://api.example/") != origin("http://api.example/")  # a downgrade is another origin
    assert origin("https://api.example/") != origin("https://api.example:8443/")
    assert origin("https://api.example/") != origin("https://evil.example/")
