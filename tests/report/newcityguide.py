"""The steps of docs/new-city.md (the guide the report tests follow command by command): a
module of its own, so test modules import it by name (``from conftest import`` takes whichever
folder's conftest pytest imported last when several folders run in one session)."""

from __future__ import annotations

import re
from pathlib import Path

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "new-city.md"


def guide_steps(text: str) -> list[tuple]:
    """The guide's steps in order: ("file", path, content) for a code block whose first line
    is ``# file: PATH``, ("run", command) for each line of a ``bash`` block."""
    steps = []
    for m in re.finditer(r"^```(\w*)[^\n]*\n(.*?)^```", text, flags=re.S | re.M):
        lang, body = m.group(1), m.group(2)
        first, _, rest = body.partition("\n")
        f = re.match(r"#\s*file:\s*(\S+)", first)
        if f:
            steps.append(("file", f.group(1), rest))
        elif lang == "bash":
            steps += [("run", ln.strip()) for ln in body.splitlines()
                      if ln.strip() and not ln.strip().startswith("#")]
    return steps
