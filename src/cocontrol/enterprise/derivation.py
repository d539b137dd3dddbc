"""Where a number of the enterprise pages comes from (issue 15 item 3): permits, accounts,
product footprints, synergy projects and park accounts.

Each function takes the library's own stored objects (a :class:`~cocontrol.enterprise.Permit`
and its compliance rows, an account's :meth:`~cocontrol.enterprise.EnterpriseAccount.to_dict`,
a :class:`~cocontrol.enterprise.Product`, a :class:`~cocontrol.enterprise.SynergyProject`
and its :meth:`~cocontrol.enterprise.projects.CoBenefits.summary`, a park account's rows)
and answers one derivation of the same shape:

- ``value`` and ``unit`` of the number, ``formula`` (symbols) and ``method`` (the catalogue key
  of its words) with the ``source`` of the method;
- ``inputs``: the values it is computed from, each with unit and source (a limit's standard,
  a factor's table row, the benchmark's reference);
- ``steps``: each intermediate value with its formula, computed here again from the inputs
  by the library's own functions (:func:`cocontrol.enterprise.permits.status_of`,
  :func:`cocontrol.enterprise.product_footprint.input_factor`,
  :func:`cocontrol.enterprise.projects.crf` ...), so that the steps' result is the stored
  number, which the tests check against a hand calculation;
- ``table``: the rows behind a sum (the inputs of a footprint, the enterprises of a park);
- ``lines``, ``controls``, ``measured``, ``provenance``: the inventory's activity rows with
  factors and their sources (:func:`cocontrol.report.derivation.derivation`). An account or
  park account keeps them with itself when it is computed (:func:`line_record`, read back by
  :func:`stored_derivation`), so that an enterprise or park reads the rows of its own
  sources without reading the project version; otherwise they are shown when the caller may
  read that version (else None).

Labels are catalogue keys (``ent_drv_*``), never text: the page says them in English or
Chinese. A number that is not estimated has value None (never 0) and says why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import numpy as np

from cocontrol.errors import CocontrolError
from cocontrol.i18n import Msg, Seq

#: status rules of a permit item or a park target (r = actual / limit; near share)
STATUS_RULES = (("exceeded", "r > 1"), ("near", "{near} ≤ r ≤ 1"), ("within", "r < {near}"),
                ("not assessed", "—"))
PERMIT_SOURCE = ("the permit's own limits and the standards it names; cocontrol "
                 "enterprise.permits.compliance")
FOOTPRINT_SOURCE = ("ISO 14067:2018 §6.4.6 (allocation); GHG Protocol Product Standard "
                    "(2011); cocontrol enterprise.product_footprint")
PROJECT_SOURCE = ("cocontrol enterprise.projects.co_benefits (scenario engine ΔE, capital "
                  "recovery factor) and rank_summaries")
ACCOUNT_SOURCE = "cocontrol inventory engine (E = A × EF × CF), enterprise.account"
PARK_SOURCE = "cocontrol enterprise.parks.park_account (closure E_park = Σ_e E_e + E_only)"


def _num(v) -> float | None:
    """A stored cell as a finite float, None where it is missing (never 0)."""
    if v is None or isinstance(v, str | bool):
        return None
    v = float(v)
    return v if np.isfinite(v) else None


def _div(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b == 0 else a / b


def _step(name: str, formula: str, value, unit: str = "") -> dict:
    return {"name": name, "formula": formula, "value": _num(value), "unit": unit}


def _input(name: str, value, unit: str = "", source: str | None = None,
           label: str | None = None) -> dict:
    v = value if isinstance(value, str) else _num(value)
    out = {"name": name, "value": v, "unit": unit, "source": source}
    return {**out, "label": label} if label is not None else out


def _out(what: str, column: str, value, unit: str, formula: str, source: str, *,
         inputs=(), steps=(), table=None, rules=None, subject=None, notes=(),
         inventory: Mapping | None = None) -> dict:
    inv = inventory or {}
    return {"kind": "enterprise", "what": what, "column": column, "value": _num(value),
            "unit": unit, "formula": formula, "method": f"ent_drv_method_{what}",
            "source": source, "inputs": list(inputs), "steps": list(steps),
            "table": table, "rules": rules, "subject": dict(subject or {}),
            "notes": list(notes), "lines": inv.get("rows"), "controls": inv.get("controls"),
            "measured": inv.get("measured"), "provenance": inv.get("provenance"),
            "inventory_value_t": _num(inv.get("value_t")) if inv else None}


def _unknown(what: str, value, known) -> CocontrolError:
    return CocontrolError(Msg("msg.ent_drv_unknown", what=Msg(f"ent_drv_{what}"),
                              value=repr(value), known=", ".join(map(str, known))))


def _status_key(status: str) -> str:
    """The catalogue key of a compliance status (as the permit pages say it)."""
    return "ent_status_" + status.replace(" ", "_")


def _rules(near: float) -> list[dict]:
    return [{"status": s, "condition": c.format(near=f"{near:g}"), "key": _status_key(s)}
            for s, c in STATUS_RULES]


# -- permits -------------------------------------------------------------------------------
def _limit_basis(permit, row: Mapping) -> tuple[str | None, dict]:
    """(source of the limit, extra facts) of a compliance row from the permit itself."""
    item, sp = row.get("item"), row.get("species")
    if item == "concentration":
        for o in permit.outlets:
            if o.id == row.get("outlet_id"):
                for lim in o.limits:
                    if lim.species == sp:
                        return lim.standard, {"reference_o2": lim.reference_o2,
                                              "facility_id": o.facility_id}
    if item == "annual quantity":
        for q in permit.quantities:
            if q.species == sp:
                return q.basis or str(row.get("basis") or ""), {}
    if item == "carbon intensity" and permit.carbon is not None:
        _v, _u, src = permit.carbon.benchmark_of()
        return src, {"benchmark": permit.carbon.benchmark, "product": permit.carbon.product}
    return (str(row["basis"]) if row.get("basis") else None), {}


def permit_item_derivation(permit, rows: Sequence[Mapping], index: int, column: str = "ratio",
                           on: dt.date | None = None, near: float | None = None) -> dict:
    """Where a compliance number of a permit comes from: the item's actual value (in the
    limit's unit, as assessed), its limit with the standard or basis the permit names, the
    ratio r = actual / limit and the status rule (:func:`cocontrol.enterprise.permits.
    status_of`: exceeded r > 1, near ``near`` ≤ r ≤ 1, within below); an assessment date
    outside the permit's validity makes every item "permit expired". ``column``: ``actual``,
    ``limit`` or ``ratio``; ``near``: default the share the row was assessed with (stored
    with it), else 0.9. The status shown is the stored one; should the rule give another
    (a row stored without its share), a note says so."""
    from cocontrol.enterprise.permits import status_of

    if not 0 <= index < len(rows):
        raise _unknown("row", index, range(len(rows)))
    if column not in ("actual", "limit", "ratio"):
        raise _unknown("column", column, ("actual", "limit", "ratio"))
    r = rows[index]
    near = float(near if near is not None else r.get("near") or 0.9)
    actual, limit, unit = _num(r.get("actual")), _num(r.get("limit")), str(r.get("limit_unit"))
    basis, extra = _limit_basis(permit, r)
    ratio = _div(actual, limit)
    expired = on is not None and not permit.valid_on(on)
    status = "permit expired" if expired else status_of(
        np.nan if ratio is None else ratio, near)
    stored = r.get("status")
    notes = [Msg("msg.ent_drv_status_differs", stored=Msg(_status_key(str(stored))),
                 rule=Msg(_status_key(status)))] if stored and stored != status else []
    item = str(r.get("item") or "").replace(" ", "_")
    steps = [_step("ratio", "r = actual / limit", ratio),
             {"name": "status", "formula": "status(r)", "value": None, "unit": "",
              "text": status, "text_key": _status_key(status)}]
    status = str(stored or status)
    value = {"actual": actual, "limit": limit, "ratio": ratio}[column]
    return _out("permit_item", column, value, "" if column == "ratio" else unit,
                "r = actual / limit", PERMIT_SOURCE,
                inputs=[_input(f"actual_{item}", actual, unit,
                               str(r.get("period") or "") or None),
                        _input("limit", limit, unit, basis)],
                steps=steps, rules=_rules(near), notes=notes,
                subject={"permit": permit.number, "enterprise": permit.enterprise_id,
                         "item": r.get("item"), "outlet": r.get("outlet_id"),
                         "species": r.get("species"), "period": r.get("period"),
                         "valid_from": str(permit.valid_from), "valid_to": str(permit.valid_to),
                         "assessed_on": str(on) if on else None, "status": status,
                         "stored_status": r.get("status"),
                         **{k: v for k, v in extra.items() if v is not None}})


# -- activity rows kept with a stored number ---------------------------------------------------
#: the line columns a stored record keeps with each activity row (to split it again: a park's
#: record by enterprise)
RECORD_COLUMNS = ("enterprise", "park")


def _json(v):
    """A table cell as JSON: None where missing or not finite (never 0), numpy as Python."""
    if isinstance(v, np.generic):
        v = v.item()
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return None
    return v


def _split(df) -> dict:
    return {"columns": [str(c) for c in df.columns],
            "data": [[_json(v) for v in row] for row in df.astype(object).to_numpy().tolist()]}


def _unsplit(t: Mapping | None):
    import pandas as pd

    t = t or {"columns": [], "data": []}
    return pd.DataFrame(t["data"], columns=t["columns"])


def line_record(inventory, filters: Mapping[str, str], cells, version: Mapping | None = None
                ) -> dict:
    """The activity rows behind stored numbers, to keep with the row that stores them (issue
    15): for each ``(species, year, scope)`` of ``cells`` that the inventory has, the
    inventory's derivation of the number of ``filters``
    (:func:`cocontrol.metrics.derivation.derivation`): its activity rows (activity, factor
    with unit, set, method and source, control factor, measured flag, used value; with each
    line's enterprise and park), the controls applied and the measured values used; with the
    inventory's provenance and ``version`` (the project version it was computed from:
    project, version number, content hash). JSON-ready, so that an enterprise or a park
    reads the rows of its own sources from its own stored row, never from the project
    version (which it may not read); :func:`stored_derivation` reads it back."""
    from cocontrol.metrics.derivation import derivation

    prov = inventory.provenance().to_dict()
    report = inventory.line_factor_report()
    keep = [c for c in RECORD_COLUMNS if c in inventory.lines]
    out, seen = [], set()
    for species, year, scope in cells:
        key = (str(species), int(year), int(scope))
        if key in seen or key[0] not in inventory.species or key[1] not in inventory.years:
            continue
        seen.add(key)
        d = derivation(inventory, key[0], key[1], filters, key[2], provenance=prov,
                       report=report)
        rows = d["rows"]
        if len(rows):
            extra = inventory.lines.iloc[rows["line"].to_numpy()][keep].astype(str)
            rows = rows.assign(**{c: extra[c].to_numpy() for c in keep})
        out.append({"species": key[0], "year": key[1], "scope": key[2],
                    "rows": _split(rows), "controls": d["controls"],
                    "measured": _split(d["measured"])})
    return {"filters": {str(k): str(v) for k, v in filters.items()},
            "version": dict(version) if version else None, "provenance": prov, "cells": out}


def account_record(inventory, acc, version: Mapping | None = None) -> dict:
    """:func:`line_record` of every annual cell of an account
    (:class:`cocontrol.enterprise.EnterpriseAccount`): the lines of its enterprise, scope 1
    and scope 2."""
    cells = acc.annual[["species", "year", "scope"]].itertuples(index=False)
    return line_record(inventory, {"enterprise": acc.enterprise_id}, cells, version)


def park_record(inventory, acc, version: Mapping | None = None) -> dict:
    """:func:`line_record` of every total of a park account
    (:class:`cocontrol.enterprise.ParkAccount`): the park's lines (scope 1), each with its
    enterprise, so that one enterprise's part is read from the same record."""
    cells = ((s, y, 1) for s, y in acc.total[["species", "year"]].itertuples(index=False))
    return line_record(inventory, {"park": acc.park_id}, cells, version)


def stored_derivation(record: Mapping | None, species: str, year: int,
                      filters: Mapping[str, str] | None = None, scope: int = 1) -> dict | None:
    """The inventory derivation of a number from a stored :func:`line_record`, the same
    mapping as :func:`cocontrol.metrics.derivation.derivation` (``rows``, ``controls``,
    ``measured``, ``provenance``, ``value_t`` the sum of the rows), plus the ``version`` it
    was computed from. ``filters`` may narrow the record by a line column it keeps (a park's
    record to one enterprise); None when the record has no such cell or filter (an account
    stored before records were kept, a species the inventory did not have)."""
    from cocontrol.metrics.derivation import total_of

    if not record:
        return None
    base = dict(record.get("filters") or {})
    extra = {}
    for k, v in dict(filters or {}).items():
        if k in base:
            if str(base[k]) != str(v):
                return None
        else:
            extra[k] = str(v)
    cell = next((c for c in record.get("cells") or []
                 if (c["species"], int(c["year"]), int(c["scope"]))
                 == (species, int(year), int(scope))), None)
    if cell is None:
        return None
    rows = _unsplit(cell.get("rows"))
    for k, v in extra.items():
        if k not in rows:
            return None
        rows = rows[rows[k].astype(str) == v]
    rows = rows.reset_index(drop=True)
    sources = set(rows["source_id"].astype(str)) if len(rows) else set()
    measured = _unsplit(cell.get("measured"))
    if len(measured):
        measured = measured[measured["source_id"].astype(str).isin(sources)].reset_index(
            drop=True)
    return {"species": species, "year": int(year), "filters": {**base, **extra},
            "scope": int(scope), "value_t": total_of(rows), "rows": rows,
            "controls": {s: c for s, c in (cell.get("controls") or {}).items() if s in sources},
            "measured": measured, "provenance": record.get("provenance"),
            "version": record.get("version")}


# -- accounts ------------------------------------------------------------------------------
def _annual_row(acc: Mapping, species: str, year: int, scope: int) -> Mapping:
    rows = [a for a in acc.get("annual") or [] if (a["species"], int(a["year"]),
                                                   int(a["scope"])) == (species, year, scope)]
    if not rows:
        known = sorted({f"{a['species']} {a['year']} ({a['scope']})"
                        for a in acc.get("annual") or []})
        raise _unknown("cell", f"{species} {year} ({scope})", known)
    return rows[0]


def account_annual_derivation(acc: Mapping, species: str, year: int, scope: int = 1,
                              inventory: Mapping | None = None) -> dict:
    """Where an account's annual emission of ``species`` in ``year`` comes from: the sum of
    the inventory's lines of the enterprise (scope 1 direct, scope 2 CO2 of purchased energy),
    E = Σ_lines A × EF × CF with measured values replacing computed ones. ``inventory``: the
    derivation of the same number by :func:`cocontrol.report.derivation.derivation` (filter
    enterprise) on the account's project version, whose activity rows, factors with sources,
    controls, measured values and provenance are shown; its sum must equal the stored value
    (the step ``sum_lines``)."""
    a = _annual_row(acc, species, int(year), int(scope))
    value = _num(a.get("value"))
    steps = []
    if inventory is not None:
        steps.append(_step("sum_lines", "Σ_lines E_line", inventory.get("value_t"), "t"))
    notes = [] if value is not None else [str(a.get("reason") or "")]
    return _out("account_annual", "value", value, str(a.get("unit") or "t"),
                "E = Σ_lines A × EF × CF", ACCOUNT_SOURCE,
                inputs=[_input("enterprise", acc.get("enterprise_id")),
                        _input("lines", acc.get("lines")), _input("scope", str(scope))],
                steps=steps, notes=notes, inventory=inventory,
                subject={"enterprise": acc.get("enterprise_id"), "species": species,
                         "year": int(year), "scope": int(scope), "status": a.get("status")})


def account_intensity_derivation(acc: Mapping, index: int) -> dict:
    """Where an intensity of an account comes from: I = E / Q, the scope-1 emission E of the
    year (t) over the denominator Q (production or value added, given when the account was
    computed), both units converted (:func:`cocontrol.enterprise._common.convert_ratio`)."""
    rows = acc.get("intensities") or []
    if not 0 <= index < len(rows):
        raise _unknown("row", index, range(len(rows)))
    r = rows[index]
    e = _annual_row(acc, r["species"], int(r["year"]), 1)
    return _out("account_intensity", "value", r.get("value"), str(r.get("unit")),
                "I = E / Q", ACCOUNT_SOURCE,
                inputs=[_input("emission", e.get("value"), "t"),
                        _input("denominator", str(r.get("denominator")))],
                subject={"enterprise": acc.get("enterprise_id"), "species": r["species"],
                         "year": int(r["year"]), "denominator": r.get("denominator")})


def account_grade_derivation(acc: Mapping, year: int | None = None, column: str = "ratio",
                             rules: list | None = None) -> dict:
    """Where the carbon-efficiency grade of an account comes from: the CO2 intensity of the
    benchmark's product in the benchmark's unit I, the benchmark I_b (its id and source), the
    ratio r = I / I_b and the level whose bound it falls under (the rules of
    ``data/enterprise/carbon_grades.yaml``, :func:`cocontrol.enterprise.account.carbon_grade`;
    a ratio on a bound takes the better level). ``year``: default the last benchmark year;
    ``column``: ``intensity``, ``benchmark``, ``ratio`` or ``level``."""
    from cocontrol.enterprise.account import carbon_grade, grade_rules

    bench = acc.get("benchmark") or []
    if not bench:
        raise _unknown("cell", "benchmark", ())
    if column not in ("intensity", "benchmark", "ratio", "level"):
        raise _unknown("column", column, ("intensity", "benchmark", "ratio", "level"))
    b = max(bench, key=lambda x: x["year"]) if year is None else next(
        (x for x in bench if int(x["year"]) == int(year)), None)
    if b is None:
        raise _unknown("cell", year, sorted(x["year"] for x in bench))
    rules = rules or grade_rules()
    ratio = _div(_num(b.get("intensity")), _num(b.get("benchmark")))
    g = carbon_grade(ratio, rules) if ratio is not None else None
    value = {"intensity": b.get("intensity"), "benchmark": b.get("benchmark"), "ratio": ratio,
             "level": None if g is None else g.level}[column]
    e = _annual_row(acc, "CO2", int(b["year"]), 1) if any(
        a["species"] == "CO2" for a in acc.get("annual") or []) else {}
    unit = str(b.get("unit") or "")
    return _out("account_grade", column, value, unit if column in ("intensity", "benchmark")
                else "", "r = I / I_b", ACCOUNT_SOURCE,
                inputs=[_input("emission", e.get("value"), "t"),
                        _input("intensity", b.get("intensity"), unit),
                        _input("benchmark", b.get("benchmark"), unit,
                               f"{b.get('benchmark_id')}: {b.get('source') or ''}".strip())],
                steps=[_step("ratio", "r = I / I_b", ratio),
                       {"name": "level", "formula": "level(r)", "unit": "",
                        "value": None if g is None else float(g.level),
                        "text": None if g is None else g.label_en,
                        "text_zh": None if g is None else g.label_zh}],
                rules=[{"status": str(x.level), "condition": "r ≤ " + (
                    f"{x.max_ratio:g}" if x.max_ratio is not None else "∞"),
                        "label_en": x.label_en, "label_zh": x.label_zh} for x in rules],
                subject={"enterprise": acc.get("enterprise_id"), "year": int(b["year"]),
                         "benchmark": b.get("benchmark_id")})


# -- product footprints --------------------------------------------------------------------
def footprint_derivation(product, stage: str | None = None, input_index: int | None = None
                         ) -> dict:
    """Where a product footprint (kg CO2e per functional unit), one stage's part of it or one
    input's contribution comes from: for every input its quantity q_i, its factor f_i (kg
    CO2e per unit of q_i) and the factor's source (:func:`cocontrol.enterprise.
    product_footprint.input_factor`: the user's own or the bundled fuel, grid or process
    row), the allocation share a (ISO 14067 §6.4.6) and the number of functional units
    N = Q / FU; the contribution x_i = a · q_i · f_i / N, the number Σ x_i over the inputs
    chosen (all, the stage's, or ``input_index``)."""
    from cocontrol.enterprise._common import convert
    from cocontrol.enterprise.product_footprint import allocation_share, input_factor

    a = allocation_share(product)
    fu_unit = product.functional_unit_unit or product.output_unit
    n_fu = convert(product.output, product.output_unit, fu_unit, "functional_unit_unit") \
        / product.functional_unit
    rows = []
    for i, inp in enumerate(product.inputs):
        f, src = input_factor(inp, product.sector, product.gwp)
        rows.append({"index": i, "stage": inp.stage, "input": inp.name, "kind": inp.kind,
                     "quantity": inp.quantity, "unit": inp.unit, "factor_kg_co2e": f,
                     "factor_unit": f"kg CO2e/{inp.unit}", "source": src,
                     "kg_co2e_per_fu": inp.quantity * f * a / n_fu})
    if input_index is not None:
        if not 0 <= input_index < len(rows):
            raise _unknown("row", input_index, range(len(rows)))
        chosen = [rows[input_index]]
    elif stage is not None:
        chosen = [r for r in rows if r["stage"] == stage]
        if not chosen:
            raise _unknown("stage", stage, sorted({r["stage"] for r in rows}))
    else:
        chosen = rows
    value = float(sum(r["kg_co2e_per_fu"] for r in chosen))
    fu = f"{product.functional_unit:g} {fu_unit}"
    alloc = {"none": "a = 1", "mass": "a = m_product / Σ m",
             "economic": "a = (Q × p)_product / Σ (Q × p)"}[product.allocation]
    return _out("footprint", "kg_co2e_per_fu", value, f"kg CO2e / {fu}",
                "CF = Σ_i a × q_i × f_i / N", FOOTPRINT_SOURCE,
                inputs=[_input("output", product.output, product.output_unit),
                        _input("functional_unit", product.functional_unit, fu_unit),
                        _input("allocation", product.allocation), _input("gwp", product.gwp)],
                steps=[_step("allocation_share", alloc, a),
                       _step("n_fu", "N = Q / FU", n_fu, fu_unit),
                       _step("sum_inputs", "Σ_i a × q_i × f_i / N", value, f"kg CO2e / {fu}")],
                table={"columns": ["stage", "input", "quantity", "unit", "factor_kg_co2e",
                                   "factor_unit", "kg_co2e_per_fu", "source"],
                       "rows": chosen},
                subject={"product": product.id, "stage": stage, "input": input_index,
                         "period": product.period, "illustrative": product.illustrative})


def footprint_uncertainty_derivation(product) -> dict:
    """Where a footprint's 95 % uncertainty (half-width, %) comes from (IPCC 2006 Vol. 1
    Ch. 3, Approach 1): each input's U_i = √(U_q² + U_f²) (Eq. 3.2, a product), its
    contribution x_i (kg CO2e per functional unit, :func:`footprint_derivation`), and
    U = √Σ (U_i · x_i)² / |Σ x_i| (Eq. 3.1, a sum). Inputs without a stated uncertainty count
    as 0 % and are named."""
    base = footprint_derivation(product)
    rows, var, missing = [], 0.0, []
    for r, inp in zip(base["table"]["rows"], product.inputs, strict=True):
        uq, uf = inp.uncertainty_quantity_pct, inp.uncertainty_factor_pct
        if uq is None and uf is None:
            missing.append(inp.name)
        u = float(np.hypot(uq or 0.0, uf or 0.0))
        var += (u / 100 * r["kg_co2e_per_fu"]) ** 2
        rows.append({"stage": r["stage"], "input": r["input"], "u_quantity_pct": uq,
                     "u_factor_pct": uf, "u_pct": u, "kg_co2e_per_fu": r["kg_co2e_per_fu"]})
    total = base["value"]
    u_tot = 100 * float(np.sqrt(var)) / abs(total) if total else 0.0
    return _out("footprint_uncertainty", "uncertainty_pct_95", u_tot, "%",
                "U = √Σ (U_i · x_i)² / |Σ x_i|", "IPCC 2006 Vol. 1 Ch. 3 Approach 1, "
                "Eq. 3.1 and 3.2; cocontrol enterprise.product_footprint",
                steps=[_step("sum_inputs", "Σ x_i", total, base["unit"]),
                       _step("combined", "√Σ (U_i/100 · x_i)²", float(np.sqrt(var)),
                             base["unit"]),
                       _step("uncertainty", "U = 100 · √Σ (U_i/100 · x_i)² / |Σ x_i|", u_tot,
                             "%")],
                table={"columns": ["stage", "input", "u_quantity_pct", "u_factor_pct", "u_pct",
                                   "kg_co2e_per_fu"], "rows": rows},
                notes=[Msg("note.ent_fp_no_uncertainty", n=len(missing),
                           inputs=", ".join(missing))] if missing else [],
                subject={"product": product.id, "period": product.period})


# -- synergy projects ----------------------------------------------------------------------
PROJECT_COLUMNS = ("co2_reduction_t", "apeq_reduction", "annual_cost_yuan", "cost_per_t_co2",
                   "cost_per_apeq", "co_benefit_value_yuan", "net_cost_yuan")


def project_derivation(project, summary: Mapping, column: str, *,
                       discount_rate: float | None = None, measures: list | None = None,
                       carbon_price: float = 80.0, apeq_price: float = 1.2) -> dict:
    """Where a co-benefit or cost number of a synergy project comes from: the reductions
    ΔE = E(reference) − E(reference + project) of the scenario engine in the assessed year
    (t; APeq by :func:`cocontrol.metrics.cocontrol.cocontrol_metrics`), the annual cost
    C = capex × CRF(r, n) + opex + ΔC_energy (CRF = r / (1 − (1 + r)^−n), r the project
    version's discount rate when known), the unit costs C / ΔCO2 and C / ΔAPeq, and the
    ranking's co-benefit value V = p_CO2 × ΔCO2 + p_APeq × ΔAPeq and net cost C − V
    (:func:`cocontrol.enterprise.projects.rank_summaries`, prices in yuan per t CO2 and per
    pollution equivalent). ``measures``: the measure's library parameters
    (:func:`cocontrol.report.derivation.measure_rows`), when the version is readable."""
    from cocontrol.enterprise.projects import crf

    if column not in PROJECT_COLUMNS:
        raise _unknown("column", column, PROJECT_COLUMNS)
    s = summary
    co2, ap = _num(s.get("co2_reduction_t")), _num(s.get("apeq_reduction"))
    cost, energy = _num(s.get("annual_cost_yuan")), _num(s.get("energy_cost_change_yuan"))
    n = float(project.lifetime_years)
    f = crf(discount_rate, n) if discount_rate is not None else None
    cost_calc = (project.capex_yuan * f + project.opex_yuan_per_year + (energy or 0.0)
                 if f is not None else None)
    value_yuan = (carbon_price * co2 + apeq_price * ap) if None not in (co2, ap) else None
    net = None if cost is None or value_yuan is None else cost - value_yuan
    per_t = _div(cost, co2) if co2 is not None and co2 > 0 else None
    per_ap = _div(cost, ap) if ap is not None and ap > 0 else None
    value = {"co2_reduction_t": co2, "apeq_reduction": ap, "annual_cost_yuan": cost,
             "cost_per_t_co2": per_t, "cost_per_apeq": per_ap,
             "co_benefit_value_yuan": value_yuan, "net_cost_yuan": net}[column]
    unit = {"co2_reduction_t": "t", "apeq_reduction": "APeq", "annual_cost_yuan": "yuan/yr",
            "cost_per_t_co2": "yuan/t CO2", "cost_per_apeq": "yuan/APeq",
            "co_benefit_value_yuan": "yuan/yr", "net_cost_yuan": "yuan/yr"}[column]
    formula = {"co2_reduction_t": "ΔCO2 = E(ref) − E(ref + project)",
               "apeq_reduction": "ΔAPeq = Σ_p ΔE_p / w_p",
               "annual_cost_yuan": "C = capex × CRF(r, n) + opex + ΔC_energy",
               "cost_per_t_co2": "C / ΔCO2", "cost_per_apeq": "C / ΔAPeq",
               "co_benefit_value_yuan": "V = p_CO2 × ΔCO2 + p_APeq × ΔAPeq",
               "net_cost_yuan": "C − V"}[column]
    m = project.measure
    species = {k[:-len("_reduction_t")]: v for k, v in s.items()
               if k.endswith("_reduction_t") and k != "co2_reduction_t"}
    inputs = [_input("capex", project.capex_yuan, "yuan"),
              _input("opex", project.opex_yuan_per_year, "yuan/yr"),
              _input("lifetime", n, "yr"),
              _input("discount_rate", discount_rate),
              _input("energy_cost", energy, "yuan/yr"),
              _input("co2_reduction", co2, "t"), _input("apeq_reduction", ap, "APeq"),
              _input("carbon_price", carbon_price, "yuan/t CO2"),
              _input("apeq_price", apeq_price, "yuan/APeq")]
    steps = [_step("crf", "CRF = r / (1 − (1 + r)^−n)", f),
             _step("annual_cost", "capex × CRF + opex + ΔC_energy", cost_calc, "yuan/yr"),
             _step("cost_per_t", "C / ΔCO2", per_t, "yuan/t CO2"),
             _step("cost_per_apeq", "C / ΔAPeq", per_ap, "yuan/APeq"),
             _step("co_benefit_value", "p_CO2 × ΔCO2 + p_APeq × ΔAPeq", value_yuan, "yuan/yr"),
             _step("net_cost", "C − V", net, "yuan/yr")]
    return _out("project", column, value, unit, formula, PROJECT_SOURCE, inputs=inputs,
                steps=steps,
                table={"columns": ["species", "reduction_t"],
                       "rows": [{"species": k, "reduction_t": _num(v)}
                                for k, v in species.items()]},
                subject={"project": project.id, "year": s.get("year"), "measure_id": m.id,
                         "penetration": m.penetration, "region": m.region or project.location,
                         "start_year": m.start_year, "full_year": m.full_year,
                         "quadrant": s.get("quadrant"), "measures": measures or []})


# -- parks ---------------------------------------------------------------------------------
def _cell(rows, species: str, year: int, **keys):
    for x in rows or []:
        if x["species"] == species and int(x["year"]) == int(year) and all(
                x.get(k) == v for k, v in keys.items()):
            return x
    return None


def park_total_derivation(acc: Mapping, species: str, year: int,
                          inventory: Mapping | None = None) -> dict:
    """Where a park's total of ``species`` in ``year`` comes from: the closure
    E_park = Σ_e E_e + E_park_only over its enterprises and the park's sources of no
    enterprise (the stored breakdown, each row shown; a not-estimated part is named, never
    0), and, with ``inventory`` (:func:`cocontrol.report.derivation.derivation` filtered by
    the park), the activity rows with factors and sources."""
    tot = _cell(acc.get("total"), species, year)
    if tot is None:
        raise _unknown("cell", f"{species} {year}", sorted({f"{x['species']} {x['year']}"
                                                           for x in acc.get("total") or []}))
    parts = [{"enterprise": x["enterprise"], "value_t": _num(x["value"])}
             for x in acc.get("by_enterprise") or []
             if x["species"] == species and int(x["year"]) == int(year)]
    only = _cell(acc.get("park_only"), species, year)
    if only is not None:
        parts.append({"enterprise": "(none)", "value_t": _num(only["value"])})
    known = [p["value_t"] for p in parts if p["value_t"] is not None]
    closure = float(sum(known)) if known else None
    steps = [_step("closure", "Σ_e E_e + E_park_only", closure, "t")]
    if inventory is not None:
        steps.append(_step("sum_lines", "Σ_lines E_line", inventory.get("value_t"), "t"))
    return _out("park_total", "value", tot.get("value"), "t", "E_park = Σ_e E_e + E_park_only",
                PARK_SOURCE, steps=steps, inventory=inventory,
                table={"columns": ["enterprise", "value_t"], "rows": parts},
                subject={"park": acc.get("park"), "species": species, "year": int(year)})


def park_enterprise_derivation(acc: Mapping, enterprise: str, species: str, year: int,
                               inventory: Mapping | None = None) -> dict:
    """Where one enterprise's part (or the park-only part, ``enterprise="(none)"``) of a park
    total comes from: the inventory's lines of the enterprise in the park, E_e = Σ_lines
    A × EF × CF (their rows with ``inventory``)."""
    src = acc.get("park_only") if enterprise == "(none)" else acc.get("by_enterprise")
    x = _cell(src, species, year) if enterprise == "(none)" else _cell(
        src, species, year, enterprise=enterprise)
    if x is None:
        raise _unknown("cell", f"{enterprise} {species} {year}",
                       sorted({x["enterprise"] for x in acc.get("by_enterprise") or []}))
    steps = [] if inventory is None else [
        _step("sum_lines", "Σ_lines E_line", inventory.get("value_t"), "t")]
    return _out("park_enterprise", "value", x.get("value"), "t", "E_e = Σ_lines A × EF × CF",
                PARK_SOURCE, steps=steps, inventory=inventory,
                subject={"park": acc.get("park"), "enterprise": enterprise,
                         "species": species, "year": int(year)})


def park_target_derivation(acc: Mapping, target: str, column: str = "actual",
                           near: float = 0.9, levels=None) -> dict:
    """Where a park target's numbers come from: the park's value x (a cap: the total of the
    species in the year converted to the target's unit; an intensity: over the park's value
    added), the target's max x*, the ratio r = x / x* and its status rule, the shortfall
    s = (x − x*) / x* and its alert level (:func:`cocontrol.monitoring.targets.level_for`
    with the thresholds of ``data/monitoring/alert_levels.csv``, each with its basis).
    ``column``: ``actual``, ``max``, ``ratio`` or ``shortfall``."""
    from cocontrol.enterprise.permits import status_of
    from cocontrol.monitoring._common import bundled
    from cocontrol.monitoring.targets import level_for

    rows = [x for x in acc.get("targets") or [] if x["target"] == target]
    if not rows:
        raise _unknown("target", target, [x["target"] for x in acc.get("targets") or []])
    if column not in ("actual", "max", "ratio", "shortfall"):
        raise _unknown("column", column, ("actual", "max", "ratio", "shortfall"))
    t = rows[0]
    x, mx = _num(t.get("actual")), _num(t.get("max"))
    ratio = _div(x, mx)
    short = None if x is None or mx is None else (x - mx) / mx
    level, _why = level_for(np.nan if short is None else short, np.nan, levels)
    status = status_of(np.nan if ratio is None else ratio, near)
    lv = bundled("alert_levels") if levels is None else levels
    tot = _cell(acc.get("total"), t["species"], t["year"])
    value = {"actual": x, "max": mx, "ratio": ratio, "shortfall": short}[column]
    return _out("park_target", column, value,
                str(t.get("unit")) if column in ("actual", "max") else "",
                "s = (x − x*) / x*", PARK_SOURCE,
                inputs=[_input("park_total", None if tot is None else tot.get("value"), "t"),
                        _input("actual", x, str(t.get("unit"))),
                        _input("target_max", mx, str(t.get("unit")), t.get("basis") or None)],
                steps=[_step("ratio", "r = x / x*", ratio),
                       {"name": "status", "formula": "status(r)", "value": None, "unit": "",
                        "text": status, "text_key": _status_key(status)},
                       _step("shortfall", "s = (x − x*) / x*", short),
                       {"name": "level", "formula": "level(s)", "value": None, "unit": "",
                        "text": level, "text_key": "web_mon_level_" + level.replace(" ", "_")}],
                rules=[{"status": str(r["level"]), "condition": f"s ≤ {r['max_shortfall']:g}",
                        "basis": str(r["basis"])} for _i, r in lv.iterrows()],
                subject={"park": acc.get("park"), "target": target, "species": t["species"],
                         "year": t["year"], "kind": t.get("kind"), "status": status,
                         "level": level})


# -- screening of a proposed plant ---------------------------------------------------------
SCREENING_SOURCE = ("cocontrol enterprise.screening.screen (the plant's lines through the "
                    "project's inventory engine; benchmark and room under regional caps)")


def screening_emission_derivation(inventory, plant, species: str) -> dict:
    """Where a proposed plant's emission of ``species`` (t/yr, its design year) comes from:
    its source lines in the project's inventory with the plant added
    (:func:`cocontrol.enterprise.screening.with_plant`), each activity with its factor, the
    factor's source and the plant's controls (:func:`cocontrol.report.derivation.derivation`
    filtered by the plant's enterprise region ``new_<id>``); the number is their sum."""
    from cocontrol.metrics.derivation import derivation

    inv = derivation(inventory, species, plant.year, {"enterprise": f"new_{plant.id}"}, 1)
    return _out("screening_emission", "t", inv["value_t"], "t", "E_new = Σ_lines A × EF × CF",
                SCREENING_SOURCE, steps=[_step("sum_lines", "Σ_lines E_line", inv["value_t"], "t")],
                inputs=[_input("activity", a.value, a.unit, a.fuel or a.process)
                        for a in plant.activities],
                inventory=inv,
                subject={"plant": plant.id, "species": species, "year": plant.year})


def screening_check_derivation(plant, check: Mapping, emissions: Mapping[str, float],
                               cap=None, reference=None) -> dict:
    """Where a screening check's numbers come from. The benchmark check: the plant's
    emission E of the benchmark's species over its output Q, I = E / Q in the benchmark's
    unit (both units converted), against I_b with its source; share I / I_b, pass when
    I ≤ I_b. A cap check (``cap``, a :class:`~cocontrol.enterprise.screening.RegionalCap`):
    the room R = cap − E_ref (the reference pathway's emission of the region in the cap's
    year, ``reference`` as :func:`cocontrol.enterprise.runner.reference_by_region` gives it),
    the share E_new / R (pass when E_new ≤ R and R > 0); without a reference or an emission
    the check is not assessed."""
    from cocontrol.enterprise._common import benchmarks, convert, convert_ratio

    sp = str(check.get("species"))
    e = _num(emissions.get(sp))
    status = str(check.get("status"))
    if cap is None:
        b = benchmarks().loc[plant.benchmark]
        q = float(plant.output)
        i = None if e is None else convert_ratio(e / q, f"t/{plant.output_unit}", str(b["unit"]),
                                                 "output_unit")
        share = _div(i, float(b["value"]))
        return _out("screening_benchmark", "value", i, str(b["unit"]), "I = E / Q",
                    SCREENING_SOURCE,
                    inputs=[_input("emission", e, "t"), _input("output", q, plant.output_unit),
                            _input("benchmark", float(b["value"]), str(b["unit"]),
                                   f"{plant.benchmark}: {b['source']}")],
                    steps=[_step("intensity", "I = E / Q", i, str(b["unit"])),
                           _step("share", "I / I_b", share)],
                    subject={"plant": plant.id, "species": sp, "verdict": status})
    region = cap.region or plant.region_parent
    new = None if e is None else convert(e, "t", cap.unit, "cap unit")
    ref = None
    if reference is not None:
        r = reference[(reference["region"] == region) & (reference["species"] == sp)
                      & (reference["year"] == cap.year)]
        if len(r):
            ref = float(sum(convert(v, u, cap.unit, "reference unit")
                            for v, u in zip(r["value"], r["unit"], strict=True)))
    room = None if ref is None else cap.max - ref
    share = _div(new, room) if room is not None and room > 0 and new else None
    return _out("screening_cap", "share", share, "", "E_new / (cap − E_ref)", SCREENING_SOURCE,
                inputs=[_input("emission", new, cap.unit), _input("cap", cap.max, cap.unit,
                                                                   cap.basis or None),
                        _input("reference", ref, cap.unit)],
                steps=[_step("room", "R = cap − E_ref", room, cap.unit),
                       _step("share", "E_new / R", share)],
                subject={"plant": plant.id, "species": sp, "region": region,
                         "year": cap.year, "verdict": status})


def screening_pm25_derivation(plant, model, precursor_map, emissions: Mapping[str, float],
                              city: str | None = None, value=None) -> dict:
    """Where a proposed plant's ΔPM2.5 (µg/m³, annual mean at the city receptor) comes from
    (:func:`cocontrol.enterprise.screening.screen`): the plant's emission changes E_s (t/yr,
    its design year; CO2e and not-estimated species left out, as the screening leaves them),
    the precursor changes ΔP_p = Σ_s M_ps · E_s (M: the species → precursor map, e.g. OM =
    1.4 × OC), the air-quality model's PM2.5 coefficient J_p of each precursor for the city's
    own emissions (µg/m³ per t/yr, its Jacobian) and ΔPM2.5 = Σ_p J_p · ΔP_p (the step
    recomputes the sum of the products from the table). ``value``: the number shown (default
    the model's answer, :func:`cocontrol.monitoring.pm25.city_response`). A model without
    coefficients (not linear) shows the precursor changes and its answer alone."""
    from cocontrol.airquality.base import PM25
    from cocontrol.monitoring.pm25 import city_response, precursor_matrix

    city = city or model.receptors[0]
    own = {str(s): _num(v) for s, v in emissions.items() if str(s) != "CO2e"}
    used = set(precursor_map["species"])
    missing = sorted(s for s, v in own.items() if v is None and s in used)
    own = {s: v for s, v in own.items() if v is not None}
    species = list(own)
    prec, M = precursor_matrix(species, precursor_map)
    dP = M @ np.array([own[s] for s in species], dtype=float)
    coef = None
    if callable(getattr(model, "jacobian", None)):
        jac = model.jacobian(PM25, receptors=[city])
        jac = jac[jac["source_region"] == city].groupby("precursor")["value"].sum()
        coef = {p: float(jac.get(p, 0.0)) for p in prec} if not jac.empty else None
    rows = []
    for i, p in enumerate(prec):
        terms = "".join(f" {'−' if M[i, k] < 0 else '+'} {abs(M[i, k]):g} × {s}"
                        for k, s in enumerate(species) if M[i, k] != 0).removeprefix(" + ")
        j = None if coef is None else coef[p]
        rows.append({"precursor": p, "from_species": terms.strip() or "—",
                     "delta_t": float(dP[i]), "coef_ugm3_per_t": j,
                     "delta_ugm3": None if j is None else j * float(dP[i])})
    total = (float(sum(r["delta_ugm3"] for r in rows)) if coef is not None
             else city_response(model, city, prec, dP))
    shown = total if value is None else value
    meta = dict(getattr(model, "metadata", {}) or {})
    share = meta.get("local_share")
    if isinstance(share, Mapping):
        vals = set(share.values())
        share = next(iter(vals)) if len(vals) == 1 else ", ".join(
            f"{k} {v:g}" for k, v in share.items())
    notes = [Msg("note.ent_pm25_partial", species=Seq(missing))] if missing else []
    if coef is None:
        notes.append(Msg("msg.ent_drv_pm25_not_linear"))
    name = str(getattr(model, "name", type(model).__name__))
    return _out("screening_pm25", "delta_pm25_ugm3", shown, "µg/m³",
                "ΔPM2.5 = Σ_p J_p · Σ_s M_ps · E_s", str(meta.get("source") or name),
                inputs=[*(_input("emission", own[s], "t/yr", "E_new (enterprise.screening)",
                                 label=s) for s in species if s in used),
                        *([_input("pm25_base", meta["pm25_base_ugm3"], "µg/m³")]
                          if meta.get("pm25_base_ugm3") is not None else []),
                        *([_input("local_share", share)] if share is not None else [])],
                steps=[_step("delta_pm25", "Σ_p J_p · ΔP_p", total, "µg/m³")],
                table={"columns": ["precursor", "from_species", "delta_t", "coef_ugm3_per_t",
                                   "delta_ugm3"], "rows": rows},
                notes=notes, subject={"plant": plant.id, "city": city, "model": name,
                                      "year": plant.year})


def park_score_derivation(acc: Mapping) -> dict:
    """Where a park's evaluation score and rank come from (:func:`cocontrol.enterprise.parks.
    park_score`, the park index system of :mod:`cocontrol.evaluation`): each indicator's
    value, its normalised score s_k (0–1), its global weight w_k and its points of the score
    100 · w_k · s_k; the score is the sum of the points, the rank its place among the parks evaluated that year.
    An evaluation stored without its indicators shows the score alone."""
    ev = acc.get("evaluation")
    if not ev:
        raise _unknown("cell", "evaluation", ())
    rows = ev.get("indicators") or []
    pts = [r["points"] for r in rows if r.get("points") is not None]
    total = float(sum(pts)) if pts else None
    return _out("park_score", "score", ev.get("score"), "/ 100", "score = 100 · Σ_k w_k · s_k",
                "cocontrol evaluation (park index system " + str(ev.get("system") or "") + ")",
                inputs=[_input("rank", ev.get("rank")), _input("of", ev.get("of"))],
                steps=[_step("sum_points", "100 · Σ_k w_k · s_k", total, "/ 100")],
                table={"columns": ["indicator", "value", "unit", "normalized", "weight",
                                   "points"], "rows": rows},
                subject={"park": acc.get("park"), "year": ev.get("year"),
                         "grade": ev.get("grade_en")})
