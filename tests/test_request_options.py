"""What each call puts on the wire: URLs, the headers that identify the client, and per-call options on every
method; both flavours, real sockets."""

from __future__ import annotations

import json
import platform
from typing import Any

import pytest
from gemini_interactions.testing import InteractionsTestServer

from .conftest import API_KEY, REVISION, TEXT, Flavour

METHODS = ["create", "get", "get_stream", "cancel", "delete"]


async def test_urls_and_headers_on_every_method(flavour: Flavour, server: InteractionsTestServer, client: Any) -> None:
    created = await flavour.create(client, **TEXT)
    await flavour.get(client, created.id)
    stream = await flavour.get(client, created.id, stream=True)
    await flavour.events(stream)
    await flavour.cancel(client, created.id)
    await flavour.delete(client, created.id)

    requests = server.requests
    assert [(r.method, r.path) for r in requests] == [
        ("POST", "/v1beta/interactions"),
        ("GET", f"/v1beta/interactions/{created.id}"),
        ("GET", f"/v1beta/interactions/{created.id}"),
        ("POST", f"/v1beta/interactions/{created.id}/cancel"),
        ("DELETE", f"/v1beta/interactions/{created.id}"),
    ]
    assert requests[2].query.get("stream") == "true"
    for record in requests:
        assert record.headers["x-goog-api-key"] == API_KEY
        assert record.headers["api-revision"] == REVISION
        assert record.api_revision == REVISION and not record.revision_mismatch
        assert record.headers["user-agent"].startswith(flavour.pkg.__name__.replace("_", "-") + "/")
        assert "key=" not in json.dumps(record.query)


@pytest.mark.parametrize("prefix", ["/proxy/gemini", "/proxy/gemini/"])
async def test_base_url_prefix_and_api_version(flavour: Flavour, server: InteractionsTestServer, prefix: str) -> None:
    client = flavour.client(server, base_url=server.base_url + prefix, api_version="v1alpha")
    try:
        created = await flavour.create(client, **TEXT)
        await flavour.get(client, created.id)
    finally:
        await flavour.close(client)
    assert [r.path for r in server.requests] == [
        "/proxy/gemini/v1alpha/interactions",
        f"/proxy/gemini/v1alpha/interactions/{created.id}",
    ]


async def test_api_revision_override_is_sent(flavour: Flavour, server: InteractionsTestServer) -> None:
    client = flavour.client(server, api_revision=REVISION)
    try:
        await flavour.create(client, **TEXT)
    finally:
        await flavour.close(client)
    assert server.last_request.headers["api-revision"] == REVISION


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
    flavour: Flavour, server: InteractionsTestServer, method: str
) -> None:
    client = flavour.client(server, default_headers={"x-team": "blue"})
    try:
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
        assert record.headers["x-team"] == "blue", "extra headers add to the client's headers, not replace them"
        assert record.headers["x-goog-api-key"] == API_KEY

        await call(flavour, client, method)
        record = server.last_request
        assert "x-call" not in record.headers and "trace" not in record.query
        assert not (record.body or {}).get("labels"), "per-call options must not stick to the client"
        assert record.headers["x-team"] == "blue"
    finally:
        await flavour.close(client)


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

        server.reset()  # the client's own max_retries=0, with no per-call option: raises at once
        with pytest.raises(flavour.pkg.RateLimitError):
            await call(flavour, never_retries, method, extra_headers={"x-test-fault": "status=429; retry_after=0"})
        assert [r.status for r in server.requests].count(429) == 1
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
        assert client.timeout == flavour.pkg.Timeout(connect=0.15, read=0.15)  # a number sets both
        with pytest.raises(flavour.pkg.APITimeoutError):
            await call(flavour, client, method, extra_headers=slow)
        await call(flavour, client, method, extra_headers=slow, timeout=flavour.pkg.Timeout(connect=5, read=5))
        assert server.last_request.status == 200
        await call(flavour, client, method, extra_headers=slow, timeout=5)
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
    assert server.last_request.headers["api-revision"] == flavour.pkg.API_REVISION == REVISION
