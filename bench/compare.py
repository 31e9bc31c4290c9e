"""Our two clients at two git revisions, side by side: `python -m bench.compare [--base REV] [--head REV]`.

Each side's generated/sync and generated/async are installed (`pip install --target`, no dependencies:
both sides share this environment's pydantic, requests, aiohttp) into a temporary directory that is put
first on PYTHONPATH of the fresh processes this harness (bench.run, the same workloads and server for
both) starts. `--head .` (the default) is this checkout's generated/ as it is on disk.

The sides are interleaved: every round runs each cell for both, in an order that alternates between
rounds, so a machine whose load changes during the run slows both alike. A cell's figure is the median
over `--rounds` rounds (3) of each round's median; the table gives head / base for each cell (above
1.10 is more than 10% slower) and "paired", the median of the rounds' own head / base (a round's two
figures ran next to each other, so it is the least affected by a changing load), and the ratio of each
side's best single run (interference only ever adds time, so a best run is the nearest to what the
code itself costs, as timeit reasons; on a machine whose speed changes in spells of seconds, the
median of a few rounds can land in a slow spell for one side). Rows: throughput
wall time, worst event delay of the latency workloads, the cold start (import, and import + first
event, in fresh processes) and the packages' own import cost (`-X importtime`, as bench.import_cost
measures it)."""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from . import import_cost
from .__main__ import ROOT, check, run_one, start_server
from .workloads import WORKLOADS

CLIENTS = ["ours-sync", "ours-async"]
DEFAULT_WORKLOADS = "text-event,text-64k,image,latency-chunked,latency-close,cold"
PACKAGES = {"ours-sync": "gemini_interactions", "ours-async": "gemini_interactions_async"}
LIMIT = 1.10  # head may take at most this many times base's figure


def install(revision: str, into: Path) -> Path:
    """The revision's two generated packages, installed into `into`/site (`.`: the checkout's generated/)."""
    source = ROOT
    if revision != ".":
        source = into / "tree"
        source.mkdir(parents=True)
        archive = subprocess.run(["git", "archive", revision, "generated"], cwd=ROOT, capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(source)], input=archive.stdout, check=True)
    site = into / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site)]
        + [str(source / "generated" / flavour) for flavour in ("sync", "async")],
        check=True,
    )
    where = "import gemini_interactions as s, gemini_interactions_async as a; print(s.__file__, a.__file__)"
    with first_on_path(site):  # a side measured on the other's packages would compare nothing
        found = subprocess.run([sys.executable, "-c", where], capture_output=True, text=True, check=True).stdout.split()
    if not all(Path(f).is_relative_to(site) for f in found):
        raise SystemExit(f"{revision}: the packages were imported from {found}, not from {site}")
    return site


@contextlib.contextmanager
def first_on_path(site: Path) -> Iterator[None]:
    """Processes started meanwhile import our packages from `site` (run_one and own_ms start them)."""
    saved = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join([str(site), *([saved] if saved else [])])
    try:
        yield
    finally:
        if saved is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = saved


def cell_figures(workload: str, result: dict[str, Any]) -> dict[str, list[float]]:
    """The figures of each run one process (or a cold workload's processes) gives for a cell."""
    kind = next(w.kind for w in WORKLOADS if w.name == workload)
    if kind == "latency":
        return {f"{workload}: worst event delay (ms)": list(result["delays_ms"])}
    if kind == "cold":
        return {
            "import (ms)": [t * 1000 for t in result["import"]],
            "import + first event (ms)": [t * 1000 for t in result["first_event"]],
        }
    return {f"{workload} (s)": list(result["times"])}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.compare", description=__doc__)
    parser.add_argument("--base", default="d432af9", help="a git revision (default: before the restructure)")
    parser.add_argument("--head", default=".", help="a git revision, or . for this checkout's generated/")
    parser.add_argument("--workloads", default=DEFAULT_WORKLOADS)
    parser.add_argument("--clients", default=",".join(CLIENTS))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-import-cost", action="store_true", help="skip the -X importtime rows")
    args = parser.parse_args()
    workloads = [w for w in WORKLOADS if w.name in args.workloads.split(",")]
    clients = [c for c in CLIENTS if c in args.clients.split(",")]
    sides = {"base": args.base, "head": args.head}

    # figures[(row, client)][side] -> one figure per round (the median of its runs); bests: every run's
    figures: dict[tuple[str, str], dict[str, list[float]]] = {}
    runs: dict[tuple[str, str], dict[str, list[float]]] = {}

    def note(row: str, client: str, side: str, values: list[float]) -> None:
        figures.setdefault((row, client), {"base": [], "head": []})[side].append(statistics.median(values))
        runs.setdefault((row, client), {"base": [], "head": []})[side].extend(values)

    with tempfile.TemporaryDirectory(prefix="bench-compare-") as tmp:
        sites = {side: install(revision, Path(tmp) / side) for side, revision in sides.items()}
        server, url = start_server()
        try:
            for round_ in range(args.rounds):
                order = ["base", "head"] if round_ % 2 == 0 else ["head", "base"]
                steps: list[tuple[str, Callable[[str], None]]] = []
                for workload in workloads:
                    for client in clients:

                        def cell(side: str, workload: Any = workload, client: str = client) -> None:
                            result = run_one(client, workload, url, workload.runs)
                            check(client, workload, result)
                            for row, values in cell_figures(workload.name, result).items():
                                note(row, client, side, values)

                        steps.append((f"{workload.name} {client}", cell))
                if not args.no_import_cost:
                    for client in clients:
                        package = PACKAGES[client]

                        def own(side: str, client: str = client, package: str = package) -> None:
                            first = import_cost.PACKAGES[package]
                            costs = [import_cost.own_ms(package, first) for _ in range(3)]
                            note("own import, -X importtime (ms)", client, side, costs)

                        steps.append((f"own import {client}", own))
                for name, step in steps:
                    for side in order:
                        with first_on_path(sites[side]):
                            step(side)
                    print(f"round {round_ + 1}/{args.rounds}: {name}", file=sys.stderr)
        finally:
            assert server.stdin is not None
            server.stdin.close()
            server.wait(10)
    print(table(figures, runs, sides))


def _ratio(base: float, head: float) -> str:
    ratio = head / base if base else float("inf")
    return f"{ratio:.2f}" + ("" if ratio <= LIMIT else " ❌")


def table(
    figures: dict[tuple[str, str], dict[str, list[float]]],
    runs: dict[tuple[str, str], dict[str, list[float]]],
    sides: dict[str, str],
) -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        f"base {sides['base']} vs head {sides['head']}; median of each side's rounds; load average {load}",
        "",
        "| cell | client | base | head | head / base | paired | best run: head / base | rounds base; head |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for (row, client), by_side in figures.items():
        base, head = (statistics.median(by_side[s]) for s in ("base", "head"))
        # Each round's two figures ran next to each other: their ratio sees the least change of load.
        pairs = zip(by_side["base"], by_side["head"], strict=True)
        paired = statistics.median(h / b if b else float("inf") for b, h in pairs)
        # Interference only ever adds time: each side's best run is closest to what its code costs.
        best = _ratio(min(runs[row, client]["base"]), min(runs[row, client]["head"]))
        rounds = "; ".join(", ".join(f"{v:.4g}" for v in by_side[s]) for s in ("base", "head"))
        lines.append(
            f"| {row} | {client} | {base:.4g} | {head:.4g} | {_ratio(base, head)} | {paired:.2f} | {best} | {rounds} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
