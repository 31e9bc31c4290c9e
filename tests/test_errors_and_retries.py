"""HTTP errors become typed exceptions; what is retried, how often and after how long; both flavours."""

from __future__ import annotations

from typing import Any

import pytest
from gemini_interactions.testing import InteractionsTestServer

from codegen.project import PACKAGES

from .conftest import MODEL, TEXT, Flavour


@pytest.mark.parametrize(
    ("status", "name"),
    [
        (400, "BadRequestError"),
        (401, "AuthenticationError"),
        (403, "PermissionDeniedError"),
        (404, "NotFoundError"),
        (409, "ConflictError"),
        (422, "UnprocessableEntityError"),
        (429, "RateLimitError"),
        (500, "InternalServerError"),
        (503, "InternalServerError"),
    ],
)
async def test_status_errors_are_typed(
    flavour: Flavour, server: InteractionsTestServer, client: Any, status: int, name: str
) -> None:
    cls = getattr(flavour.pkg, name)
    with pytest.raises(cls) as info:
        await flavour.create(client, **TEXT, extra_headers={"x-test-fault": f"status={status}"}, max_retries=0)
    exc = info.value
    (request,) = server.requests
    assert isinstance(exc, flavour.pkg.APIStatusError)
    assert exc.status_code == status
    assert exc.request_id == request.request_id
    assert exc.body == {"error": {"code": exc.code, "message": f"Injected fault: HTTP {status}."}}
    assert f"Injected fault: HTTP {status}." in str(exc)
    assert exc.code


async def test_a_stream_that_fails_to_open_raises_the_same_typed_error(
    flavour: Flavour, server: InteractionsTestServer, client: Any
) -> None:
    with pytest.raises(flavour.pkg.NotFoundError) as info:
        await flavour.create(client, **TEXT, stream=True, extra_headers={"x-test-fault": "status=404"})
    error = info.value
    (request,) = server.requests
    assert error.status_code == 404
    assert error.request_id == request.request_id
    assert error.body == {"error": {"code": "not_found", "message": "Injected fault: HTTP 404."}}
    assert error.code == "not_found"


async def test_real_validation_error_400(flavour: Flavour, server: InteractionsTestServer, client: Any) -> None:
    with pytest.raises(flavour.pkg.BadRequestError) as info:
        await flavour.create(client, model=MODEL, input="hi", extra_body={"tools": "not-a-list"})
    assert info.value.status_code == 400
    assert info.value.body["error"]["message"] in str(info.value)
    assert len(server.requests) == 1, "400 must not be retried"


@pytest.mark.parametrize("status", [408, 429, 503])
@pytest.mark.parametrize("stream", [False, True])
async def test_not_processed_statuses_are_retried_even_for_a_create(
    flavour: Flavour, server: InteractionsTestServer, client: Any, status: int, stream: bool
) -> None:
    fault = {"x-test-fault": f"status={status}; retry_after=0; fail_times=2"}
    result = await flavour.create(client, **TEXT, stream=stream, extra_headers=fault)
    if stream:
        result = await flavour.final(result)
    assert result.status == "completed"
    assert [r.status for r in server.requests] == [status, status, 200]


@pytest.mark.parametrize("status", [409, 500, 502, 504])
async def test_other_transient_statuses_are_retried_for_idempotent_calls_only(
    flavour: Flavour, server: InteractionsTestServer, client: Any, status: int
) -> None:
    fault = {"x-test-fault": f"status={status}; retry_after=0; fail_times=2"}
    with pytest.raises(flavour.pkg.APIStatusError):
        await flavour.create(client, **TEXT, extra_headers=fault)
    assert [r.status for r in server.requests] == [status], "a create that may have been processed is sent once"
    created = await flavour.create(client, **TEXT)
    before = len(server.requests)
    # Spelled anew: the server counts fail_times per scenario and spelling, and the create used one.
    fault = {"x-test-fault": f"status={status}; retry_after=0.01; fail_times=2"}
    fetched = await flavour.get(client, created.id, extra_headers=fault)
    assert fetched.status == "completed"
    assert [r.status for r in server.requests[before:]] == [status, status, 200]


@pytest.mark.parametrize(("status", "name"), [(503, "InternalServerError"), (408, "RequestTimeoutError")])
async def test_retries_exhausted_raise_the_last_status_error(
    flavour: Flavour, server: InteractionsTestServer, client: Any, status: int, name: str
) -> None:
    fault = {"x-test-fault": f"status={status}; retry_after=0"}
    with pytest.raises(getattr(flavour.pkg, name)):
        await flavour.create(client, **TEXT, max_retries=1, extra_headers=fault)
    assert len(server.requests) == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
async def test_client_errors_never_retried(
    flavour: Flavour, server: InteractionsTestServer, client: Any, status: int
) -> None:
    with pytest.raises(flavour.pkg.APIStatusError):
        await flavour.create(client, **TEXT, max_retries=3, extra_headers={"x-test-fault": f"status={status}"})
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    ("fault", "stream"),
    [
        ("drop_after=0; fail_times=2", False),  # the connection closes without an answer
        ("first_byte=1; fail_times=2", False),  # no answer within the read timeout
        ("first_byte=1; fail_times=2", True),  # ... while establishing a stream
    ],
)
async def test_connection_errors_and_timeouts_are_retried_when_idempotent(
    flavour: Flavour, server: InteractionsTestServer, monkeypatch: pytest.MonkeyPatch, fault: str, stream: bool
) -> None:
    monkeypatch.setattr(f"{flavour.pkg.__name__}._retry.backoff_delay", lambda *a, **k: 0.0)
    client = flavour.client(server, timeout=flavour.pkg.Timeout(connect=2, read=0.3), max_retries=2)
    error = flavour.pkg.APITimeoutError if "first_byte" in fault else flavour.pkg.APIConnectionError
    try:
        created = await flavour.create(client, **TEXT)
        before = len(server.requests)
        result = await flavour.get(client, created.id, stream=stream, extra_headers={"x-test-fault": fault})
        if stream:
            result = await flavour.final(result)
        assert result.status == "completed"
        assert len(server.requests) - before == 3
        before = len(server.requests)
        # The same faults (spelled anew: the server counts fail_times per spelling) with retries left out.
        again = {"x-test-fault": fault.replace("fail_times=2", "fail_times=5")}
        with pytest.raises(error):
            await flavour.get(client, created.id, stream=stream, max_retries=0, extra_headers=again)
        # aiohttp itself sends an idempotent request once more when a kept-alive connection drops.
        assert len(server.requests) - before in ((1, 2) if flavour.is_async else (1,))
        server.reset()
        # A create the server may have received is never sent again (see test_long_runs).
        with pytest.raises(error, match="may exist"):
            await flavour.create(client, **TEXT, stream=stream, extra_headers={"x-test-fault": fault})
        assert len(server.requests) == 1
    finally:
        await flavour.close(client)


async def test_connection_error(flavour: Flavour) -> None:
    with InteractionsTestServer() as server:
        base_url = server.base_url
    client = flavour.client(base_url=base_url, max_retries=0, timeout=2)
    try:
        with pytest.raises(flavour.pkg.APIConnectionError):
            await flavour.create(client, **TEXT)
    finally:
        await flavour.close(client)


@pytest.mark.parametrize("package", PACKAGES)
def test_retry_after_accepts_seconds_and_http_dates(package: str) -> None:
    import email.utils
    import importlib
    import time

    retry = importlib.import_module(f"{package}._retry")
    assert retry.retry_after_seconds({"Retry-After": "1.5"}) == 1.5
    assert retry.retry_after_seconds({"retry-after-ms": "250"}) == 0.25
    soon = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 < retry.retry_after_seconds({"Retry-After": soon}) <= 30
    assert retry.retry_after_seconds({"Retry-After": "not a date"}) is None
    assert retry.backoff_delay(1, {"Retry-After": "2"}) == 2
    assert 0 < retry.backoff_delay(20) <= retry.MAX_DELAY  # capped, with jitter below the cap


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        # No Retry-After: exponential from 0.5 s, each with up to 25 % jitter below it.
        ("status=503; fail_times=3", [(0.375, 0.5), (0.75, 1.0), (1.5, 2.0)]),
        ("status=429; retry_after=3; fail_times=1", [(3.0, 3.0)]),
        # A Retry-After beyond the cap raises instead: test_hostile_retry_after.py
    ],
)
@pytest.mark.parametrize("stream", [False, True])
async def test_retry_delays(
    flavour: Flavour,
    server: InteractionsTestServer,
    client: Any,
    monkeypatch: pytest.MonkeyPatch,
    fault: str,
    expected: list[tuple[float, float]],
    stream: bool,
) -> None:
    slept: list[float] = []

    async def fake_async_sleep(seconds: float) -> None:
        slept.append(seconds)

    def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    fake = fake_async_sleep if flavour.is_async else fake_sleep
    monkeypatch.setattr(f"{flavour.pkg.__name__}._transport.sleep", fake)
    result = await flavour.create(client, **TEXT, stream=stream, max_retries=5, extra_headers={"x-test-fault": fault})
    if stream:
        result = await flavour.final(result)
    assert result.status == "completed"
    assert len(slept) == len(expected) == len(server.requests) - 1
    for delay, (low, high) in zip(slept, expected, strict=True):
        assert low <= delay <= high, slept
