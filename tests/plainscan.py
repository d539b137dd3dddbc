"""Find user-facing message sites whose text is plain English (issue 12 item 3).

A *site* is a call that hands a text to a user: ``raise SomeError(text)``, ``HTTPException``
/ ``ApiError`` (the service's error body), ``typer.BadParameter``, ``warnings.warn``, a
:class:`cocontrol.errors.Problem` message or expected, and in the CLI a printed line
(``console.print``, ``typer.echo``, ``print``) and a table's title (``print_df``, ``emit``).
Its text is *plain* when it is a literal string
or f-string (or ``"..." % x``, ``"...".format(x)``, ``"a" + b``) holding an English word, i.e.
not a catalogue message (:class:`cocontrol.i18n.Msg`, ``i18n.t(...)``). A literal that is itself a
catalogue phrase (``msg.<text>`` key, translated by :func:`cocontrol.errors.message_text`) is not
plain. An :class:`ApiError` given its own ``message_zh`` is bilingual and not plain.

``python tests/plainscan.py`` prints the count per package.
"""

from __future__ import annotations

import ast
import re
import sys
from collections import Counter
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "cocontrol"

#: areas of other engineers (enterprise messages, web templates) are not scanned here
SKIP = ("enterprise/", "service/routes/enterprise", "service/enterprise", "web/")

_WORD = re.compile(r"[A-Za-z]{3,}")
_MARKUP = re.compile(r"\[/?(?:bold|red|green|yellow|dim|italic| )*\]")  # rich console markup
_CODE = re.compile(r"[\w.:/-]*[_.:/-][\w.:/-]*")


def _words(s: str) -> bool:
    """Text with an English word (placeholders, a format such as ``YYYY-MM-DD`` and
    rich markup such as ``[bold red]`` and punctuation are not words)."""
    s = _MARKUP.sub(" ", re.sub(r"\{[^}]*\}", " ", s))
    return any(len(set(w.lower())) > 1 for w in _WORD.findall(s))


def plain(node: ast.AST | None) -> bool:
    """Is ``node`` an English literal text (str, f-string, %-format, .format, concatenation)?"""
    if node is None:
        return False
    if isinstance(node, ast.Constant):  # one token like "upload_empty", "--lang" is a code
        return isinstance(node.value, str) and _words(node.value) and \
            not _CODE.fullmatch(node.value)
    if isinstance(node, ast.JoinedStr):
        return _words("".join(v.value for v in node.values if isinstance(v, ast.Constant)))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return plain(node.left) or (isinstance(node.op, ast.Add) and plain(node.right))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
            node.func.attr == "format":
        return plain(node.func.value)
    if isinstance(node, ast.IfExp):
        return plain(node.body) or plain(node.orelse)
    return False


def _name(func: ast.AST) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return f"{_name(func.value)}.{func.attr}"
    return ""


def _kw(call: ast.Call, *names: str) -> ast.AST | None:
    for k in call.keywords:
        if k.arg in names:
            return k.value
    return None


def _arg(call: ast.Call, i: int, *names: str) -> ast.AST | None:
    if len(call.args) > i and not isinstance(call.args[i], ast.Starred):
        return call.args[i]
    return _kw(call, *names)


def _catalogued(node: ast.AST, phrases: set[str]) -> bool:
    return isinstance(node, ast.Constant) and node.value in phrases


def sites(path: Path, phrases: set[str] = frozenset(), cli: bool | None = None
          ) -> list[tuple[int, str]]:
    """(line, kind) of every plain-English message site of one file (``cli``: count printed
    lines too; default: files under ``cli/``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    if cli is None:
        cli = path.resolve().is_relative_to(SRC / "cli")
    out: list[tuple[int, str]] = []
    raised: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            raised.add(id(node.exc))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        last = name.rsplit(".", 1)[-1]
        text, kind = None, None
        if last in ("HTTPException", "ApiError"):
            text, kind = _arg(node, 1, "detail", "message"), last
            if last == "ApiError" and _kw(node, "message_zh") is not None:
                text = None
        elif last == "BadParameter":
            text, kind = _arg(node, 0, "message"), "BadParameter"
        elif name in ("warnings.warn", "warn"):
            text, kind = _arg(node, 0, "message"), "warn"
        elif last == "Problem":
            if any(plain(v) and not _catalogued(v, phrases)
                   for v in (_kw(node, "message"), _kw(node, "expected"))):
                out.append((node.lineno, "Problem"))
            continue
        elif cli and name in ("console.print", "err_console.print", "typer.echo", "print",
                              "typer.secho"):
            text, kind = _arg(node, 0), "print"
        elif cli and last in ("print_df", "emit", "Table"):  # a table's title is a label
            text, kind = _kw(node, "title"), "title"
        elif id(node) in raised:
            text, kind = _arg(node, 0, "message", "problems"), f"raise {last}"
        if kind and plain(text) and not _catalogued(text, phrases):
            out.append((node.lineno, kind))
    return sorted(out)


def catalogue_phrases() -> set[str]:
    """Literal texts that are catalogue phrases (``msg.<text>``)."""
    from cocontrol import i18n

    return {k[4:] for k in i18n.catalogue() if k.startswith("msg.")}


def scan(root: Path = SRC) -> dict[str, list[tuple[int, str]]]:
    """file (relative to ``root``, the package) → its plain-English sites, skipping
    :data:`SKIP`."""
    phrases = catalogue_phrases()
    out = {}
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if rel.startswith(SKIP):
            continue
        found = sites(path, phrases, cli=rel.startswith("cli/"))
        if found:
            out[rel] = found
    return out


def by_package(found: dict[str, list]) -> Counter:
    c: Counter = Counter()
    for rel, s in found.items():
        c[rel.split("/")[0] if "/" in rel else rel] += len(s)
    return c


if __name__ == "__main__":  # python tests/plainscan.py [-v] [ROOT of another checkout's package]
    args = [a for a in sys.argv[1:] if a != "-v"]
    found = scan(Path(args[0]) if args else SRC)
    verbose = "-v" in sys.argv
    for pkg, n in sorted(by_package(found).items(), key=lambda kv: -kv[1]):
        print(f"{pkg:24s} {n}")
    print(f"{'total':24s} {sum(len(s) for s in found.values())}")
    if verbose:
        for rel, s in found.items():
            for line, kind in s:
                print(f"  {rel}:{line} {kind}")
