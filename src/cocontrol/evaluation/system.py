"""Hierarchical indicator systems (指标体系) for synergy evaluation: load, validate, weight.

An indicator system has three levels: first-level dimensions (一级指标), second-level
criteria (二级指标) and third-level indicators (三级指标). Only third-level indicators carry
data. It is read from YAML (nested, see ``src/cocontrol/data/evaluation/city.yaml``) or from an
Excel workbook with one row per third-level indicator (sheet ``indicators``), columns::

    level1_id, level1_name_en, level1_name_zh, level1_weight,
    level2_id, level2_name_en, level2_name_zh, level2_weight,
    id, name_en, name_zh, definition, unit, direction, target, subsystem,
    data_source, basis, weight

``direction`` is ``benefit`` (larger is better) or ``cost``; ``subsystem`` is ``pollution``
(减污), ``carbon`` (降碳) or ``synergy`` (both, counted in neither subsystem for the coupling
coordination degree). Weights are **local** (within the parent) and optional: blank = equal.
An optional sheet ``ahp`` holds pairwise matrices: column ``parent`` (``root`` for the
dimensions, or a first-/second-level id), column ``row`` (child id) and one column per child id.
In YAML, ``weighting: ahp: PARENT: {order: [...], matrix: [[...]]}``; a group of experts is
given as ``matrices: [[[...]], [[...]]]`` and aggregated by the element-wise geometric mean.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import pandas as pd

from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg as M
from cocontrol.i18n import Seq, Text
from cocontrol.mcda import AHPResult, ahp_group, ahp_weights
from cocontrol.project.cells import safe_frame

BUILTIN = ("city", "park", "enterprise", "cleaner_production")

INDICATOR_COLUMNS = [
    "level1_id", "level1_name_en", "level1_name_zh", "level1_weight",
    "level2_id", "level2_name_en", "level2_name_zh", "level2_weight",
    "id", "name_en", "name_zh", "definition", "unit", "direction", "target", "subsystem",
    "data_source", "basis", "weight",
]
REQUIRED = ["level1_id", "level2_id", "id", "name_en", "name_zh", "unit", "direction"]
DIRECTIONS = {"benefit": 1, "cost": -1, "正向": 1, "逆向": -1, "+1": 1, "-1": -1, "1": 1}
SUBSYSTEMS = ("pollution", "carbon", "synergy")

#: Default grade bands of the 0-100 synergy index: (lower bound inclusive, en, zh).
#: cocontrol's own default, not an official scale: configurable in the system file (``grades``).
DEFAULT_GRADES: list[tuple[float, str, str]] = [
    (85.0, "Excellent", "优秀"),
    (70.0, "Good", "良好"),
    (60.0, "Fair", "一般"),
    (0.0, "Needs improvement", "待改进"),
]


@dataclass
class IndicatorSystem:
    """A validated three-level indicator system.

    Attributes
    ----------
    table : DataFrame
        One row per third-level indicator, columns :data:`INDICATOR_COLUMNS`, index = ``id``.
    meta : dict
        ``id, name_en, name_zh, kind, template, note, policy_basis, grades ...``
    ahp : dict
        Pairwise matrices (DataFrames) keyed by parent id (``"root"`` = the dimensions).
    source : str
        File the system was read from (for error messages).
    """

    table: pd.DataFrame
    meta: dict = field(default_factory=dict)
    ahp: dict = field(default_factory=dict)
    source: str = "<indicator system>"

    @property
    def ids(self) -> list[str]:
        return list(self.table.index)

    @property
    def types(self) -> pd.Series:
        """+1 (benefit) / -1 (cost) per indicator."""
        return self.table["direction"].map({"benefit": 1, "cost": -1}).astype(int)

    @property
    def targets(self) -> pd.Series:
        return self.table["target"].astype(float)

    @property
    def grades(self) -> list[tuple[float, str, str]]:
        g = self.meta.get("grades")
        if not g:
            return DEFAULT_GRADES
        return sorted(((float(x["min"]), str(x["label_en"]), str(x["label_zh"])) for x in g),
                      reverse=True)

    def counts(self) -> tuple[int, int, int]:
        """Number of first-, second- and third-level entries."""
        t = self.table
        return t["level1_id"].nunique(), t["level2_id"].nunique(), len(t)

    def name(self, lang: str = "en") -> str:
        return str(self.meta.get("name_zh" if lang == "zh" else "name_en", self.meta.get("id")))

    def label(self, ind_id: str, lang: str = "en") -> str:
        return str(self.table.at[ind_id, "name_zh" if lang == "zh" else "name_en"])

    def level1(self) -> pd.DataFrame:
        return (self.table.drop_duplicates("level1_id")
                .set_index("level1_id")[["level1_name_en", "level1_name_zh", "level1_weight"]])

    def level2(self) -> pd.DataFrame:
        return (self.table.drop_duplicates("level2_id")
                .set_index("level2_id")[["level1_id", "level2_name_en", "level2_name_zh",
                                         "level2_weight"]])

    # ------------------------------------------------------------------ weights
    def local_weights(self, use_ahp: bool = False) -> tuple[pd.DataFrame, list[dict]]:
        """Local weights at the three levels and the AHP consistency checks used.

        Returns ``(w, checks)`` where ``w`` has index ``id`` and columns ``w1, w2, w3`` (local
        weight of the indicator's dimension, criterion and of the indicator itself), and
        ``checks`` lists ``{parent, n, lambda_max, ci, cr, consistent}`` for every AHP matrix.
        Order of precedence per group: AHP matrix (if ``use_ahp``) > given weights > equal.
        """
        t = self.table
        checks: list[dict] = []

        def group_weights(parent: str, children: list[str], given: pd.Series) -> pd.Series:
            if use_ahp and parent in self.ahp:
                res: AHPResult = ahp_weights(self.ahp[parent])
                checks.append({"parent": parent, "n": res.n, "lambda_max": res.lambda_max,
                               "ci": res.ci, "cr": res.cr, "consistent": res.consistent})
                if set(res.weights.index) != set(children):
                    raise InputError(Problem(
                        file=self.source, message=M("msg.eval_ahp_entries", parent=repr(parent)), column="ahp",
                        value=sorted(map(str, set(res.weights.index) ^ set(children)))[:5],
                        expected=Seq(list(map(str, children)), quote=True)))
                return res.weights.reindex(children)
            g = pd.to_numeric(given.reindex(children), errors="coerce")
            if g.isna().all():
                return pd.Series(1.0 / len(children), index=children)
            if g.isna().any():
                raise InputError(Problem(file=self.source, message=M("msg.eval_some_weights", parent=repr(parent)),
                                         column="weight", value=list(g[g.isna()].index)[:5],
                                         expected=M("exp.eval_some_weights")))
            return g / g.sum()

        l1 = self.level1()
        w1 = group_weights("root", list(l1.index), l1["level1_weight"])
        l2 = self.level2()
        w2 = pd.concat([group_weights(p, list(g.index), g["level2_weight"])
                        for p, g in l2.groupby("level1_id", sort=False)])
        w3 = pd.concat([group_weights(p, list(g.index), g["weight"])
                        for p, g in t.groupby("level2_id", sort=False)])
        out = pd.DataFrame({"w1": t["level1_id"].map(w1).to_numpy(float),
                            "w2": t["level2_id"].map(w2).to_numpy(float),
                            "w3": w3.reindex(t.index).to_numpy(float)}, index=t.index)
        return out, checks

    def global_weights(self, use_ahp: bool = False) -> pd.Series:
        """Global weight of each indicator = product of local weights; sums to 1."""
        w, _ = self.local_weights(use_ahp)
        g = w["w1"] * w["w2"] * w["w3"]
        return (g / g.sum()).rename("weight")


# ----------------------------------------------------------------------------- reading
def _num(v):
    """Parse a number, also ``"1/3"`` fractions used in AHP judgements."""
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return np.nan
    if isinstance(v, int | float | np.number):
        return float(v)
    s = str(v).strip()
    if s == "":
        return np.nan
    return float(Fraction(s))


def _blank(v) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA or \
        (isinstance(v, str) and v.strip() == "")


def system_from_doc(doc, source: str = "<system>") -> IndicatorSystem:
    """An indicator system from its nested YAML document (already parsed; ``source`` names it
    in problems). Reading the file is :func:`cocontrol.evaluation.io.load_system`'s job."""
    from cocontrol.project.models import IndicatorSystemFile, validate

    path = source
    _, probs = validate(IndicatorSystemFile, doc, str(path))  # unknown keys are errors
    if probs:
        raise InputError(probs)
    if not isinstance(doc, dict) or "dimensions" not in doc:
        raise InputError(Problem(file=str(path), message=M("msg.eval_no_dimensions"),
                                 expected=M("exp.eval_no_dimensions")))
    rows = []
    problems: list[Problem] = []
    for i, d in enumerate(doc.get("dimensions") or []):
        for j, c in enumerate(d.get("criteria") or []):
            inds = c.get("indicators") or []
            if not inds:
                problems.append(Problem(file=str(path), message=M("msg.eval_no_indicators", id=repr(c.get("id")),
                                                  where=f"dimensions[{i}].criteria[{j}]")))
            for ind in inds:
                rows.append({
                    "level1_id": d.get("id"), "level1_name_en": d.get("name_en"),
                    "level1_name_zh": d.get("name_zh"), "level1_weight": d.get("weight"),
                    "level2_id": c.get("id"), "level2_name_en": c.get("name_en"),
                    "level2_name_zh": c.get("name_zh"), "level2_weight": c.get("weight"),
                    **{k: ind.get(k) for k in INDICATOR_COLUMNS[8:]},
                })
    if problems:
        raise InputError(problems)
    table = pd.DataFrame(rows, columns=INDICATOR_COLUMNS)
    meta = dict(doc.get("system") or {})
    ahp_raw = (doc.get("weighting") or {}).get("ahp") or {}
    ahp = {}
    experts: dict[str, int] = {}
    for parent, spec in ahp_raw.items():
        try:
            labels = list(spec["order"])
            raw = spec["matrices"] if "matrices" in spec else [spec["matrix"]]
            mats = [pd.DataFrame(np.array([[_num(v) for v in row] for row in m], dtype=float),
                                 index=labels, columns=labels) for m in raw]
        except (KeyError, TypeError, ValueError, ZeroDivisionError) as e:
            raise InputError(Problem(file=str(path), message=M("msg.eval_ahp_unreadable", parent=repr(parent), detail=e),
                                     expected=M("exp.eval_ahp_yaml"))) from None
        if len(mats) == 1:
            ahp[str(parent)] = mats[0]
        else:  # group judgement: element-wise geometric mean (Aczél & Saaty 1983)
            try:
                ahp[str(parent)] = ahp_group(mats).matrix
            except InputError as e:
                raise InputError([Problem(file=str(path), sheet=f"ahp {parent}",
                                          message=p.message, row=p.row, column=p.column,
                                          value=p.value, expected=p.expected)
                                  for p in e.problems]) from None
            experts[str(parent)] = len(mats)
    if experts:
        meta["ahp_experts"] = experts
    return _validate(table, meta, ahp, str(path), row_offset=None)


def system_from_sheets(sheets: dict[str, pd.DataFrame], source: str = "<system>",
                       name: str = "system") -> IndicatorSystem:
    """An indicator system from the sheets of its workbook (``{sheet: frame}``, cells as
    objects; ``source`` names it in problems, ``name`` is its default id and name).
    Reading the workbook is :func:`cocontrol.evaluation.io.load_system`'s job."""
    path = source
    if "indicators" not in sheets:
        raise InputError(Problem(file=str(path), message=M("msg.eval_no_indicators_sheet"),
                                 expected=M("exp.eval_no_indicators_sheet")))
    table = sheets["indicators"].copy()
    table.columns = [str(c).strip() for c in table.columns]
    meta: dict = {"id": name, "name_en": name, "name_zh": name}
    if "system" in sheets:
        s = sheets["system"]
        if {"key", "value"} <= set(s.columns):
            meta.update({str(k): v for k, v in zip(s["key"], s["value"], strict=True)})
    if "grades" in sheets:
        meta["grades"] = sheets["grades"].to_dict("records")
    ahp = {}
    if "ahp" in sheets:
        a = sheets["ahp"]
        for parent, g in a.groupby("parent", sort=False):
            labels = [str(x) for x in g["row"]]
            try:
                mat = np.array([[_num(v) for v in g[lab]] for lab in labels], dtype=float).T
            except (KeyError, ValueError, ZeroDivisionError) as e:
                raise InputError(Problem(file=str(path), sheet="ahp", message=M("msg.eval_ahp_unreadable", parent=repr(parent), detail=e),
                                         expected=M("exp.eval_ahp_excel"))) from None
            ahp[str(parent)] = pd.DataFrame(mat, index=labels, columns=labels)
    return _validate(table, meta, ahp, str(path), row_offset=2, sheet="indicators")


def _validate(table: pd.DataFrame, meta: dict, ahp: dict, source: str,
              row_offset: int | None, sheet: str | None = None) -> IndicatorSystem:
    """Check the flat indicator table; raise one InputError listing every problem."""
    problems: list[Problem] = []

    def where(i: int, ind_id) -> dict:
        if row_offset is None:  # YAML: no row numbers; name the indicator instead
            return {"file": source, "row": None, "sheet": Text(f"indicator {ind_id}", f"指标 {ind_id}")}
        return {"file": source, "row": i + row_offset, "sheet": sheet}

    missing_cols = [c for c in REQUIRED if c not in table.columns]
    if missing_cols:
        raise InputError([Problem(file=source, sheet=sheet, message=M("msg.eval_required_column"),
                                  column=c, expected=M("exp.eval_see_docs"))
                          for c in missing_cols])
    for c in INDICATOR_COLUMNS:
        if c not in table.columns:
            table[c] = None
    table = table[INDICATOR_COLUMNS].copy()
    for c in ["level1_id", "level2_id", "id", "name_en", "name_zh", "unit", "direction",
              "subsystem"]:
        table[c] = table[c].map(lambda v: None if v is None or (isinstance(v, float)
                                                               and np.isnan(v)) else str(v).strip())
    for i, row in enumerate(table.itertuples(index=False)):
        r = row._asdict()
        for c in REQUIRED:
            if _blank(r[c]):
                problems.append(Problem(message=M("msg.eval_value_empty"), column=c,
                                        expected=M("exp.eval_a_value"), **where(i, r["id"])))
        d = "" if _blank(r["direction"]) else str(r["direction"]).lower()
        if d and d not in DIRECTIONS:
            problems.append(Problem(message=M("msg.eval_direction"), column="direction",
                                    value=r["direction"], expected=M("exp.eval_direction"),
                                    **where(i, r["id"])))
        sub = r["subsystem"]
        if not _blank(sub) and str(sub).lower() not in SUBSYSTEMS:
            problems.append(Problem(message=M("msg.eval_subsystem"), column="subsystem", value=sub,
                                    expected=M("exp.eval_subsystem"),
                                    **where(i, r["id"])))
        for c in ("target", "weight", "level1_weight", "level2_weight"):
            v = r[c]
            try:
                x = _num(v)
            except (ValueError, ZeroDivisionError):
                problems.append(Problem(message=M("msg.eval_not_number"), column=c, value=v,
                                        expected=M("exp.eval_number_or_blank"), **where(i, r["id"])))
                continue
            if c == "target" and np.isfinite(x) and x <= 0:
                problems.append(Problem(message=M("msg.eval_target_positive"), column=c, value=v,
                                        expected=M("exp.eval_target_positive"), **where(i, r["id"])))
            if c != "target" and np.isfinite(x) and x < 0:
                problems.append(Problem(message=M("msg.eval_weight_neg"), column=c,
                                        value=v, expected=">= 0", **where(i, r["id"])))
    if problems:
        raise InputError(problems)
    dup = table["id"][table["id"].duplicated()]
    for i in dup.index:
        problems.append(Problem(message=M("msg.eval_id_twice"), column="id",
                                value=table.at[i, "id"], expected=M("exp.eval_unique_ids"),
                                **where(int(i), table.at[i, "id"])))
    # a second-level id must always hang under the same first-level id
    par = table.groupby("level2_id")["level1_id"].nunique()
    for l2 in par[par > 1].index:
        problems.append(Problem(file=source, sheet=sheet, message=M("msg.eval_two_parents", id=repr(l2)), column="level2_id",
                                expected=M("exp.eval_two_parents")))
    if problems:
        raise InputError(problems)
    table["direction"] = table["direction"].str.lower().map(
        lambda d: "benefit" if DIRECTIONS[d] > 0 else "cost")
    table["subsystem"] = table["subsystem"].fillna("synergy").str.lower()
    for c in ("target", "weight", "level1_weight", "level2_weight"):
        table[c] = table[c].map(_num).astype(float)
    table = table.set_index("id", drop=False)
    table.index.name = "indicator"
    system = IndicatorSystem(table=table, meta=meta, ahp=ahp, source=source)
    # AHP matrices must name exactly the children of their parent
    children = {"root": list(system.level1().index)}
    l2 = system.level2()
    children.update({p: list(g.index) for p, g in l2.groupby("level1_id", sort=False)})
    children.update({p: list(g.index) for p, g in table.groupby("level2_id", sort=False)})
    for parent, mat in ahp.items():
        if parent not in children:
            problems.append(Problem(file=source, sheet="ahp", message=M("msg.eval_ahp_parent", parent=repr(parent)),
                                    expected=M("exp.eval_ahp_parent")))
        elif sorted(map(str, mat.index)) != sorted(children[parent]):
            problems.append(Problem(file=source, sheet="ahp", message=M("msg.eval_ahp_children", parent=repr(parent)),
                                    value=list(mat.index), expected=str(children[parent])))
        else:
            try:
                ahp_weights(mat)
            except InputError as e:
                problems += [Problem(file=source, sheet=f"ahp {parent}", message=p.message,
                                     row=p.row, column=p.column, value=p.value,
                                     expected=p.expected) for p in e.problems]
    if problems:
        raise InputError(problems)
    return system


def system_sheets(system: IndicatorSystem) -> dict[str, pd.DataFrame]:
    """The sheets of a system's editable workbook, in order: system, indicators, grades,
    policy_basis (when the system has a policy basis), an empty ``values`` sheet for data entry
    (the same workbook can be passed as DATA) and ahp (when the system has AHP matrices).
    Written by :func:`cocontrol.evaluation.io.system_to_excel`."""
    meta = {k: v for k, v in system.meta.items() if k not in ("grades", "policy_basis")}
    basis = system.meta.get("policy_basis") or []
    sheets = {
        "system": pd.DataFrame({"key": list(meta), "value": [str(v) for v in meta.values()]}),
        "indicators": system.table,
        "grades": pd.DataFrame([{"min": g[0], "label_en": g[1], "label_zh": g[2]}
                                for g in system.grades]),
    }
    if basis:
        sheets["policy_basis"] = pd.DataFrame(basis)
    sheets["values"] = pd.DataFrame(columns=["unit", "name_en", "name_zh", "group", "year",
                                             *system.ids, "source"])
    if system.ahp:
        frames = []
        for parent, m in system.ahp.items():
            f = m.copy()
            f.insert(0, "row", list(m.index))
            f.insert(0, "parent", parent)
            frames.append(f.reset_index(drop=True))
        sheets["ahp"] = pd.concat(frames, ignore_index=True)
    return {k: safe_frame(v) for k, v in sheets.items()}
