"""Where the client finds its API key, and that the key never leaves the request headers; both flavours."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from gemini_interactions.testing import InteractionsTestServer

from .conftest import SECRET, TEXT, Flavour


async def test_api_key_resolution(flavour: Flavour, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    monkeypatch.delenv("GOOGLE_API_KEY", raising=False)
    with InteractionsTestServer(api_key=None) as server:

        async def key_sent(**kwargs: Any) -> str:
            client = flavour.client_class(base_url=server.base_url, **kwargs)
            try:
                await flavour.create(client, **TEXT)
            finally:
                await flavour.close(client)
            return server.last_request.headers["x-goog-api-key"]

        with pytest.raises(flavour.pkg.MissingAPIKeyError, match="GEMINI_API_KEY"):
            flavour.client_class(base_url=server.base_url)
        monkeypatch.setenv("GOOGLE_API_KEY", "google-key")
        assert await key_sent() == "google-key"
        monkeypatch.setenv("GEMINI_API_KEY", "gemini-key")
        assert await key_sent() == "gemini-key"
        assert await key_sent(api_key="explicit-key") == "explicit-key"


async def test_missing_key_error_is_a_value_error(flavour: Flavour, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    monkeypatch.delenv("GOOGLE_API_KEY", raising=False)
    with pytest.raises(ValueError, match="api_key"):
        flavour.client_class()


@pytest.mark.parametrize(
    ("fault", "status"), [("", 403), ("status=401", 401), ("status=403", 403), ("status=500", 500)]
)
async def test_key_never_leaks(
    flavour: Flavour, fault: str, status: int, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", SECRET)
    caplog.set_level(logging.DEBUG, logger=flavour.logger_name)
    # No fault: the server expects another key and rejects this one (403, as the real API does); else injected.
    with InteractionsTestServer(api_key=SECRET if fault else "other-key") as server:
        client = flavour.client_class(base_url=server.base_url, max_retries=0)
        try:
            assert SECRET not in repr(client) and SECRET not in str(vars(client))
            headers = {"x-test-fault": fault} if fault else {}
            with pytest.raises(flavour.pkg.APIStatusError) as info:
                await flavour.create(client, **TEXT, extra_headers=headers)
            with pytest.raises(flavour.pkg.APIStatusError):
                stream = await flavour.create(client, **TEXT, stream=True, extra_headers=headers)
                await flavour.close(stream)
        finally:
            await flavour.close(client)
        assert server.requests[0].headers["x-goog-api-key"] == SECRET
    exc = info.value
    assert exc.status_code == status
    for text in (str(exc), repr(exc), repr(exc.args), json.dumps(exc.body), str(exc.headers), exc.url or ""):
        assert SECRET not in text
    assert caplog.records, "expected the client to log its requests at DEBUG/INFO"
    assert SECRET not in caplog.text
    for record in caplog.records:
        assert SECRET not in record.getMessage()
