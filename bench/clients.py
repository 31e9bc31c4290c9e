"""The clients under test. Each reads one stream from `url` and takes the payload of every delta
(its text, or an image's base64 data), as an application streaming an answer does; it returns how
many deltas and payload characters it saw, and with `stamps` notes when each payload arrived.
No generator layer of the harness's own stands between a client and its loop.

FLOOR is the practical lower bound: a raw socket, de-chunking, splitting on blank lines, and
json.loads, with no types and no error handling. DRAIN only reads bytes: it shows the server is
never the bottleneck."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable, Iterator
from typing import Any, TypeAlias
from urllib.parse import urlsplit

MODEL = "gemini-3-flash-preview"
PROMPT = "Write a long answer."
API_KEY = "bench-key"  # the loopback server checks nothing
READ_SIZE = 64 * 1024
MEDIA = ("image", "audio")

Stamps: TypeAlias = "list[tuple[int, str]] | None"  # (time.monotonic_ns() at arrival, payload)
Tally: TypeAlias = tuple[int, int]  # deltas seen, payload characters


def _post(url: str) -> tuple[socket.socket, bool, bytes]:
    """Send the create request; return the socket, whether the body is chunked, and its first bytes."""
    parts = urlsplit(url)
    body = json.dumps({"model": MODEL, "input": PROMPT, "stream": True}).encode()
    sock = socket.create_connection((parts.hostname, parts.port))
    sock.sendall(
        b"POST %s/v1beta/interactions HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"
        b"x-goog-api-key: %s\r\nContent-Length: %d\r\n\r\n%s"
        % (parts.path.encode(), parts.netloc.encode(), API_KEY.encode(), len(body), body)
    )
    head = b""
    while b"\r\n\r\n" not in head:
        data = sock.recv(READ_SIZE)
        if not data:
            raise ConnectionError("no response head")
        head += data
    head, _, rest = head.partition(b"\r\n\r\n")
    return sock, b"transfer-encoding: chunked" in head.lower(), rest


def _dechunk(sock: socket.socket, buf: bytes) -> Iterator[bytes]:
    """The data of a chunked body as it arrives (chunk extensions and trailers are not used here)."""
    recv = sock.recv
    pos = 0
    while True:
        nl = buf.find(b"\r\n", pos)
        while nl < 0:
            buf = buf[pos:] + recv(READ_SIZE)
            pos = 0
            nl = buf.find(b"\r\n")
        size = int(buf[pos:nl], 16)
        if size == 0:
            return
        start = nl + 2
        end = start + size
        if end <= len(buf):
            yield buf[start:end]
        else:
            yield buf[start:]
            missing = end - len(buf)
            while missing > 0:
                buf = recv(READ_SIZE)
                if not buf:
                    raise ConnectionError("body ended inside a chunk")
                if len(buf) > missing:
                    yield buf[:missing]
                    end = missing
                    break
                yield buf
                missing -= len(buf)
            else:
                buf = b""
                end = 0
        pos = end + 2
        while len(buf) < pos:  # the CRLF after the chunk data has not arrived yet
            more = recv(READ_SIZE)
            if not more:
                raise ConnectionError("body ended inside a chunk")
            buf += more


def _until_close(sock: socket.socket, first: bytes) -> Iterator[bytes]:
    if first:
        yield first
    while data := sock.recv(READ_SIZE):
        yield data


def floor(url: str, stamps: Stamps = None) -> Tally:
    sock, is_chunked, first = _post(url)
    events = chars = 0
    try:
        body = _dechunk(sock, first) if is_chunked else _until_close(sock, first)
        pending: list[bytes] = []
        last = b""
        loads = json.loads
        for data in body:
            if b"\n\n" not in data and not (last == b"\n" and data[:1] == b"\n"):
                pending.append(data)
                last = data[-1:]
                continue
            if pending:
                pending.append(data)
                data = b"".join(pending)
            blocks = data.split(b"\n\n")
            data = b""
            rest = blocks.pop()
            pending = [rest] if rest else []
            last = rest[-1:]
            blocks.reverse()
            while blocks:
                block = blocks.pop()
                # The API's blocks are "event: X\ndata: Y": the data line is the last line.
                at = block.find(b"data: ")
                if at < 0 or block.endswith(b"data: [DONE]"):
                    continue
                event = loads(block[at + 6 :])
                if event["event_type"] == "step.delta":
                    delta = event["delta"]
                    payload = delta.get("text") or delta.get("data")
                    events += 1
                    chars += len(payload)
                    if stamps is not None:
                        stamps.append((time.monotonic_ns(), payload))
    finally:
        sock.close()
    return events, chars


def drain(url: str, stamps: Stamps = None) -> Tally:
    """Bytes only, nothing parsed."""
    sock, _, _ = _post(url)
    try:
        buf = bytearray(READ_SIZE)
        recv_into = sock.recv_into
        while recv_into(buf):
            pass
    finally:
        sock.close()
    return 0, 0


async def aiohttp_drain(url: str, stamps: Stamps = None) -> Tally:
    """Bytes only, through aiohttp, read as ours-async reads them: what it pays before parsing anything."""
    import aiohttp

    body = {"model": MODEL, "input": PROMPT, "stream": True}
    async with aiohttp.ClientSession(headers={"x-goog-api-key": API_KEY}) as session:
        async with session.post(f"{url}/v1beta/interactions", json=body) as response:
            read = response.content.read
            while await read(READ_SIZE):
                pass
    return 0, 0


def _tally(stream: Iterable[Any], stamps: Stamps) -> Tally:
    """The typed clients' loop: a plain `for` over the client's stream, as user code writes it
    (inline, as FLOOR's is: a helper call per event would be the harness's time, not the client's)."""
    events = chars = 0
    for event in stream:
        if event.event_type == "step.delta":
            delta = event.delta
            payload = delta.text if delta.type == "text" else delta.data if delta.type in MEDIA else None
            if payload is not None:
                events += 1
                chars += len(payload)
                if stamps is not None:
                    stamps.append((time.monotonic_ns(), payload))
    return events, chars


async def _atally(stream: AsyncIterable[Any], stamps: Stamps) -> Tally:
    events = chars = 0
    async for event in stream:
        if event.event_type == "step.delta":
            delta = event.delta
            payload = delta.text if delta.type == "text" else delta.data if delta.type in MEDIA else None
            if payload is not None:
                events += 1
                chars += len(payload)
                if stamps is not None:
                    stamps.append((time.monotonic_ns(), payload))
    return events, chars


def ours_sync(url: str, stamps: Stamps = None) -> Tally:
    from gemini_interactions import Client

    with Client(api_key=API_KEY, base_url=url, max_retries=0) as client:
        with client.interactions.create(model=MODEL, input=PROMPT, stream=True) as stream:
            return _tally(stream, stamps)


async def ours_async(url: str, stamps: Stamps = None) -> Tally:
    from gemini_interactions_async import AsyncClient

    async with AsyncClient(api_key=API_KEY, base_url=url, max_retries=0) as client:
        stream = await client.interactions.create(model=MODEL, input=PROMPT, stream=True)
        async with stream:
            return await _atally(stream, stamps)


def _texts(texts: Iterable[str]) -> Tally:
    """A loop over a stream's `text_stream`, as the plain loop's over its events."""
    events = chars = 0
    for text in texts:
        events += 1
        chars += len(text)
    return events, chars


async def _atexts(texts: AsyncIterable[str]) -> Tally:
    events = chars = 0
    async for text in texts:
        events += 1
        chars += len(text)
    return events, chars


def _assembled(interaction: Any) -> Tally:
    """(content items, payload characters) of an assembled Interaction: its text and media data."""
    items = chars = 0
    for step in interaction.steps:
        for item in getattr(step, "content", None) or ():
            payload = item.text if item.type == "text" else getattr(item, "data", None)
            if payload is not None:
                items += 1
                chars += len(payload)
    return items, chars


def _ours_sync_stream(url: str, read: Callable[[Any], Tally]) -> Tally:
    """`read` applied to one stream of the sync client."""
    from gemini_interactions import Client

    with Client(api_key=API_KEY, base_url=url, max_retries=0) as client:
        with client.interactions.create(model=MODEL, input=PROMPT, stream=True) as stream:
            return read(stream)


async def _ours_async_stream(url: str, read: Callable[[Any], Awaitable[Tally]]) -> Tally:
    from gemini_interactions_async import AsyncClient

    async with AsyncClient(api_key=API_KEY, base_url=url, max_retries=0) as client:
        stream = await client.interactions.create(model=MODEL, input=PROMPT, stream=True)
        async with stream:
            return await read(stream)


def ours_sync_final(url: str) -> Tally:
    return _ours_sync_stream(url, lambda stream: _assembled(stream.final_interaction()))


async def ours_async_final(url: str) -> Tally:
    async def read(stream: Any) -> Tally:
        return _assembled(await stream.final_interaction())

    return await _ours_async_stream(url, read)


def ours_sync_text(url: str) -> Tally:
    return _ours_sync_stream(url, lambda stream: _texts(stream.text_stream))


async def ours_async_text(url: str) -> Tally:
    return await _ours_async_stream(url, lambda stream: _atexts(stream.text_stream))


def _genai_client(url: str) -> Any:
    from google import genai  # type: ignore[import-not-found, import-untyped, unused-ignore]
    from google.genai import types  # type: ignore[import-not-found, import-untyped, unused-ignore]

    return genai.Client(api_key=API_KEY, http_options=types.HttpOptions(base_url=url))


def genai_sync(url: str, stamps: Stamps = None) -> Tally:
    client = _genai_client(url)  # held: a collected client closes its connection pool
    return _tally(client.interactions.create(model=MODEL, input=PROMPT, stream=True), stamps)


async def genai_async(url: str, stamps: Stamps = None) -> Tally:
    client = _genai_client(url)
    return await _atally(await client.aio.interactions.create(model=MODEL, input=PROMPT, stream=True), stamps)


def _import_ours_sync() -> None:
    import gemini_interactions  # noqa: F401


def _import_ours_async() -> None:
    import gemini_interactions_async  # noqa: F401


def _import_genai() -> None:
    from google import genai  # type: ignore[import-not-found, import-untyped, unused-ignore]  # noqa: F401


def _import_nothing() -> None:
    pass


class ClientSpec:
    def __init__(
        self,
        name: str,
        label: str,
        read: Callable[[str, Stamps], Tally | Awaitable[Tally]],
        import_package: Callable[[], None],
        *,
        is_async: bool = False,
        slow: bool = False,
        bytes_only: bool = False,
        final: Callable[[str], Tally | Awaitable[Tally]] | None = None,
        text: Callable[[str], Tally | Awaitable[Tally]] | None = None,
    ) -> None:
        self.name = name
        self.label = label
        self.read = read
        self.import_package = import_package
        self.is_async = is_async
        self.slow = slow  # reads the 5,000-event prefix of the text streams; its time is scaled up
        self.bytes_only = bytes_only  # reads bytes, no events: throughput only, nothing to check or chart
        self.final = final  # reads a stream with final_interaction() (the "final" workloads)
        self.text = text  # reads a stream's text_stream (the "layers" workload)


CLIENTS = {
    c.name: c
    for c in [
        ClientSpec("drain", "DRAIN (bytes only)", drain, _import_nothing, bytes_only=True),
        ClientSpec(
            "aiohttp-drain",
            "AIOHTTP-DRAIN (bytes through aiohttp)",
            aiohttp_drain,
            _import_nothing,
            is_async=True,
            bytes_only=True,
        ),
        ClientSpec("floor", "FLOOR", floor, _import_nothing),
        ClientSpec("ours-sync", "ours, sync", ours_sync, _import_ours_sync, final=ours_sync_final, text=ours_sync_text),
        ClientSpec(
            "ours-async",
            "ours, async",
            ours_async,
            _import_ours_async,
            is_async=True,
            final=ours_async_final,
            text=ours_async_text,
        ),
        ClientSpec("genai-sync", "google-genai, sync", genai_sync, _import_genai, slow=True),
        ClientSpec("genai-async", "google-genai, async", genai_async, _import_genai, is_async=True, slow=True),
    ]
}
