"""The table (Markdown), the JSON record and the bar chart of one benchmark run.

`python -m bench.report [--readme]` rebuilds latest.md and latest.png from latest.json (and puts
the table into README.md) without running anything."""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import json
import os
import platform
import statistics
import sys
from pathlib import Path
from typing import Any

from .clients import CLIENTS
from .workloads import IMAGE_BYTES, LATENCY_PAUSE_S, WORKLOADS

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
README_START = "<!-- bench:start (python -m bench.report --readme) -->"
README_END = "<!-- bench:end -->"
VERSIONED = [
    "gemini-interactions",
    "gemini-interactions-async",
    "google-genai",
    "pydantic",
    "pydantic-core",
    "requests",
    "urllib3",
    "sseclient-py",
    "aiohttp",
    "httpx",
]
THROUGHPUT = ["text-event", "text-64k", "image"]
FINAL = ["final-text", "final-audio"]  # final_interaction() against the plain loop, same stream
# The "layers" workload's rows: each layer's time over the plain single-hop loop's, same events, same run.
LAYERS = {"layers-hops": "hop_times", "layers-text": "text_times"}
LAYER_TITLES = {"layers-hops": "continued over 3 hops", "layers-text": "through text_stream"}
PEERS = {"ours-sync": "genai-sync", "ours-async": "genai-async"}
# Typed, every event validated, against FLOOR in the same run (issue 17's targets).
THROUGHPUT_LIMITS = {"text-event": 1.0, "text-64k": 1.0, "image": 0.6}


def _version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _cpu() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def collect(results: dict[str, dict[str, Any]], duration: float) -> dict[str, Any]:
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{_cpu()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "versions": {name: v for name in VERSIONED if (v := _version(name))},
        "duration_s": round(duration, 1),
        "results": results,
    }


def _bytes_only(client: str) -> bool:
    return client in CLIENTS and CLIENTS[client].bytes_only


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _time_cell(result: dict[str, Any], floor: float) -> str:
    times = result["times"]
    return f"**{_median(times) / floor:.2f}×** {_median(times):.3g} s ({min(times):.3g}–{max(times):.3g})"


def figures(data: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Per row, per client: the headline number (a ratio, or milliseconds)."""
    res = data["results"]
    out: dict[str, dict[str, float]] = {}
    for name in THROUGHPUT:
        if name in res and "floor" in res[name]:
            floor = _median(res[name]["floor"]["times"])
            out[name] = {c: _median(r["times"]) / floor for c, r in res[name].items()}
    if "image" in res:
        out["image-memory"] = {c: r["memory"] / IMAGE_BYTES for c, r in res["image"].items() if not _bytes_only(c)}
    for name in ("latency-chunked", "latency-close"):
        if name in res:
            out[name] = {c: max(r["delays_ms"]) for c, r in res[name].items()}
    if "cold" in res:
        out["import"] = {c: _median(r["import"]) * 1000 for c, r in res["cold"].items()}
        out["cold"] = {c: _median(r["first_event"]) * 1000 for c, r in res["cold"].items()}
    for name in FINAL:
        if name in res:
            out[name] = {c: _median(r["final_times"]) / _median(r["times"]) for c, r in res[name].items()}
            out[f"{name}-memory"] = {c: r["memory"] / r["final_chars"] for c, r in res[name].items()}
    if "layers" in res:
        for key, times in LAYERS.items():
            out[key] = {c: _median(r[times]) / _median(r["times"]) for c, r in res["layers"].items()}
    return out


def markdown(data: dict[str, Any]) -> str:
    res = data["results"]
    clients = [c for c in CLIENTS if any(c in r for r in res.values())]
    titles = {w.name: w.title for w in WORKLOADS}
    lines = [
        "| workload | " + " | ".join(CLIENTS[c].label for c in clients) + " |",
        "|---|" + "---|" * len(clients),
    ]

    def row(title: str, cells: dict[str, str]) -> None:
        lines.append(f"| {title} | " + " | ".join(cells.get(c, "–") for c in clients) + " |")

    for name in THROUGHPUT:
        if name in res and "floor" in res[name]:
            floor = _median(res[name]["floor"]["times"])
            row(
                f"{titles[name]}: time × FLOOR",
                {c: _time_cell(r, floor) for c, r in res[name].items()},
            )
    if "image" in res:
        row(
            "image: peak memory growth × payload",
            {c: f"{r['memory'] / IMAGE_BYTES:.2f}×" for c, r in res["image"].items() if not _bytes_only(c)},
        )
    for name in ("latency-chunked", "latency-close"):
        if name in res:
            row(
                f"{titles[name]}: worst delay of an event (ms)",
                {c: f"{max(r['delays_ms']):.1f} ms" for c, r in res[name].items()},
            )
    if "cold" in res:
        for key, title in (("import", "import of the package (ms)"), ("first_event", "import + first event (ms)")):
            row(
                f"{title}, fresh process",
                {
                    c: f"{_median(r[key]) * 1000:.0f} ms ({min(r[key]) * 1000:.0f}–{max(r[key]) * 1000:.0f})"
                    for c, r in res["cold"].items()
                },
            )
    for name in FINAL:
        if name in res:
            row(
                f"{titles[name]}: time × the plain loop",
                {
                    c: f"**{_median(r['final_times']) / _median(r['times']):.2f}×** "
                    f"{_median(r['final_times']):.3g} s (loop {_median(r['times']):.3g} s)"
                    for c, r in res[name].items()
                },
            )
            row(
                f"{titles[name]}: peak memory growth × the assembled output",
                {
                    c: f"{r['memory'] / r['final_chars']:.2f}× (plain loop {r['loop_memory'] / r['final_chars']:.2f}×)"
                    for c, r in res[name].items()
                },
            )
    if "layers" in res:
        for key, times in LAYERS.items():
            row(
                f"text, 100,000 deltas, 64 KiB chunks, {LAYER_TITLES[key]}: time × the plain single-hop loop",
                {
                    c: f"**{_median(r[times]) / _median(r['times']):.2f}×** "
                    f"{_median(r[times]):.3g} s (loop {_median(r['times']):.3g} s)"
                    for c, r in res["layers"].items()
                },
            )
    lines += ["", *targets(data), "", _footer(data)]
    return "\n".join(lines) + "\n"


def targets(data: dict[str, Any]) -> list[str]:
    """The issue's targets, each with the figure that meets or misses it."""
    fig = figures(data)
    out: list[str] = []

    def check(ok: bool, text: str) -> None:
        out.append(f"- {'✅' if ok else '❌'} {text}")

    for client in ("ours-sync", "ours-async"):
        label = CLIENTS[client].label
        for name, limit in THROUGHPUT_LIMITS.items():
            if client in fig.get(name, {}):
                check(fig[name][client] <= limit, f"{label}, {name}: {fig[name][client]:.2f}× FLOOR (≤ {limit}×)")
        peer = PEERS[client]
        for name in ("text-event", "text-64k"):
            if client in fig.get(name, {}) and peer in fig[name]:
                speedup = fig[name][peer] / fig[name][client]
                check(speedup >= 100, f"{label}, {name}: {speedup:.0f}× faster than {CLIENTS[peer].label} (≥ 100×)")
        if client in fig.get("image-memory", {}):
            mem = fig["image-memory"][client]
            check(mem <= 2, f"{label}, image: peak memory growth {mem:.3f}× the payload (≤ 2×)")
        for name in ("latency-chunked", "latency-close"):
            if client in fig.get(name, {}):
                worst = fig[name][client]
                check(
                    worst < LATENCY_PAUSE_S * 1000,
                    f"{label}, {name}: every event before the next was sent (worst {worst:.1f} ms < 25 ms)",
                )
        for name in FINAL:
            if client in fig.get(name, {}):
                ratio, mem = fig[name][client], fig[f"{name}-memory"][client]
                check(ratio <= 2, f"{label}, {name}: final_interaction() {ratio:.2f}× the plain loop's time (≤ 2×)")
                check(mem <= 2, f"{label}, {name}: peak memory growth {mem:.3f}× the assembled output (≤ 2×)")
        for key in LAYERS:
            if client in fig.get(key, {}):
                ratio = fig[key][client]
                check(ratio <= 1.05, f"{label}, text {LAYER_TITLES[key]}: {ratio:.3f}× the plain loop's time (≤ 1.05×)")
        if client in fig.get("cold", {}) and peer in fig["cold"]:
            share = fig["cold"][client] / fig["cold"][peer]
            check(share <= 0.25, f"{label}: import + first event {share:.3f} of {CLIENTS[peer].label}'s (≤ 0.25)")
    return out


def _footer(data: dict[str, Any]) -> str:
    versions = ", ".join(f"{k} {v}" for k, v in data["versions"].items())
    return (
        f"Run {data['date']} on {data['machine']}; Python {data['python']}; {versions}. "
        f"Whole run: {data['duration_s']:.0f} s. Cells: ratio to FLOOR's median wall time in the same run, "
        "then the median and min–max. google-genai reads the first 5,000 deltas of the text streams and "
        "its time is scaled to 100,000 (it is linear or worse, so this favours it); it runs in the first two "
        "rounds of each workload but the cold start (every round: a target's denominator). Memory: peak RSS growth "
        "during the first run over the 20 MiB base64 payload; for final_interaction(), over the payload "
        "of the Interaction it returns (still held at the peak), and the plain loop's over the same."
    )


def chart(data: dict[str, Any], path: Path) -> bool:
    try:
        import matplotlib  # type: ignore[import-not-found, unused-ignore]

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        print("matplotlib is not installed: no chart", file=sys.stderr)
        return False
    fig_data = figures(data)
    rows = [r for r in (*THROUGHPUT, "image-memory") if r in fig_data]
    clients = [c for c in CLIENTS if not _bytes_only(c) and any(c in fig_data[r] for r in rows)]
    if not clients:  # e.g. `--workloads cold`: nothing to chart
        return False
    fig, ax = plt.subplots(figsize=(9, 4.5), dpi=100)
    height = 0.8 / len(clients)
    for i, client in enumerate(clients):
        values = [fig_data[r].get(client, 0) for r in rows]
        bars = ax.barh([y + i * height for y in range(len(rows))], values, height, label=CLIENTS[client].label)
        ax.bar_label(bars, labels=[f"{v:.2f}" if v < 10 else f"{v:.0f}" for v in values], fontsize=7, padding=2)
    ax.set_yticks([y + height * (len(clients) - 1) / 2 for y in range(len(rows))])
    ax.set_yticklabels(
        [
            {
                "text-event": "text, 1 chunk/event\n(time × FLOOR)",
                "text-64k": "text, 64 KiB chunks\n(time × FLOOR)",
                "image": "20 MiB image\n(time × FLOOR)",
                "image-memory": "20 MiB image\n(memory × payload)",
            }[r]
            for r in rows
        ]
    )
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.axvline(1, color="grey", linewidth=0.8)
    ax.set_xlabel("ratio (log scale; 1 = FLOOR, lower is better)")
    ax.set_title(f"Interactions streaming clients ({data['date']})")
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return True


def write(data: dict[str, Any], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    (out / "latest.md").write_text(markdown(data))
    chart(data, out / "latest.png")


def update_readme(readme: Path, table: str) -> None:
    text = readme.read_text()
    start, end = text.index(README_START) + len(README_START), text.index(README_END)
    readme.write_text(text[:start] + "\n\n" + table + "\n" + text[end:])


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.report", description=__doc__)
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--readme", action="store_true")
    args = parser.parse_args()
    data = json.loads((args.results / "latest.json").read_text())
    write(data, args.results)
    print(markdown(data))
    if args.readme:
        update_readme(ROOT / "README.md", markdown(data))


if __name__ == "__main__":
    main()
