"""The stream's fast path (the API's simple blocks validated from their bytes) gives what the general
path gives: odd bytes, invalid payloads, large events and blocks with ids or comments, both flavours."""

from __future__ import annotations

import base64
import http.server
import json
import threading
from collections.abc import Iterator
from typing import Any

import pydantic
import pytest

from .conftest import Flavour

START = [
    b'event: interaction.created\ndata: {"interaction": {"id": "v1_fast", "status": "in_progress"}, '
    b'"event_type": "interaction.created"}\n\n',
    b'event: step.start\ndata: {"index": 0, "step": {"type": "model_output"}, "event_type": "step.start"}\n\n',
]
END = [
    b'event: interaction.completed\ndata: {"interaction": {"id": "v1_fast", "status": "completed"}, '
    b'"event_type": "interaction.completed"}\n\n',
    b"event: done\ndata: [DONE]\n\n",
]


def delta_block(delta: dict[str, Any], index: object = 0) -> bytes:
    data = json.dumps({"index": index, "delta": delta, "event_type": "step.delta"})
    return b"event: step.delta\ndata: " + data.encode() + b"\n\n"


class RawServer:
    """Answers every request with the given SSE blocks, chunked: one chunk per block, or 64 KiB chunks."""

    def __init__(self) -> None:
        self.blocks: list[bytes] = []
        self.chunk_size = 0  # 0: one chunk per block
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Transfer-Encoding", "chunked")
                self.send_header("Connection", "close")
                self.end_headers()
                body = b"".join(owner.blocks)
                size = owner.chunk_size
                pieces = [body[i : i + size] for i in range(0, len(body), size)] if size else owner.blocks
                for piece in pieces:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()
                self.close_connection = True

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


@pytest.fixture
def raw() -> Iterator[RawServer]:
    server = RawServer()
    yield server
    server.close()


async def stream_of(flavour: Flavour, raw: RawServer, *blocks: bytes, strict: bool = False) -> tuple[Any, list[Any]]:
    raw.blocks = [*START, *blocks, *END]
    client = flavour.client(base_url=raw.base_url, max_retries=0, strict=strict)
    try:
        return await flavour.stream_events(client, model="m", input="x")
    finally:
        await flavour.close(client)


@pytest.mark.parametrize("chunk_size", [0, 64 * 1024], ids=["chunk-per-event", "64KiB"])
async def test_text_deltas_typed_in_order(flavour: Flavour, raw: RawServer, chunk_size: int) -> None:
    raw.chunk_size = chunk_size
    texts = [f"word {i} é€😀" for i in range(3000)]
    _, events = await stream_of(flavour, raw, *(delta_block({"type": "text", "text": t}) for t in texts))
    deltas = [e.delta for e in events if e.event_type == "step.delta"]
    assert all(isinstance(d, flavour.types.TextDelta) for d in deltas)
    assert [d.text for d in deltas] == texts
    assert events[-1].event_type == "interaction.completed"


async def test_invalid_utf8_is_replaced_as_the_general_path_does(flavour: Flavour, raw: RawServer) -> None:
    block = delta_block({"type": "text", "text": "caf\u00e9"}).replace(b"caf\\u00e9", b"caf\xe9")  # Latin-1 é
    assert b"caf\xe9" in block
    _, events = await stream_of(flavour, raw, block)
    assert [e.delta.text for e in events if e.event_type == "step.delta"] == ["caf\ufffd"]


@pytest.mark.parametrize("size", [100, 3 * 1024 * 1024], ids=["small", "3MiB"])
async def test_invalid_payload_of_a_known_type_names_the_field(flavour: Flavour, raw: RawServer, size: int) -> None:
    raw.chunk_size = 64 * 1024
    with pytest.raises(flavour.pkg.APIResponseValidationError) as info:
        await stream_of(
            flavour, raw, delta_block({"type": "text", "text": "a" * size}, index="not a number"), strict=True
        )
    message = str(info.value)
    assert "stream event 'step.delta'" in message and "at step.delta.index" in message
    assert len(info.value.payload) > size  # the whole event is kept, also when it was let go of early


async def test_large_image_delta_arrives_whole(flavour: Flavour, raw: RawServer) -> None:
    raw.chunk_size = 64 * 1024
    data = base64.b64encode(bytes(range(256)) * 12_000).decode()  # ~4 MiB of base64
    _, events = await stream_of(flavour, raw, delta_block({"type": "image", "data": data, "mime_type": "image/png"}))
    (image,) = [e.delta for e in events if e.event_type == "step.delta"]
    assert isinstance(image, flavour.types.ImageDelta) and image.data == data


async def test_blocks_with_ids_comments_and_unknown_types(flavour: Flavour, raw: RawServer) -> None:
    blocks = [
        b": a comment first\n" + delta_block({"type": "text", "text": "a"}),
        b"id: 7\n" + delta_block({"type": "text", "text": "b"}),
        delta_block({"type": "hologram", "depth": 3}),
        b'data: {"index": 0, "delta": {"type": "text", "text": "c"},\ndata: "event_type": "step.delta"}\n\n',
    ]
    stream, events = await stream_of(flavour, raw, *blocks)
    deltas = [e.delta for e in events if e.event_type == "step.delta"]
    assert [getattr(d, "text", None) for d in deltas] == ["a", "b", None, "c"]
    assert isinstance(deltas[2], flavour.types.UnknownStepDeltaData) and deltas[2].depth == 3
    assert stream.last_event_id == "7"  # the id persists: every later event carries it


# Events over the size from which a block is handed over in pieces (and its long string built from
# them): each is the event validating its whole data gives, whatever its line ends and chunking.
LONG = base64.b64encode(bytes(range(256)) * 6_500).decode()  # ~2.2 MiB


def long_block(delta: dict[str, Any], *, eol: bytes = b"\n", prefix: bytes = b"", event: bool = True) -> bytes:
    data = json.dumps({"index": 0, "delta": delta, "event_type": "step.delta"}, ensure_ascii=False).encode()
    lines = [*([prefix] if prefix else []), *([b"event: step.delta"] if event else []), b"data: " + data]
    return eol.join(lines) + eol + eol


LONG_CASES = {
    "image-64KiB": (long_block({"type": "image", "data": LONG, "mime_type": "image/png"}), 64 * 1024),
    "image-crlf-odd-chunks": (long_block({"type": "image", "data": LONG}, eol=b"\r\n"), 7001),
    "data-only-cr": (long_block({"type": "image", "data": LONG}, eol=b"\r", event=False), 65535),
    "text-non-ascii": (long_block({"type": "text", "text": "é€😀 " * 200_000}, eol=b"\r\n"), 4099),
    "text-with-escapes": (long_block({"type": "text", "text": LONG.replace("A", '"\n')}), 64 * 1024),
    "unknown-type": (long_block({"type": "hologram", "frames": LONG}), 64 * 1024),
    "with-an-id": (long_block({"type": "image", "data": LONG}, prefix=b"id: long-1"), 64 * 1024),
    "with-a-comment": (long_block({"type": "image", "data": LONG}, prefix=b": keep-alive", eol=b"\r\n"), 5000),
}


@pytest.mark.parametrize("case", sorted(LONG_CASES))
async def test_long_events_in_pieces_are_the_whole_events(flavour: Flavour, raw: RawServer, case: str) -> None:
    block, raw.chunk_size = LONG_CASES[case]
    stream, events = await stream_of(flavour, raw, block)
    (got,) = [e for e in events if e.event_type == "step.delta"]
    data = block.replace(b"\r\n", b"\n").replace(b"\r", b"\n").partition(b"data: ")[2].rstrip(b"\n")
    want = pydantic.TypeAdapter(flavour.types.InteractionSSEEvent).validate_json(data)
    assert type(got.delta) is type(want.delta) and got == want
    assert got.delta.model_fields_set == want.delta.model_fields_set
    assert events[-1].event_type == "interaction.completed"
    assert stream.last_event_id == ("long-1" if case == "with-an-id" else None)
