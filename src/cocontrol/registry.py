"""One registry per concept, built from the bundled data tables.

Species, sectors, fuels, processes and control technologies are *data*: each is a row of a
table in ``cocontrol/data`` (``species.csv``, ``sectors.csv`` ...) with its source. The
registries read those tables once and are immutable afterwards (frozen dataclasses, tuples and
read-only mappings), so concurrent requests can share them.

Adding a species is a row of ``species.csv`` (code, names, group, IAMC variable, the other
spellings it is known by, source), optionally with its GWP rows (``gwp.csv``) and pollution
equivalent (``pev.csv``). Every stage takes the species list from here: the inventory computes
every registered species that has factors, the scenario engine carries it, reports list it.

Species have ONE spelling inside cocontrol (``VOCs``, ``PM2.5`` ...). Other spellings found in
users' files (``NMVOC``, ``VOC``, ``PM25`` ...) are data too (column ``aliases``) and are mapped
at the input boundary with :meth:`SpeciesRegistry.canonical`.

>>> sp = species()
>>> sp.canonical("NMVOC"), sp.canonical("pm25"), sp.canonical("SO2")
('VOCs', 'PM2.5', 'SO2')
>>> sp["CH4"].gwp["AR6"]
27.9
>>> "CO2" in sp.group("ghg")
True
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import pandas as pd

from cocontrol import refdata
from cocontrol.errors import CocontrolError
from cocontrol.i18n import Msg as M
from cocontrol.i18n import Seq

__all__ = ["CodeRegistry", "Species", "SpeciesRegistry", "control_technologies", "fuels",
           "processes", "refresh", "sectors", "species"]


def _norm(name: str) -> str:
    return str(name).strip().lower().replace(" ", "").replace("₂", "2").replace("₃", "3")


@dataclass(frozen=True)
class Species:
    """One species of the integrated inventory (a row of ``species.csv``)."""

    code: str
    name_en: str
    name_zh: str
    group: str  # "air" or "ghg"
    iamc: str
    aliases: tuple[str, ...] = ()
    gwp: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    pev_kg: float | None = None  # kg per pollution equivalent (default row of pev.csv)
    source: str = ""


class SpeciesRegistry:
    """The registered species, in reporting order (read-only)."""

    def __init__(self, table: pd.DataFrame, gwp: pd.DataFrame | None = None,
                 pev: pd.DataFrame | None = None):
        gwp_of: dict[str, dict[str, float]] = {}
        if gwp is not None:
            for s, sp, v in gwp[["set", "species", "value"]].itertuples(index=False):
                gwp_of.setdefault(str(sp), {})[str(s)] = float(v)
        pev_of: dict[str, float] = {}
        if pev is not None:
            d = pev[pev["default"].astype(str).str.lower() == "true"]
            pev_of = {str(s): float(v) for s, v in zip(d["species"], d["pev_kg"], strict=True)}
        items = []
        for r in table.to_dict("records"):
            al = r.get("aliases")
            aliases = tuple(a.strip() for a in str(al).split(";") if a.strip()) \
                if isinstance(al, str) else ()
            code = str(r["code"])
            items.append(Species(code, str(r["name_en"]), str(r["name_zh"]), str(r["group"]),
                                 str(r.get("iamc") or code), aliases,
                                 MappingProxyType(gwp_of.get(code, {})), pev_of.get(code),
                                 str(r.get("source") or "")))
        self._items: tuple[Species, ...] = tuple(items)
        self._by_code = MappingProxyType({s.code: s for s in items})
        lookup: dict[str, str] = {}
        for s in items:
            for name in (s.code, *s.aliases):
                key = _norm(name)
                if lookup.get(key, s.code) != s.code:
                    raise CocontrolError(M("msg.reg_spelling_both", name=repr(name),
                                           a=lookup[key], b=s.code))
                lookup[key] = s.code
        self._lookup = MappingProxyType(lookup)

    # ---------------------------------------------------------------- mapping protocol
    def __iter__(self) -> Iterator[Species]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __getitem__(self, code: str) -> Species:
        try:
            return self._by_code[code]
        except KeyError:
            raise CocontrolError(M("msg.reg_unknown_species", code=repr(code),
                                   known=Seq(self.codes, ", "))) from None

    # ---------------------------------------------------------------- queries
    @property
    def codes(self) -> tuple[str, ...]:
        """Codes in reporting order."""
        return tuple(s.code for s in self._items)

    def group(self, name: str) -> tuple[str, ...]:
        """Codes of a group (``air``, ``ghg``) from the ``group`` column."""
        return tuple(s.code for s in self._items if s.group == name)

    @property
    def groups(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.group for s in self._items))

    def canonical(self, name: object) -> str | None:
        """The one spelling of ``name`` (code or alias, case-insensitive), ``None`` if unknown."""
        if not isinstance(name, str):
            return None
        return self._lookup.get(_norm(name))

    def gwp(self, gwp_set: str) -> dict[str, float]:
        """GWP100 of every species that has one in ``gwp_set`` (``AR5``, ``AR6``)."""
        out = {s.code: s.gwp[gwp_set] for s in self._items if gwp_set in s.gwp}
        if not out:
            sets = sorted({k for s in self._items for k in s.gwp})
            raise CocontrolError(M("msg.ref_unknown_gwp", name=repr(gwp_set),
                                   known=Seq(sets, ", ")))
        return out

    def pev(self) -> dict[str, float]:
        """Default pollution-equivalent values (kg per equivalent) from ``pev.csv``."""
        return {s.code: s.pev_kg for s in self._items if s.pev_kg is not None}

    def with_project(self, table: pd.DataFrame) -> SpeciesRegistry:
        """This registry and the species a project declares by data (its ``species.csv``:
        code, name_en, name_zh, group, optional iamc, aliases, gwp_AR5, gwp_AR6, source),
        appended in table order. A code or spelling given twice is refused
        (:class:`CocontrolError`): a project adds species, it does not redefine them."""
        rows = [r for r in table.to_dict("records") if isinstance(r.get("code"), str)]
        if not rows:
            return self
        own = pd.DataFrame([{k: v for k, v in r.items() if not str(k).startswith("gwp_")}
                            for r in rows])
        for c in own.columns:  # missing text cells as blanks (not the text 'nan')
            own[c] = own[c].astype(object).where(own[c].notna(), None)
        gwp = [{"set": k.removeprefix("gwp_"), "species": r["code"], "value": float(v)}
               for r in rows for k, v in r.items()
               if str(k).startswith("gwp_") and v is not None and v == v]
        extra = SpeciesRegistry(own, pd.DataFrame(gwp, columns=["set", "species", "value"]))
        for sp in extra:
            if sp.code in self._by_code:
                raise CocontrolError(M("msg.reg_already", code=repr(sp.code)))
        out = SpeciesRegistry.__new__(SpeciesRegistry)
        items = (*self._items, *extra._items)
        lookup = dict(self._lookup)
        for key, code in extra._lookup.items():
            if lookup.get(key, code) != code:
                raise CocontrolError(M("msg.reg_spelling_taken", name=repr(key), code=code,
                                       other=lookup[key]))
            lookup[key] = code
        out._items = items
        out._by_code = MappingProxyType({s.code: s for s in items})
        out._lookup = MappingProxyType(lookup)
        return out

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"code": s.code, "name_en": s.name_en, "name_zh": s.name_zh,
                              "group": s.group, "iamc": s.iamc, "aliases": ";".join(s.aliases),
                              "pev_kg": s.pev_kg, **{f"gwp_{k}": v for k, v in s.gwp.items()},
                              "source": s.source} for s in self._items])


class CodeRegistry:
    """A read-only registry of codes from one bundled table (sectors, fuels ...)."""

    def __init__(self, name: str, table: pd.DataFrame, key: str = "code"):
        self.name = name
        rows = table.to_dict("records")
        self._codes = tuple(str(r[key]) for r in rows)
        self._rows = MappingProxyType({str(r[key]): MappingProxyType(dict(r)) for r in rows})

    @property
    def codes(self) -> tuple[str, ...]:
        return self._codes

    def __contains__(self, code: object) -> bool:
        return code in self._rows

    def __iter__(self) -> Iterator[str]:
        return iter(self._codes)

    def __len__(self) -> int:
        return len(self._codes)

    def __getitem__(self, code: str) -> Mapping:
        try:
            return self._rows[code]
        except KeyError:
            raise CocontrolError(M("msg.reg_unknown_code", table=self.name,
                                   code=repr(code))) from None


_LOCK = threading.Lock()
_CACHE: dict[str, object] = {}


def _cached(name: str, build):
    with _LOCK:
        if name not in _CACHE:
            _CACHE[name] = build()
        return _CACHE[name]


def species() -> SpeciesRegistry:
    """The species registry of the bundled ``species.csv`` (with ``gwp.csv``, ``pev.csv``)."""
    return _cached("species", lambda: SpeciesRegistry(refdata.table("species"),
                                                       refdata.table("gwp"),
                                                       refdata.table("pev")))


def sectors() -> CodeRegistry:
    return _cached("sectors", lambda: CodeRegistry("sector", refdata.table("sectors")))


def fuels() -> CodeRegistry:
    return _cached("fuels", lambda: CodeRegistry("fuel", refdata.table("fuels")))


def processes() -> CodeRegistry:
    return _cached("processes", lambda: CodeRegistry("process", refdata.table("processes")))


def control_technologies() -> CodeRegistry:
    return _cached("control_tech",
                   lambda: CodeRegistry("control technology", refdata.table("control_tech")))


def refresh() -> None:
    """Forget the built registries (after the bundled tables changed, e.g. in a test)."""
    with _LOCK:
        _CACHE.clear()
