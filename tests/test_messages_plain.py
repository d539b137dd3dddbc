"""No new plain-English message site (issue 12 item 3: every word in both languages).

:mod:`plainscan` reads the source with ``ast`` and lists every call that hands a literal
English text to a user: ``raise X("...")``, ``ApiError``/``HTTPException`` bodies,
``typer.BadParameter``, ``warnings.warn``, ``Problem(message=..., expected=...)`` and printed
lines of the CLI. A catalogue message (:class:`cocontrol.i18n.Msg`, ``i18n.t``) is not plain.

* No module has one, outside :data:`ALLOWED` (a few, each with its reason) and
  :data:`REMAINING` (what is left to convert, file by file: lower a number when a site is
  converted; a number may never go up).
"""

from __future__ import annotations

import sys
import textwrap
from collections import Counter
from functools import cache
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import plainscan  # noqa: E402

#: plain sites kept on purpose: file → (count, why)
ALLOWED = {
    "service/access.py": (2, "a route or a table declared wrongly in the code (unknown "
                             "permission, no tenant column): raised at start-up, for the "
                             "developer, never in an answer"),
    "service/jobs.py": (1, "internal: the executor was shut down (server exit)"),
    "service/localserver.py": (2, "the test and benchmark helper that starts a server; the "
                                  "message carries the server's own log"),
    "cli/serve.py": (1, "the address line 'cocontrol serve: http://…/api' is read by "
                        "localserver (its regex): machine-readable, not prose"),
    "i18n.py": (1, "the catalogue file itself is malformed: it cannot be used to say so"),
    "refdata.py": (1, "module __getattr__: Python's AttributeError protocol"),
    "io.py": (1, "a programming error (comment= on a reader of user text), for the developer"),
}

#: plain sites left to convert (may only go down)
REMAINING: dict[str, int] = {}


@cache
def _counts() -> tuple[Counter, dict]:
    found = plainscan.scan()
    return Counter({f: len(s) for f, s in found.items()}), found


def test_no_new_plain_english_message():
    counts, found = _counts()
    bad = {f: found[f] for f, n in counts.items()
           if n > ALLOWED.get(f, (0, ""))[0] + REMAINING.get(f, 0)}
    assert not bad, ("plain-English message sites (use a catalogue message, "
                     "cocontrol.i18n.Msg):\n" + "\n".join(
                         f"  {f}:{line} {kind}" for f, s in bad.items() for line, kind in s))


def test_allow_lists_are_not_stale():
    """An allowed or remaining site that was converted lowers its number here."""
    counts, _ = _counts()
    listed = {f: ALLOWED.get(f, (0, ""))[0] + REMAINING.get(f, 0)
              for f in {*ALLOWED, *REMAINING}}
    stale = {f: (n, counts.get(f, 0)) for f, n in listed.items() if counts.get(f, 0) < n}
    assert not stale, f"lower these numbers (listed, found): {stale}"


def test_the_scanner_finds_each_kind_of_plain_site(tmp_path):
    """A planted file: every plain site is found, every catalogue message is not."""
    src = tmp_path / "planted.py"
    src.write_text(textwrap.dedent('''
        import typer, warnings
        from fastapi import HTTPException
        from cocontrol.errors import InputError, Problem
        from cocontrol.i18n import Msg as M
        from cocontrol.service.problems import ApiError

        def f(x, console):
            raise ValueError(f"value {x} out of range")                           # 9
            raise InputError(Problem(file="a.csv", message="bad value"))           # 10
            raise ApiError(404, f"project {x} not found")                          # 11
            raise HTTPException(status_code=400, detail="wrong input")             # 12
            raise typer.BadParameter("--x needs --y")                              # 13
            warnings.warn("the model is extrapolating")                            # 14
            console.print(f"[green]validated[/] {x} rows")                         # 15
            raise ValueError("unknown %s given" % x)                               # 16
            print_df(x, title=f"emissions of {x} by year")                        # 17
            # catalogue messages, codes and formats: not plain
            raise ValueError(M("msg.api_missing"))
            raise InputError(Problem(file="a.csv", message=M("msg.api_missing"),
                                     expected="YYYY-MM-DD HH:00"))
            raise ApiError(409, "x", message_zh="冲突")
            raise KeyError(x)
            raise SomeError("upload_empty", name=x)
            console.print(f"[bold red]{x}[/]")
            print_df(x, title=label("cli.t_pathways"))
    '''))
    found = plainscan.sites(src, cli=True)
    assert [line for line, _ in found] == [9, 10, 11, 12, 13, 14, 15, 16, 17], found
