"""The platform resources over real sockets, both flavours: CRUD of agents, credentials, environments, triggers
and webhooks, list pages across pages, updates with a derived mask, path parameters that cannot bend the path,
and the operations that are never replayed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from gemini_interactions.testing import InteractionsTestServer

from .conftest import Flavour

MODEL_TURN = {"model": "gemini-3-flash-preview", "input": "Summarise the news."}
# One factory per collection: the keyword arguments of a minimal create.
CREATES: dict[str, dict[str, Any]] = {
    "agents": {"system_instruction": "You answer briefly."},
    "credentials": {"id": "cred-a", "type": "bearer_token", "token": "s3cret-token"},
    "environments": {"sources": [{"type": "inline", "content": "print(1)", "target": "main.py"}]},
    "triggers": {"interaction": MODEL_TURN, "schedule": "0 9 * * *", "time_zone": "Europe/Paris"},
    "webhooks": {"uri": "https://example.test/hook", "subscribed_events": ["interaction.completed"]},
}


async def collect(flavour: Flavour, iterable: Any) -> list[Any]:
    if flavour.is_async:
        return [item async for item in iterable]
    return list(iterable)


def paths(server: InteractionsTestServer) -> list[str]:
    return [f"{r.method} {r.path}" for r in server.requests]


@pytest.mark.parametrize("name", sorted(CREATES))
async def test_create_get_list_delete(flavour: Flavour, server: InteractionsTestServer, client: Any, name: str) -> None:
    resource = getattr(client, name)
    created = await flavour.aw(resource.create(**CREATES[name]))
    assert created.id
    fetched = await flavour.aw(resource.get(created.id))
    assert fetched.id == created.id and type(fetched) is type(created)
    page = await flavour.aw(resource.list())
    assert [item.id for item in page.items] == [created.id]
    assert getattr(page, page.ITEMS_FIELD) == page.items, "the response's own list field is kept"
    await flavour.aw(resource.delete(created.id))
    with pytest.raises(flavour.pkg.NotFoundError):
        await flavour.aw(resource.get(created.id))
    assert paths(server)[-2] == f"DELETE /v1beta/{name}/{created.id}"


async def test_a_credential_secret_is_sent_and_never_answered(
    flavour: Flavour, server: InteractionsTestServer, client: Any
) -> None:
    created = await flavour.aw(client.credentials.create(**CREATES["credentials"]))
    assert server.last_request.body == {"id": "cred-a", "type": "bearer_token", "token": "s3cret-token"}
    assert "s3cret" not in created.model_dump_json() and created.type == "bearer_token"
    with pytest.raises(flavour.pkg.InvalidArgumentError):
        await flavour.aw(client.credentials.create(id="c", type="oauth2", client_id=3))


async def test_a_list_walks_three_pages_lazily(flavour: Flavour, server: InteractionsTestServer, client: Any) -> None:
    for i in range(5):
        await flavour.aw(client.agents.create(id=f"agent-{i}", system_instruction="hi"))
    first = await flavour.aw(client.agents.list(page_size=2))
    before = len(server.requests)
    assert [a.id for a in first.items] == ["agent-0", "agent-1"] and first.agents == first.items
    assert first.has_next_page() and first.next_page_token
    assert len(server.requests) == before, "the next page is fetched only when asked for"

    everything = await collect(flavour, first)
    assert [a.id for a in everything] == [f"agent-{i}" for i in range(5)]
    lists = [r for r in server.requests[before:] if r.path.endswith("/agents")]
    assert [r.query.get("page_size") for r in lists] == ["2", "2"], "the first call's arguments carry over"
    assert [r.query.get("page_token") for r in lists] == ["2", "4"]

    pages = await collect(flavour, first.iter_pages())
    assert [len(p.items) for p in pages] == [2, 2, 1]
    last = pages[-1]
    assert not last.has_next_page() and last.next_page_token is None
    with pytest.raises(Exception, match="last page"):
        await flavour.aw(last.next_page())
    second = await flavour.aw(first.next_page())
    assert [a.id for a in second.items] == ["agent-2", "agent-3"]


async def test_a_raw_list_parses_into_a_page(flavour: Flavour, client: Any) -> None:
    await flavour.aw(client.webhooks.create(**CREATES["webhooks"]))
    raw = await flavour.aw(client.webhooks.with_raw_response.list(page_size=1))
    assert raw.status_code == 200
    page = raw.parse()
    assert len(page.items) == 1 and page.webhooks == page.items


async def test_update_derives_the_mask_from_the_fields_given(
    flavour: Flavour, server: InteractionsTestServer, client: Any
) -> None:
    webhook = await flavour.aw(client.webhooks.create(name="old", **CREATES["webhooks"]))
    updated = await flavour.aw(client.webhooks.update(webhook.id, name="new"))
    request = server.last_request
    assert (request.method, request.query.get("update_mask"), request.body) == ("PATCH", "name", {"name": "new"})
    assert updated.name == "new" and updated.uri == webhook.uri, "fields outside the mask are kept"

    await flavour.aw(client.webhooks.update(webhook.id, name="x", uri="https://b.test", update_mask="uri"))
    assert server.last_request.query["update_mask"] == "uri", "a mask the caller gives is sent as given"
    after = await flavour.aw(client.webhooks.get(webhook.id))
    assert (after.name, after.uri) == ("new", "https://b.test")

    await flavour.aw(client.credentials.create(**CREATES["credentials"]))
    credential = await flavour.aw(client.credentials.update("cred-a", type="bearer_token", prefix="Token"))
    assert server.last_request.query["update_mask"] == "type,prefix"
    assert credential.model_extra == {"prefix": "Token"} or getattr(credential, "prefix", "Token") == "Token"


async def test_trigger_update_run_and_executions(flavour: Flavour, server: InteractionsTestServer, client: Any) -> None:
    trigger = await flavour.aw(client.triggers.create(**CREATES["triggers"]))
    paused = await flavour.aw(client.triggers.update(trigger.id, status="paused"))
    assert paused.status == "paused"
    for _ in range(3):
        await flavour.aw(client.triggers.run(trigger.id))
    runs = await collect(flavour, await flavour.aw(client.triggers.list_executions(trigger.id, page_size=1)))
    assert [r.trigger_id for r in runs] == [trigger.id] * 3 and len({r.id for r in runs}) == 3


async def test_webhook_ping_and_secret_rotation(flavour: Flavour, client: Any) -> None:
    webhook = await flavour.aw(client.webhooks.create(**CREATES["webhooks"]))
    assert webhook.new_signing_secret and webhook.new_signing_secret.startswith("whsec_")
    assert await flavour.aw(client.webhooks.ping(webhook.id)) == {}
    rotated = await flavour.aw(client.webhooks.rotate_signing_secret(webhook.id))
    assert rotated.secret and rotated.secret != webhook.new_signing_secret
    again = await flavour.aw(client.webhooks.get(webhook.id))
    assert again.new_signing_secret is None and len(again.signing_secrets or []) == 2


@pytest.mark.parametrize("hostile", ["a/b", "a?b=1", "a#frag", "50%", "../up", "x/../../v1beta/models?k=1#", ":ping"])
async def test_an_id_is_one_encoded_segment(
    flavour: Flavour, server: InteractionsTestServer, client: Any, hostile: str
) -> None:
    await flavour.aw(client.agents.create(id=hostile, system_instruction="hi"))
    fetched = await flavour.aw(client.agents.get(hostile))
    assert fetched.id == hostile, "the server found exactly that id"
    path = server.last_request.path
    assert path.startswith("/v1beta/agents/") and "/" not in path[len("/v1beta/agents/") :]
    assert "?" not in path and "#" not in path and ":" not in path[len("/v1beta/agents/") :]
    with pytest.raises(flavour.pkg.NotFoundError):
        await flavour.aw(client.webhooks.ping(hostile))  # the colon method's suffix stays the method's


@pytest.mark.parametrize("bad", ["", ".", ".."])
async def test_dot_and_empty_ids_are_refused_before_sending(
    flavour: Flavour, server: InteractionsTestServer, client: Any, bad: str
) -> None:
    before = len(server.requests)
    calls: list[Callable[[], Any]] = [
        lambda: client.agents.get(bad),
        lambda: client.webhooks.delete(bad),
        lambda: client.interactions.delete(bad),
        lambda: client.interactions.get(bad, stream=True),
        lambda: client.triggers.list_executions(bad),
    ]
    for call in calls:
        with pytest.raises(flavour.pkg.InvalidArgumentError) as info:
            await flavour.aw(call())
        assert info.value.argument in ("id", "trigger_id")
    assert len(server.requests) == before, "nothing was sent"


async def test_a_stream_id_is_encoded_too(flavour: Flavour, server: InteractionsTestServer, client: Any) -> None:
    with pytest.raises(flavour.pkg.NotFoundError):
        await flavour.aw(client.interactions.get("abc#frag/../x", stream=True))
    assert server.last_request.path == "/v1beta/interactions/abc%23frag%2F..%2Fx"


async def test_a_file_path_keeps_its_slashes_and_nothing_else(
    flavour: Flavour, server: InteractionsTestServer, client: Any
) -> None:
    environment = await flavour.aw(client.environments.create())
    page = await flavour.aw(client.environments.files.list(environment.id, "src/pkg a/main.py", recursive=True))
    assert page.items == [] and page.files == []
    assert server.last_request.path == f"/v1beta/environments/{environment.id}/files/src/pkg%20a/main.py"
    await flavour.aw(client.environments.files.list(environment.id, "a?b#c"))
    assert server.last_request.path.endswith("/files/a%3Fb%23c")
    before = len(server.requests)
    for bad in ["", "src/../etc", "./x", "a//b", "/abs", "dir/"]:
        with pytest.raises(flavour.pkg.InvalidArgumentError) as info:
            await flavour.aw(client.environments.files.list(environment.id, bad))
        assert info.value.argument == "path"
    assert len(server.requests) == before


async def test_non_idempotent_operations_are_never_replayed(
    flavour: Flavour, server: InteractionsTestServer, client: Any
) -> None:
    trigger = await flavour.aw(client.triggers.create(**CREATES["triggers"]))
    # A 500 does not say whether it took effect (a 408/429/503 would say it did not, and is retried).
    flaky = {"x-test-fault": "status=500; retry_after=0"}
    calls: tuple[Callable[[], Any], ...] = (
        lambda: client.triggers.run(trigger.id, extra_headers=flaky, max_retries=2),
        lambda: client.webhooks.create(**CREATES["webhooks"], extra_headers=flaky, max_retries=2),
    )
    for call in calls:
        before = len(server.requests)
        with pytest.raises(Exception) as info:
            await flavour.aw(call())
        assert getattr(info.value, "status_code", None) == 500
        assert len(server.requests) == before + 1, "a request that may have taken effect is not sent again"
    before = len(server.requests)
    with pytest.raises(Exception, match="500|nternal"):
        await flavour.aw(client.triggers.get(trigger.id, extra_headers=flaky, max_retries=2))
    assert len(server.requests) == before + 3, "a get is retried"


def test_nested_resources_and_their_raw_twins(flavour: Flavour) -> None:
    client = flavour.client(base_url="http://127.0.0.1:9")
    files = client.environments.files
    assert type(files).__name__ == "EnvironmentFiles"
    assert callable(client.environments.with_raw_response.files.list)
    assert client.agents is client.agents, "a resource is made once per client"
