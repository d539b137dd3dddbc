"""Generate the ILLUSTRATIVE monitoring data of Demo City (examples/demo-city/monitoring/).

Run from the repository root:  python examples/monitoring/make_demo_data.py

Reproducible (fixed random seed). Consistent with the demo inventory: the annual CO2 (scope 1),
SO2, NOx, energy by sector x fuel, coal and electricity of 2020 and 2022 are those of
``cocontrol inventory examples/demo-city`` (computed here with the library); the other years
follow the growth ASSUMPTIONS below. Nothing here is a statistic of a real place.

ASSUMPTIONS (all illustrative):
- sector groups: industry (energy supply and all industry), buildings (residential and
  commercial), transport; fuel groups: coal (coal, coke, coke-oven and blast-furnace gas), oil,
  gas, other (biomass, biogas);
- energy of a group changes by r(2019/2018), r(2020/2019), r(2023/2022), r(2024/2023) =
  industry 1.03, 1.01, 1.025, 1.02; buildings 1.02, 1.00, 1.01, 1.01; transport 1.05, 0.95,
  1.04, 1.03 (2021 = geometric mean of 2020 and 2022); the coal share falls 1 % a year;
- GDP 1 600 x 1e8 yuan in 2020 (examples/demo-city/drivers.csv); real growth 2019 6.0 %,
  2020 2.0 %, 2021 8.0 %, 2022 3.0 %, 2023 5.2 % (of the order of China's national growth);
  value added shares industry 50 %, services 45 %, transport 5 % in 2020, industry -0.8 pp/yr;
- SO2 and NOx: 2018 = 1.35 and 1.20 x 2020, 2019 = 1.15 and 1.08 x 2020, 2023 = 0.93 x 2022;
- monthly profiles: industry dips in February (Spring Festival), buildings peak in the heating
  season, transport dips in February; +-1.5 % noise; months sum exactly to the annual values;
- PM2.5 annual means 62, 56, 50, 48, 47, 45 ug/m3 for 2018-2023 (2020 = the optimisation
  demo's base, examples/demo-city/optimisation.yaml), winter-high profile, 6 % noise; districts
  x 1.05 (Fenhe), 1.10 (Hedong), 1.08 (Nanshan), 0.85 (Beiyuan); good-day share = 100 - 1.1 x
  (PM2.5 - 25) minus 15 points May-August (ozone season), clipped to 5..100 %;
- O3 90th percentile of MDA8 around 170-178 ug/m3 (of the order of Fenwei Plain cities);
- hourly CEMS / power data of four facilities for 1-14 June 2024 with injected anomalies
  (an SO2 exceedance, a stuck NOx analyser, treatment switched off, night production);
- station hourly PM2.5 and O3 for June 2024 with gaps (one day with 18 valid hours);
- coordinates (km east / north of the city centre), candidate sites on a 6-km grid and a
  16-sector wind rose with prevailing N-NNE and S-SSW winds (a north-south valley).
"""

from __future__ import annotations

import calendar
from pathlib import Path

import numpy as np
import pandas as pd

from cocontrol import refdata, units
from cocontrol.inventory import compute
from cocontrol.project import load_project

ROOT = Path(__file__).resolve().parents[2]
PROJECT = ROOT / "examples" / "demo-city"
OUT = PROJECT / "monitoring"
SRC = "ILLUSTRATIVE: examples/monitoring/make_demo_data.py"
SRC_INV = "ILLUSTRATIVE: demo inventory (cocontrol inventory examples/demo-city)"
RNG = np.random.default_rng(20240601)

GROUP = {"residential": "buildings", "commercial": "buildings", "road_passenger": "transport",
         "road_freight": "transport", "rail": "transport"}
FUEL = {"oil": ["lpg", "gasoline", "diesel", "fuel_oil", "jet_kerosene"],
        "gas": ["natural_gas", "natural_gas_cn"], "other": ["biomass", "biogas"]}
R = {"industry": (1.03, 1.01, 1.025, 1.02), "buildings": (1.02, 1.00, 1.01, 1.01),
     "transport": (1.05, 0.95, 1.04, 1.03)}
PROFILE = {
    "industry": [0.084, 0.070, 0.085, 0.084, 0.085, 0.083, 0.085, 0.086, 0.084, 0.086, 0.084,
                 0.084],
    "buildings": [0.13, 0.12, 0.09, 0.06, 0.05, 0.055, 0.065, 0.065, 0.05, 0.06, 0.10, 0.13],
    "transport": [0.085, 0.070, 0.084, 0.084, 0.085, 0.084, 0.085, 0.086, 0.084, 0.085, 0.084,
                  0.084],
}
YEARS = list(range(2018, 2024))
PM_PROFILE = np.array([1.9, 1.5, 1.1, 0.8, 0.65, 0.55, 0.5, 0.5, 0.6, 0.9, 1.3, 1.7])
DISTRICTS = {"fenhe": 1.05, "hedong": 1.10, "nanshan": 1.08, "beiyuan": 0.85}


def fuel_group(f: str) -> str:
    for g, fs in FUEL.items():
        if f in fs:
            return g
    return "coal"


def inventory_annual() -> tuple[pd.DataFrame, dict]:
    """Energy (tce), CO2 (t, scope 1, energy-related and process), electricity (MWh) by group
    and fuel group for 2020 and 2022, and the SO2/NOx/coal totals."""
    inv = compute(load_project(PROJECT))
    lines = inv.lines
    fuels = refdata.table("fuels").set_index("code")
    co2 = inv.emissions[:, inv.species.index("CO2"), :]
    rows = []
    tot = {}
    for i, ln in lines.iterrows():
        grp = GROUP.get(ln["sector"], "industry")
        f = ln["fuel"] if isinstance(ln["fuel"], str) else ""
        for j, y in enumerate(inv.years):
            a = float(inv.activity[i, j])
            if f == "electricity" and ln["scope"] == 2:
                rows.append((y, grp, "", "electricity", a * units.factor(ln["unit"], "MWh")))
                continue
            if ln["scope"] != 1:
                continue
            c = float(co2[i, j]) if not ln["biogenic"] else 0.0
            if f and f in fuels.index and pd.notna(fuels.at[f, "ncv"]):
                den = str(fuels.at[f, "ncv_unit"]).split("/")[1]
                gj = a * units.factor(ln["unit"], den) * float(fuels.at[f, "ncv"])
                fg = fuel_group(f)
                rows.append((y, grp, fg, "energy", gj / 29.3076))
                rows.append((y, grp, fg, "CO2", c))
                if fg == "coal" and f in ("raw_coal_cn", "hard_coal", "washed_coal_cn",
                                          "anthracite", "lignite"):
                    tot[("coal", y)] = tot.get(("coal", y), 0.0) + a * units.factor(
                        ln["unit"], "t")
            else:
                tot[("process_CO2", y)] = tot.get(("process_CO2", y), 0.0) + c
    t = inv.total()
    for sp in ("SO2", "NOx", "CO2"):
        for y in inv.years:
            tot[(sp, y)] = float(t.at[sp, y])
    df = pd.DataFrame(rows, columns=["year", "sector", "fuel", "indicator", "value"])
    return df.groupby(["year", "sector", "fuel", "indicator"], as_index=False)["value"].sum(), tot


def extend_years(v20: float, v22: float, group: str, coal: bool = False) -> dict[int, float]:
    r = R[group]
    out = {2020: v20, 2022: v22, 2021: float(np.sqrt(v20 * v22)) if v20 > 0 and v22 > 0
           else (v20 + v22) / 2}
    out[2019] = v20 / r[1]
    out[2018] = out[2019] / r[0]
    out[2023] = v22 * r[2]
    out[2024] = out[2023] * r[3]
    if coal:
        for y in (2018, 2019):
            out[y] *= 1.01 ** (2020 - y)
        for y in (2023, 2024):
            out[y] *= 0.99 ** (y - 2022)
    return out


def months(total: float, profile, noise=0.015) -> np.ndarray:
    p = np.asarray(profile, float) * (1 + RNG.normal(0, noise, 12))
    return total * p / p.sum()


def row(entity, indicator, period, value, unit, sector="", fuel="", source=SRC, valid=None):
    return {"entity": entity, "indicator": indicator, "sector": sector, "fuel": fuel,
            "period": period, "value": round(float(value), 6), "unit": unit, "source": source,
            "valid_days": "" if valid is None else valid}


def build_series() -> pd.DataFrame:
    inv, tot = inventory_annual()
    out = []
    piv = inv.pivot_table(index=["sector", "fuel", "indicator"], columns="year", values="value",
                          aggfunc="sum").fillna(0.0)
    annual: dict = {}
    for (sec, fuel, ind), r in piv.iterrows():
        ys = extend_years(r[2020], r[2022], sec, coal=fuel == "coal")
        if ind == "electricity":
            ys = {y: v * 1.02 ** (y - 2020) if y not in (2020, 2022) else v for y, v in ys.items()}
        annual[(sec, fuel, ind)] = ys
    # annual sector x fuel energy and energy-related CO2 (2018-2023) and electricity by sector
    for (sec, fuel, ind), ys in annual.items():
        for y in YEARS:
            src = SRC_INV if y in (2020, 2022) else SRC
            if ind == "electricity":
                continue
            unit = "tce" if ind == "energy" else "t"
            out.append(row("demo_city", ind, str(y), ys[y], unit, sec, fuel, src))
    # city totals: CO2 (incl. process), energy, coal, SO2, NOx
    e_tot = {y: sum(v[y] for (s, f, i), v in annual.items() if i == "energy")
             for y in range(2018, 2025)}
    co2_energy = {y: sum(v[y] for (s, f, i), v in annual.items() if i == "CO2")
                  for y in range(2018, 2025)}
    proc = {2020: tot[("process_CO2", 2020)], 2022: tot[("process_CO2", 2022)]}
    proc_ext = extend_years(proc[2020], proc[2022], "industry")
    coal_ext = extend_years(tot[("coal", 2020)], tot[("coal", 2022)], "industry", coal=True)
    so2 = {2018: 1.35, 2019: 1.15, 2020: 1.0}
    nox = {2018: 1.20, 2019: 1.08, 2020: 1.0}
    for y in YEARS:
        src = SRC_INV if y in (2020, 2022) else SRC
        out.append(row("demo_city", "CO2", str(y), co2_energy[y] + proc_ext[y], "t",
                       source=src))
        out.append(row("demo_city", "energy", str(y), e_tot[y], "tce", source=src))
        out.append(row("demo_city", "coal", str(y), coal_ext[y], "t", source=src))
        for sp, k in (("SO2", so2), ("NOx", nox)):
            if y in k:
                v = tot[(sp, 2020)] * k[y]
            elif y == 2021:
                v = np.sqrt(tot[(sp, 2020)] * tot[(sp, 2022)])
            elif y == 2022:
                v = tot[(sp, 2022)]
            else:
                v = tot[(sp, 2022)] * 0.93
            out.append(row("demo_city", sp, str(y), v, "t", source=src))
    # GDP and value added
    gdp = {2020: 1600.0}
    gdp[2019] = 1600 / 1.02
    gdp[2018] = gdp[2019] / 1.06
    gdp[2021] = 1600 * 1.08
    gdp[2022] = gdp[2021] * 1.03
    gdp[2023] = gdp[2022] * 1.052
    for y in YEARS:
        out.append(row("demo_city", "gdp", str(y), gdp[y], "1e8 yuan"))
        ind_share = 0.50 - 0.008 * (y - 2020)
        for sec, sh in (("industry", ind_share), ("buildings", 0.95 - ind_share),
                        ("transport", 0.05)):
            out.append(row("demo_city", "value_added", str(y), gdp[y] * sh, "1e8 yuan", sec))
    # monthly: electricity by sector, energy and coal totals (2018-01 .. 2024-06)
    shares_e = {sec: sum(v[2020] for (s, f, i), v in annual.items()
                         if s == sec and i == "energy") for sec in R}
    for y in range(2018, 2025):
        n_m = 6 if y == 2024 else 12
        for sec in R:
            el = annual.get((sec, "", "electricity"))
            if el is None:
                continue
            m = months(el[y], PROFILE[sec])
            for k in range(n_m):
                out.append(row("demo_city", "electricity", f"{y}-{k + 1:02d}", m[k], "MWh", sec))
        prof = sum(np.asarray(PROFILE[s]) * shares_e[s] for s in R)
        for ind, tot_y, unit in (("energy", e_tot[y], "tce"), ("coal", coal_ext[y], "t")):
            m = months(tot_y, prof)
            for k in range(n_m):
                out.append(row("demo_city", ind, f"{y}-{k + 1:02d}", m[k], unit))
    # district electricity (rankings)
    dshare = {"fenhe": 0.35, "hedong": 0.30, "nanshan": 0.25, "beiyuan": 0.10}
    dgrowth = {"fenhe": 1.00, "hedong": 1.03, "nanshan": 0.99, "beiyuan": 1.01}
    city_el = {y: sum(v[y] for (s, f, i), v in annual.items() if i == "electricity")
               for y in range(2018, 2025)}
    for d, sh in dshare.items():
        for y in range(2022, 2025):
            g = dgrowth[d] ** (y - 2022)
            m = months(city_el[y] * sh * g, PROFILE["industry"])
            for k in range(6 if y == 2024 else 12):
                out.append(row(d, "electricity", f"{y}-{k + 1:02d}", m[k], "MWh"))
    # air quality
    pm_year = {2018: 62, 2019: 56, 2020: 50, 2021: 48, 2022: 47, 2023: 45, 2024: 44}
    o3_year = {2018: 175, 2019: 178, 2020: 170, 2021: 172, 2022: 176, 2023: 174}
    for ent, f in [("demo_city", 1.0)] + list(DISTRICTS.items()):
        for y in range(2018, 2025):
            days = np.array([calendar.monthrange(y, k)[1] for k in range(1, 13)], float)
            base = PM_PROFILE / (PM_PROFILE @ days / days.sum())
            pm = pm_year[y] * f * base * (1 + RNG.normal(0, 0.06, 12))
            for k in range(6 if y == 2024 else 12):
                out.append(row(ent, "pm25_conc", f"{y}-{k + 1:02d}", pm[k], "ug/m**3",
                               valid=int(days[k])))
                good = 100 - 1.1 * max(0.0, pm[k] - 25) - (15 if 5 <= k + 1 <= 8 else 0)
                out.append(row(ent, "good_day_ratio", f"{y}-{k + 1:02d}",
                               float(np.clip(good, 5, 100)), "percent", valid=int(days[k])))
            if y in o3_year:
                out.append(row(ent, "o3_mda8_p90", str(y),
                               o3_year[y] * (1 + 0.03 * (f - 1)) + RNG.normal(0, 2), "ug/m**3"))
    return pd.DataFrame(out)


def build_enterprise_hourly() -> pd.DataFrame:
    t = pd.date_range("2024-06-01 01:00", periods=14 * 24, freq="h")
    h = t.hour.to_numpy()
    n = len(t)
    specs = {  # facility: SO2, NOx mean mg/m3, flow m3/h, production kW, treatment kW
        "pp1_u1": (15.2, 40.1, 2.0e6, 30000, 3000),
        "st1_sinter1": (25.0, 42.0, 1.2e6, 8000, 1500),
        "ck1_ovens": (20.0, 100.0, 0.3e6, 2000, 400),
        "auto_paint": (np.nan, np.nan, 0.05e6, 800, 150),
    }
    frames = []
    for fac, (so2, nox, flow, prod, treat) in specs.items():
        p = np.full(n, float(prod)) * (1 + RNG.normal(0, 0.02, n))
        if fac == "auto_paint":  # day shift 08-18
            p = np.where((h >= 8) & (h < 18), prod, 0.15 * prod) * (1 + RNG.normal(0, 0.03, n))
        q = np.full(n, float(treat)) * (1 + RNG.normal(0, 0.02, n))
        df = pd.DataFrame({"facility": fac, "time": t, "flow": flow * (1 + RNG.normal(0, 0.02, n)),
                           "production_kw": p, "treatment_kw": q})
        if np.isfinite(so2):
            df["conc_SO2"] = so2 * (1 + RNG.normal(0, 0.08, n))
            df["conc_NOx"] = nox * (1 + RNG.normal(0, 0.06, n))
        frames.append(df)
    df = pd.concat(frames, ignore_index=True)
    ts = df["time"]
    # injected anomalies (ILLUSTRATIVE)
    m = (df["facility"] == "pp1_u1") & (ts >= "2024-06-05 10:00") & (ts <= "2024-06-05 13:00")
    df.loc[m, "conc_SO2"] = 62.0 + np.arange(m.sum())          # FGD trip: SO2 above 35
    m = (df["facility"] == "st1_sinter1") & (ts >= "2024-06-08 03:00") & \
        (ts <= "2024-06-08 12:00")
    df.loc[m, "conc_NOx"] = 42.0                                # stuck analyser, 10 h
    m = (df["facility"] == "st1_sinter1") & (ts >= "2024-06-10 02:00") & \
        (ts <= "2024-06-10 05:00")
    df.loc[m, "treatment_kw"] = 20.0                            # desulfurisation off, 4 h
    m = (df["facility"] == "auto_paint") & (ts >= "2024-06-12 22:00") & \
        (ts < "2024-06-13 06:00")
    df.loc[m, "production_kw"] = 1200.0                         # night production
    df.loc[m, "treatment_kw"] = 8.0                             # with the RTO off
    df["time"] = df["time"].dt.strftime("%Y-%m-%d %H:%M")
    return df.round(3)


def build_station_hourly() -> pd.DataFrame:
    t = pd.date_range("2024-06-01 01:00", periods=30 * 24, freq="h")
    h = t.hour.to_numpy()
    n = len(t)
    pm = 28 * (1 + 0.25 * np.cos(2 * np.pi * (h - 8) / 24)) * np.exp(RNG.normal(0, 0.25, n))
    o3 = 40 + 120 * np.clip(np.sin(np.pi * (h - 7) / 12), 0, None) ** 1.5 + RNG.normal(0, 8, n)
    pm[(t >= "2024-06-10 01:00") & (t <= "2024-06-10 06:00")] = np.nan   # 6 h lost: 18 valid
    o3[RNG.random(n) < 0.02] = np.nan
    rows = [pd.DataFrame({"station": "station_fenhe", "time": t.strftime("%Y-%m-%d %H:%M"),
                          "pollutant": pol, "value": np.round(v, 1)})
            for pol, v in (("PM2.5", pm), ("O3", o3))]
    return pd.concat(rows, ignore_index=True)


LOCATIONS = [  # id, x_km, y_km, kind
    ("demo_city", 0, 0, "area"), ("fenhe", 0, 0, "area"), ("hedong", 15, 5, "area"),
    ("nanshan", -5, -18, "area"), ("beiyuan", -10, 22, "area"),
    ("huaxin_power", 14, 8, "point"), ("jinyuan_chp", 2, -3, "point"),
    ("city_heating", -1, 1, "point"), ("longmen_steel", -4, -15, "point"),
    ("hongda_steel", -6, -14, "point"), ("fenhe_coking", 17, 3, "point"),
    ("jinjiao_chem", 18, 5, "point"), ("taihang_cement", -3, -19, "point"),
    ("beiyuan_cement", -11, 24, "point"), ("nanshan_lime", -5, -21, "point"),
    ("demo_auto_parts", 3, 2, "point"), ("fenhe_printing", 1, -1, "point"),
    ("city_landfill", -8, 18, "point"),
]
STATIONS = [("station_fenhe", 0.5, 0.5), ("station_hedong", 14, 4), ("station_nanshan", -4, -17),
            ("station_beiyuan", -10, 21)]
WIND = [0.12, 0.11, 0.07, 0.04, 0.03, 0.03, 0.04, 0.06, 0.10, 0.11, 0.08, 0.05, 0.04, 0.04,
        0.04, 0.04]


def main() -> None:
    OUT.mkdir(exist_ok=True)
    s = build_series()
    s.to_csv(OUT / "series.csv", index=False)
    build_enterprise_hourly().to_csv(OUT / "enterprise_hourly.csv", index=False)
    build_station_hourly().to_csv(OUT / "station_hourly.csv", index=False)
    loc = [dict(id=i, x_km=x, y_km=y, kind=k, note="ILLUSTRATIVE coordinates (km from the "
                "city centre)") for i, x, y, k in LOCATIONS]
    loc += [dict(id=i, x_km=x, y_km=y, kind="station", note="ILLUSTRATIVE existing ambient "
                 "station") for i, x, y in STATIONS]
    for gx in range(-18, 25, 6):
        for gy in range(-24, 31, 6):
            loc.append(dict(id=f"grid_{gx:+03d}_{gy:+03d}", x_km=gx, y_km=gy, kind="candidate",
                            note="ILLUSTRATIVE candidate site on a 6-km grid"))
    pd.DataFrame(loc).to_csv(OUT / "locations.csv", index=False)
    pd.DataFrame({"direction_deg": np.arange(16) * 22.5, "frequency": WIND,
                  "source": "ILLUSTRATIVE wind rose: prevailing N-NNE and S-SSW (north-south "
                            "valley), ASSUMPTION"}).to_csv(OUT / "wind.csv", index=False)
    print(f"wrote {len(s)} series rows to {OUT}")


if __name__ == "__main__":
    main()
