"""Build src/cocontrol/data/uncertainty/ef_ranges.csv: the 95 % confidence interval of every
bundled EMEP/EEA Tier 1 factor of ef_air.csv, as ratios to the central value, taken from the
EMEP/EEA guidebook emission factor database (CI_lower, CI_upper of the row the factor cites).

Run by a developer with the public database export at hand (not at run time):

    python tools/build_ef_uncertainty.py PATH/EMEP_EEA_EF_database.csv
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
POLL = {"SO2": "SOx", "VOCs": "NMVOC"}


def main(db_path: str) -> None:
    ef = pd.read_csv(ROOT / "src/cocontrol/data/ef_air.csv")
    db = pd.read_csv(db_path, encoding="utf-8-sig", low_memory=False)
    for c in ("Value", "CI_lower", "CI_upper"):
        db[c] = pd.to_numeric(db[c], errors="coerce")
    rows = []
    for r in ef.itertuples(index=False):
        m = re.search(r"NFR ([0-9A-Za-z.]+), Table ([0-9.-]+)", str(r.source))
        if not str(r.source).startswith("EMEP") or not m:
            continue
        nfr, tab = m.group(1), "Table_" + m.group(2)
        cand = db[(db["NFR"] == nfr) & (db["Table"] == tab)
                  & (db["Pollutant"] == POLL.get(r.species, r.species))]
        cand = cand[(cand["Value"] - r.value).abs() <= 1e-9 * max(abs(r.value), 1e-30)]
        cand = cand[cand["CI_lower"].notna() & cand["CI_upper"].notna()]
        if cand.empty or r.value <= 0:
            continue
        c = cand.iloc[0]
        lo, hi = float(c["CI_lower"]) / r.value, float(c["CI_upper"]) / r.value
        if not (0 <= lo <= 1 <= hi):
            continue
        rows.append({"sector": r.sector, "fuel": r.fuel, "process": r.process,
                     "species": r.species, "lower_ratio": round(lo, 6),
                     "upper_ratio": round(hi, 6),
                     "source": f"EMEP/EEA air pollutant emission inventory guidebook 2023, NFR "
                               f"{nfr}, {tab.replace('_', ' ')}: 95 % confidence interval "
                               f"{c['CI_lower']}-{c['CI_upper']} {c['Unit']} around "
                               f"{c['Value']}"})
    out = pd.DataFrame(rows).drop_duplicates(["sector", "fuel", "process", "species"])
    dest = ROOT / "src/cocontrol/data/uncertainty/ef_ranges.csv"
    dest.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(dest, index=False)
    print(f"{len(out)} factor ranges written to {dest}")


if __name__ == "__main__":
    main(sys.argv[1])
