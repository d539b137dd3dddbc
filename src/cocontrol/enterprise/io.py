"""Reading the enterprise-stage files of a project (the I/O layer of this stage).

Files, all optional, in ``<project>/enterprise/`` (documented in docs/methods/enterprise.md):

==========================  ==========================================================
``permits.yaml``            ``permits: [Permit, ...]``
``concentrations.csv``      ``enterprise_id, outlet_id, species, period, value, unit``
``production.csv``          ``enterprise_id, year, product, value, unit``
``value_added.csv``         ``enterprise_id, year, value, unit``
``monthly.csv``             ``enterprise_id, month, value`` (monthly activity profile)
``performance.yaml``        ``grades: [PerformanceGrade, ...]``
``products.yaml``           ``products: [Product, ...]``
``projects.yaml``           ``projects: [SynergyProject, ...]``
``plants.yaml``             ``plants: [NewPlant, ...]``, ``caps: [RegionalCap, ...]``
``park_targets.yaml``       ``targets: {park_id: [ParkTarget, ...]}``
==========================  ==========================================================

Every problem is reported with file, row or key, what was found and what was expected;
unknown keys are errors (strict models).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml
from pydantic import BaseModel, ValidationError

from cocontrol.enterprise.account import PerformanceGrade
from cocontrol.enterprise.parks import ParkTarget
from cocontrol.enterprise.permits import Permit
from cocontrol.enterprise.product_footprint import Product
from cocontrol.enterprise.projects import SynergyProject
from cocontrol.enterprise.screening import NewPlant, RegionalCap
from cocontrol.errors import InputError, Problem

TABLE_COLUMNS = {
    "concentrations": ["enterprise_id", "outlet_id", "species", "period", "value", "unit"],
    "production": ["enterprise_id", "year", "product", "value", "unit"],
    "value_added": ["enterprise_id", "year", "value", "unit"],
    "monthly": ["enterprise_id", "month", "value"],
}
NUMERIC = {"value", "year"}
#: file, attribute of EnterpriseData, list key, model, other allowed top-level keys
_YAML_LISTS = [
    ("permits.yaml", "permits", "permits", Permit, ()),
    ("performance.yaml", "performance", "grades", PerformanceGrade, ()),
    ("products.yaml", "products", "products", Product, ()),
    ("projects.yaml", "projects", "projects", SynergyProject, ()),
    ("plants.yaml", "plants", "plants", NewPlant, ("caps",)),
]


@dataclass
class EnterpriseData:
    """Every enterprise-stage input of a project (empty where a file is absent)."""

    permits: list[Permit] = field(default_factory=list)
    performance: list[PerformanceGrade] = field(default_factory=list)
    products: list[Product] = field(default_factory=list)
    projects: list[SynergyProject] = field(default_factory=list)
    plants: list[NewPlant] = field(default_factory=list)
    caps: list[RegionalCap] = field(default_factory=list)
    park_targets: dict[str, list[ParkTarget]] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    def table(self, name: str, enterprise_id: str | None = None) -> pd.DataFrame | None:
        df = self.tables.get(name)
        if df is None or enterprise_id is None:
            return df
        sub = df[df["enterprise_id"] == enterprise_id].drop(columns="enterprise_id")
        return sub.reset_index(drop=True) if len(sub) else None

    def permit(self, enterprise_id: str) -> Permit:
        for p in self.permits:
            if p.enterprise_id == enterprise_id:
                return p
        raise InputError(Problem(file="enterprise/permits.yaml", column="enterprise_id",
                                 value=enterprise_id, message="no permit for this enterprise",
                                 expected=", ".join(p.enterprise_id for p in self.permits)
                                 or "(no permits)"))

    def grade(self, enterprise_id: str) -> PerformanceGrade | None:
        g = [x for x in self.performance if x.enterprise_id == enterprise_id]
        return max(g, key=lambda x: x.date) if g else None


def _problems(e: ValidationError, file: str, prefix: str) -> list[Problem]:
    out = []
    for err in e.errors():
        loc = ".".join(str(x) for x in err["loc"])
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown key"
        out.append(Problem(file=file, column=f"{prefix}.{loc}" if loc else prefix,
                           message=msg, value=err.get("input") if err["type"] !=
                           "missing" else None))
    return out


def _yaml(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        raise InputError(Problem(file=str(path), message=f"not valid YAML: {e}")) from e
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(Problem(file=str(path), message="the file must hold a mapping",
                                 expected="keys at the top level"))
    return data


def _models(data: dict, key: str, model: type[BaseModel], file: str,
            allowed: set[str] | None, probs: list[Problem]) -> list:
    extra = set(data) - allowed if allowed is not None else set()
    for k in sorted(extra):
        probs.append(Problem(file=file, column=k, message="unknown key",
                             expected=", ".join(sorted(allowed))))
    items = data.get(key) or []
    if not isinstance(items, list):
        probs.append(Problem(file=file, column=key, message="must be a list"))
        return []
    out = []
    for i, raw in enumerate(items):
        try:
            out.append(model.model_validate(raw))
        except ValidationError as e:
            probs.extend(_problems(e, file, f"{key}[{i}]"))
    return out


def _table(path: Path, name: str, probs: list[Problem]) -> pd.DataFrame | None:
    try:
        df = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as e:
        probs.append(Problem(file=str(path), message=f"cannot read the table: {e}"))
        return None
    df.columns = [str(c).strip() for c in df.columns]
    need = TABLE_COLUMNS[name]
    opt = {"period"}
    missing = [c for c in need if c not in df.columns and c not in opt]
    unknown = [c for c in df.columns if c not in need]
    for c in missing:
        probs.append(Problem(file=path.name, column=c, message="missing column",
                             expected=", ".join(need)))
    for c in unknown:
        probs.append(Problem(file=path.name, column=c, message="unknown column",
                             expected=", ".join(need)))
    if missing or unknown:
        return None
    df = df.replace({"": None})
    for c in NUMERIC & set(df.columns):
        num = pd.to_numeric(df[c], errors="coerce")
        for i in df.index[num.isna()]:
            probs.append(Problem(file=path.name, row=int(i) + 2, column=c, value=df.at[i, c],
                                 message="not a number"))
        df[c] = num
    if "year" in df:
        df["year"] = df["year"].astype("Int64")
    return df


def load(folder: str | Path) -> EnterpriseData:
    """Read ``<folder>/enterprise/`` (or ``folder`` itself when it holds the files)."""
    folder = Path(folder)
    d = folder / "enterprise" if (folder / "enterprise").is_dir() else folder
    probs: list[Problem] = []
    out = EnterpriseData()

    def y(name: str):
        p = d / name
        return (_yaml(p), f"enterprise/{name}") if p.exists() else (None, None)

    for fname, attr, key, model, others in _YAML_LISTS:
        data, f = y(fname)
        if data is not None:
            setattr(out, attr, _models(data, key, model, f, {key, "source", *others}, probs))
    data, f = y("plants.yaml")
    if data is not None:
        out.caps = _models(data, "caps", RegionalCap, f, None, probs)
    data, f = y("park_targets.yaml")
    if data is not None:
        for k in sorted(set(data) - {"targets", "source"}):
            probs.append(Problem(file=f, column=k, message="unknown key",
                                 expected="targets, source"))
        for park, items in (data.get("targets") or {}).items():
            out.park_targets[park] = _models({"t": items}, "t", ParkTarget, f, {"t"}, probs)
    for name in TABLE_COLUMNS:
        p = d / f"{name}.csv"
        if p.exists():
            df = _table(p, name, probs)
            if df is not None:
                out.tables[name] = df
    ids = [p.id for p in out.projects]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        probs.append(Problem(file="enterprise/projects.yaml", column="id", value=dup,
                             message="duplicate project id"))
    if probs:
        raise InputError(probs)
    return out
