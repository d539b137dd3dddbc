"""Command-line interface (Typer + Rich): a thin shell over the library.

Each stage contributes its commands from its own module ``cocontrol.cli.<stage>`` through a
``register(app)`` function, so the modules stay small and independent.

Exit codes: 0 success; 1 the input has problems (validation errors, infeasible targets);
2 usage error (bad options); 3 a model failed to solve.
"""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
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
