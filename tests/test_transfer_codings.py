"""Transfer codings other than chunked (RFC 9112 section 7), both flavours, over real sockets: gzip and
deflate are undone, an unknown coding or a corrupt one is a typed error that names it, never a stream
of garbage, and nothing is replayed."""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Callable
from typing import Any

import pytest
from gemini_interactions._transfer_codings import TransferDecoding, transfer_codings

from .conftest import Flavour
from .hostile import Connection, HostileServer, completed, created, delta, sse, step_start

WORDS = [f"word {i:03d} " for i in range(60)]
EVENTS = b"".join([sse(created()), sse(step_start()), *(sse(delta(w)) for w in WORDS), sse(completed())])


def framed(data: bytes, size: int = 37) -> bytes:
    """`data` in chunks of `size` bytes (an odd size: chunk ends fall inside lines and inside gzip's header)."""
    chunks = [b"%x\r\n%s\r\n" % (len(data[at : at + size]), data[at : at + size]) for at in range(0, len(data), size)]
    return b"".join(chunks) + b"0\r\n\r\n"


def raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


# name: (Transfer-Encoding header lines, how the payload is coded, chunked framing)
CODINGS: dict[str, tuple[list[str], Callable[[bytes], bytes], bool]] = {
    "gzip, chunked": (["gzip, chunked"], gzip.compress, True),
    "x-gzip, chunked": (["x-gzip, chunked"], gzip.compress, True),
    "deflate, chunked": (["deflate, chunked"], zlib.compress, True),
    "raw deflate, chunked": (["deflate, chunked"], raw_deflate, True),
    "gzip, two members": (["gzip, chunked"], lambda b: gzip.compress(b[:500]) + gzip.compress(b[500:]), True),
    "gzip then deflate": (["gzip, deflate, chunked"], lambda b: zlib.compress(gzip.compress(b)), True),
    "two header lines": (["gzip", "chunked"], gzip.compress, True),
    "identity, chunked": (["identity, chunked"], lambda b: b, True),
    "gzip, to the close": (["gzip"], gzip.compress, False),
}


def answering(lines: list[str], body: bytes, content_type: str = "text/event-stream") -> Any:
    def script(conn: Connection) -> None:
        head = "".join(f"Transfer-Encoding: {line}\r\n" for line in lines)
        conn.send(f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\n{head}Connection: close\r\n\r\n".encode() + body)

    return script


@pytest.mark.parametrize("coding", CODINGS.values(), ids=CODINGS.keys())
async def test_a_stream_in_a_transfer_coding_is_undone(
    flavour: Flavour, hostile: list[HostileServer], coding: tuple[list[str], Callable[[bytes], bytes], bool]
) -> None:
    lines, code, chunked = coding
    payload = code(EVENTS)
    server = HostileServer(answering(lines, framed(payload) if chunked else payload))
    hostile.append(server)
    client = flavour.client(base_url=server.base_url, max_retries=0)
    stream = await flavour.create(client, model="m", input="x", stream=True)
    texts = [event.delta.text for event in await flavour.events(stream) if event.event_type == "step.delta"]
    assert texts == WORDS
    final = await flavour.aw(stream.final_interaction())
    assert final.status == "completed" and final.output_text == "".join(WORDS)
    await flavour.close(client)


async def test_a_json_answer_in_a_transfer_coding_is_undone(flavour: Flavour, hostile: list[HostileServer]) -> None:
    body = json.dumps({"id": "v1_coded", "status": "completed", "steps": []}).encode()
    server = HostileServer(answering(["gzip, chunked"], framed(gzip.compress(body)), "application/json"))
    hostile.append(server)
    client = flavour.client(base_url=server.base_url, max_retries=0)
    interaction = await flavour.create(client, model="m", input="x")
    assert (interaction.id, interaction.status) == ("v1_coded", "completed")
    await flavour.close(client)


UNDOABLE = {
    # A coding this client does not know: the error names it.
    "br": ((["br, chunked"], framed(b"\x0b\x02\x80garbage")), "'br'"),
    # A transfer coding under a content coding: undone in the wrong order by the HTTP libraries.
    "with content coding": ((["gzip, chunked"], framed(gzip.compress(gzip.compress(EVENTS)))), "Content-Encoding"),
}


@pytest.mark.parametrize("case", UNDOABLE.values(), ids=UNDOABLE.keys())
async def test_a_transfer_coding_that_cannot_be_undone_is_named(
    flavour: Flavour, hostile: list[HostileServer], case: tuple[tuple[list[str], bytes], str]
) -> None:
    (lines, body), named = case

    def script(conn: Connection) -> None:
        head = "".join(f"Transfer-Encoding: {line}\r\n" for line in lines)
        content = "Content-Encoding: gzip\r\n" if named == "Content-Encoding" else ""
        conn.send(f"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n{head}{content}\r\n".encode() + body)

    server = HostileServer(script)
    hostile.append(server)
    client = flavour.client(base_url=server.base_url, max_retries=2)
    with pytest.raises(flavour.pkg.APIResponseValidationError, match="Transfer-Encoding") as caught:
        stream = await flavour.create(client, model="m", input="x", stream=True)
        await flavour.events(stream)
    assert named in caught.value.message
    assert len(server.requests) == 1  # a create may have reached the server: not replayed
    await flavour.close(client)


async def test_corrupt_coded_data_is_an_answer_that_is_not_valid_http(
    flavour: Flavour, hostile: list[HostileServer]
) -> None:
    coded = bytearray(gzip.compress(EVENTS))
    coded[len(coded) // 2 :] = b"\x00" * (len(coded) - len(coded) // 2)  # the deflate data wiped half-way
    server = HostileServer(answering(["gzip, chunked"], framed(bytes(coded))))
    hostile.append(server)
    client = flavour.client(base_url=server.base_url, max_retries=2)
    with pytest.raises(flavour.pkg.APIConnectionError, match="is not valid HTTP"):
        stream = await flavour.create(client, model="m", input="x", stream=True)
        await flavour.events(stream)
    assert len(server.requests) == 1
    await flavour.close(client)


def test_the_codings_are_read_as_listed() -> None:
    assert transfer_codings("GZip ; q=1 ,chunked,, ") == ["gzip", "chunked"]
    assert transfer_codings("") == []


def test_decoding_goes_piece_by_piece_and_notices_an_early_end() -> None:
    coded = gzip.compress(EVENTS)
    decoding = TransferDecoding(["gzip"])
    pieces = [piece for at in range(0, len(coded), 5) for piece in decoding.decode(coded[at : at + 5])]
    assert b"".join([*pieces, *decoding.flush()]) == EVENTS
    cut = TransferDecoding(["gzip"])
    list(cut.decode(coded[:-20]))
    with pytest.raises(zlib.error, match="ended early"):
        list(cut.flush())


def test_highly_compressed_data_inflates_a_piece_at_a_time() -> None:
    # 64 MiB of zeros in ~64 KiB, twice compressed: each piece handed on is at most 1 MiB.
    zeros = gzip.compress(zlib.compress(bytes(64 << 20)))
    decoding = TransferDecoding(["deflate", "gzip"])
    sizes = [len(piece) for piece in decoding.decode(zeros)] + [len(piece) for piece in decoding.flush()]
    assert sum(sizes) == 64 << 20 and max(sizes) <= 1 << 20
