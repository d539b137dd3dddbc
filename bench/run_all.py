"""Run every benchmark in bench/ in one go (``make bench``), print their figures and write
``out/bench.json`` (see ``bench/_record.py``).

Sizes are those of each script's docstring, set for a shared 2-core machine so that the whole
run stays within about 20 minutes there; ``--quick`` runs smaller sizes (a smoke run, figures
not comparable with docs/performance.md). Each script runs in its own process (its peak
memory is its own) with a time limit; the wall time and the load average before and after
each script are recorded too (``bench wall <script>``). At the end the figures the issues
name are checked: a missing one (a script failed or was cut by its limit) is listed and the
run fails.

Usage: python bench/run_all.py [--quick] [script names without .py ...]
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

here = Path(__file__).parent
sys.path.insert(0, str(here))
from _record import OUT, merge, record  # noqa: E402

#: Command-line arguments of each script: (this machine, --quick), and its time limit (s).
ARGS: dict[str, tuple[list[str], list[str], int]] = {
    "inventory": (["1000000"], ["100000"], 600),
    "whatif": (["200"], ["100"], 300),
    "scenario": ([], ["--no-5000"], 600),
    "optimize": ([], [], 600),
    "evaluation": ([], [], 300),
    "uncertainty": ([], [], 600),
    "api": ([], [], 400),
    "monitoring": ([], [], 300),
    "cge": ([], [], 300),
    "diagnostics": ([], [], 300),
}

#: Figures the issues name (11: performance; 13: service; 15: monitoring; 18: uncertainty).
REQUIRED = (
    "inventory end-to-end", "inventory core", "what-if p50", "what-if p95",
    "scenario bytes per cell", "batched runs speedup", "lp build", "lp solve",
    "scenario run 1000 regions x 41 years", "scenario 5000 regions peak memory",
    "inventory scaling exponent", "scenario scaling exponent",
    "optimisation scaling exponent", "evaluation scaling exponent",
    "api p95 read", "api throughput", "api jobs lost", "monte carlo 10k draws",
    "batch 300 cities", "dask efficiency 2 workers", "interval coverage 80",
    "forecast skill vs naive", "nowcast mape CO2",
)


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    only = [a for a in argv if not a.startswith("--")]
    shutil.rmtree(OUT, ignore_errors=True)
    failed, t_all = [], time.perf_counter()
    scripts = [p for p in sorted(here.glob("*.py"))
               if p.name != "run_all.py" and not p.name.startswith("_")
               and (not only or p.stem in only)]
    for script in scripts:
        full, small, limit = ARGS.get(script.stem, ([], [], 600))
        load0 = os.getloadavg()[0]
        print(f"\n===== {script.name} {' '.join(small if quick else full)} "
              f"(load {load0:.1f}) =====", flush=True)
        t0 = time.perf_counter()
        try:
            r = subprocess.run([sys.executable, str(script), *(small if quick else full)],
                               cwd=here.parent, timeout=limit)
            if r.returncode:
                failed.append(script.name)
        except subprocess.TimeoutExpired:
            print(f"{script.name}: stopped after its limit of {limit} s")
            failed.append(f"{script.name} (time limit)")
        wall = time.perf_counter() - t0
        sys.argv[0] = str(script)  # record under the script's own file
        record(f"bench wall {script.stem}", wall, "s")
        print(f"----- {script.name}: {wall:.0f} s, load {load0:.1f} -> "
              f"{os.getloadavg()[0]:.1f}", flush=True)
    dest = merge()
    import json

    names = {r["name"] for r in json.loads(dest.read_text(encoding="utf-8"))}
    missing = [n for n in REQUIRED if n not in names] if not only else []
    print(f"\nfigures written to {dest} ({len(names)} figures, "
          f"{(time.perf_counter() - t_all) / 60:.1f} min in all)")
    if missing:
        print(f"MISSING figures: {', '.join(missing)}")
    if failed:
        print(f"FAILED: {', '.join(failed)}")
    return 1 if failed or missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
