"""What a release promises: one version everywhere (YYYY.M.D.N, CHANGELOG.md's latest entry), the environment
variables the clients read and which wins, and error headers that read like a response's."""

from __future__ import annotations

import logging
import re
import socket
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from gemini_interactions.testing import InteractionsTestServer

from .conftest import Flavour

REPO = Path(__file__).resolve().parent.parent
TEXT = {"model": "gemini-3-flash-preview", "input": "Hi"}
ENV_VARS = ("GEMINI_API_KEY", "GOOGLE_API_KEY", "GEMINI_BASE_URL", "GOOGLE_GEMINI_BASE_URL")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)


def test_one_version_everywhere(flavour: Flavour) -> None:
    pkg = flavour.pkg
    year, month, day = (int(part) for part in pkg.API_REVISION.split("-"))
    found = re.fullmatch(rf"{year}\.{month}\.{day}\.(\d+)", pkg.__version__)
    assert found, f"{pkg.__version__} is not the revision's date plus a release number"
    assert metadata.version(pkg._version.PACKAGE_NAME) == pkg.__version__
    assert f"/{pkg.__version__} api-revision/{pkg.API_REVISION} " in pkg._config.USER_AGENT
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    latest = re.search(r"^## (\S+)", changelog, re.MULTILINE)
    assert latest and latest.group(1) == pkg.__version__, "add a CHANGELOG.md entry for this version"


def _dead_url() -> str:
    """A local URL nothing listens on (a connection there is refused at once)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


async def _key_sent(flavour: Flavour, server: InteractionsTestServer, **kwargs: Any) -> str:
    client = flavour.client_class(base_url=server.base_url, **kwargs)
    try:
        await flavour.create(client, **TEXT)
    finally:
        await flavour.close(client)
    return str(server.last_request.headers["x-goog-api-key"])


async def test_gemini_api_key_wins_and_one_warning_names_the_variables_not_the_values(
    flavour: Flavour, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(flavour.pkg._config, "_warned_key_conflict", False)
    monkeypatch.setenv("GEMINI_API_KEY", "gemini-secret-1")
    monkeypatch.setenv("GOOGLE_API_KEY", "google-secret-2")
    with InteractionsTestServer(api_key=None) as server, caplog.at_level(logging.WARNING, flavour.logger_name):
        assert await _key_sent(flavour, server) == "gemini-secret-1"
        assert await _key_sent(flavour, server) == "gemini-secret-1"
        assert await _key_sent(flavour, server, api_key="explicit") == "explicit"
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == ["Both GEMINI_API_KEY and GOOGLE_API_KEY are set, to different keys: using GEMINI_API_KEY."]
    assert "secret" not in caplog.text


async def test_the_same_key_in_both_variables_or_an_explicit_key_draws_no_warning(
    flavour: Flavour, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(flavour.pkg._config, "_warned_key_conflict", False)
    monkeypatch.setenv("GEMINI_API_KEY", "same")
    monkeypatch.setenv("GOOGLE_API_KEY", "same")
    with InteractionsTestServer(api_key=None) as server, caplog.at_level(logging.WARNING, flavour.logger_name):
        assert await _key_sent(flavour, server) == "same"
        monkeypatch.setenv("GOOGLE_API_KEY", "other")
        assert await _key_sent(flavour, server, api_key="explicit") == "explicit"  # the environment is not read
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


async def test_google_api_key_alone_is_used(flavour: Flavour, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOOGLE_API_KEY", "google-key")
    monkeypatch.setenv("GEMINI_API_KEY", "")  # empty counts as unset
    with InteractionsTestServer(api_key=None) as server:
        assert await _key_sent(flavour, server) == "google-key"


@pytest.mark.parametrize(
    ("gemini", "google"), [("server", None), (None, "server"), ("server", "dead")], ids=["gemini", "google", "both"]
)
async def test_base_url_from_the_environment_gemini_first(
    flavour: Flavour, monkeypatch: pytest.MonkeyPatch, gemini: str | None, google: str | None
) -> None:
    with InteractionsTestServer() as server:
        urls = {"server": server.base_url, "dead": _dead_url()}
        if gemini:
            monkeypatch.setenv("GEMINI_BASE_URL", urls[gemini])
        if google:
            monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", urls[google])
        client = flavour.client(max_retries=0)
        try:
            interaction = await flavour.create(client, **TEXT)
        finally:
            await flavour.close(client)
        assert interaction.status == "completed"
        assert len(server.requests) == 1


async def test_status_error_headers_are_case_insensitive(flavour: Flavour, server: InteractionsTestServer) -> None:
    client = flavour.client(server, max_retries=0)
    try:
        with pytest.raises(flavour.pkg.RateLimitError) as caught:
            await flavour.create(client, **TEXT, extra_headers={"x-test-fault": "status=429; retry_after=7"})
    finally:
        await flavour.close(client)
    headers = caught.value.headers
    assert headers["Retry-After"] == headers["retry-after"] == headers["RETRY-AFTER"] == "7"
    assert "Content-Type" in headers and "content-type" in headers
    assert caught.value.request_id == headers["X-Request-Id"]
