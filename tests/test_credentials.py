"""`Client(credentials=...)`: google-auth credentials (refreshed when due, Bearer + quota project) or a callable.

A test server that accepts only bearer tokens it issued, and credentials whose token expires mid-session, prove
the refresh in both flavours; no API key is sent even with GEMINI_API_KEY set; tokens stay out of logs and errors."""

from __future__ import annotations

import asyncio
import datetime
import http.server
import logging
import subprocess
import sys
import threading
from typing import Any

import google.auth.credentials
import google.auth.exceptions
import google.auth.transport.requests
import pytest
from gemini_interactions.testing import InteractionsTestServer

from tests.conftest import Flavour

MODEL = "gemini-3-flash-preview"


class IssuingCredentials(google.auth.credentials.Credentials):
    """google-auth credentials whose refresh asks the test server to issue a fresh token (as a token endpoint would)."""

    def __init__(self, server: InteractionsTestServer, quota_project: str | None = None) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.server = server
        self._quota_project_id = quota_project
        self.refreshes: list[tuple[Any, int]] = []  # (the transport request google-auth got, thread id)
        self.accepted = True

    def refresh(self, request: Any) -> None:
        self.refreshes.append((request, threading.get_ident()))
        self.token = f"secret-token-{len(self.refreshes)}"
        self.expiry = now() + datetime.timedelta(hours=1)
        issued = self.server.access_tokens
        assert isinstance(issued, set)
        if self.accepted:  # else the token endpoint issues tokens the API does not take
            issued.add(self.token)

    def expire(self) -> None:
        """The hour is up: the token is expired here and revoked at the server."""
        issued = self.server.access_tokens
        assert isinstance(issued, set)
        issued.discard(self.token)
        self.expiry = now() - datetime.timedelta(seconds=1)

    def revoke(self) -> None:
        """Revoked at the server, still unexpired here (or expired early, by the server's clock)."""
        issued = self.server.access_tokens
        assert isinstance(issued, set)
        issued.discard(self.token)


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)  # google-auth's naive UTC


@pytest.fixture
def bearer_server() -> Any:
    with InteractionsTestServer(access_tokens=set()) as server:
        yield server


def auth_headers(server: InteractionsTestServer) -> list[tuple[str | None, str | None, str | None]]:
    return [
        (r.headers.get("authorization"), r.headers.get("x-goog-api-key"), r.headers.get("x-goog-user-project"))
        for r in server.requests
    ]


async def test_google_credentials_are_refreshed_when_they_expire_mid_session(
    flavour: Flavour, bearer_server: InteractionsTestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", "env-key-must-not-be-sent")
    credentials = IssuingCredentials(bearer_server, quota_project="my-billing-project")
    client = flavour.client_class(base_url=bearer_server.base_url, credentials=credentials)
    try:
        first = await flavour.create(client, model=MODEL, input="one")
        again = await flavour.create(client, model=MODEL, input="two", previous_interaction_id=first.id)
        credentials.expire()
        stream, events = await flavour.stream_events(client, model=MODEL, input="three")
        after_expiry = await flavour.final(stream)
    finally:
        await flavour.close(client)
    assert first.output_text and again.output_text and after_expiry.output_text and events
    assert auth_headers(bearer_server) == [
        ("Bearer secret-token-1", None, "my-billing-project"),
        ("Bearer secret-token-1", None, "my-billing-project"),
        ("Bearer secret-token-2", None, "my-billing-project"),
    ]
    assert len(credentials.refreshes) == 2
    assert all(isinstance(req, google.auth.transport.requests.Request) for req, _ in credentials.refreshes)
    if flavour.is_async:  # google-auth's refresh blocks: it runs off the event loop
        assert all(thread != threading.get_ident() for _, thread in credentials.refreshes)


async def test_a_refused_token_is_renewed_once_and_the_request_sent_again(
    flavour: Flavour, bearer_server: InteractionsTestServer
) -> None:
    credentials = IssuingCredentials(bearer_server)
    client = flavour.client_class(base_url=bearer_server.base_url, credentials=credentials, max_retries=0)
    try:
        first = await flavour.create(client, model=MODEL, input="one")
        credentials.revoke()
        # A create (not idempotent) is sent again: a 401 says the API did not process it.
        again = await flavour.create(client, model=MODEL, input="two", previous_interaction_id=first.id)
        credentials.revoke()
        stream, events = await flavour.stream_events(client, model=MODEL, input="three")
    finally:
        await flavour.close(client)
    assert again.output_text and events[-1].event_type == "interaction.completed"
    assert [authorization for authorization, _, _ in auth_headers(bearer_server)] == [
        "Bearer secret-token-1",
        "Bearer secret-token-1",  # refused
        "Bearer secret-token-2",
        "Bearer secret-token-2",  # refused
        "Bearer secret-token-3",
    ]
    if flavour.is_async:  # the renewal blocks: it runs off the event loop
        assert credentials.refreshes[-1][1] != threading.get_ident()


async def test_a_token_refused_again_after_renewal_is_the_authentication_error(
    flavour: Flavour, bearer_server: InteractionsTestServer
) -> None:
    credentials = IssuingCredentials(bearer_server)
    credentials.accepted = False
    client = flavour.client_class(base_url=bearer_server.base_url, credentials=credentials)
    try:
        with pytest.raises(flavour.pkg.AuthenticationError) as caught:
            await flavour.create(client, model=MODEL, input="one")
    finally:
        await flavour.close(client)
    assert len(bearer_server.requests) == 2 and len(credentials.refreshes) == 2  # renewed once, not in a loop
    assert "secret-token" not in str(caught.value)


async def test_a_callable_is_not_renewed_after_a_401(flavour: Flavour, bearer_server: InteractionsTestServer) -> None:
    calls: list[int] = []

    def headers() -> dict[str, str]:
        calls.append(1)
        return {"Authorization": "Bearer not-issued"}

    client = flavour.client_class(base_url=bearer_server.base_url, credentials=headers)
    try:
        with pytest.raises(flavour.pkg.AuthenticationError):
            await flavour.create(client, model=MODEL, input="one")
    finally:
        await flavour.close(client)
    assert len(bearer_server.requests) == 1 and calls == [1]


async def test_a_callable_gives_the_auth_headers_of_each_request(
    flavour: Flavour, bearer_server: InteractionsTestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", "env-key-must-not-be-sent")
    assert isinstance(bearer_server.access_tokens, set)
    bearer_server.access_tokens.update({"cb-1", "cb-2"})
    tokens = iter(["cb-1", "cb-2"])
    client = flavour.client_class(
        base_url=bearer_server.base_url, credentials=lambda: {"Authorization": f"Bearer {next(tokens)}"}
    )
    try:
        await flavour.create(client, model=MODEL, input="one")
        await flavour.create(client, model=MODEL, input="two")
    finally:
        await flavour.close(client)
    assert auth_headers(bearer_server) == [("Bearer cb-1", None, None), ("Bearer cb-2", None, None)]


async def test_the_async_client_awaits_a_coroutine_function_for_the_headers(
    flavour: Flavour, bearer_server: InteractionsTestServer
) -> None:
    assert isinstance(bearer_server.access_tokens, set)
    bearer_server.access_tokens.update({"async-1", "async-2"})
    tokens = iter(["async-1", "async-2"])

    async def headers() -> dict[str, str]:
        await asyncio.sleep(0)  # as a token fetch over the network would
        return {"Authorization": f"Bearer {next(tokens)}"}

    client = flavour.client_class(base_url=bearer_server.base_url, credentials=headers)
    try:
        if not flavour.is_async:
            with pytest.raises(flavour.pkg.CredentialsError, match="needs the async client"):
                await flavour.create(client, model=MODEL, input="one")
            assert bearer_server.requests == []  # nothing was sent without credentials
            return
        await flavour.create(client, model=MODEL, input="one")
        stream, events = await flavour.stream_events(client, model=MODEL, input="two")
    finally:
        await flavour.close(client)
    assert events[-1].event_type == "interaction.completed"
    assert auth_headers(bearer_server) == [("Bearer async-1", None, None), ("Bearer async-2", None, None)]


async def test_an_async_callable_that_fails_is_a_credentials_error_without_its_message(
    flavour: Flavour, bearer_server: InteractionsTestServer
) -> None:
    if not flavour.is_async:
        pytest.skip("the sync client takes no async callable (see the test above)")

    async def headers() -> dict[str, str]:
        raise RuntimeError("token endpoint said: secret-token-xyz is revoked")

    client = flavour.client_class(base_url=bearer_server.base_url, credentials=headers)
    try:
        with pytest.raises(flavour.pkg.CredentialsError, match="RuntimeError") as caught:
            await flavour.create(client, model=MODEL, input="one")
    finally:
        await flavour.close(client)
    assert "secret-token-xyz" not in str(caught.value) and bearer_server.requests == []


async def test_tokens_stay_out_of_logs_reprs_and_errors(
    flavour: Flavour, bearer_server: InteractionsTestServer, caplog: pytest.LogCaptureFixture
) -> None:
    credentials = IssuingCredentials(bearer_server)
    caplog.set_level(logging.DEBUG, logger=flavour.logger_name)
    client = flavour.client_class(base_url=bearer_server.base_url, credentials=credentials, max_retries=0)
    try:
        await flavour.create(client, model=MODEL, input="one")
        credentials.accepted = False
        credentials.revoke()  # revoked before it expired: the API says 401, also to the renewed token
        with pytest.raises(flavour.pkg.AuthenticationError) as caught:
            await flavour.create(client, model=MODEL, input="two")
        texts = [caplog.text, repr(client), repr(client._config), str(caught.value), repr(caught.value)]
    finally:
        await flavour.close(client)
    assert "'authorization': '<redacted>'" in caplog.text.lower()  # the header is logged at DEBUG, its value redacted
    assert not [text for text in texts if "secret-token" in text]


async def test_a_failed_refresh_is_a_typed_error_without_the_token(
    flavour: Flavour, bearer_server: InteractionsTestServer
) -> None:
    class Failing(IssuingCredentials):
        def refresh(self, request: Any) -> None:
            raise google.auth.exceptions.RefreshError("invalid_grant: account disabled")  # type: ignore[no-untyped-call]

    client = flavour.client_class(base_url=bearer_server.base_url, credentials=Failing(bearer_server))
    try:
        with pytest.raises(flavour.pkg.CredentialsError, match="invalid_grant"):
            await flavour.create(client, model=MODEL, input="one")
    finally:
        await flavour.close(client)
    assert bearer_server.requests == []  # nothing was sent without credentials


def test_credentials_and_a_key_are_one_or_the_other(flavour: Flavour) -> None:
    with pytest.raises(TypeError, match="api_key or credentials"):
        flavour.client_class(api_key="k", credentials=lambda: {})
    with pytest.raises(TypeError, match="google-auth Credentials object or a callable"):
        flavour.client_class(credentials="a token string")


@pytest.mark.parametrize("package", ["gemini_interactions", "gemini_interactions_async"])
def test_google_auth_is_imported_only_when_used(package: str) -> None:
    code = (
        f"import sys, {package} as p\n"
        "c = (p.AsyncClient if hasattr(p, 'AsyncClient') else p.Client)(credentials=lambda: {'Authorization': 'x'})\n"
        "print(any(name.startswith('google.auth') for name in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


async def test_a_token_is_not_sent_to_another_origin_on_a_redirect(
    flavour: Flavour, bearer_server: InteractionsTestServer
) -> None:
    """A redirect to another origin (another port) is not followed (issue 18's rule): the token stays home."""
    with InteractionsTestServer(api_key=None) as elsewhere:
        location = elsewhere.base_url

        class Redirect(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.send_response(307)
                self.send_header("Location", location + self.path)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        redirector = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
        threading.Thread(target=redirector.serve_forever, daemon=True).start()
        try:
            credentials = IssuingCredentials(bearer_server)
            base_url = f"http://127.0.0.1:{redirector.server_address[1]}"
            client = flavour.client_class(base_url=base_url, credentials=credentials)
            try:
                with pytest.raises(flavour.pkg.CrossOriginRedirectError):
                    await flavour.create(client, model=MODEL, input="one")
            finally:
                await flavour.close(client)
        finally:
            redirector.shutdown()
            redirector.server_close()
        assert credentials.refreshes  # a token was made and sent to the first origin
        assert elsewhere.requests == []
