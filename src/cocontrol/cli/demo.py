"""``cocontrol demo``: the main job on the embedded demo projects, every stage in data-flow order.

Each stage's CLI module may define ``demo(out: Path, lang: str) -> list[Path]``; this command
calls them in order and lists the files written.
"""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import typer

from cocontrol.cli.common import (
    Assets,
    Lang,
    assets_option,
    console,
    lang_option,
    pdf_option,
    ui_lang,
)

STAGES = ["inventory", "scenario", "optimize", "cge", "evaluation", "monitor", "enterprise"]


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo_cmd(
        out: Path = typer.Option(Path("out"), help="output folder"),
        lang: Lang | None = lang_option(),
        assets: Assets = assets_option(),
        pdf: bool = pdf_option(),
    ) -> None:
        """Run every stage on the embedded demo projects and write reports to OUT.

        Every stage writes into a hidden staging folder inside OUT; the files are moved into
        OUT only when every stage has finished, so an interrupted or failed demo leaves no
        new output that looks finished."""
        from cocontrol import io

        written: list[Path] = []
        with io.staged_dir(out) as stage_dir:
            for stage in STAGES:
                try:
                    mod = importlib.import_module(f"cocontrol.cli.{stage}")
                except ModuleNotFoundError as e:
                    if e.name != f"cocontrol.cli.{stage}":
                        raise
                    continue
                fn = getattr(mod, "demo", None)
                if fn is None:
                    continue
                console.rule(f"[bold]{stage}")
                kw = {}
                params = inspect.signature(fn).parameters
                if "assets" in params:
                    kw["assets"] = assets.value
                if "pdf" in params:
                    kw["pdf"] = pdf
                written += list(fn(stage_dir, ui_lang(lang), **kw))
            written = [io.rebase(p, stage_dir, out) for p in written]
        console.rule("[bold]written")
        for p in written:
            console.print(f"  {p}")
