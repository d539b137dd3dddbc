"""Bundled reference tables (``cocontrol/data/*.csv``), loaded once and cached.

Every row carries its source; see ``docs/data-schema.md`` and ``docs/reference-data.md``.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import pandas as pd

from cocontrol import io
from cocontrol.errors import CocontrolError
from cocontrol.i18n import Msg as M
from cocontrol.i18n import Seq

TABLES = (
    "species", "gwp", "fuels", "sectors", "processes", "ef_air",
    "control_tech", "control_removal", "pev", "grid",
)


def __getattr__(name: str):
    """``SPECIES``, ``AIR_SPECIES`` and ``GHG_SPECIES``: the species of ``species.csv`` in
    reporting order (all, group ``air``, group ``ghg``), read from the species registry so that
    a species added as a data row appears everywhere (:mod:`cocontrol.registry`)."""
    if name in ("SPECIES", "AIR_SPECIES", "GHG_SPECIES"):
        from cocontrol.registry import species

        sp = species()
        return {"SPECIES": sp.codes, "AIR_SPECIES": sp.group("air"),
                "GHG_SPECIES": sp.group("ghg")}[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def table(name: str) -> pd.DataFrame:
    """Return a bundled reference table as a DataFrame.

    Every call hands out a new frame (a shallow copy: under pandas copy-on-write, changing
    it copies the data), so a caller that adds a column or edits a value never changes the
    table for anyone else."""
    return _load(name).copy(deep=False)


@cache
def _load(name: str) -> pd.DataFrame:
    if name not in TABLES:
        raise CocontrolError(M("msg.ref_unknown_table", name=repr(name),
                                        known=Seq(TABLES, ", ", quote=True)))
    path = resources.files("cocontrol") / "data" / f"{name}.csv"
    with resources.as_file(path) as p:
        df = io.read_csv(p, skipinitialspace=True, keep_default_na=False,
                         na_values=[""])
    return df


def bundled(path: str) -> pd.DataFrame:
    """A bundled table of a stage's own data folder, ``data/<path>`` (e.g.
    ``"enterprise/benchmarks.csv"``): read once, a new frame for every caller."""
    return _load_path(path).copy(deep=False)


@cache
def _load_path(path: str) -> pd.DataFrame:
    res = resources.files("cocontrol") / "data" / path
    if not res.is_file():
        raise CocontrolError(M("msg.ref_no_table", path=path))
    with resources.as_file(res) as p:
        return io.read_csv(p, keep_default_na=False, na_values=[""])


def _resource(path: str):
    res = resources.files("cocontrol") / "data" / path
    if not res.is_file():
        raise CocontrolError(M("msg.ref_no_file", path=path))
    return res


def bundled_text(path: str) -> str:
    """The text of a bundled file ``data/<path>`` (YAML, word lists ...), read once."""
    return _text(path)


@cache
def _text(path: str) -> str:
    with resources.as_file(_resource(path)) as p:
        return io.read_text(p)


def bundled_table(path: str) -> pd.DataFrame:
    """A bundled CSV table read as text by :func:`cocontrol.io.read_table` (``_row`` = the
    row a user sees): read once, a new frame for every caller."""
    return _load_strings(path).copy(deep=False)


@cache
def _load_strings(path: str) -> pd.DataFrame:
    with resources.as_file(_resource(path)) as p:
        return io.read_table(p)


def bundled_frame(path: str) -> pd.DataFrame:
    """A bundled CSV table with whole-numeric columns as numbers
    (:func:`cocontrol.io.read_frame`): read once, a new frame for every caller."""
    return _load_frame(path).copy(deep=False)


@cache
def _load_frame(path: str) -> pd.DataFrame:
    with resources.as_file(_resource(path)) as p:
        return io.read_frame(p)


def bundled_files(suffixes: tuple[str, ...] = (".csv", ".yaml", ".txt")
                  ) -> list[tuple[str, bytes]]:
    """``(name, bytes)`` of every bundled data file ending in one of ``suffixes``, the name
    relative to ``data/`` (``enterprise/benchmarks.csv``), in name order of each folder
    (files and sub-folders sorted together): what :func:`cocontrol.provenance.factor_version`
    hashes."""
    out: list[tuple[str, bytes]] = []

    def walk(d, prefix=""):
        for p in sorted(d.iterdir(), key=lambda x: x.name):
            if p.is_dir():
                walk(p, prefix + p.name + "/")
            elif p.name.endswith(suffixes):
                out.append((prefix + p.name, p.read_bytes()))

    walk(resources.files("cocontrol") / "data")
    return out


def bundled_path(path: str) -> str:
    """The file name of a bundled file, for a library that reads it itself by name (pint's
    unit definitions)."""
    return str(_resource(path))


def codes(name: str, column: str = "code") -> set[str]:
    """The set of codes of a reference table (e.g. ``codes("fuels")``; a new set each call)."""
    return set(_codes(name, column))


@cache
def _codes(name: str, column: str) -> frozenset[str]:
    return frozenset(table(name)[column].astype(str))


def gwp(gwp_set: str) -> dict[str, float]:
    """GWP100 values of the species of ``gwp.csv`` for a named set (``AR5`` or ``AR6``)."""
    g = table("gwp")
    sel = g[g["set"] == gwp_set]
    if sel.empty:
        raise CocontrolError(M("msg.ref_unknown_gwp", name=repr(gwp_set),
                               known=Seq(sorted(g["set"].unique()), ", ")))
    return dict(zip(sel["species"], sel["value"].astype(float), strict=True))
