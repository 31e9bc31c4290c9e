"""The packages' own import cost: `python -X importtime` in fresh processes, with the HTTP library and
pydantic imported first, so the package's cumulative line is its own cost (its modules, its models,
and whatever of the standard library only it imports). google-genai is measured the same way (httpx2,
pydantic first). "pydantic" is what using it imports (`BaseModel`, `Field`, `TypeAdapter`): `import
pydantic` alone defers those, and their cost is pydantic's, whichever package first asks for them.
`python -m bench.import_cost` writes bench/results/import_cost.{json,md}."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 7
# package -> what is imported before it (its HTTP library, SSE parser and pydantic)
PYDANTIC = "pydantic; from pydantic import BaseModel, Field, TypeAdapter"
PACKAGES = {
    "gemini_interactions": f"requests, sseclient, {PYDANTIC}",
    "gemini_interactions_async": f"aiohttp, {PYDANTIC}",
    "google.genai": f"httpx2, {PYDANTIC}",  # google-genai 3.3.0 on httpx2 (the bench environment's)
}


def own_ms(package: str, first: str) -> float:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {first}; import {package}"],
        capture_output=True,
        text=True,
        check=True,
    )
    # "import time: self [us] | cumulative | name": the package's own line is its whole import.
    rows = [line.split("|") for line in done.stderr.splitlines() if line.count("|") == 2]
    return max(int(row[1]) for row in rows if row[2].strip() == package) / 1000


def main() -> None:
    rows = {}
    for package, first in PACKAGES.items():
        try:
            runs = sorted(own_ms(package, first) for _ in range(RUNS))
        except subprocess.CalledProcessError:
            continue  # google-genai is only in the bench environment
        rows[package] = {"median_ms": statistics.median(runs), "min_ms": runs[0], "max_ms": runs[-1]}
    rows["load"] = {"loadavg_1min": os.getloadavg()[0]}
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "import_cost.json").write_text(json.dumps(rows, indent=2) + "\n")
    lines = [
        "Own import cost (`-X importtime`, HTTP library and pydantic imported first), "
        f"{RUNS} fresh processes, load {rows['load']['loadavg_1min']:.1f}:",
        "",
        "| package | own import ms (median) | min–max |",
        "|---|---|---|",
    ]
    lines += [
        f"| {name} | {r['median_ms']:.0f} | {r['min_ms']:.0f}–{r['max_ms']:.0f} |"
        for name, r in rows.items()
        if name != "load"
    ]
    (out / "import_cost.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
