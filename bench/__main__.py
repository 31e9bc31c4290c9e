"""`python -m bench`: start the loopback server, run every client on every workload, each in a
fresh process, then write bench/results/latest.{json,md,png} and print the table.

A workload's runs are taken in rounds: each round runs every client once, each in a fresh process,
in an order that alternates between rounds. A slow spell of a shared machine (they last seconds
here) then slows one round of every client, not every run of one of them. google-genai takes part
in the first SLOW_ROUNDS rounds only, but in every round of the cold start.

Options: --clients a,b  --workloads a,b  --runs N (overrides each workload's count)
--out DIR  --readme (also put the table into README.md, after a complete run)."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from . import report
from .clients import CLIENTS
from .workloads import WORKLOADS, Workload

ROOT = Path(__file__).resolve().parent.parent


def start_server() -> tuple[subprocess.Popen[str], str]:
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.server"], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert server.stdout is not None
    port = server.stdout.readline().strip()
    if not port:
        raise SystemExit("the bench server did not start")
    return server, f"http://127.0.0.1:{port}"


# google-genai's runs take 100-300x ours (half of the whole bench, three minutes of it on the image):
# its figure is read to a factor, so two rounds of each workload do. Not so the cold start's: a
# target is a ratio to it, and its fresh processes take a second or two.
SLOW_ROUNDS = 2


def run_one(client: str, workload: Workload, base: str, runs: int) -> dict[str, Any]:
    """Runs of one client on one workload: one fresh process, or one per run for the cold start."""
    command = [sys.executable, "-m", "bench.run", client, workload.name, base]
    if workload.kind != "cold":
        return _run(command + [str(runs)])
    results = [_run(command + ["1"]) for _ in range(runs)]
    return {key: [r[key] for r in results] for key in results[0]}


def _run(command: list[str]) -> dict[str, Any]:
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command[2:])} failed:\n{done.stderr}")
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def runs_on(client: str, workload: Workload) -> bool:
    """Whether the workload measures anything of this client."""
    if workload.kind != "throughput" and CLIENTS[client].bytes_only:
        return False
    if workload.kind == "cold" and client == "floor":
        return False
    if workload.kind == "final" and CLIENTS[client].final is None:
        return False
    return not (workload.kind == "layers" and CLIENTS[client].text is None)


def merge(results: dict[str, Any], client: str, result: dict[str, Any]) -> None:
    """A round's result joined to the client's earlier ones: their lists of figures grow; what a
    run reports once (counts, the first run's memory) stays as the first round gave it."""
    earlier = results.setdefault(client, {})
    for key, value in result.items():
        if isinstance(value, list):
            earlier.setdefault(key, []).extend(value)
        else:
            earlier.setdefault(key, value)


def check(client: str, workload: Workload, result: dict[str, Any]) -> None:
    """Every client must have seen every delta, whole: a fast wrong answer is no result."""
    if workload.kind == "cold" or CLIENTS[client].bytes_only:
        return
    if workload.kind == "final" and (result["items"], result["final_chars"]) != (1, workload.payload):
        raise SystemExit(
            f"{client} on {workload.name}: final_interaction() held {result['items']} content items, "
            f"{result['final_chars']} characters; expected 1, {workload.payload}"
        )
    if result["events"] != workload.events or (workload.payload and result["chars"] != workload.payload):
        raise SystemExit(
            f"{client} on {workload.name}: saw {result['events']} deltas, {result['chars']} characters; "
            f"expected {workload.events}, {workload.payload}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--clients", default=",".join(CLIENTS))
    parser.add_argument("--workloads", default=",".join(w.name for w in WORKLOADS))
    parser.add_argument("--runs", type=int, default=0)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--readme", action="store_true")
    args = parser.parse_args()
    clients = [c for c in CLIENTS if c in args.clients.split(",")]
    workloads = [w for w in WORKLOADS if w.name in args.workloads.split(",")]

    started = time.perf_counter()
    server, base = start_server()
    results: dict[str, dict[str, Any]] = {}
    try:
        for workload in workloads:
            runners = [c for c in clients if runs_on(c, workload)]
            rounds = args.runs or workload.runs
            timing = {client: 0.0 for client in runners}
            for round_ in range(rounds):
                for client in runners if round_ % 2 == 0 else runners[::-1]:
                    if round_ >= SLOW_ROUNDS and CLIENTS[client].slow and workload.kind != "cold":
                        continue
                    t0 = time.perf_counter()
                    result = run_one(client, workload, base, 1)
                    check(client, workload, result)
                    merge(results.setdefault(workload.name, {}), client, result)
                    timing[client] += time.perf_counter() - t0
            for client, seconds in timing.items():
                print(f"{workload.name:16} {client:12} {seconds:6.1f} s", file=sys.stderr)
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(10)
    data = report.collect(results, time.perf_counter() - started)
    report.write(data, args.out)
    print(report.markdown(data))
    if args.readme and len(clients) == len(CLIENTS) and len(workloads) == len(WORKLOADS):
        report.update_readme(ROOT / "README.md", report.markdown(data))
    elif args.readme:
        print("README.md left as it is: not every client and workload ran", file=sys.stderr)


if __name__ == "__main__":
    main()
