"""The streams the benchmark serves, built once as bytes, and the workloads that read them.

Events are shaped as the API guide's transcripts show them (`event:` line, JSON `data:` line)."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

INTERACTION_ID = "v1_bench"
CHUNK_64K = 64 * 1024
TEXT_EVENTS = 100_000
SMALL_TEXT_EVENTS = 5_000  # the slow peers read this prefix of the text streams; their time is scaled up
IMAGE_BYTES = 20 * 1024 * 1024  # the base64 text of the image delta
FINAL_EVENTS = 1_000_000  # text deltas read by final_interaction()
AUDIO_BYTES = 32 * 1024 * 1024  # the base64 text of an audio clip, in AUDIO_DELTA pieces
AUDIO_DELTA = 4096
LATENCY_EVENTS = 25
LATENCY_PAUSE_S = 0.025
COLD_EVENTS = 10
HOPS = 3  # the "layers" workload's text stream, split into this many continuation hops


def sse(event: dict[str, object]) -> bytes:
    return b"event: %s\ndata: %s\n\n" % (str(event["event_type"]).encode(), json.dumps(event).encode())


def _delta(delta: dict[str, object]) -> dict[str, object]:
    return {"index": 0, "delta": delta, "event_type": "step.delta"}


def opening(interaction_id: str = INTERACTION_ID) -> list[bytes]:
    return [
        sse({"interaction": {"id": interaction_id, "status": "in_progress"}, "event_type": "interaction.created"}),
        sse({"interaction_id": interaction_id, "status": "in_progress", "event_type": "interaction.status_update"}),
        sse({"index": 0, "step": {"type": "model_output"}, "event_type": "step.start"}),
    ]


def closing(interaction: dict[str, object] | None = None) -> list[bytes]:
    """The end of a stream; `interaction` replaces the completed interaction (a hop that needs continuing)."""
    return [
        sse({"index": 0, "event_type": "step.stop"}),
        sse(
            {
                "interaction": interaction or {"id": INTERACTION_ID, "status": "completed"},
                "event_type": "interaction.completed",
            }
        ),
        b"event: done\ndata: [DONE]\n\n",
    ]


def text_delta(text: str) -> bytes:
    return sse(_delta({"text": text, "type": "text"}))


def text_events(count: int) -> list[bytes]:
    """A text answer of `count` deltas of about ten characters each."""
    return [*opening(), *(text_delta(f"word {i:05d} ") for i in range(count)), *closing()]


def hop_token(hop: int) -> str:
    return f"bench-hop-{hop}"


def text_hops(count: int, hops: int) -> list[list[bytes]]:
    """The events of `text_events(count)`, each hop's stream on its own: every hop but the last stops
    with status `requires_continuation` and the token of the next one (the server's decode limit)."""
    deltas = [text_delta(f"word {i:05d} ") for i in range(count)]
    cut = [count * hop // hops for hop in range(hops + 1)]
    streams = []
    for hop in range(hops):
        interaction_id = f"{INTERACTION_ID}_{hop}"
        end: dict[str, object] = {"id": interaction_id, "status": "completed"}
        if hop < hops - 1:
            end.update(status="requires_continuation", continuation_token=hop_token(hop + 1))
        streams.append([*opening(interaction_id), *deltas[cut[hop] : cut[hop + 1]], *closing(end)])
    return streams


def image_events(size: int) -> list[bytes]:
    """One image delta whose base64 data is `size` characters."""
    data = base64.b64encode(bytes(range(256)) * (size * 3 // 4 // 256 + 1))[:size].decode()
    return [*opening(), sse(_delta({"data": data, "mime_type": "image/png", "type": "image"})), *closing()]


def audio_events(size: int, piece: int) -> list[bytes]:
    """One audio clip whose base64 data is `size` characters, in deltas of `piece` characters."""
    data = base64.b64encode(bytes(range(256)) * (size * 3 // 4 // 256 + 1))[:size].decode()
    deltas = (
        _delta({"data": data[i : i + piece], "mime_type": "audio/l16", "type": "audio"}) for i in range(0, size, piece)
    )
    return [*opening(), *map(sse, deltas), *closing()]


def chunked(pieces: list[bytes]) -> bytes:
    """HTTP/1.1 chunked transfer coding, one chunk per piece."""
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"


def split(body: bytes, size: int) -> list[bytes]:
    return [body[i : i + size] for i in range(0, len(body), size)]


@dataclass(frozen=True)
class Workload:
    name: str
    title: str
    stream: str  # the server's route that serves it
    events: int  # events carrying a delta (what the runner counts)
    payload: int  # delta characters in the stream (text or base64 data)
    runs: int
    kind: str = "throughput"  # or "latency", "cold", "final" (the plain loop, then final_interaction()),
    # "layers" (the plain loop over text-64k, then the same events through continuation hops and text_stream)


def text_payload(count: int) -> int:
    """The delta characters of `text_events(count)`: "word {i:05d} " is 11 characters up to 99,999,
    one more per digit after (counted, not built: the final workload's million would cost a second
    in every bench process)."""
    total, start, width = 0, 0, 5
    while start < count:
        end = min(count, 10**width)
        total += (end - start) * (width + 6)
        start, width = end, width + 1
    return total


TEXT_PAYLOAD = text_payload(TEXT_EVENTS)
WORKLOADS = [
    Workload("text-event", "text, 100,000 deltas, 1 HTTP chunk per event", "text-event", TEXT_EVENTS, TEXT_PAYLOAD, 5),
    Workload("text-64k", "text, 100,000 deltas, 64 KiB chunks", "text-64k", TEXT_EVENTS, TEXT_PAYLOAD, 5),
    Workload("image", "image, one 20 MiB base64 delta, 64 KiB chunks", "image", 1, IMAGE_BYTES, 3),
    Workload("latency-chunked", "latency, 25 events 25 ms apart, chunked", "latency-chunked", 25, 0, 2, "latency"),
    Workload("latency-close", "latency, 25 events 25 ms apart, read until close", "latency-close", 25, 0, 2, "latency"),
    Workload(
        "layers",
        f"text, 100,000 deltas, 64 KiB chunks, over {HOPS} continuation hops / through text_stream",
        "text-hops",
        TEXT_EVENTS,
        TEXT_PAYLOAD,
        5,
        "layers",
    ),
    Workload("cold", "import + first event, fresh process", "cold", COLD_EVENTS, 0, 5, "cold"),
    Workload(
        "final-text",
        "final_interaction(), 1,000,000 text deltas, 64 KiB chunks",
        "final-text",
        FINAL_EVENTS,
        text_payload(FINAL_EVENTS),
        3,
        "final",
    ),
    Workload(
        "final-audio",
        "final_interaction(), 32 MiB base64 audio in 4 KiB deltas, 64 KiB chunks",
        "final-audio",
        AUDIO_BYTES // AUDIO_DELTA,
        AUDIO_BYTES,
        3,
        "final",
    ),
]
