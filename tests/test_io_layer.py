"""Engines apart from storage: only the I/O layer reads and writes files.

Every module of the source tree is parsed (``ast``) and its calls of file-system functions
are listed: ``open``, ``Path.read_text/write_text/read_bytes/write_bytes/open/mkdir/unlink``,
directory listings, pandas ``read_*`` and ``to_excel/to_parquet`` (``to_csv/to_json`` with a
target), ``json.load/dump``, ``shutil``, file functions of ``os`` and ``importlib.resources``
(bundled data goes through ``cocontrol.refdata``). A module outside the I/O layer that makes
such a call fails the test, unless it is in :data:`ALLOWED` with the reason it needs the file
system itself (a writer of a report format, the service's file store ...). A module that no
longer needs its entry must leave the list (the list only shrinks).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "cocontrol"

#: The I/O layer: the one place that reads and writes files.
IO_LAYER = {
    "io.py": "the I/O layer: reading, decoding, atomic writing",
    "parquet.py": "Parquet reading and writing (DuckDB)",
    "refdata.py": "the reader of the bundled reference data",
    "project/io.py": "the project loader's reading of tables and workbooks",
    "project/loader.py": "the project loader",
    "enterprise/io.py": "the enterprise stage's reading of its inputs",
    "monitoring/io.py": "the monitoring stage's reading of its inputs",
    "evaluation/io.py": "the evaluation stage's indicator-system files (YAML, workbook)",
}

#: Modules outside the I/O layer that still touch files, each with its reason.
ALLOWED = {
    # output writers of a file format: the format library writes the file
    "htmlreport.py": "writes the HTML report and copies its assets (report writer)",
    "htmlpdf.py": "drives Chromium to print a PDF next to the HTML (report writer)",
    "xlsxreport.py": "writes Excel workbooks through openpyxl (report writer)",
    "results.py": "Result.to_json/to_parquet(path): the result's own serialisation",
    "project/skeleton.py": "writes a new project skeleton (cocontrol init)",
    "project/template.py": "writes the Excel input template",
    "security/uploads.py": "opens uploaded workbooks to inspect them (zip bombs, macros)",
    # the service: its file store, database folder, worker and demo data
    "service/demo.py": "copies the demo project into the store",
    "service/routes/results.py": "streams stored results (Parquet, Excel)",
    "service/store.py": "the service's file store (content-addressed files)",
    "service/localserver.py": "starts `cocontrol serve` in a subprocess with its log file",
    # the command line: the shell that reads the user's files and writes the outputs
    "cli/inventory.py": "CLI: writes outputs", "cli/monitor.py": "CLI: reads and writes files",
    "cli/scenario.py": "CLI: writes outputs",
}

_PATH_METHODS = {"read_text", "write_text", "read_bytes", "write_bytes", "mkdir", "unlink",
                 "rmdir", "iterdir", "glob", "rglob", "touch", "symlink_to", "load_workbook",
                 "read_csv", "read_excel", "read_parquet", "read_json", "read_table",
                 "read_feather", "read_pickle", "to_excel", "to_parquet", "to_feather",
                 "to_pickle"}
_TARGET_METHODS = {"to_csv", "to_json", "savefig", "write_image", "write_html"}
_MODULE_FUNCS = {"json": {"load", "dump"}, "resources": {"files", "as_file", "open_text",
                                                          "read_text", "path"},
                 "os": {"remove", "unlink", "makedirs", "mkdir", "listdir", "replace",
                        "rename", "scandir", "walk", "rmdir"},
                 "np": {"load", "save", "savez", "loadtxt", "savetxt", "fromfile"},
                 "shutil": None}  # None: every function


def file_calls(text: str, name: str = "<text>") -> list[tuple[int, str]]:
    """(line, call) of every file-system call in a module's source."""
    out = []
    for n in ast.walk(ast.parse(text, filename=name)):
        if not isinstance(n, ast.Call):
            continue
        f = n.func
        if isinstance(f, ast.Name) and f.id == "open":
            out.append((n.lineno, "open"))
        elif isinstance(f, ast.Attribute):
            owner = f.value.id if isinstance(f.value, ast.Name) else None
            if owner in ("io", "refdata"):  # cocontrol.io and cocontrol.refdata: the layer
                continue
            if owner in _MODULE_FUNCS:
                allowed = _MODULE_FUNCS[owner]
                if allowed is None or f.attr in allowed:
                    out.append((n.lineno, f"{owner}.{f.attr}"))
            elif f.attr in _PATH_METHODS:
                out.append((n.lineno, f.attr))
            elif f.attr in _TARGET_METHODS and (n.args or any(
                    k.arg in ("path", "path_or_buf", "file", "fname") for k in n.keywords)):
                out.append((n.lineno, f.attr))
            elif f.attr == "open" and owner not in ("webbrowser",):
                out.append((n.lineno, ".open"))
    return out


def _modules() -> dict[str, list[tuple[int, str]]]:
    found = {}
    for p in sorted(SRC.rglob("*.py")):
        rel = p.relative_to(SRC).as_posix()
        calls = file_calls(p.read_text(encoding="utf-8"), rel)
        if calls:
            found[rel] = calls
    return found


def test_only_the_io_layer_touches_files():
    found = _modules()
    bad = [f"src/cocontrol/{m}:{ln}: {c}" for m, calls in found.items()
           if m not in IO_LAYER and m not in ALLOWED for ln, c in calls]
    assert not bad, ("file access outside the I/O layer (use cocontrol.io, the project "
                     "loader or refdata.bundled*; or add the module to ALLOWED with a "
                     "reason):\n" + "\n".join(bad))


def test_the_allow_list_only_shrinks():
    """An entry whose module no longer touches files must leave the list."""
    found = _modules()
    stale = sorted(m for m in ALLOWED if m not in found)
    assert not stale, f"no file access any more, remove from the lists: {stale}"


@pytest.mark.parametrize("code, hit", [
    ("open('x')", True),
    ("Path('x').read_text()", True),
    ("pd.read_csv(p)", True),
    ("df.to_csv(path)", True),
    ("df.to_csv()", False),  # returns text: no file
    ("resources.files('cocontrol')", True),
    ("shutil.copy(a, b)", True),
    ("json.loads(s)", False),
    ("df.rename(columns={})", False),
    ("io.read_table(p)", False),  # through cocontrol.io
])
def test_the_scanner_sees_file_calls(code, hit):
    assert bool(file_calls(code)) is hit
