"""Energy and emissions satellite account of the CGE model.

Emissions are linear in the model's physical flows (volumes at benchmark prices):

* fuel emissions ``sum_j f[s, i, j] X[i, j] + f[s, i, HOH] Xp[i]`` (CO2, SO2, NOx, PM2.5 from
  fuel inputs of sectors and households), coefficients in t per SAM money unit of fuel used;
* process emissions ``g[s, j] Z[j]`` per unit of output (e.g. SO2 of smelting, PM2.5 of cement);
* primary energy ``sum_i e[i] (sum_j X[i, j] + Xp[i])`` in tce (coal-equivalent method:
  primary electricity counted, thermal electricity not, to avoid double counting).

Indicators: real GDP (expenditure side at benchmark prices), equivalent variation (Hicks, with
the Cobb–Douglas expenditure function of the household), real household disposable income
(factor income plus transfers minus direct tax, deflated by the Laspeyres consumer price index), energy intensity (tce per 10^4 yuan of real GDP), coal share of
primary energy, emissions, fiscal cost of subsidies, policy revenue and permit price.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg as M
from cocontrol.i18n import Seq

_MASS = {"t": 1.0, "kt": 1e3, "Mt": 1e6, "tce": 1.0, "ktce": 1e3, "Mtce": 1e6}


@dataclass
class Satellite:
    """Coefficients aligned with a calibration's sectors.

    Attributes
    ----------
    species : names, e.g. ``["CO2", "SO2", "NOx", "PM2.5"]`` (masses in t)
    fuel : array (species, commodity i, user j) with users = sectors + household (last);
        t per SAM money unit of commodity ``i`` used
    process : array (species, sector), t per SAM money unit of output
    energy : array (commodity,), tce per SAM money unit of domestic use
    coal : boolean array (commodity,), commodities counted as coal
    money_unit_yuan : yuan per SAM money unit (1e9 for "billion yuan")
    table : the coefficient table as read (with sources)
    """

    species: list[str]
    fuel: np.ndarray
    process: np.ndarray
    energy: np.ndarray
    coal: np.ndarray
    money_unit_yuan: float
    table: pd.DataFrame

    def index(self, species: str) -> int:
        try:
            return self.species.index(species)
        except ValueError:
            raise InputError(Problem(file="<satellite>", message=M("msg.cge_no_coefficients", species=species),
                                     expected=M("msg.aq_one_of", items=Seq(list(self.species), quote=True), more=""))) from None


def read_satellite(path, sectors: list[str], money_unit_yuan: float | None = None,
                   household: str = "HOH") -> Satellite:
    """Read a long coefficient table (``species, kind, commodity, user, value, unit, source``).

    ``kind`` is ``fuel`` (``user`` = sector, ``HOH`` or ``*`` for all users; specific rows
    override ``*``), ``process`` (``commodity`` = producing sector), ``energy`` (tce per money
    unit of domestic use) or ``coal`` (flag). ``unit`` is ``<mass>/<money unit>`` with mass in
    t, kt, Mt (tce, ktce, Mtce for energy). A comment line ``# money_unit_yuan: 1e9`` sets the
    money unit when ``money_unit_yuan`` is not given.
    """
    path = Path(path)
    fname = str(path)
    from cocontrol import io

    text = io.read_text(path).splitlines()
    for ln in text:
        if ln.startswith("#") and "money_unit_yuan" in ln and money_unit_yuan is None:
            money_unit_yuan = float(ln.split(":", 1)[1])
    if money_unit_yuan is None:
        raise InputError(Problem(file=fname, message=M("msg.cge_money_unit_coefficients_unknown"), expected=M("msg.cge_comment_money_unit_yuan")))
    try:
        df = io.read_csv(path, dtype=str, keep_default_na=False)
    except Exception as e:
        raise InputError(Problem(file=fname, message=M("msg.cge_cannot_read_coefficients", e=e),
                                 expected=M("msg.cge_csv_with_species_kind"))) from e
    need = ["species", "kind", "commodity", "user", "value", "unit"]
    miss = [c for c in need if c not in df.columns]
    if miss:
        raise InputError(Problem(file=fname, message=M("msg.cge_column_missing2", miss_0=repr(miss[0])),
                                 expected=Seq(list(need + ["source"]), quote=True)))
    from cocontrol.cge.sam import leading_comment_lines

    off = leading_comment_lines(path) + 2
    n = len(sectors)
    users = list(sectors) + [household]
    species = sorted({s for s, k in zip(df["species"], df["kind"], strict=True)
                      if k in ("fuel", "process")})
    ns = len(species)
    fuel = np.zeros((ns, n, n + 1))
    specific = np.zeros((ns, n, n + 1), bool)
    process = np.zeros((ns, n))
    energy = np.zeros(n)
    coal = np.zeros(n, bool)
    problems = []
    for k, r in enumerate(df.itertuples(index=False)):
        row = k + off
        if r.commodity not in sectors:
            problems.append(Problem(file=fname, row=row, column="commodity", value=r.commodity,
                                    message=M("msg.cge_not_sector_sam"),
                                    expected=Seq(list(sectors), quote=True)))
            continue
        i = sectors.index(r.commodity)
        if r.kind == "coal":
            coal[i] = True
            continue
        mass, _, money = str(r.unit).partition("/")
        if mass not in _MASS or not money:
            problems.append(Problem(file=fname, row=row, column="unit", value=r.unit,
                                    message=M("msg.cge_unknown_unit"),
                                    expected=M("msg.cge_t_kt_mt_tce")))
            continue
        try:
            val = float(r.value) * _MASS[mass]
        except ValueError:
            val = float("nan")
        if not np.isfinite(val) or val < 0:
            problems.append(Problem(file=fname, row=row, column="value", value=r.value,
                                    message=M("msg.cge_coefficient_0"), expected=M("msg.cge_number_0")))
            continue
        if r.kind == "energy":
            energy[i] = val
        elif r.kind == "process":
            process[species.index(r.species), i] = val
        elif r.kind == "fuel":
            s = species.index(r.species)
            if r.user == "*":
                fuel[s, i, :] = np.where(specific[s, i, :], fuel[s, i, :], val)
            elif r.user in users:
                j = users.index(r.user)
                fuel[s, i, j] = val
                specific[s, i, j] = True
            else:
                problems.append(Problem(file=fname, row=row, column="user", value=r.user,
                                        message=M("msg.cge_unknown_user"),
                                        expected=M("exp.cge_user", household=household)))
        else:
            problems.append(Problem(file=fname, row=row, column="kind", value=r.kind,
                                    message=M("msg.cge_unknown_kind"),
                                    expected=M("msg.cge_fuel_process_energy_coal")))
    if problems:
        raise InputError(problems)
    return Satellite(species, fuel, process, energy, coal, float(money_unit_yuan), df)


#: Indicators: key -> (English label, Chinese label, unit, dimension, direction +1 = higher
#: is better, -1 = lower is better)
INDICATORS: dict[str, tuple[str, str, str, str, int]] = {
    "gdp": ("Real GDP", "实际GDP", "% change", "economy", +1),
    "welfare_ev": ("Welfare (equivalent variation)", "福利（等价变动）", "% of benchmark consumption",
                   "economy", +1),
    "household_income": ("Real household income", "居民实际收入", "% change", "economy", +1),
    "fiscal_cost": ("Fiscal cost (subsidies - policy revenue)", "财政净支出（补贴-政策收入）",
                    "% of benchmark GDP", "economy", -1),
    "energy_intensity": ("Energy intensity of GDP", "单位GDP能耗", "% change", "energy", -1),
    "coal_share": ("Coal share of primary energy", "煤炭消费占比", "percentage points", "energy",
                   -1),
    "co2": ("CO2 emissions", "CO2排放", "% change", "environment", -1),
    "so2": ("SO2 emissions", "SO2排放", "% change", "environment", -1),
    "nox": ("NOx emissions", "NOx排放", "% change", "environment", -1),
    "pm25": ("PM2.5 emissions", "PM2.5排放", "% change", "environment", -1),
}


def emissions(sat: Satellite, values: dict) -> dict[str, float]:
    """Emissions by species (t) from a solution's flows."""
    use = np.concatenate([values["X"], values["Xp"][:, None]], axis=1)  # (i, users)
    out = {}
    for k, s in enumerate(sat.species):
        out[s] = float((sat.fuel[k] * use).sum() + (sat.process[k] * values["Z"]).sum())
    return out


def levels(cal, sat: Satellite | None, values: dict) -> dict[str, float]:
    """Indicator levels of one solution (units in the key names)."""
    v = values
    gdp_real = float((v["Xp"] + v["Xg"] + v["Xv"]).sum() + v["E"].sum() - v["M"].sum())
    cpi = float(v["pq"] @ cal.Xp0 / cal.Xp0.sum())
    u0 = float(np.prod(cal.Xp0 ** cal.alpha))
    u1 = float(np.prod(v["Xp"] ** cal.alpha))
    ev = (u1 / u0 - 1.0) * cal.Xp0.sum()  # benchmark prices are 1 (Hicksian EV, CD utility)
    disposable = v["income"] - v["Td"]
    out = {
        "gdp_real": gdp_real,
        "ev": float(ev),
        "household_real_income": float(disposable / cpi),
        "subsidy": float(v["subsidy"].sum()),
        "policy_revenue": float(v["policy_revenue"]),
        "permit_price_yuan_per_t": float(v["permit_price"]),
    }
    if sat is not None:
        use = v["X"].sum(axis=1) + v["Xp"]
        en = sat.energy * use
        out["energy_tce"] = float(en.sum())
        out["coal_share_pct"] = float(100 * en[sat.coal].sum() / en.sum()) if en.sum() else 0.0
        u = sat.money_unit_yuan
        out["energy_intensity_tce_per_1e4yuan"] = out["energy_tce"] / (gdp_real * u / 1e4)
        for s, val in emissions(sat, v).items():
            out[f"{s}_t"] = val
    return out


def indicator_changes(cal, sat: Satellite | None, base: dict, new: dict) -> dict[str, float]:
    """Indicators of :data:`INDICATORS` as changes of ``new`` against ``base`` levels."""
    def pct(k):
        return 100.0 * (new[k] / base[k] - 1.0) if base.get(k) else 0.0

    gdp0 = base["gdp_real"]
    out = {
        "gdp": pct("gdp_real"),
        "welfare_ev": 100.0 * (new["ev"] - base["ev"]) / cal.Xp0.sum(),
        "household_income": pct("household_real_income"),
        "fiscal_cost": 100.0 * ((new["subsidy"] - new["policy_revenue"])
                                - (base["subsidy"] - base["policy_revenue"])) / gdp0,
    }
    if sat is not None:
        out["energy_intensity"] = pct("energy_intensity_tce_per_1e4yuan")
        out["coal_share"] = new["coal_share_pct"] - base["coal_share_pct"]
        for key, s in (("co2", "CO2"), ("so2", "SO2"), ("nox", "NOx"), ("pm25", "PM2.5")):
            if f"{s}_t" in new:
                out[key] = pct(f"{s}_t")
    return out
