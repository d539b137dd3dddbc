"""Command-line interface (Typer + Rich): a thin shell over the library.

Each stage contributes its commands from its own module ``cocontrol.cli.<stage>`` through a
``register(app)`` function, so the modules stay small and independent.

Exit codes: 0 success; 1 the input has problems (validation errors, infeasible targets);
2 usage error (bad options); 3 a model failed to solve.
"""

from __future__ import annotations

import importlib
import sys

import typer
from typer.core import TyperGroup

try:  # the click that typer raises from (typer vendors its own since 0.2x)
    from typer._click import exceptions as _cx
except ImportError:  # pragma: no cover - an older typer on the real click
    from click import exceptions as _cx


def _lang_of(args) -> str:
    """``--lang`` of a command line (global or a command's own; the last one wins)."""
    lang = "en"
    for i, a in enumerate(args):
        if a == "--lang" and i + 1 < len(args):
            lang = args[i + 1]
        elif a.startswith("--lang="):
            lang = a.split("=", 1)[1]
    return lang


def _zh(key: str, **fmt) -> str:
    """The catalogue text ``key`` in Chinese."""
    from cocontrol import i18n

    return i18n.t(key, "zh", **fmt)


def usage_text_zh(e: _cx.UsageError) -> str:
    """A usage error (exit code 2) in Chinese: click's own words (missing argument, no such
    option, invalid value) from the catalogue, our messages as translated already."""
    t = _zh
    hint = None
    if isinstance(e, _cx.BadParameter):
        hint = e.param_hint or (getattr(e.param, "opts", None) or [None])
        if isinstance(hint, list | tuple):
            hint = " / ".join(f"'{h}'" for h in hint if h) or None
    if isinstance(e, _cx.MissingParameter):
        text = t("cli.usage_missing", name=hint or "")
    elif isinstance(e, _cx.NoSuchOption):
        near = list(e.possibilities or [])
        text = t("cli.usage_no_option", name=e.option_name) + (
            t("msg.did_you_mean", name=" 或 ".join(near)) if near else "")
    elif isinstance(e, _cx.BadParameter):
        text = (t("cli.usage_bad_value", name=hint, message=e.message) if hint else
                t("cli.usage_bad_value_plain", message=e.message))
    elif e.message == "Missing command.":
        text = t("cli.usage_missing_command")
    else:
        text = t("cli.usage_error", message=e.message)
    out = []
    if e.ctx is not None:
        out.append(e.ctx.get_usage().replace("Usage:", t("cli.usage_usage"), 1))
        out.append(t("cli.usage_try", cmd=f"{e.ctx.command_path} --help"))
        out.append("")
    out.append(t("cli.usage_prefix") + text)
    return "\n".join(out)


class _Group(TyperGroup):
    """The command group: under ``--lang zh`` a usage error (click's "Missing argument",
    "No such option", "Invalid value") is printed in Chinese, exit code 2 as ever; in English
    click/typer print it as they do."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True,
             **extra):
        argv = list(sys.argv[1:] if args is None else args)
        if not standalone_mode or _lang_of(argv) != "zh":
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            rv = super().main(argv, prog_name, complete_var, False, **extra)
        except _cx.UsageError as e:
            typer.echo(usage_text_zh(e), err=True)
            sys.exit(e.exit_code)
        except _cx.ClickException as e:  # another of click's errors (a file it could not open)
            typer.echo(_zh("cli.usage_prefix") + e.format_message(), err=True)
            sys.exit(e.exit_code)
        except typer.Abort:
            typer.echo(_zh("cli.usage_aborted"), err=True)
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) else 0)




app = typer.Typer(
    cls=_Group,
    name="cocontrol",
    help="cocontrol: coordinated control of air pollutants and GHGs (减污降碳协同增效)",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)



@app.callback()
def _root(
    ctx: typer.Context,
    lang: str = typer.Option("en", "--lang", help="language of messages and labels: en or zh "
                             "(语言：en 英文, zh 中文); a command's own --lang overrides it"),
    debug: bool = typer.Option(False, "--debug", help="show the traceback of an error"),
) -> None:
    """cocontrol: coordinated control of air pollutants and GHGs (减污降碳协同增效)."""
    from cocontrol import i18n

    try:
        lang = i18n.check_lang(lang)
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint="--lang") from e
    # no global state: the language travels in the click context (cli.common.ui_lang)
    ctx.obj = {**(ctx.obj or {}), "lang": lang}
    ctx.meta["cocontrol.debug"] = debug


# Command modules, in the order of the data flow. Each defines register(app).
_MODULES = ["inventory", "scenario", "airquality", "metrics", "optimize", "cge", "evaluation",
            "monitor", "enterprise", "uncertainty", "demo", "serve"]

for _name in _MODULES:
    try:
        _mod = importlib.import_module(f"cocontrol.cli.{_name}")
    except ModuleNotFoundError as _e:  # a stage not built yet
        if _e.name != f"cocontrol.cli.{_name}":
            raise
        continue
    _mod.register(app)

# No exception reaches a user: every command runs inside the CLI's error guard.
from cocontrol.cli.common import guard as _guard  # noqa: E402

for _cmd in app.registered_commands:
    if _cmd.callback is not None and not getattr(_cmd.callback, "__cocontrol_guarded__", False):
        _cmd.callback = _guard(_cmd.callback)


def main() -> None:
    import logging

    # the application (not the library) decides what is logged: linopy's solver chatter off
    logging.getLogger("linopy").setLevel(logging.ERROR)
    app()
