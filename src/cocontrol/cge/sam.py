"""Social accounting matrix (SAM): read from CSV/Excel, validate, check the balance.

Convention (Hosoe, Gasawa & Hashimoto 2010, ch. 3): **rows receive, columns pay**; every
account's row total equals its column total. Activities and commodities share one account per
sector (as in the book's standard model). The special accounts are named by a
:class:`SamRoles` record; the defaults are the book's labels:

============  ==========================================================
``CAP LAB``   factors (any number; listed in ``factors``)
``IDT``       indirect (production) tax, row paid by sectors
``TRF``       import tariff, row paid by sectors (on their imports)
``HOH``       household (one representative household)
``GOV``       government
``INV``       savings–investment
``EXT``       rest of the world (row: imports; column: exports; INV/EXT cell: foreign savings)
============  ==========================================================

Every other account is a sector. Cells must be non-negative except the savings row ``INV``
(negative foreign or government savings are legitimate).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg as M
from cocontrol.i18n import Seq


@dataclass(frozen=True)
class SamRoles:
    """Names of the special accounts of a SAM (defaults: Hosoe et al. 2010 labels)."""

    factors: tuple[str, ...] = ("CAP", "LAB")
    indirect_tax: str = "IDT"
    tariff: str = "TRF"
    household: str = "HOH"
    government: str = "GOV"
    investment: str = "INV"
    rest_of_world: str = "EXT"

    def special(self) -> list[str]:
        return [*self.factors, self.indirect_tax, self.tariff, self.household, self.government,
                self.investment, self.rest_of_world]


@dataclass
class Sam:
    """A validated, balanced SAM.

    Attributes
    ----------
    table : DataFrame
        Square matrix (rows receive, columns pay), float, in the SAM's money unit.
    unit : str
        Money unit of every cell, e.g. ``"billion yuan (2020 prices)"``.
    roles : SamRoles
    source : str
        Provenance of the table.
    notes : dict
        Free-text basis of each row (from an optional ``source``/``basis`` column).
    """

    table: pd.DataFrame
    unit: str = "money units"
    roles: SamRoles = field(default_factory=SamRoles)
    source: str = ""
    notes: dict = field(default_factory=dict)

    @property
    def sectors(self) -> list[str]:
        sp = set(self.roles.special())
        return [a for a in self.table.index if a not in sp]

    def cell(self, row: str, col: str) -> float:
        return float(self.table.at[row, col])

    def imbalance(self) -> pd.Series:
        """Row total minus column total of every account (0 when balanced)."""
        return self.table.sum(axis=1) - self.table.sum(axis=0)


def leading_comment_lines(path: Path) -> int:
    """Number of ``#`` comment (and blank) lines before the header of a CSV file, so that
    reported row numbers match what the user sees in an editor (header row = 1 + this)."""
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        return 0
    from cocontrol import io

    return io.leading_comments(io.read_text(path))


def _read_raw(path: Path, sheet: str | int | None) -> tuple[pd.DataFrame, list[str]]:
    from cocontrol import io

    comments: list[str] = []
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        df = io.read_excel(path, sheet_name=sheet if sheet is not None else 0, index_col=0)
    else:
        text = io.read_text(path)
        comments = io.comment_lines(text)
        df = io.read_csv(path, data=text.encode("utf-8"), index_col=0, skip_blank_lines=True)
    return df, comments


def read_sam(path: str | Path, roles: SamRoles | None = None, sheet: str | int | None = None,
             unit: str | None = None, tol: float = 1e-6) -> Sam:
    """Read, validate and balance-check a SAM from CSV or Excel.

    The first column holds the row labels, the header the column labels (same labels, same
    order not required). An optional text column ``source`` (or ``basis``) documents each row.
    In CSV files, lines starting with ``#`` are comments; a comment ``unit: ...`` sets the unit
    and ``source: ...`` the provenance.

    Parameters
    ----------
    path : file name (.csv, .xlsx)
    roles : names of the special accounts (default :class:`SamRoles`)
    sheet : Excel sheet (default the first)
    unit : money unit, overrides a ``unit:`` comment
    tol : relative tolerance of the balance check (``|row - column| <= tol * max(1, total)``)

    Raises
    ------
    InputError
        listing every problem: missing accounts, non-numeric or negative cells, labels that
        differ between rows and columns, unbalanced accounts (with both totals).
    """
    path = Path(path)
    fname = str(path)
    if not path.exists():
        raise InputError(Problem(file=fname, message=M("msg.cge_sam_file_not_found"),
                                 expected=M("msg.cge_existing_csv_xlsx_file")))
    roles = roles or SamRoles()
    try:
        raw, comments = _read_raw(path, sheet)
    except Exception as e:  # unreadable file: report plainly
        raise InputError(Problem(file=fname, message=M("msg.cge_cannot_read_sam", e=e),
                                 expected=M("msg.cge_csv_excel_with_row"))) from e
    meta = {"unit": unit, "source": ""}
    for c in comments:
        key, _, val = c.partition(":")
        if key.strip().lower() in ("unit", "source") and val.strip():
            if key.strip().lower() == "unit" and unit is None:
                meta["unit"] = val.strip()
            elif key.strip().lower() == "source":
                meta["source"] = (meta["source"] + " " + val.strip()).strip()
    notes: dict = {}
    for col in list(raw.columns):
        if str(col).strip().lower() in ("source", "basis", "note", "notes"):
            notes = {str(k): str(v) for k, v in raw[col].items() if pd.notna(v)}
            raw = raw.drop(columns=col)
    raw.index = [str(i).strip() for i in raw.index]
    raw.columns = [str(c).strip() for c in raw.columns]
    problems: list[Problem] = []
    off = leading_comment_lines(path) + 2  # file line of the first data row
    rows, cols = list(raw.index), list(raw.columns)
    for a in rows:
        if a not in cols:
            problems.append(Problem(file=fname, message=M("msg.cge_account_has_row_but", a=repr(a)),
                                    column=a, expected=M("msg.cge_same_accounts_as_rows")))
    for a in cols:
        if a not in rows:
            problems.append(Problem(file=fname, message=M("msg.cge_account_has_column_but", a=repr(a)),
                                    column=a, expected=M("msg.cge_same_accounts_as_rows")))
    for a in roles.special():
        if a not in rows:
            problems.append(Problem(file=fname, message=M("msg.cge_required_account_missing", a=repr(a)),
                                    expected=M("exp.cge_accounts", items=Seq(list(roles.special()), quote=True))))
    if problems:
        raise InputError(problems)
    raw = raw.loc[rows, rows]
    num = raw.apply(pd.to_numeric, errors="coerce")
    bad = num.isna() & raw.notna() & (raw.astype(str).apply(lambda s: s.str.strip()) != "")
    for r, c in zip(*np.nonzero(bad.to_numpy()), strict=True):
        problems.append(Problem(file=fname, message=M("msg.cge_cell_not_number"), row=int(r) + off,
                                column=cols[c] if c < len(cols) else None,
                                value=raw.iat[r, c], expected=M("msg.cge_number_empty_0")))
    num = num.fillna(0.0).astype(float)
    v = num.to_numpy()
    neg = v < 0
    inv_i = rows.index(roles.investment)
    neg[inv_i, :] = False
    for r, c in zip(*np.nonzero(neg), strict=True):
        problems.append(Problem(file=fname, message=M("msg.cge_negative_flow"), row=int(r) + off,
                                column=rows[c], value=v[r, c],
                                expected=M("msg.cge_value_0_only_savings", roles_investment=roles.investment)))
    if problems:
        raise InputError(problems)
    sam = Sam(num, unit=meta["unit"] or "money units", roles=roles, source=meta["source"],
              notes=notes)
    check_balance(sam, fname, tol, first_row=off)
    if not sam.sectors:
        raise InputError(Problem(file=fname, message=M("msg.cge_sam_has_no_sector"),
                                 expected=M("exp.cge_one_account", items=Seq(list(roles.special()), quote=True))))
    return sam


def check_balance(sam: Sam, fname: str = "<SAM>", tol: float = 1e-6,
                  first_row: int = 2) -> None:
    """Raise :class:`InputError` naming every account whose row and column totals differ."""
    rt = sam.table.sum(axis=1)
    ct = sam.table.sum(axis=0)
    problems = []
    for i, a in enumerate(sam.table.index):
        if abs(rt[a] - ct[a]) > tol * max(1.0, abs(rt[a]), abs(ct[a])):
            problems.append(Problem(
                file=fname, row=i + first_row, column=a,
                message=M("msg.cge_account_not_balanced_row", a=repr(a), rt_a=format(rt[a], ',.6g'), ct_a=format(ct[a], ',.6g')),
                value=float(rt[a] - ct[a]), expected=M("msg.cge_equal_row_column_totals")))
    if problems:
        raise InputError(problems)


def sam_from_frame(df: pd.DataFrame, unit: str = "money units", roles: SamRoles | None = None,
                   source: str = "", tol: float = 1e-6) -> Sam:
    """Build a validated :class:`Sam` from an in-memory square DataFrame."""
    roles = roles or SamRoles()
    t = df.astype(float).copy()
    t.index = [str(i) for i in t.index]
    t.columns = [str(c) for c in t.columns]
    t = t.loc[list(t.index), list(t.index)]
    sam = Sam(t, unit=unit, roles=roles, source=source)
    check_balance(sam, "<SAM>", tol)
    return sam
