"""The measures library: measures are data (``data/measures.csv``), users add their own.

See ``docs/scenario-schema.md`` for the columns and ``docs/measures.md`` for the library.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from cocontrol import io, refdata, units
from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg as M
from cocontrol.i18n import Seq
from cocontrol.project.schema import MEASURE_COLUMNS
from cocontrol.scenario.actions import actions, handler

#: The bundled actions; every registered action (cocontrol.scenario.actions) is accepted.
ACTIONS = ("reduce", "switch", "control", "factor", "renewable")
CATEGORIES = ("structural", "energy", "efficiency", "end_of_pipe")
COLUMNS = list(MEASURE_COLUMNS)
NUMERIC = ["ratio", "magnitude", "max_penetration", "start_year", "full_year", "capex",
           "fixed_opex", "variable_opex", "lifetime", "price_year"]


def _read(path) -> pd.DataFrame:
    """A measures table read as text (``_row`` = the row the user sees)."""
    p = Path(str(path))
    df = io.read_table(p)
    df.attrs["file"] = p.name
    return df


def bundled() -> pd.DataFrame:
    """The bundled measures library (validated; a new frame on every call, so that a caller
    changing it never changes it for anyone else)."""
    return _bundled().copy(deep=False)


@lru_cache(maxsize=1)
def _bundled() -> pd.DataFrame:
    df = refdata.bundled_table("measures.csv")
    df.attrs["file"] = "measures.csv"
    return validate(df)


def validate(df: pd.DataFrame) -> pd.DataFrame:
    """Type and check a measures table; raise InputError listing every problem."""
    file = df.attrs.get("file", "measures")
    probs: list[Problem] = []
    for c in COLUMNS:
        if c not in df.columns:
            probs.append(Problem(file=file, column=c, message=M("msg.scn2_column_missing", c=c),
                                 expected=", ".join(COLUMNS)))
    if probs:
        raise InputError(probs)
    df = df.copy()
    rows = df["_row"].to_numpy()

    def flag(mask, col, msg, exp):
        for i in np.flatnonzero(np.asarray(mask, bool))[:200]:
            probs.append(Problem(file=file, row=int(rows[i]), column=col, value=df[col].iat[i],
                                 message=msg, expected=exp))

    for c in NUMERIC:
        num = pd.to_numeric(df[c], errors="coerce")
        flag(num.isna() & df[c].notna(), c, M("msg.not_number"), M("msg.mea_a_number"))
        df[c] = num
    for c in ("sector", "fuel", "process", "to_sector", "to_fuel", "to_process", "technology",
              "species"):
        df[c] = df[c].where(df[c].notna() & (df[c].astype(str).str.strip() != ""), None)
    flag(df["id"].duplicated(), "id", M("msg.mea_id_twice"), M("msg.mea_unique_ids"))
    known = actions()
    flag(~df["action"].isin(known), "action", M("msg.mea_unknown_action"), Seq(known))
    flag(~df["category"].isin(CATEGORIES), "category", M("msg.mea_unknown_category"),
         Seq(CATEGORIES))
    sectors = refdata.codes("sectors")
    for c, ref in (("sector", sectors), ("to_sector", sectors),
                   ("fuel", refdata.codes("fuels")), ("to_fuel", refdata.codes("fuels")),
                   ("process", refdata.codes("processes")),
                   ("to_process", refdata.codes("processes")),
                   ("technology", refdata.codes("control_tech"))):
        flag(df[c].notna() & ~df[c].isin(ref), c, M("msg.mea_unknown_code", c=c),
             M("msg.mea_code_of_list", c=c))
    for c in ("magnitude", "max_penetration"):
        flag((df[c] < 0) | (df[c] > 1), c, M("msg.mea_out_of_range"), M("msg.mea_fraction"))
    flag(df["start_year"] > df["full_year"], "full_year", M("msg.mea_full_before_start"),
         "start_year ≤ full_year")
    flag(df["lifetime"].notna() & (df["lifetime"] <= 0), "lifetime", M("msg.scn2_lifetime_positive"),
         M("msg.mea_years_positive"))
    # a blank cost is not a free measure: the optimiser would pick it for nothing
    for c in ("capex", "fixed_opex", "variable_opex"):
        flag(df[c].isna(), c, M("msg.mea_cost_blank", c=c), M("msg.mea_cost_expected"))
    flag(df["lifetime"].isna() & (df["capex"].fillna(0) != 0), "lifetime",
         M("msg.mea_lifetime_blank"), M("msg.mea_years_positive"))
    a = df["action"]
    for name in known:  # each action checks its own columns (its handler)
        mine = (a == name).to_numpy()
        if mine.any():
            handler(name).validate(df, mine, flag)
    flag(df["cost_basis"].notna() & ~df["cost_basis"].map(
        lambda u: units.is_known(u) if isinstance(u, str) else True), "cost_basis",
        M("msg.mea_unknown_unit"), M("msg.mea_activity_unit"))
    if probs:
        raise InputError(probs)
    df["magnitude"] = df["magnitude"].fillna(1.0)
    df["max_penetration"] = df["max_penetration"].fillna(1.0)
    return df.reset_index(drop=True)


def library(user: pd.DataFrame | None = None) -> pd.DataFrame:
    """Bundled measures plus a user's table (a user row with the same id replaces it)."""
    lib = bundled()
    if user is None or user.empty:
        return lib
    user = validate(user)
    return pd.concat([lib[~lib["id"].isin(user["id"])], user], ignore_index=True)


def crf(rate: float, lifetime: float) -> float:
    """Capital recovery factor r(1+r)^n / ((1+r)^n − 1); 1/n when r = 0."""
    if lifetime <= 0:
        raise ValueError(M("msg.scn2_lifetime_positive"))
    if rate == 0:
        return 1.0 / lifetime
    q = (1 + rate) ** lifetime
    return rate * q / (q - 1)
