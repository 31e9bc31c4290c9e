"""The scale workload: many streams at once through one client.

`python -m bench.scale` starts `bench.scale_server` in its own process, then runs each client in a
fresh process: async clients open SCALE_STREAMS streams at once on one client; sync clients share one
client among SCALE_THREADS threads over SCALE_STREAMS streams. google-genai reads a sample of the
streams (GENAI_SAMPLE) and its rate is reported as measured (events/s do not depend on the count).
Every client gets the same connection limit (ours: max_connections; google-genai: httpx's limits).
DRAIN-ASYNC reads the same streams as bytes only, at the same concurrency: the server's ceiling.
AIOHTTP-DRAIN-ASYNC reads them as bytes through aiohttp (what ours-async pays before parsing anything).

Reported per client: wall time, aggregate deltas/s, peak RSS growth per open stream, the connections
the server saw (pool reuse), whether every stream was complete, and the slowest stream's time over
the median's (starvation). Each client reads one stream first (building its validators: the cold
workload's subject), then the measured ones. Results go to bench/results/scale.{json,md}."""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from .clients import API_KEY, MODEL, PROMPT, _atally, _tally
from .scale_server import SCALE_EVENTS

ROOT = Path(__file__).resolve().parent.parent
SCALE_STREAMS = 1000
SCALE_THREADS = 64
GENAI_SAMPLE = 100  # streams google-genai reads (about 0.7 ms an event: all 1,000 would take minutes)
ASYNC_LIMIT = SCALE_STREAMS  # connections: every stream open at once
SYNC_LIMIT = SCALE_THREADS


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _peak() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- async peers: each returns a coroutine factory reading one stream, given the tagged base URL ---


async def _floor_one(host: str, port: int, path: str, drain: bool) -> int:
    reader, writer = await asyncio.open_connection(host, port)
    body = json.dumps({"model": MODEL, "input": PROMPT, "stream": True}).encode()
    writer.write(
        b"POST %s/v1beta/interactions HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n%s" % (path.encode(), host.encode(), port, len(body), body)
    )
    await reader.readuntil(b"\r\n\r\n")
    events = 0
    pending = b""
    loads = json.loads
    while True:
        size = int(await reader.readuntil(b"\r\n"), 16)
        data = await reader.readexactly(size + 2)
        if size == 0:
            break
        if drain:
            continue
        blocks = (pending + data[:-2]).split(b"\n\n")
        pending = blocks.pop()
        for block in blocks:
            at = block.find(b"data: ")
            if at < 0 or block.endswith(b"[DONE]"):
                continue
            event = loads(block[at + 6 :])
            if event["event_type"] == "step.delta":
                events += 1
    writer.close()
    return SCALE_EVENTS if drain else events


async def run_async(client: str, base: str) -> tuple[list[tuple[int, float]], int, float, float]:
    """(deltas, seconds) of every stream, all started at once; the RSS, clock and CPU time before they started."""
    n = GENAI_SAMPLE if client.startswith("genai") else SCALE_STREAMS
    host_port, path = base.removeprefix("http://").split("/", 1)
    host, port = host_port.split(":")
    read: Callable[[], Awaitable[int]]
    closer: Callable[[], Awaitable[None]] | None = None
    if client in ("floor-async", "drain-async"):

        async def read() -> int:
            return await _floor_one(host, int(port), "/" + path, client == "drain-async")

    elif client == "aiohttp-drain-async":  # the HTTP library alone: what ours pays before parsing anything
        import aiohttp

        session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=ASYNC_LIMIT))
        closer = session.close
        body = json.dumps({"model": MODEL, "input": PROMPT, "stream": True})

        async def read() -> int:
            async with session.post(f"{base}/v1beta/interactions", data=body) as response:
                while await response.content.read(65536):
                    pass
            return SCALE_EVENTS

    elif client == "ours-async":
        from gemini_interactions_async import AsyncClient

        ours = AsyncClient(api_key=API_KEY, base_url=base, max_retries=0, max_connections=ASYNC_LIMIT)
        closer = ours.close

        async def read() -> int:
            stream = await ours.interactions.create(model=MODEL, input=PROMPT, stream=True)
            async with stream:
                return (await _atally(stream, None))[0]

    else:
        genai = _genai(base, ASYNC_LIMIT)

        async def read() -> int:
            stream = await genai.aio.interactions.create(model=MODEL, input=PROMPT, stream=True)
            return (await _atally(stream, None))[0]

    async def timed() -> tuple[int, float]:
        t0 = time.perf_counter()
        events = await read()
        return events, time.perf_counter() - t0

    await read()  # warm: the first event builds the validators (the cold workload measures that)
    before, started, cpu = _rss(), time.perf_counter(), _cpu()
    results = await asyncio.gather(*(timed() for _ in range(n)))
    if closer is not None:
        await closer()
    return list(results), before, started, cpu


def _floor_sync_reader(base: str) -> Callable[[], int]:
    """FLOOR for threads: a socket per thread, the chunked coding read with readline, json.loads per event."""
    host_port, path = base.removeprefix("http://").split("/", 1)
    host, port = host_port.split(":")
    body = json.dumps({"model": MODEL, "input": PROMPT, "stream": True}).encode()
    request = (
        b"POST /%s/v1beta/interactions HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n%s" % (path.encode(), host_port.encode(), len(body), body)
    )
    local = threading.local()

    def read() -> int:
        if not hasattr(local, "file"):
            local.sock = socket.create_connection((host, int(port)))
            local.file = local.sock.makefile("rb")
        local.sock.sendall(request)
        file = local.file
        while file.readline() != b"\r\n":
            pass
        events = 0
        pending = b""
        loads = json.loads
        while True:
            size = int(file.readline(), 16)
            data = file.read(size + 2)
            if size == 0:
                return events
            blocks = (pending + data[:-2]).split(b"\n\n")
            pending = blocks.pop()
            for block in blocks:
                at = block.find(b"data: ")
                if at >= 0 and not block.endswith(b"[DONE]") and loads(block[at + 6 :])["event_type"] == "step.delta":
                    events += 1

    return read


def run_sync(client: str, base: str) -> tuple[list[tuple[int, float]], int, float, float]:
    n = GENAI_SAMPLE if client.startswith("genai") else SCALE_STREAMS
    read: Callable[[], int]
    if client == "floor-sync":
        read = _floor_sync_reader(base)
    elif client == "ours-sync":
        from gemini_interactions import Client

        ours = Client(api_key=API_KEY, base_url=base, max_retries=0, max_connections=SYNC_LIMIT)

        def read() -> int:
            with ours.interactions.create(model=MODEL, input=PROMPT, stream=True) as stream:
                return _tally(stream, None)[0]

    else:
        genai = _genai(base, SYNC_LIMIT)

        def read() -> int:
            return _tally(genai.interactions.create(model=MODEL, input=PROMPT, stream=True), None)[0]

    if client != "floor-sync":
        read()  # warm, as above (FLOOR's sockets are per thread: it has nothing to warm)
    # The threads are the application's: started (each waiting at the barrier) before the memory
    # baseline, so that growth per open stream is the streams', not the thread stacks'. Each takes
    # the next stream's number from one counter (a pool's map would hold a future per stream: the
    # harness's memory, not the client's).
    start = threading.Barrier(SCALE_THREADS + 1)
    numbers = itertools.count()
    results: list[tuple[int, float]] = []

    def worker() -> None:
        start.wait()
        while next(numbers) < n:
            t0 = time.perf_counter()
            events = read()
            results.append((events, time.perf_counter() - t0))

    threads = [threading.Thread(target=worker) for _ in range(SCALE_THREADS)]
    for thread in threads:
        thread.start()
    while start.n_waiting < SCALE_THREADS:
        time.sleep(0.001)
    before, started, cpu = _rss(), time.perf_counter(), _cpu()
    start.wait()
    for thread in threads:
        thread.join()
    return results, before, started, cpu


def _genai(base: str, limit: int) -> Any:
    try:  # google-genai 3.3.0 takes httpx or its fork httpx2, whichever is installed
        import httpx2 as httpx  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        import httpx  # type: ignore[import-not-found, unused-ignore]
    from google import genai  # type: ignore[import-not-found, import-untyped, unused-ignore]
    from google.genai import types  # type: ignore[import-not-found, import-untyped, unused-ignore]

    limits = httpx.Limits(max_connections=limit, max_keepalive_connections=limit)
    options = types.HttpOptions(base_url=base, client_args={"limits": limits}, async_client_args={"limits": limits})
    return genai.Client(api_key=API_KEY, http_options=options)


def child(client: str, base: str) -> dict[str, Any]:
    is_async = client.endswith("async")
    # Imports and clients' modules first, so the growth measured is the streams', not the imports'.
    if client.startswith("ours"):
        __import__("gemini_interactions_async" if is_async else "gemini_interactions")
    elif client.startswith("genai"):
        from google import genai  # type: ignore[import-not-found, unused-ignore]  # noqa: F401
    results, before, started, cpu = asyncio.run(run_async(client, base)) if is_async else run_sync(client, base)
    wall = time.perf_counter() - started
    cpu = _cpu() - cpu
    times = sorted(t for _, t in results)
    events = sum(e for e, _ in results)
    concurrent = len(results) if is_async else SCALE_THREADS
    return {
        "streams": len(results),  # the warm-up stream is not among them (the server counts it)
        "complete": sum(e == SCALE_EVENTS for e, _ in results),
        "events": events,
        "wall": wall,
        "events_per_s": events / wall,
        "client_cpu": cpu,  # the measured streams' CPU seconds in this process: less noisy than wall under load
        "open_streams": concurrent,
        "kib_per_stream": max(0, _peak() - before) / 1024 / concurrent,
        "slowest_over_median": times[-1] / statistics.median(times),
    }


CLIENTS = [
    "drain-async",
    "floor-async",
    "aiohttp-drain-async",
    "ours-async",
    "genai-async",
    "floor-sync",
    "ours-sync",
    "genai-sync",
]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__)
    parser.add_argument("--clients", default=",".join(CLIENTS))
    parser.add_argument("--child", nargs=2, metavar=("CLIENT", "BASE"))
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(*args.child)))
        return
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.scale_server"], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert server.stdout is not None and server.stdin is not None
    base = f"http://127.0.0.1:{server.stdout.readline().strip()}"
    rows: dict[str, dict[str, Any]] = {}
    try:
        for client in [c for c in CLIENTS if c in args.clients.split(",")]:
            command = [sys.executable, "-m", "bench.scale", "--child", client, f"{base}/scale-{client}"]
            server_cpu = _stats(base, client)["cpu"]
            done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
            if done.returncode != 0:
                raise SystemExit(f"{client} failed:\n{done.stderr}")
            row = json.loads(done.stdout)
            row.update(_stats(base, client))
            row["server_cpu"] = row.pop("cpu") - server_cpu  # includes the warm-up stream's, a 1/1000 share
            row["load"] = os.getloadavg()[0]
            rows[client] = row
            print(f"{client:12} {row['wall']:6.2f} s", file=sys.stderr)
    finally:
        server.stdin.close()
        server.wait(10)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "scale.json").write_text(json.dumps(rows, indent=2) + "\n")
    table = markdown(rows)
    (args.out / "scale.md").write_text(table)
    print(table)


def _stats(base: str, client: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{base}/stats/scale-{client}") as answer:
        stats: dict[str, Any] = json.load(answer)
        return stats


def markdown(rows: dict[str, dict[str, Any]]) -> str:
    floor = rows.get("floor-async", {}).get("events_per_s")
    lines = [
        f"Scale: {SCALE_STREAMS:,} streams of {SCALE_EVENTS} text deltas; async all at once on one client "
        f"({ASYNC_LIMIT} connections), sync {SCALE_THREADS} threads sharing one client ({SYNC_LIMIT} connections); "
        f"google-genai reads {GENAI_SAMPLE} streams.",
        "",
        "| client | streams complete | wall s | deltas/s | × async FLOOR | client CPU s (× FLOOR's) | server CPU s "
        "| KiB per open stream | connections (requests) | slowest/median | load |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    floor_cpu = rows.get("floor-async", {}).get("client_cpu")
    for name, r in rows.items():
        ratio = f"{r['events_per_s'] / floor:.2f}" if floor else "–"
        # CPU per delta over FLOOR's: google-genai reads fewer streams
        cpu_ratio = (
            f"{r['client_cpu'] / r['events'] / (floor_cpu / rows['floor-async']['events']):.2f}" if floor_cpu else "–"
        )
        lines.append(
            f"| {name} | {r['complete']}/{r['streams']} | {r['wall']:.2f} | {r['events_per_s']:,.0f} | {ratio} "
            f"| {r['client_cpu']:.2f} ({cpu_ratio}) | {r['server_cpu']:.2f} "
            f"| {r['kib_per_stream']:.1f} | {r['connections']} ({r['requests']}) | {r['slowest_over_median']:.2f} "
            f"| {r['load']:.1f} |"
        )
    return "\n".join([*lines, "", *targets(rows)]) + "\n"


def targets(rows: dict[str, dict[str, Any]]) -> list[str]:
    """Issue 17's scale targets, each with the figure that meets or misses it."""
    out: list[str] = []
    floor = rows.get("floor-async", {}).get("events_per_s")
    for client, peer, base in (("ours-async", "genai-async", "floor-async"), ("ours-sync", "genai-sync", "floor-sync")):
        row = rows.get(client)
        if row is None:
            continue
        # The same flavour's FLOOR beside each figure: what the event loop or the GIL leaves to any client.
        floor_row = rows.get(base)
        kib = f"; {base} {floor_row['kib_per_stream']:.0f}" if floor_row else ""
        slowest = f"; {base} {floor_row['slowest_over_median']:.2f}×" if floor_row else ""
        checks = [
            (row["complete"] == row["streams"], f"{row['complete']}/{row['streams']} streams complete"),
            (row["kib_per_stream"] <= 64, f"{row['kib_per_stream']:.0f} KiB per open stream (≤ 64{kib})"),
            (
                row["slowest_over_median"] <= 2,
                f"slowest stream {row['slowest_over_median']:.2f}× the median (≤ 2×{slowest})",
            ),
        ]
        if floor and client.endswith("async"):  # threads under one GIL are not held to an event loop's rate
            share = row["events_per_s"] / floor
            checks.append((share >= 0.8, f"{share:.2f}× the async FLOOR's deltas/s (≥ 0.8×)"))
        if peer in rows:
            speedup = row["events_per_s"] / rows[peer]["events_per_s"]
            checks.append((speedup >= 10, f"{speedup:.0f}× {peer}'s deltas/s (≥ 10×)"))
        out += [f"- {'✅' if ok else '❌'} {client}: {text}" for ok, text in checks]
    return out


if __name__ == "__main__":
    main()
