"""`with_raw_response` on every method, and the HTTP response of a stream before iteration; both flavours."""

from __future__ import annotations

import inspect
import json
from typing import Any

import pytest
from gemini_interactions.testing import InteractionsTestServer

from .conftest import TEXT, Flavour

OPERATIONS = ["create", "get", "cancel", "delete"]


async def raw_call(flavour: Flavour, client: Any, method: str, **kwargs: Any) -> Any:
    raw = client.interactions.with_raw_response
    if method == "create":
        return await flavour.aw(raw.create(**TEXT, **kwargs))
    interaction_id = (await flavour.create(client, **TEXT)).id
    return await flavour.aw(getattr(raw, method)(interaction_id, **kwargs))


async def test_raw_methods_have_the_signatures_of_the_methods(flavour: Flavour, client: Any) -> None:
    resource = client.interactions
    for name in OPERATIONS:
        method, raw = getattr(resource, name), getattr(resource.with_raw_response, name)
        raw_signature, signature = inspect.signature(raw), inspect.signature(method)
        assert raw_signature.parameters == signature.parameters, name
        assert raw_signature.return_annotation == f"RawResponse[{signature.return_annotation}]", name
        assert inspect.iscoroutinefunction(raw) == flavour.is_async
    assert resource.with_raw_response is resource.with_raw_response


@pytest.mark.parametrize("method", OPERATIONS)
async def test_raw_response_has_status_headers_request_id_and_parses(
    flavour: Flavour, server: InteractionsTestServer, client: Any, method: str
) -> None:
    raw = await raw_call(flavour, client, method, extra_headers={"x-call": method})
    record = server.last_request
    assert record.headers["x-call"] == method, "per-call options pass through with_raw_response"
    assert isinstance(raw, flavour.pkg.RawResponse)
    assert raw.status_code == 200
    assert raw.headers["content-type"] == raw.headers["Content-Type"] == "application/json; charset=UTF-8"
    assert record.request_id.startswith("req_")
    assert raw.request_id == raw.headers["X-Request-Id"] == record.request_id
    assert record.request_id in repr(raw)

    parsed = raw.parse()
    assert raw.parse() is parsed, "parse() parses once"
    if method == "delete":
        assert parsed == {} == json.loads(raw.content)
    else:
        assert isinstance(parsed, flavour.types.Interaction)
        expected = json.loads(raw.content)
        if method == "create":  # the same answer as create() itself: a create lists its hops
            expected["continuation_ids"] = [expected["id"]]
        assert parsed.to_dict() == expected
        assert parsed.status == ("cancelled" if method == "cancel" else "completed")


@pytest.mark.parametrize("method", ["create", "get"])
async def test_raw_streamed_call_gives_status_and_headers_then_the_stream(
    flavour: Flavour, server: InteractionsTestServer, client: Any, method: str
) -> None:
    if method == "create":
        raw = await flavour.aw(client.interactions.with_raw_response.create(**TEXT, stream=True))
    else:
        interaction_id = (await flavour.create(client, **TEXT)).id
        raw = await flavour.aw(client.interactions.with_raw_response.get(interaction_id, stream=True))
    assert raw.status_code == 200
    assert raw.headers["content-type"] == "text/event-stream"
    assert raw.request_id == server.last_request.request_id

    stream = raw.parse()
    assert isinstance(stream, flavour.stream_class)
    assert stream.request_id == raw.request_id
    with pytest.raises(RuntimeError, match="iterating the stream"):
        raw.content  # noqa: B018 - the property raises
    events = await flavour.events(stream)
    assert [e.event_type for e in events][-1] == "interaction.completed"
    assert len(events) == len(server.scenario("text").events)


async def test_raw_call_raises_the_typed_error_with_the_request_id(
    flavour: Flavour, server: InteractionsTestServer, client: Any
) -> None:
    with pytest.raises(flavour.pkg.NotFoundError) as info:
        await flavour.aw(client.interactions.with_raw_response.get("v1_missing"))
    assert info.value.request_id == server.last_request.request_id
    assert info.value.status_code == 404


async def test_raw_mode_ends_with_the_call(flavour: Flavour, client: Any) -> None:
    await flavour.aw(client.interactions.with_raw_response.create(**TEXT))
    assert isinstance(await flavour.create(client, **TEXT), flavour.types.Interaction)


async def test_stream_exposes_its_response_before_iteration(
    flavour: Flavour, server: InteractionsTestServer, client: Any
) -> None:
    stream = await flavour.create(client, **TEXT, stream=True, extra_headers={"x-test-fault": "delay=0.02"})
    # Nothing read yet: status, headers and the request id come from the response head.
    assert stream.last_event_id is None and stream.interaction_id is None
    assert stream.status_code == 200
    assert stream.headers["Content-Type"] == stream.headers["content-type"] == "text/event-stream"
    assert stream.request_id == server.last_request.request_id
    http_response = stream.response
    assert http_response.headers["x-request-id"] == stream.request_id
    assert getattr(http_response, "status_code" if not flavour.is_async else "status") == 200
    events = await flavour.events(stream)
    assert len(events) == len(server.scenario("text").events)


async def test_raw_create_of_a_continued_answer_is_the_last_hop_parsing_to_the_merged_answer(
    flavour: Flavour, server: InteractionsTestServer, client: Any
) -> None:
    long = {"model": TEXT["model"], "input": "Tell me the long answer."}
    raw = await flavour.aw(client.interactions.with_raw_response.create(**long))
    creates = [r for r in server.requests if r.method == "POST"]
    assert len(creates) == 3, "the raw call continues like the plain one"
    merged = raw.parse()
    plain = await flavour.create(client, **long)
    assert (
        merged.output_text
        == plain.output_text
        == "Chapter one: it began. Chapter two: it went on. Chapter three: the end."
    )
    assert merged.continuation_ids == [r.interaction_id for r in creates]
    # The response itself is the last hop's; every hop's is in `hops`, each parsing to its own interaction.
    assert raw.request_id == creates[-1].request_id and json.loads(raw.content)["id"] == merged.id
    assert [hop.request_id for hop in raw.hops] == [r.request_id for r in creates]
    assert raw.hops[-1] is raw
    assert [hop.parse().status for hop in raw.hops[:-1]] == ["requires_continuation"] * 2
    assert [json.loads(hop.content)["id"] for hop in raw.hops] == merged.continuation_ids
    single = await flavour.aw(client.interactions.with_raw_response.create(**TEXT))
    assert single.hops == [single]
