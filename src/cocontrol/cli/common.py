"""Helpers shared by CLI modules: language, output formats, error display, exit codes."""

from __future__ import annotations

import contextlib
import importlib
import sys
from enum import Enum
from pathlib import Path

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from cocontrol import i18n
from cocontrol.errors import CocontrolError, InfeasibleError, InputError, ModelError, Problem
from cocontrol.project.cells import safe_frame

# Wide output when not on a terminal (CI logs, pipes), so tables are not truncated.
console = Console(width=None if sys.stdout.isatty() else 160)
err_console = Console(stderr=True, width=None if sys.stderr.isatty() else 160)

EXIT_OK = 0
EXIT_INPUT = 1
EXIT_USAGE = 2
EXIT_MODEL = 3


class Lang(str, Enum):
    en = "en"
    zh = "zh"


def _current_context():
    """The running command's context (typer ≥ 0.20 vendors click as ``typer._click``)."""
    for mod in ("typer._click.globals", "click.globals"):
        try:
            g = importlib.import_module(mod)
        except ImportError:
            continue
        ctx = g.get_current_context(silent=True)
        if ctx is not None:
            return ctx
    return None


def ui_lang(explicit: str | Lang | None = None) -> str:
    """The language of this command: its own ``--lang`` if given, else the global
    ``cocontrol --lang`` (kept in the click context), else English."""
    if explicit is not None:
        return i18n.check_lang(explicit)
    ctx = _current_context()
    while ctx is not None:
        if isinstance(ctx.obj, dict) and "lang" in ctx.obj:
            return i18n.check_lang(ctx.obj["lang"])
        ctx = ctx.parent
    return "en"


def lang_option() -> Lang | None:
    """``--lang`` of a command; ``None`` = the global ``cocontrol --lang``."""
    return typer.Option(None, "--lang", help="en or zh (default: the global --lang)")


class Format(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"
    xlsx = "xlsx"


def print_df(df: pd.DataFrame, title: str | None = None, float_fmt: str = "{:,.2f}",
             max_rows: int = 60) -> None:
    """Pretty-print a DataFrame as a Rich table."""
    tab = Table(title=title, show_lines=False)
    d = df.reset_index() if not isinstance(df.index, pd.RangeIndex) else df
    for c in d.columns:
        tab.add_column(str(c), justify="right" if pd.api.types.is_numeric_dtype(d[c]) else "left")
    for _, row in d.head(max_rows).iterrows():
        tab.add_row(*[float_fmt.format(v) if isinstance(v, float) else str(v) for v in row])
    console.print(tab)
    if len(d) > max_rows:
        console.print(f"... {len(d) - max_rows} more rows")


def emit(df: pd.DataFrame, fmt: Format, output: Path | None, title: str | None = None) -> None:
    """Write ``df`` in the requested format to ``output`` or stdout (xlsx needs ``output``)."""
    if fmt == Format.table:
        print_df(df, title)
        if output:
            safe_frame(df).to_csv(output)
        return
    if fmt == Format.xlsx:
        if output is None:
            raise typer.BadParameter("--format xlsx needs --output FILE.xlsx")
        safe_frame(df).to_excel(output)
        console.print(f"wrote {output}")
        return
    text = safe_frame(df).to_csv() if fmt == Format.csv else df.reset_index().to_json(orient="records",
                                                                            force_ascii=False)
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text + ("\n" if not text.endswith("\n") else ""))


def fail(exc: CocontrolError, lang: str | None = None) -> None:
    """Print a domain error plainly and exit with the matching code (never a traceback)."""
    lang = ui_lang(lang)
    if isinstance(exc, InputError):
        err_console.print(f"[bold red]{len(exc.problems)} {i18n.t('problems_found', lang)}[/]")
        for p in exc.problems:
            err_console.print(f"  - {p}", markup=False, highlight=False)
        raise typer.Exit(EXIT_INPUT)
    if isinstance(exc, InfeasibleError):
        err_console.print(f"[bold red]{i18n.t('err_infeasible', lang)}:[/] {exc}",
                          highlight=False)
        raise typer.Exit(EXIT_INPUT)
    if isinstance(exc, ModelError):
        err_console.print(f"[bold red]{i18n.t('err_model', lang)}:[/] {exc}", highlight=False)
        raise typer.Exit(EXIT_MODEL)
    err_console.print(f"[bold red]{i18n.t('err_error', lang)}:[/] {exc}", highlight=False)
    raise typer.Exit(EXIT_INPUT)


def read_table(path: Path, sheet: str | None = None) -> pd.DataFrame:
    """Read a CSV (UTF-8, with or without BOM) or Excel table; InputError when unreadable."""
    if not path.exists():
        raise InputError(Problem(str(path), "file not found", expected="an existing .csv or "
                                 ".xlsx file"))
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm", ".xls"):
            return pd.read_excel(path, sheet_name=sheet or 0)
        if suffix in (".csv", ".txt"):
            return pd.read_csv(path, encoding="utf-8-sig")
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as e:
        raise InputError(Problem(str(path), f"cannot read the table: {e}", sheet=sheet)) from e
    raise InputError(Problem(str(path), "unsupported file type", value=suffix,
                             expected=".csv or .xlsx"))


@contextlib.contextmanager
def progress_bar(enabled: bool | None = None):
    """A :mod:`cocontrol.progress` callback rendered with rich on stderr (one bar per stage).

    Yields the callback to pass as ``progress=`` to the library. Rendering is on when stderr
    is a terminal (``enabled=None``) so pipes, CI logs and tests stay clean.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    on = err_console.is_terminal if enabled is None else enabled
    if not on:
        yield None
        return
    bars = Progress(TextColumn("{task.fields[stage]}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("{task.description}"), TimeElapsedColumn(),
                    console=err_console, transient=True)
    tasks: dict[str, int] = {}

    def callback(stage: str, done: int, total: int | None, message: str = "") -> None:
        if stage not in tasks:
            tasks[stage] = bars.add_task(message, total=total, stage=stage)
        bars.update(tasks[stage], completed=done, total=total, description=message)

    with bars:
        yield callback
