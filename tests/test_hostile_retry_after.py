"""Retry-After and timeout values (issue 18.10), both flavours, over real sockets.

The server records when each request arrived, so a wait is checked as the gap the server saw
(a lower bound the client cannot meet early), never with a sleep in the test."""

from __future__ import annotations

import email.utils
import math
import time
from typing import Any

import pytest

from .conftest import TEXT, Flavour
from .hostile_servers import HostileServer, Seen, json_answer


def throttling(times: int, **headers: str) -> HostileServer:
    """Answers the first `times` requests with 429 and `headers`, then with an interaction."""

    def respond(seen: Seen) -> tuple[int, dict[str, str], bytes]:
        if len(server.seen) <= times:
            return json_answer({"error": {"code": 429, "message": "slow down"}}, status=429, **headers)
        return json_answer()

    server = HostileServer(respond)
    return server


async def create(flavour: Flavour, server: HostileServer, **kwargs: Any) -> Any:
    client = flavour.client(base_url=server.base_url, **kwargs)
    try:
        return await flavour.create(client, **TEXT)
    finally:
        await flavour.close(client)


def gaps(server: HostileServer) -> list[float]:
    return [later.at - earlier.at for earlier, later in zip(server.seen, server.seen[1:], strict=False)]


@pytest.mark.parametrize(("header", "value", "wait"), [("Retry-After", "1", 1.0), ("retry-after-ms", "300", 0.3)])
async def test_the_servers_wait_is_honoured(flavour: Flavour, header: str, value: str, wait: float) -> None:
    with throttling(1, **{header: value}) as server:
        result = await create(flavour, server, max_retries=2)
    assert result.id == "v1_canned"
    (gap,) = gaps(server)
    assert gap >= wait  # not back before the server asked


def http_date(offset: float) -> str:
    return email.utils.formatdate(time.time() + offset, usegmt=True)


@pytest.mark.parametrize(("value", "seconds"), [("3600", 3600.0), ("in two hours", 7200.0)])
async def test_a_wait_beyond_the_cap_raises_with_retry_after(flavour: Flavour, value: str, seconds: float) -> None:
    header = http_date(7200) if value == "in two hours" else value
    with throttling(5, **{"Retry-After": header}) as server:
        with pytest.raises(flavour.pkg.RateLimitError) as info:
            await create(flavour, server, max_retries=3)
    assert len(server.seen) == 1  # no early retry
    assert info.value.retry_after == pytest.approx(seconds, abs=5)
    assert info.value.retry_after > flavour.pkg._retry.MAX_RETRY_AFTER


@pytest.mark.parametrize("value", ["past date", "0", "-5", "nan", "inf", "soon"])
async def test_a_past_or_meaningless_wait_means_the_normal_backoff(flavour: Flavour, value: str) -> None:
    header = http_date(-3600) if value == "past date" else value
    with throttling(1, **{"Retry-After": header}) as server:
        result = await create(flavour, server, max_retries=1)
    assert result.id == "v1_canned"
    (gap,) = gaps(server)
    # The first backoff is 0.5 s less up to 25 % jitter: never the immediate retry the header would give.
    assert gap >= 0.375


async def test_the_last_error_carries_retry_after(flavour: Flavour) -> None:
    with throttling(5, **{"retry-after-ms": "50"}) as server:
        with pytest.raises(flavour.pkg.RateLimitError) as info:
            await create(flavour, server, max_retries=1)
    assert len(server.seen) == 2
    assert info.value.retry_after == 0.05


BAD_TIMEOUTS = [0, 0.0, -1, -0.5, math.nan, math.inf, -math.inf, "5", True]


@pytest.mark.parametrize("value", BAD_TIMEOUTS, ids=repr)
@pytest.mark.parametrize("where", ["client", "call", "Timeout"])
async def test_bad_timeout_values_are_refused(flavour: Flavour, value: Any, where: str) -> None:
    with HostileServer(lambda seen: json_answer()) as server:
        with pytest.raises(flavour.pkg.InvalidArgumentError, match="timeout") as info:
            if where == "client":
                await create(flavour, server, timeout=value)
            elif where == "Timeout":
                await create(flavour, server, timeout=flavour.pkg.Timeout(connect=5, read=value))
            else:
                client = flavour.client(base_url=server.base_url)
                try:
                    await flavour.create(client, **TEXT, timeout=value)
                finally:
                    await flavour.close(client)
    assert server.seen == []
    assert info.value.argument == "timeout"
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("value", [None, 5, 0.25, "Timeout(read=None)"], ids=repr)
async def test_good_timeout_values(flavour: Flavour, value: Any) -> None:
    timeout = flavour.pkg.Timeout(read=None) if value == "Timeout(read=None)" else value
    with HostileServer(lambda seen: json_answer()) as server:
        result = await create(flavour, server, timeout=timeout)
    assert result.id == "v1_canned"


@pytest.mark.parametrize("value", [-1, 1.5, "2", True])
async def test_bad_max_retries_are_refused(flavour: Flavour, value: Any) -> None:
    with pytest.raises(flavour.pkg.InvalidArgumentError, match="max_retries"):
        flavour.client(base_url="http://127.0.0.1:9", max_retries=value)
