"""`client.with_options(**changes)`: a changed copy on the same HTTP session and connection pool, both flavours."""

from __future__ import annotations

from typing import Any

import pytest
from gemini_interactions.testing import InteractionsTestServer

from tests.conftest import API_KEY, Flavour

MODEL = "gemini-3-flash-preview"


async def test_a_copy_changes_options_and_shares_the_connection_pool(
    flavour: Flavour, server: InteractionsTestServer
) -> None:
    client = flavour.client(server, default_headers={"x-origin": "original"}, max_retries=3)
    copy = client.with_options(default_headers={"x-origin": "copy"}, timeout=7.5, api_revision="2026-05-20")
    try:
        await flavour.create(client, model=MODEL, input="one")
        await flavour.create(copy, model=MODEL, input="two")
        await flavour.create(client, model=MODEL, input="three")
        assert copy.timeout == flavour.pkg.Timeout(connect=7.5, read=7.5) and copy.max_retries == 3
        assert client.timeout == flavour.pkg.Timeout() and client.max_retries == 3  # the original is unchanged
        assert [r.header("x-origin") for r in server.requests] == ["original", "copy", "original"]
        assert {r.header("x-goog-api-key") for r in server.requests} == {API_KEY}
        # One keep-alive connection served all three: the copy used the original's pool.
        assert len({r.client_address for r in server.requests}) == 1
        await flavour.close(copy)  # closing the copy leaves the shared session open
        await flavour.create(client, model=MODEL, input="four")
        assert server.requests[-1].client_address == server.requests[0].client_address
    finally:
        await flavour.close(client)
    session = client._transport._session if flavour.is_async else None
    assert session is None or session.closed  # its owner closed it


async def test_a_copy_can_switch_to_credentials(flavour: Flavour) -> None:
    with InteractionsTestServer(access_tokens={"tok"}) as server:
        client = flavour.client(server)
        copy = client.with_options(credentials=lambda: {"Authorization": "Bearer tok"})
        try:
            await flavour.create(copy, model=MODEL, input="hi")
            with pytest.raises(flavour.pkg.AuthenticationError):
                await flavour.create(client.with_options(max_retries=0), model=MODEL, input="hi")
        finally:
            await flavour.close(client)
        assert [(r.header("authorization"), r.header("x-goog-api-key")) for r in server.requests] == [
            ("Bearer tok", None),
            (None, API_KEY),
        ]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"session": None}, "cannot change 'session'.*shares this client's HTTP session"),
        ({"trust_env": False}, "cannot change 'trust_env'"),
        ({"retries": 1}, "unknown option 'retries'; the options are: api_key, base_url"),
    ],
)
def test_pool_only_and_unknown_options_are_refused(flavour: Flavour, changes: dict[str, Any], message: str) -> None:
    client = flavour.client(base_url="http://127.0.0.1:9")
    with pytest.raises(TypeError, match=message):
        client.with_options(**changes)


def test_a_copy_validates_its_options_like_the_constructor(flavour: Flavour) -> None:
    client = flavour.client(base_url="http://127.0.0.1:9")
    with pytest.raises(ValueError, match="max_retries"):
        client.with_options(max_retries=-1)
    assert type(client.with_options(base_url="http://127.0.0.1:10/p")) is flavour.client_class
    assert client.with_options(base_url="http://127.0.0.1:10/p").base_url == "http://127.0.0.1:10/p"
    assert client.base_url == "http://127.0.0.1:9"


def test_the_remembered_options_never_show_secrets(flavour: Flavour) -> None:
    client = flavour.client(api_key="AIzaSy-remembered-secret", base_url="http://127.0.0.1:9/p?key=url-secret")
    copy = client.with_options(max_retries=0)
    for shown in (str(vars(client)), repr(vars(copy)), repr(client._options)):
        assert "remembered-secret" not in shown and "url-secret" not in shown
    assert copy._config.api_key == "AIzaSy-remembered-secret"
