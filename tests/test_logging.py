"""Logging: what a failing, retried and resumed call logs at DEBUG, and that the key is never in it; both flavours."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest
from gemini_interactions.testing import InteractionsTestServer

from .conftest import SECRET, TEXT, Flavour

BEARER = "bearer-secret-9876543210"


@pytest.fixture
def secret_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[InteractionsTestServer]:
    monkeypatch.setenv("GEMINI_API_KEY", SECRET)
    with InteractionsTestServer(api_key=SECRET) as server:
        yield server


async def test_debug_log_of_a_failing_retried_resumed_call_shows_everything_but_the_key(
    flavour: Flavour,
    secret_server: InteractionsTestServer,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = secret_server
    monkeypatch.setattr(f"{flavour.pkg.__name__}._streaming.backoff_delay", lambda *a, **k: 0.01)
    caplog.set_level(logging.DEBUG)  # every logger: the SDK's, the HTTP library's, the SSE parser's
    client = flavour.client_class(
        base_url=server.base_url, default_headers={"Authorization": f"Bearer {BEARER}"}, max_retries=2
    )
    errors: list[BaseException] = []
    try:
        # 503 then 200, retried; then a stream that drops after 3 events and is resumed; then a call that fails.
        fault = "status=503; retry_after=0.01; fail_times=1; on=create"
        stream = await flavour.create(client, **TEXT, stream=True, extra_headers={"x-test-fault": fault})
        events = await flavour.events(stream)
        assert events[-1].event_type == "interaction.completed"
        dropping = {"x-test-fault": "drop_after=3; fail_times=1"}
        resumed = await flavour.create(client, **TEXT, stream=True, extra_headers=dropping)
        assert len(await flavour.events(resumed)) == len(events)
        with pytest.raises(flavour.pkg.NotFoundError) as info:
            await flavour.get(client, "v1_missing")
        errors.append(info.value)
        raw = await flavour.aw(client.interactions.with_raw_response.create(**TEXT))
    finally:
        await flavour.close(client)

    statuses = [(r.method, r.status) for r in server.requests]
    assert statuses == [("POST", 503), ("POST", 200), ("POST", 200), ("GET", 200), ("GET", 404), ("POST", 200)]
    assert all(r.headers["x-goog-api-key"] == SECRET for r in server.requests), "the key was sent"

    text = caplog.text
    url = f"{server.base_url}/v1beta/interactions"
    assert f"POST {url} -> 503" in text
    assert re.search(rf"retrying POST {re.escape(url)} in 0\.01 s \(retry 1 of 2\)", text), text
    assert re.search(rf"POST {re.escape(url)} -> 200 \(\d+ ms\)", text)
    assert re.search(r"stream of v1_\S+ dropped .*; reconnecting in 0\.01 s after event evt_000003", text)
    assert re.search(rf"GET {re.escape(url)}/v1_\S+ -> 200", text), "the reconnect's request"
    assert re.search(r"stream of v1_\S+ complete: 13 events in \d+ ms", text)
    assert f"GET {url}/v1_missing -> 404" in text
    assert "'x-goog-api-key': '<redacted>'" in text and "'Authorization': '<redacted>'" in text

    shown = [text, *(r.getMessage() for r in caplog.records), repr(client), repr(raw), repr(raw.headers)]
    shown += [str(e) for e in errors] + [repr(e) for e in errors] + [repr(vars(e)) for e in errors]
    for item in shown:
        assert SECRET not in item
        assert BEARER not in item


def test_environment_variable_turns_on_logging(
    flavour: Flavour, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    logs = flavour.pkg._logs
    logger = logging.getLogger(flavour.logger_name)
    handlers, level = list(logger.handlers), logger.level
    monkeypatch.setattr(logs, "_configured", False)
    monkeypatch.setenv("GEMINI_INTERACTIONS_LOG", "debug")
    try:
        with InteractionsTestServer() as server:
            if flavour.is_async:
                import asyncio

                async def run() -> None:
                    async with flavour.client(server) as client:
                        await client.interactions.create(**TEXT)

                asyncio.run(run())
            else:
                with flavour.client(server) as client:
                    client.interactions.create(**TEXT)
        assert logger.level == logging.DEBUG
        err = capsys.readouterr().err
        assert re.search(rf"{flavour.logger_name} INFO POST http://127\.0\.0\.1:\d+/v1beta/interactions -> 200", err)
        assert f"{flavour.logger_name} DEBUG sending POST" in err and "test-key" not in err
    finally:
        logger.handlers[:] = handlers
        logger.setLevel(level)
