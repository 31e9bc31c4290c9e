"""Per-call options on every method, and what identifies the client on the wire; both flavours, real sockets."""

from __future__ import annotations

import platform
from typing import Any

import pytest
from gemini_interactions.testing import InteractionsTestServer

Flavour = Any  # the adapter from conftest.py
TEXT = {"model": "gemini-3-flash-preview", "input": "Count from 1 to 25."}
METHODS = ["create", "get", "get_stream", "cancel", "delete"]


async def call(flavour: Flavour, client: Any, method: str, **options: Any) -> Any:
    """Call one method with per-call options; every call but create works on a fresh interaction of its own."""
    if method == "create":
        return await flavour.create(client, **TEXT, **options)
    interaction_id = (await flavour.create(client, **TEXT)).id
    if method == "get_stream":
        stream = await flavour.get(client, interaction_id, stream=True, **options)
        return await flavour.events(stream)
    return await getattr(flavour, method)(client, interaction_id, **options)


@pytest.mark.parametrize("method", METHODS)
async def test_extra_headers_query_and_body_reach_the_wire_for_one_call(
    flavour: Flavour, server: InteractionsTestServer, client: Any, method: str
) -> None:
    await call(
        flavour,
        client,
        method,
        extra_headers={"x-call": "one"},
        extra_query={"trace": "on"},
        extra_body={"labels": {"env": "test"}},
    )
    record = server.last_request
    assert record.headers["x-call"] == "one"
    assert record.query["trace"] == "on"
    assert record.body["labels"] == {"env": "test"}
    assert record.headers["x-goog-api-key"], "extra headers add to the client's headers, not replace them"

    await call(flavour, client, method)
    record = server.last_request
    assert "x-call" not in record.headers and "trace" not in record.query
    assert not (record.body or {}).get("labels"), "per-call options must not stick to the client"


@pytest.mark.parametrize("method", METHODS)
async def test_per_call_max_retries_overrides_the_clients_both_ways(
    flavour: Flavour, server: InteractionsTestServer, method: str
) -> None:
    flaky = {"x-test-fault": "status=503; retry_after=0; fail_times=2"}
    never_retries = flavour.client(server, max_retries=0)
    retries_twice = flavour.client(server, max_retries=2)
    try:
        await call(flavour, never_retries, method, extra_headers=flaky, max_retries=2)
        assert [r.status for r in server.requests][-3:] == [503, 503, 200]

        server.reset()
        with pytest.raises(flavour.pkg.InternalServerError):
            await call(flavour, retries_twice, method, extra_headers={"x-test-fault": "status=503"}, max_retries=0)
        assert [r.status for r in server.requests][-1:] == [503]
        assert [r.status for r in server.requests].count(503) == 1
    finally:
        await flavour.close(never_retries)
        await flavour.close(retries_twice)


@pytest.mark.parametrize("method", METHODS)
async def test_per_call_timeout_overrides_the_clients(
    flavour: Flavour, server: InteractionsTestServer, method: str
) -> None:
    slow = {"x-test-fault": "first_byte=0.4"}
    client = flavour.client(server, timeout=0.15, max_retries=0)
    try:
        with pytest.raises(flavour.pkg.APITimeoutError):
            await call(flavour, client, method, extra_headers=slow)
        await call(flavour, client, method, extra_headers=slow, timeout=flavour.pkg.Timeout(connect=5, read=5))
        assert server.last_request.status == 200
    finally:
        await flavour.close(client)


async def test_user_agent_names_package_version_revision_and_python(
    flavour: Flavour, server: InteractionsTestServer, client: Any
) -> None:
    await flavour.create(client, **TEXT)
    distribution = flavour.pkg.__name__.replace("_", "-")
    expected = (
        f"{distribution}/{flavour.pkg.__version__} api-revision/{flavour.pkg.API_REVISION} "
        f"python/{platform.python_version()}"
    )
    assert server.last_request.headers["user-agent"] == expected
    assert server.last_request.headers["api-revision"] == flavour.pkg.API_REVISION == "2026-05-20"
