"""Real processes and event loops (issue 18.8): a forked child's own connections, one loop per async client, and a
closed client that stays closed; over real sockets."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator

import pytest
from gemini_interactions_async import AsyncClient, ClientClosedError, EventLoopError

from .conftest import API_KEY, TEXT, Flavour
from .hostile_servers import HostileServer, Seen, json_answer

CALLS = 40


def echo_id(seen: Seen) -> tuple[int, dict[str, str], bytes]:
    """GET …/interactions/{id} answers the interaction `id`: a wrong answer shows as a wrong id."""
    match = re.search(r"/interactions/([^/?]+)", seen.target)
    return json_answer({"id": match.group(1) if match else "none", "status": "completed"})


@pytest.fixture
def echo_server() -> Iterator[HostileServer]:
    with HostileServer(echo_id) as server:
        yield server


# Run in a fresh interpreter: forking pytest's own process (which has threads: the servers) is not what users do.
FORK_SCRIPT = textwrap.dedent(
    """
    import json, os, sys
    from gemini_interactions import Client

    client = Client(api_key="test-key", base_url=sys.argv[1], max_retries=0, timeout=10)
    client.interactions.get("warm")  # the parent's pool now holds a connection
    pid = os.fork()
    who = "child" if pid == 0 else "parent"
    wrong = 0
    for i in range({calls}):
        wanted = f"{{who}}-{{i}}"
        try:
            wrong += client.interactions.get(wanted).id != wanted
        except Exception as exc:
            wrong += 1
            print(json.dumps({{"who": who, "error": repr(exc)}}), flush=True)
    print(json.dumps({{"who": who, "wrong": wrong}}), flush=True)
    if pid == 0:
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    sys.exit(os.waitstatus_to_exitcode(status))
    """
).format(calls=CALLS)


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="no os.fork on this platform")
def test_a_forked_child_gets_its_own_connections(echo_server: HostileServer) -> None:
    done = subprocess.run(
        [sys.executable, "-c", FORK_SCRIPT, echo_server.base_url], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    # Parent and child share stdout, so their lines may interleave: read the JSON objects one after another.
    reports, text, decoder = [], done.stdout.strip(), json.JSONDecoder()
    while text:
        report, end = decoder.raw_decode(text)
        reports.append(report)
        text = text[end:].strip()
    assert sorted(reports, key=lambda r: r["who"]) == [{"who": "child", "wrong": 0}, {"who": "parent", "wrong": 0}]
    ports: dict[str, set[int]] = {"parent": set(), "child": set()}
    for seen in echo_server.seen:
        who = "child" if "/child-" in seen.target else "parent"  # "warm" was the parent's
        ports[who].add(seen.client_port)
    assert len(echo_server.seen) == 1 + 2 * CALLS
    assert ports["parent"] and ports["child"]
    assert not ports["parent"] & ports["child"], "parent and child shared a connection"


def test_an_async_client_in_another_event_loop(echo_server: HostileServer) -> None:
    client = AsyncClient(api_key=API_KEY, base_url=echo_server.base_url)
    first, second = asyncio.new_event_loop(), asyncio.new_event_loop()
    try:
        assert first.run_until_complete(client.interactions.get("one")).id == "one"
        session = client._transport._session
        with pytest.raises(EventLoopError, match="bound to the event loop it was first used in") as info:
            second.run_until_complete(client.interactions.get("two"))
        assert isinstance(info.value, RuntimeError)
        assert client._transport._session is session  # no second session was opened (and leaked)
        assert [seen.target for seen in echo_server.seen] == ["/v1beta/interactions/one"]
        # The first loop still works, and closing there releases everything.
        assert first.run_until_complete(client.interactions.get("three")).id == "three"
        first.run_until_complete(client.close())
        assert session is not None and session.closed
    finally:
        first.close()
        second.close()


def test_an_async_client_closed_after_its_loop_ended(echo_server: HostileServer) -> None:
    client = AsyncClient(api_key=API_KEY, base_url=echo_server.base_url)

    async def use() -> None:
        async with client:
            await client.interactions.get("one")

    asyncio.run(use())
    asyncio.run(client.close())  # a second close, in another loop: nothing to do, no error
    with pytest.raises(ClientClosedError):  # closed, whichever loop asks
        asyncio.run(client.interactions.get("two"))


async def test_a_closed_client_stays_closed(flavour: Flavour, echo_server: HostileServer) -> None:
    client = flavour.client(base_url=echo_server.base_url)
    assert (await flavour.get(client, "one")).id == "one"
    await flavour.close(client)
    for _ in range(2):
        with pytest.raises(flavour.pkg.ClientClosedError, match="the client was closed; create a new one") as info:
            await flavour.get(client, "two")
        assert isinstance(info.value, RuntimeError)
        with pytest.raises(flavour.pkg.ClientClosedError):
            await flavour.create(client, **TEXT, stream=True)
    assert [seen.target for seen in echo_server.seen] == ["/v1beta/interactions/one"]
    await flavour.close(client)  # closing again is fine


async def test_a_client_closed_by_its_with_block(flavour: Flavour, echo_server: HostileServer) -> None:
    client = flavour.client(base_url=echo_server.base_url)
    if flavour.is_async:
        async with client:
            await flavour.get(client, "one")
    else:
        with client:
            await flavour.get(client, "one")
    with pytest.raises(flavour.pkg.ClientClosedError):
        await flavour.get(client, "two")
