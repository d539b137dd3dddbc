"""The in-memory project and its one validated loader.

A :class:`Project` holds *every* input of a city: the manifest, the inventory tables
(regions, activity, controls, factors, measured), the scenario tables (measures, drivers,
elasticities) and the settings files (scenarios, optimisation, CGE instruments, evaluation
system). It is built from a folder (:meth:`Project.from_folder`, :func:`load_project`), from
one workbook (:meth:`Project.from_workbook`) or from plain Python objects
(:meth:`Project.from_objects`); all three go through the same validation and raise one
:class:`~cocontrol.errors.InputError` listing *every* problem found (file, sheet, row,
column, value, expected). Engines take a Project and never touch the file system.

Checks that need emission factors (a source/species pair with no factor) are done by the
inventory stage, see :func:`cocontrol.inventory.check`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from cocontrol import io
from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg, Seq, Text
from cocontrol.project import crossref
from cocontrol.project import io as pio
from cocontrol.project import models as mdl
from cocontrol.project.checks import validate_tables
from cocontrol.project.manifest import Manifest
from cocontrol.project.schema import SCENARIO_TABLES, SPECIES, STATS_TABLES, TABLES

ROW = io.ROW

#: settings files: attribute of Project -> (file name, model)
DOCS = {
    "scenarios": ("scenarios.yaml", mdl.ScenariosFile),
    "optimisation": ("optimisation.yaml", mdl.OptimisationFile),
    "instruments": ("instruments.yaml", mdl.InstrumentsFile),
    "evaluation": ("evaluation.yaml", mdl.IndicatorSystemFile),
}


@dataclass
class Project:
    """A validated project: manifest, typed input tables and settings.

    ``activity`` has one row per source, fuel/process and year (unit in ``unit``);
    ``_row`` columns keep the row numbers of the user's files for messages. ``measures``
    (the project's own measures, as text: typed by :func:`cocontrol.scenario.measures.
    validate`), ``drivers``, ``elasticities`` and the settings (:mod:`~cocontrol.project.
    models`) are None when the project does not have them.
    """

    folder: Path | None
    manifest: Manifest
    regions: pd.DataFrame
    activity: pd.DataFrame
    controls: pd.DataFrame
    factors: pd.DataFrame
    measured: pd.DataFrame
    warnings: list[Problem] = field(default_factory=list)
    origins: dict[str, str] = field(default_factory=dict)
    measures: pd.DataFrame | None = None
    drivers: pd.DataFrame | None = None
    elasticities: pd.DataFrame | None = None
    scenarios: mdl.ScenariosFile | None = None
    optimisation: mdl.OptimisationFile | None = None
    instruments: mdl.InstrumentsFile | None = None
    evaluation: mdl.IndicatorSystemFile | None = None
    #: species declared by the project (its species.csv), None when it declares none
    species_table: pd.DataFrame | None = None
    #: statistics per region and year (region_stats.csv: GDP), None when it has none
    region_stats: pd.DataFrame | None = None
    #: every species of the project: the registered ones, then the project's own
    species: object = None

    def __post_init__(self):
        if self.species is None:
            from cocontrol import registry

            self.species = registry.species()

    @property
    def name(self) -> str:
        return self.manifest.name

    # ---------------------------------------------------------------- constructors
    @classmethod
    def from_folder(cls, folder: str | Path) -> Project:
        """Read and validate a project folder."""
        folder = Path(folder)
        if not folder.is_dir():
            raise InputError(Problem(file=str(folder), message=Msg("msg.folder_not_found"),
                                     expected=Msg("exp.project_folder")))
        raw, problems = pio.read_folder(folder)
        return _build(raw, problems, folder)

    @classmethod
    def from_files(cls, files: dict[str, bytes | str]) -> Project:
        """Read and validate a project given as ``{file name: content}`` (the files of a
        folder, e.g. an upload), without touching the disk."""
        raw, problems = pio.read_folder(dict(files))
        return _build(raw, problems, None, origin="<files>")

    @classmethod
    def from_workbook(cls, path: str | Path) -> Project:
        """Read and validate a project held in one workbook (a sheet per table; the
        manifest in a sheet ``project`` with columns key, value, or project.yaml beside it;
        settings YAML files beside it)."""
        path = Path(path)
        raw, problems = pio.read_workbook(path)
        if raw["manifest"] is None and not any("project" in p.message for p in problems):
            problems.append(Problem(file=path.name, message=Msg("msg.no_manifest"),
                                    expected=Msg("exp.manifest_sheet")))
        return _build(raw, problems, None, origin=path.name)

    @classmethod
    def from_objects(cls, manifest: dict | Manifest, regions, activity, controls=None,
                     factors=None, measured=None, measures=None, drivers=None,
                     elasticities=None, scenarios=None, optimisation=None, instruments=None,
                     evaluation=None, species=None, region_stats=None) -> Project:
        """Build and validate a project from Python objects, with no file.

        Tables are DataFrames (or lists of dicts); settings are dicts with the structure of
        their YAML files (or their models); ``species`` the project's own species (the
        rows of a species.csv). The values are validated exactly as if they had
        been read from files: the numbers are the same as from a folder with the same text.
        """
        tables = {}
        for name, obj in (("regions", regions), ("activity", activity), ("controls", controls),
                          ("factors", factors), ("measured", measured), ("measures", measures),
                          ("drivers", drivers), ("elasticities", elasticities),
                          ("species", species), ("region_stats", region_stats)):
            if obj is None:
                continue
            df = obj if isinstance(obj, pd.DataFrame) else pd.DataFrame(list(obj))
            tables[name] = pio.text_frame(df.drop(columns=[ROW], errors="ignore"), name)
        docs = {}
        for attr, obj in (("scenarios", scenarios), ("optimisation", optimisation),
                          ("instruments", instruments), ("evaluation", evaluation)):
            if obj is not None:
                docs[DOCS[attr][0]] = obj.model_dump(exclude_unset=True, mode="json") \
                    if isinstance(obj, mdl.BaseModel) else obj
        m = manifest.model_dump(exclude_unset=True) if isinstance(manifest, mdl.BaseModel) \
            else manifest
        raw = {"manifest": m, "tables": tables, "docs": docs,
               "origins": {k: f"{k} (in memory)" for k in tables}, "files": {}}
        return _build(raw, [], None, origin="<objects>")

    # ---------------------------------------------------------------- content
    def content_hash(self) -> str:
        """SHA-256 of every input (manifest, tables, settings), independent of where the
        project was read from: equal inputs give equal hashes. ``sha256:<64 hex>``."""
        h = hashlib.sha256()
        h.update(json.dumps(self.manifest.model_dump(mode="json"), sort_keys=True).encode())
        extra = [n for n in ("species_table", "region_stats")  # (old hashes kept)
                 if getattr(self, n) is not None]
        for name in list(TABLES) + ["measures", "drivers", "elasticities", *extra]:
            df = getattr(self, name)
            h.update(f"\n#table {name}\n".encode())
            if df is not None:
                h.update(_frame_bytes(df))
        for attr in DOCS:
            doc = getattr(self, attr)
            h.update(f"\n#doc {attr}\n".encode())
            if doc is not None:
                h.update(json.dumps(doc.model_dump(mode="json"), sort_keys=True,
                                    default=str).encode())
        return "sha256:" + h.hexdigest()

    def scenario_data(self) -> dict:
        """scenarios.yaml as plain data (``{}`` when the project has none)."""
        if self.scenarios is None:
            return {}
        return self.scenarios.model_dump(exclude_none=True, mode="python")

    def optimisation_data(self) -> dict:
        """optimisation.yaml as plain data (``{}`` when the project has none)."""
        if self.optimisation is None:
            return {}
        return self.optimisation.model_dump(exclude_none=True, mode="python")


def _frame_bytes(df: pd.DataFrame) -> bytes:
    d = df.drop(columns=[ROW], errors="ignore")
    cols = sorted(d.columns)
    parts = []
    for c in cols:
        vals = d[c].to_numpy(dtype=object)
        parts.append(c + "=" + "\x1f".join(_canon(v) for v in vals))
    return "\x1e".join(parts).encode()


def _canon(v) -> str:
    """One spelling per value: blank, a number (1 = 1.0 = '1.0') or the text."""
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, str):
        try:
            f = float(v.replace(",", ""))
        except ValueError:
            return v.strip()
        return repr(f) if np.isfinite(f) else v.strip()
    if isinstance(v, int | float | np.integer | np.floating):
        return repr(float(v))
    return repr(v)


def _build(raw: dict, problems: list[Problem], folder: Path | None,
           origin: str | None = None) -> Project:
    problems = list(problems)
    manifest = None
    mfile = "project.yaml"
    if raw["manifest"] is not None and raw["manifest"] is not False:
        manifest, probs = mdl.validate(Manifest, raw["manifest"], mfile)
        problems += probs
    species, species_table = _project_species(raw["tables"].get("species"), problems)
    codes = None if species_table is None else frozenset(species.codes)
    tables: dict[str, pd.DataFrame] = {}
    for name, spec in {**TABLES, **SCENARIO_TABLES, **STATS_TABLES}.items():
        df = raw["tables"].get(name)
        if df is None:
            if name not in raw["tables"] and not spec.optional:
                where = f"{name}.csv" if folder is not None else (origin or name)
                problems.append(Problem(
                    file=str(folder / where) if folder is not None else where,
                    message=Msg("msg.table_missing", table=Text(spec.title_en, spec.title_zh)),
                    expected=Msg("exp.table_files", name=name)))
            tables[name] = pio.empty(spec) if not spec.optional or name in TABLES else None
            continue
        typed, probs = pio.coerce_cached(df, spec, df.attrs.get("file", name),
                                         df.attrs.get("sheet"),
                                         None if species_table is None else species)
        tables[name] = typed
        problems += probs
    measures = raw["tables"].get("measures")
    if measures is not None:
        problems += crossref.measure_columns(measures)
    docs = {}
    for attr, (fname, model) in DOCS.items():
        data = raw["docs"].get(fname)
        if data is None or data is False:
            docs[attr] = None
            continue
        doc, probs = mdl.validate(model, data, fname)
        docs[attr] = doc
        problems += probs
    struct_ok = all(raw["tables"].get(n) is not None for n in ("regions", "activity"))
    if manifest is not None:
        problems += validate_tables(manifest, tables, codes) if struct_ok else []
        problems += crossref.check(manifest, tables, measures, docs, species.codes)
    for df in tables.values():  # memo keys are for the loader only: a Project may be edited
        if df is not None:
            df.attrs.pop("digest", None)
    errors = [p for p in problems if p.severity == "error"]
    if errors or manifest is None:
        raise InputError(errors or problems or Problem(file=mfile, message=Msg(
            "msg.manifest_unreadable")))
    return Project(folder=folder, manifest=manifest, warnings=[p for p in problems
                                                               if p.severity != "error"],
                   origins=raw["origins"], regions=tables["regions"],
                   activity=tables["activity"], controls=tables["controls"],
                   factors=tables["factors"], measured=tables["measured"],
                   measures=measures, drivers=tables["drivers"],
                   elasticities=tables["elasticities"], species_table=species_table,
                   species=species, region_stats=tables["region_stats"], **docs)


def _project_species(df: pd.DataFrame | None, problems: list[Problem]):
    """The species registry of a project: the registered species and those its species
    table declares (validated: a new code, a group of the registry, GWP ≥ 0, no spelling
    of another species). Returns (registry, typed table or None)."""
    from cocontrol import registry
    from cocontrol.errors import CocontrolError

    bundled = registry.species()
    if df is None:
        return bundled, None
    file, sheet = df.attrs.get("file", "species.csv"), df.attrs.get("sheet")
    typed, probs = pio.coerce(df, SPECIES, file, sheet)
    problems += probs
    if any(p.severity == "error" for p in probs):
        return bundled, typed
    ok, seen = [], {}
    for i, r in enumerate(typed.to_dict("records")):
        row, code = int(r[ROW]), r["code"]
        where = {"file": file, "sheet": sheet, "row": row}
        if code in bundled or bundled.canonical(code) is not None:
            problems.append(Problem(**where, column="code", value=code,
                                    message=Msg("msg.species_registered"),
                                    expected=Msg("exp.species_new")))
        elif code in seen:
            problems.append(Problem(**where, column="code", value=code,
                                    message=Msg("msg.species_twice", row=seen[code]),
                                    expected=Msg("exp.row_per_species")))
        elif r["group"] not in bundled.groups:
            problems.append(Problem(**where, column="group", value=r["group"],
                                    message=Msg("msg.species_group"),
                                    expected=Seq(bundled.groups, " or ", quote=True)))
        elif any(r[c] is not None and r[c] == r[c] and r[c] < 0 for c in ("gwp_AR5", "gwp_AR6")):
            problems.append(Problem(**where, column="gwp_AR6", message=Msg("msg.negative_gwp"),
                                    expected=Msg("exp.gwp")))
        else:
            ok.append(i)
            if r["group"] == "ghg" and all(r[c] is None or r[c] != r[c]
                                           for c in ("gwp_AR5", "gwp_AR6")):
                problems.append(Problem(**where, column="gwp_AR6", severity="warning",
                                        message=Msg("msg.ghg_no_gwp", code=code),
                                        expected=Msg("exp.gwp_columns")))
        seen.setdefault(code, row)
    try:
        reg = bundled.with_project(typed.iloc[ok].drop(columns=[ROW]))
    except CocontrolError as e:
        problems.append(Problem(file=file, sheet=sheet, column="aliases", message=str(e),
                                expected=Msg("exp.species_spellings")))
        reg = bundled
    return reg, typed


def load_project(folder: str | Path) -> Project:
    """Read and validate a project folder (or a project workbook); raise InputError listing
    every problem."""
    p = Path(folder)
    if p.is_file() and p.suffix.lower() in (".xlsx", ".xlsm"):
        return Project.from_workbook(p)
    return Project.from_folder(p)
