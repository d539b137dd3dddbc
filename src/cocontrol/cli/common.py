"""Helpers shared by CLI modules: language, output formats, error display, exit codes."""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
from enum import Enum
from pathlib import Path

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from cocontrol import i18n
from cocontrol.errors import (
    CocontrolError,
    InfeasibleError,
    InputError,
    ModelError,
    Problem,
    message_text,
    render,
)
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


class Assets(str, Enum):
    inline = "inline"
    shared = "shared"


def assets_option() -> Assets:
    """``--assets``: plotly.js inside each HTML report (default) or one shared copy."""
    return typer.Option(Assets.inline, "--assets", help="inline: one self-contained HTML file "
                        "(default); shared: plotly.js once in OUT/assets/ for several reports")


def pdf_option() -> bool:
    """``--pdf``: also print every HTML report to PDF (headless Chromium)."""
    return typer.Option(False, "--pdf", help="also write a PDF of each report (needs "
                        "Chromium: scripts/ensure-chromium.sh)")


class Format(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"
    xlsx = "xlsx"


#: columns of coded values shown by name in console tables: column -> bundled code list
NAMED_COLUMNS = {"sector": "sectors", "sector_parent": "sectors", "fuel": "fuels",
                 "process": "processes", "measure": "measures", "technology": "control_tech"}


def shown(df: pd.DataFrame, lang: str | None = None) -> pd.DataFrame:
    """``df`` as a console table shows it in ``lang`` (default: the command's language):
    codes of the bundled code lists by name, column headings from the catalogue. Only the
    display: CSV, JSON and Excel outputs keep the codes."""
    lang = ui_lang(lang)
    d = df.reset_index() if not isinstance(df.index, pd.RangeIndex) else df.copy()
    for c, table in NAMED_COLUMNS.items():
        if c in d.columns and not pd.api.types.is_numeric_dtype(d[c]):
            d[c] = [v if pd.isna(v) else i18n.name(table, v, lang) for v in d[c]]
    if "estimate" in d.columns:  # "not estimated" / "partial: ..." in the user's language
        from cocontrol.inventory.inventory import estimate_label

        d["estimate"] = [estimate_label(v, lang) for v in d["estimate"]]
    d.columns = [_heading(c, lang) for c in d.columns]
    return d


def _heading(col, lang: str) -> str:
    """A column heading in ``lang``: catalogue key ``col.<name>``, else ``<name>``, else as
    is (years and the project's own columns)."""
    c = str(col)
    for key in (f"col.{c}", c):
        if i18n.has(key):
            return i18n.t(key, lang)
    return c


def print_df(df: pd.DataFrame, title: str | None = None, float_fmt: str = "{:,.2f}",
             max_rows: int = 60, lang: str | None = None) -> None:
    """Pretty-print a DataFrame as a Rich table (names, not codes: :func:`shown`)."""
    tab = Table(title=title, show_lines=False)
    d = shown(df, lang)
    for c in d.columns:
        tab.add_column(str(c), justify="right" if pd.api.types.is_numeric_dtype(d[c]) else "left")
    # an emission table (with its estimate column): an empty number is "not estimated"
    ne = i18n.t("not_estimated", ui_lang(lang)) if "estimate" in df.columns else None
    for _, row in d.head(max_rows).iterrows():
        tab.add_row(*[(ne if ne and v != v else float_fmt.format(v)) if isinstance(v, float)
                      else str(v) for v in row])
    console.print(tab)
    if len(d) > max_rows:
        console.print(i18n.t("cli.more_rows", ui_lang(lang), n=len(d) - max_rows))


def say(key: str, lang: str | None = None, /, **fmt) -> None:
    """Print the catalogue text ``key`` in the command's language (``fmt`` fills it)."""
    console.print(i18n.Msg(key, **fmt).tr(ui_lang(lang)), highlight=False, soft_wrap=True)


def label(key: str, /, **fmt) -> str:
    """The catalogue text ``key`` (a table title, a heading) in the command's language."""
    return i18n.Msg(key, **fmt).tr(ui_lang())


def bad_parameter(key: str, /, **fmt) -> typer.BadParameter:
    """A usage error (exit code 2) whose text is the catalogue's ``key`` in the command's
    language."""
    return typer.BadParameter(i18n.Msg(key, **fmt).tr(ui_lang()))


def wrote(path, lang: str | None = None) -> None:
    """The status line of a file written (``wrote PATH`` / ``已写入 PATH``)."""
    console.print(f"{i18n.t('wrote', ui_lang(lang))} {path}", highlight=False, soft_wrap=True)


def note(text, lang: str | None = None) -> None:
    """A note of a result (``note: …`` / ``说明：…``); ``text`` may be an i18n.Msg."""
    console.print(f"[yellow]{i18n.t('cli.note', ui_lang(lang))}[/] "
                  f"{i18n.tr(text, ui_lang(lang))}", highlight=False)


def emit(df: pd.DataFrame, fmt: Format, output: Path | None, title: str | None = None) -> None:
    """Write ``df`` in the requested format to ``output`` or stdout (xlsx needs ``output``)."""
    from cocontrol import io

    if fmt == Format.table:
        print_df(df, title)
        if output:
            io.write_text(output, safe_frame(df).to_csv())
        return
    if fmt == Format.xlsx:
        if output is None:
            raise bad_parameter("msg.cli_xlsx_needs_output")
        from cocontrol.xlsxreport import write_workbook

        write_workbook({title or "table": safe_frame(df)}, output)
        wrote(output)
        return
    text = safe_frame(df).to_csv() if fmt == Format.csv else df.reset_index().to_json(orient="records",
                                                                            force_ascii=False)
    if output:
        io.write_text(output, text)
    else:
        sys.stdout.write(text + ("\n" if not text.endswith("\n") else ""))


i18n.register({
    "cli.internal": ("Internal error (please report it; run again with --debug for the "
                     "details)", "程序内部错误（请报告；加 --debug 重新运行可查看详细信息）"),
    "cli.interrupted": ("Interrupted: no output was completed", "已中断：未完成任何输出"),
    "cli.cannot_write": ("Cannot write the output", "无法写入输出"),
    "cli.more_rows": ("... {n} more rows", "……另有{n}行"),
    "cli.validated": ("{n_rows} activity rows, {n_lines} source lines, {n_regions} regions "
                      "(read: {files})", "{n_rows}行活动数据，{n_lines}条排放源明细，"
                      "{n_regions}个区域（已读取：{files}）"),
    "cli.run_peak": ("CO2 peak {year} ({mt} Mt)", "CO2峰值{year}年（{mt}百万吨）"),
    "cli.targets": ("targets", "目标"),
    "col.target": ("target", "目标"),
    "col.limit": ("limit", "限值"),
    "col.passed": ("passed", "是否达标"),
    "col.margin": ("margin", "余量"),
    "col.note": ("note", "说明"),
    "col.score": ("score", "得分"),
    "col.rank": ("rank", "排名"),
    "col.grade": ("grade", "等级"),
    "col.indicator": ("indicator", "指标"),
    "col.change": ("change", "变化"),
    "col.group": ("group", "分组"),
    "col.estimate": ("estimate", "估算状态"),
    "cli.note": ("note:", "说明："),
})


def _msg(message: str, lang: str) -> str:
    """``message`` in ``lang`` (:func:`cocontrol.errors.message_text`)."""
    return message_text(message, lang)


def render_problem(p: Problem, lang: str | None = None) -> str:
    """A problem as one line in the user's language (:func:`cocontrol.errors.render`)."""
    return render(p, ui_lang(lang))


def _exc_text(exc: BaseException, lang: str) -> str:
    """An error's message in ``lang`` (a catalogue message is translated; other text as is)."""
    if exc.args and isinstance(exc.args[0], i18n.Msg | i18n.Text):
        return i18n.tr(exc.args[0], lang)
    return str(exc)


def fail(exc: BaseException, lang: str | None = None) -> None:
    """Print an error plainly and exit with the matching code (never a traceback):
    1 bad input or infeasible, 3 a model failed or an internal error. With ``--debug`` the
    traceback is printed first."""
    if debug_enabled() and exc.__traceback__ is not None:
        import traceback

        traceback.print_exception(exc, file=sys.stderr)
    lang = ui_lang(lang)
    if isinstance(exc, InputError):
        err_console.print(f"[bold red]{len(exc.problems)} {i18n.t('problems_found', lang)}[/]")
        for p in exc.problems:
            err_console.print(f"  - {render_problem(p, lang)}", markup=False, highlight=False)
        raise typer.Exit(EXIT_INPUT)
    if isinstance(exc, InfeasibleError):
        err_console.print(f"[bold red]{i18n.t('err_infeasible', lang)}:[/] ", end="")
        err_console.print(_exc_text(exc, lang), markup=False, highlight=False)
        raise typer.Exit(EXIT_INPUT)
    if isinstance(exc, ModelError):
        err_console.print(f"[bold red]{i18n.t('err_model', lang)}:[/] ", end="")
        err_console.print(_exc_text(exc, lang), markup=False, highlight=False)
        raise typer.Exit(EXIT_MODEL)
    if isinstance(exc, CocontrolError):
        err_console.print(f"[bold red]{i18n.t('err_error', lang)}:[/] ", end="")
        err_console.print(_exc_text(exc, lang), markup=False, highlight=False)
        raise typer.Exit(EXIT_INPUT)
    if isinstance(exc, KeyboardInterrupt):
        err_console.print(f"[bold red]{i18n.t('cli.interrupted', lang)}[/]")
        raise typer.Exit(130)
    if isinstance(exc, OSError) and getattr(exc, "filename", None):
        err_console.print(f"[bold red]{i18n.t('cli.cannot_write', lang)}:[/] ", end="")
        err_console.print(f"{exc.filename}: {exc.strerror}", markup=False, highlight=False)
        raise typer.Exit(EXIT_INPUT)
    err_console.print(f"[bold red]{i18n.t('cli.internal', lang)}:[/] ", end="")
    err_console.print(f"{type(exc).__name__}: {exc}", markup=False, highlight=False)
    raise typer.Exit(EXIT_MODEL)


def _is_cli_exit(e: BaseException) -> bool:
    """typer/click's own exits and usage errors (exit 2), which click reports itself."""
    names = {c.__name__ for c in type(e).__mro__}
    return isinstance(e, SystemExit | typer.Exit | typer.Abort) or bool(
        names & {"ClickException", "Abort", "Exit"})


def debug_enabled() -> bool:

    ctx = _current_context()
    if ctx is not None and ctx.find_root().meta.get("cocontrol.debug"):
        return True
    return os.environ.get("COCONTROL_DEBUG", "") not in ("", "0")


def guard(fn):
    """Wrap a command: every failure becomes a plain message and its exit code; with
    ``--debug`` the traceback is printed too."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except BaseException as e:  # noqa: BLE001 - the one place that catches everything
            if _is_cli_exit(e):
                raise
            fail(e)

    wrapper.__cocontrol_guarded__ = True
    return wrapper


def read_table(path: Path, sheet: str | None = None) -> pd.DataFrame:
    """Read a CSV (UTF-8, with or without BOM) or Excel table; InputError when unreadable."""
    if not path.exists():
        raise InputError(Problem(str(path), i18n.Msg("msg.file_not_found"),
                                 expected=i18n.Msg("exp.existing_table")))
    from cocontrol import io

    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls"):
        return io.read_excel(path, sheet_name=sheet or 0)
    if suffix in (".csv", ".txt"):
        return io.read_csv(path)
    raise InputError(Problem(str(path), i18n.Msg("msg.file_type"), value=suffix,
                             expected=i18n.Msg("exp.csv_or_xlsx")))


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
