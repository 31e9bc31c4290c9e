"""One client, one workload, in this fresh process: `python -m bench.run CLIENT WORKLOAD BASE_URL RUNS`.

Prints one JSON object: wall time of each run, delta events and payload characters seen, peak
memory growth (first run), for latency workloads the worst delay of an event, and for the cold
workload the time to import the client's package and to its first delta. The harness imports only
small standard modules (asyncio only for an async client, after the clock starts): whatever a
client needs is on its own clock."""

from __future__ import annotations

import gc
import json
import sys
import time
from typing import Any

from .clients import CLIENTS, ClientSpec
from .workloads import SMALL_TEXT_EVENTS, TEXT_EVENTS, WORKLOADS


def _consume(
    spec: ClientSpec,
    url: str,
    stamps: list[tuple[int, str]] | None = None,
    *,
    final: bool = False,
    text: bool = False,
) -> tuple[int, int]:
    """Read the whole stream; (delta events, payload characters), or with `final` (content items,
    payload characters) of the Interaction that final_interaction() returns, or with `text`
    (pieces, characters) of its text_stream."""
    assert spec.final is not None or not final
    assert spec.text is not None or not text
    if final and spec.final:
        result = spec.final(url)
    elif text and spec.text:
        result = spec.text(url)
    else:
        result = spec.read(url, stamps)
    if spec.is_async:
        import asyncio

        return asyncio.run(result)  # type: ignore[arg-type]
    return result  # type: ignore[return-value]


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def _reset_peak_rss() -> None:
    # Linux: writing 5 to clear_refs resets the peak RSS (VmHWM) to the current RSS.
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def _peak_rss() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def _measured(
    spec: ClientSpec, url: str, *, final: bool = False, text: bool = False
) -> tuple[tuple[int, int], float, int]:
    """One read of the stream: what _consume returns, wall time, and peak RSS growth."""
    gc.collect()
    _reset_peak_rss()
    before = _rss()
    start = time.perf_counter()
    tally = _consume(spec, url, final=final, text=text)
    return tally, time.perf_counter() - start, _peak_rss() - before


def throughput(spec: ClientSpec, route: str, base: str, runs: int) -> dict[str, Any]:
    scale = 1.0
    if spec.slow and route.startswith("text"):
        route, scale = route + "-small", TEXT_EVENTS / SMALL_TEXT_EVENTS
    _consume(spec, f"{base}/{'warm-image' if route == 'image' else 'warm-text'}")
    times, memory = [], 0
    events = chars = 0
    for run in range(runs):
        (events, chars), seconds, growth = _measured(spec, f"{base}/{route}")
        times.append(seconds * scale)
        if run == 0:
            memory = growth
    return {"times": times, "events": round(events * scale), "chars": round(chars * scale), "memory": memory}


def final(spec: ClientSpec, route: str, base: str, runs: int) -> dict[str, Any]:
    """Each run: the plain loop over the stream, then final_interaction() over the same stream.

    Memory (first run of each): peak RSS growth, for final_interaction() while it reads the stream
    and builds the Interaction, which is still held when the peak is read."""
    _consume(spec, f"{base}/warm-text")
    _consume(spec, f"{base}/warm-text", final=True)
    times, final_times = [], []
    memory = loop_memory = 0
    events = chars = items = final_chars = 0
    for run in range(runs):
        (events, chars), seconds, loop_growth = _measured(spec, f"{base}/{route}")
        times.append(seconds)
        (items, final_chars), seconds, growth = _measured(spec, f"{base}/{route}", final=True)
        final_times.append(seconds)
        if run == 0:
            memory, loop_memory = growth, loop_growth
    return {
        "times": times,
        "final_times": final_times,
        "events": events,
        "chars": chars,
        "items": items,
        "final_chars": final_chars,
        "memory": memory,
        "loop_memory": loop_memory,
    }


def layers(spec: ClientSpec, route: str, base: str, runs: int) -> dict[str, Any]:
    """Each run, in turn: the plain loop over text-64k (one hop), the same events over `route`'s
    continuation hops (automatic continuation), and text-64k through `text_stream`."""
    _consume(spec, f"{base}/warm-text")
    _consume(spec, f"{base}/warm-text", text=True)
    _consume(spec, f"{base}/{route}")
    times, hop_times, text_times = [], [], []
    events = chars = hop_events = hop_chars = pieces = text_chars = 0
    for _ in range(runs):
        (events, chars), seconds, _ = _measured(spec, f"{base}/text-64k")
        times.append(seconds)
        (hop_events, hop_chars), seconds, _ = _measured(spec, f"{base}/{route}")
        hop_times.append(seconds)
        (pieces, text_chars), seconds, _ = _measured(spec, f"{base}/text-64k", text=True)
        text_times.append(seconds)
    if (hop_events, hop_chars) != (events, chars) or text_chars != chars:
        raise SystemExit(
            f"{spec.name}: the hops saw {hop_events} deltas, {hop_chars} characters and text_stream "
            f"{pieces} pieces, {text_chars} characters; the plain loop {events}, {chars}"
        )
    return {
        "times": times,
        "hop_times": hop_times,
        "text_times": text_times,
        "events": events,
        "chars": chars,
    }


def latency(spec: ClientSpec, route: str, base: str, runs: int) -> dict[str, Any]:
    _consume(spec, f"{base}/warm-text")
    worst: list[float] = []
    events = chars = 0
    for _ in range(runs):
        stamps: list[tuple[int, str]] = []
        events, chars = _consume(spec, f"{base}/{route}", stamps)
        worst.append(max(arrived - int(sent) for arrived, sent in stamps) / 1e6)
    return {"delays_ms": worst, "events": events, "chars": chars}


def cold(spec: ClientSpec, base: str) -> dict[str, Any]:
    """Import, then read a short stream; the first event's time is when its payload arrived."""
    started = time.perf_counter()
    spec.import_package()
    imported = time.perf_counter()
    stamps: list[tuple[int, str]] = []
    anchor_ns, anchor = time.monotonic_ns(), time.perf_counter()
    _consume(spec, f"{base}/cold", stamps)
    first = anchor + (stamps[0][0] - anchor_ns) / 1e9
    return {"import": imported - started, "first_event": first - started}


def main() -> None:
    client, workload_name, base, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    spec = CLIENTS[client]
    workload = next(w for w in WORKLOADS if w.name == workload_name)
    if workload.kind == "cold":
        result = cold(spec, base)
    elif workload.kind == "latency":
        result = latency(spec, workload.stream, base, runs)
    elif workload.kind == "final":
        result = final(spec, workload.stream, base, runs)
    elif workload.kind == "layers":
        result = layers(spec, workload.stream, base, runs)
    else:
        result = throughput(spec, workload.stream, base, runs)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
