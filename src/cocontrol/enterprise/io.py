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
``park_values.csv``         indicator values of parks for the park index system
                            (``unit, year`` and one column per indicator, read by
                            :func:`cocontrol.evaluation.load_values`; ``unit`` = park id)
==========================  ==========================================================

Tables may also be Excel workbooks with the same columns (``production.xlsx``: first sheet).
Every file is read through the one I/O layer (:mod:`cocontrol.io`: encodings, comments, the
row a user sees) and validated by strict pydantic file models, so every problem is reported
with file, row or key path, the value found and what was expected, and an unknown key or
column is an error with a did-you-mean (:func:`cocontrol.project.models.problems_of`).
:func:`load` reads a folder, :func:`load_files` the same files given as ``{name: bytes}``
(an upload; nothing is written to disk).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from pydantic import BaseModel, Field, ValidationError

from cocontrol import io as cio
from cocontrol.enterprise._common import Strict
from cocontrol.enterprise.account import PerformanceGrade
from cocontrol.enterprise.parks import ParkTarget
from cocontrol.enterprise.permits import Permit
from cocontrol.enterprise.product_footprint import Product
from cocontrol.enterprise.projects import SynergyProject
from cocontrol.enterprise.screening import NewPlant, RegionalCap
from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg, Seq, did_you_mean
from cocontrol.project.models import problems_of, suggest

TABLE_COLUMNS = {
    "concentrations": ["enterprise_id", "outlet_id", "species", "period", "value", "unit"],
    "production": ["enterprise_id", "year", "product", "value", "unit"],
    "value_added": ["enterprise_id", "year", "value", "unit"],
    "monthly": ["enterprise_id", "month", "value"],
}
OPTIONAL_COLUMNS = {"period"}
NUMERIC = {"value", "year"}
TABLE_SUFFIXES = (".csv", ".xlsx")


class _File(Strict):
    """A YAML file of the stage: its items and where they come from (``source``)."""

    source: str = ""


class PermitsFile(_File):
    permits: list[Permit] = Field(default_factory=list)


class PerformanceFile(_File):
    grades: list[PerformanceGrade] = Field(default_factory=list)


class ProductsFile(_File):
    products: list[Product] = Field(default_factory=list)


class ProjectsFile(_File):
    projects: list[SynergyProject] = Field(default_factory=list)


class PlantsFile(_File):
    plants: list[NewPlant] = Field(default_factory=list)
    caps: list[RegionalCap] = Field(default_factory=list)


class ParkTargetsFile(_File):
    targets: dict[str, list[ParkTarget]] = Field(default_factory=dict)


#: YAML file -> its strict file model
FILES: dict[str, type[BaseModel]] = {
    "permits.yaml": PermitsFile, "performance.yaml": PerformanceFile,
    "products.yaml": ProductsFile, "projects.yaml": ProjectsFile, "plants.yaml": PlantsFile,
    "park_targets.yaml": ParkTargetsFile,
}
#: every file name this stage reads
#: the park evaluation's values: columns are the park index system's, checked by evaluation
PARK_VALUES = "park_values"
KNOWN_FILES = (*FILES, *(f"{t}{x}" for t in (*TABLE_COLUMNS, PARK_VALUES)
                         for x in TABLE_SUFFIXES))


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
    #: park_values.csv as read (validated against the park index system when evaluated)
    park_values: pd.DataFrame | None = None
    park_values_file: str = "enterprise/park_values.csv"

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
                                 value=enterprise_id, message=Msg("msg.ent_no_permit"),
                                 expected=Seq([p.enterprise_id for p in self.permits],
                                              quote=True) or Msg("exp.ent_no_permits")))

    def grade(self, enterprise_id: str) -> PerformanceGrade | None:
        g = [x for x in self.performance if x.enterprise_id == enterprise_id]
        return max(g, key=lambda x: x.date) if g else None


class _Source:
    """The enterprise files of a folder, or given as ``{name: bytes}`` (an upload)."""

    def __init__(self, where: Path | dict[str, bytes | str]):
        if isinstance(where, dict):
            self.folder = None
            self.files = {str(k).replace("\\", "/").rsplit("/", 1)[-1]:
                          v.encode("utf-8") if isinstance(v, str) else bytes(v)
                          for k, v in where.items()}
        else:
            where = Path(where)
            self.folder = where / "enterprise" if (where / "enterprise").is_dir() else where
            self.files = None

    def names(self) -> set[str]:
        if self.files is not None:
            return set(self.files)
        return {p.name for p in self.folder.iterdir() if p.is_file()}

    def label(self, name: str) -> str:
        return f"enterprise/{name}"

    def data(self, name: str) -> bytes:
        if self.files is not None:
            return self.files[name]
        return cio.read_bytes(self.folder / name)


def _document(src: _Source, name: str, probs: list[Problem]):
    """The validated file model of one YAML file, or None (problems appended)."""
    label = src.label(name)
    try:
        raw = cio.read_yaml(label, text=cio.decode(src.data(name), label))
    except InputError as e:
        probs.extend(e.problems)
        return None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        probs.append(Problem(file=label, message=Msg("msg.ent_mapping"),
                             expected=Msg("exp.ent_top_keys", keys=Seq(FILES[name].model_fields,
                                                                       quote=True))))
        return None
    try:
        return FILES[name].model_validate(raw)
    except ValidationError as e:
        probs.extend(problems_of(e, FILES[name], label))
        return None


def _table(src: _Source, fname: str, name: str, probs: list[Problem]) -> pd.DataFrame | None:
    label = src.label(fname)
    try:
        df = cio.read_table(label, data=src.data(fname))
    except InputError as e:
        probs.extend(e.problems)
        return None
    need = TABLE_COLUMNS[name]
    cols = [c for c in df.columns if c != cio.ROW]
    missing = [c for c in need if c not in cols and c not in OPTIONAL_COLUMNS]
    unknown = [c for c in cols if c not in need]
    for c in missing:
        probs.append(Problem(file=label, row=1, column=c, message=Msg("msg.ent_missing_column"),
                             expected=Seq(need, quote=True)))
    for c in unknown:
        near = suggest(c, need)
        probs.append(Problem(file=label, row=1, column=c,
                             message=Msg("msg.ent_unknown_column", hint=did_you_mean(near)),
                             expected=Seq(need, quote=True)))
    if missing or unknown:
        return None
    bad = False
    for c in NUMERIC & set(cols):
        num = pd.to_numeric(df[c], errors="coerce")
        for i in df.index[num.isna()]:
            bad = True
            probs.append(Problem(file=label, row=int(df.at[i, cio.ROW]), column=c,
                                 value=df.at[i, c], message=Msg("msg.not_number")
                                 if pd.notna(df.at[i, c]) else Msg("msg.ent_missing_value"),
                                 expected=Msg("exp.number")))
        df[c] = num
    if bad:
        return None
    if "year" in df:
        df["year"] = df["year"].astype("Int64")
    return df.drop(columns=cio.ROW).astype({c: object for c in cols if c not in NUMERIC})


def _read(src: _Source) -> EnterpriseData:
    probs: list[Problem] = []
    out = EnterpriseData()
    present = src.names()
    docs = {name: _document(src, name, probs) for name in FILES if name in present}
    if docs.get("permits.yaml") is not None:
        out.permits = list(docs["permits.yaml"].permits)
    if docs.get("performance.yaml") is not None:
        out.performance = list(docs["performance.yaml"].grades)
    if docs.get("products.yaml") is not None:
        out.products = list(docs["products.yaml"].products)
    if docs.get("projects.yaml") is not None:
        out.projects = list(docs["projects.yaml"].projects)
    if docs.get("plants.yaml") is not None:
        out.plants, out.caps = list(docs["plants.yaml"].plants), list(docs["plants.yaml"].caps)
    if docs.get("park_targets.yaml") is not None:
        out.park_targets = {k: list(v) for k, v in docs["park_targets.yaml"].targets.items()}
    for name in TABLE_COLUMNS:
        given = [f"{name}{x}" for x in TABLE_SUFFIXES if f"{name}{x}" in present]
        if len(given) > 1:
            probs.append(Problem(file=src.label(given[0]), message=Msg("msg.ent_table_twice"),
                                 value=", ".join(given), expected=Msg("exp.ent_one_of_them")))
            continue
        if given:
            df = _table(src, given[0], name, probs)
            if df is not None:
                out.tables[name] = df
    given = [f"{PARK_VALUES}{x}" for x in TABLE_SUFFIXES if f"{PARK_VALUES}{x}" in present]
    if len(given) > 1:
        probs.append(Problem(file=src.label(given[0]), message=Msg("msg.ent_table_twice"),
                             value=", ".join(given), expected=Msg("exp.ent_one_of_them")))
    elif given:
        try:
            out.park_values = cio.read_table(src.label(given[0]), data=src.data(given[0])
                                             ).drop(columns=cio.ROW)
            out.park_values_file = src.label(given[0])
        except InputError as e:
            probs.extend(e.problems)
    for what, items, key in (("projects.yaml", out.projects, "id"),
                             ("products.yaml", out.products, "id"),
                             ("permits.yaml", out.permits, "number")):
        ids = [getattr(x, key) for x in items]
        for dup in sorted({i for i in ids if ids.count(i) > 1}):
            probs.append(Problem(file=src.label(what), column=key, value=dup,
                                 message=Msg("msg.ent_duplicate", key=key)))
    if probs:
        raise InputError(probs)
    return out


def load(folder: str | Path) -> EnterpriseData:
    """Read ``<folder>/enterprise/`` (or ``folder`` itself when it holds the files)."""
    return _read(_Source(Path(folder)))


def load_files(files: dict[str, bytes | str]) -> EnterpriseData:
    """The same as :func:`load` for files given as ``{file name: content}`` (an upload).

    A file this stage does not read is an error (with the nearest known name)."""
    unknown = [n for n in files if str(n).replace("\\", "/").rsplit("/", 1)[-1]
               not in KNOWN_FILES]
    if unknown:
        raise InputError([Problem(file=n, message=Msg("msg.ent_not_a_file",
                                                      hint=did_you_mean(suggest(n, KNOWN_FILES))),
                                  expected=Seq(KNOWN_FILES))
                          for n in unknown])
    return _read(_Source(dict(files)))
