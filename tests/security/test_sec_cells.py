"""Formula-injection neutralising of exports (OWASP CSV Injection; ASVS 5.3.6)."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from cocontrol.project.cells import dangerous, neutralise, safe_frame


@pytest.mark.parametrize("value, expected", [
    ("=1+2", "'=1+2"), ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"), ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("＝1", "'＝1"),
    ("-1.5", "-1.5"), ("+3", "+3"), ("Beijing", "Beijing"), ("", ""), (-1.5, -1.5), (None, None),
])
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_safe_frame_treats_values_and_labels_and_keeps_numbers_exact():
    df = pd.DataFrame({"region": ["=HYPERLINK(\"http://evil\",\"x\")", "R2"],
                       "=bad col": [1.25, -3.0]},
                      index=pd.Index(["@idx", "ok"], name="id"))
    out = safe_frame(df)
    assert out["region"].tolist() == ["'=HYPERLINK(\"http://evil\",\"x\")", "R2"]
    assert list(out.columns) == ["region", "'=bad col"]
    assert list(out.index) == ["'@idx", "ok"]
    assert out.iloc[:, 1].tolist() == [1.25, -3.0] and out.iloc[:, 1].dtype == "float64"
    assert df["region"].iloc[0].startswith("=")  # the input frame is not modified


def test_multiindex_and_categorical_are_treated():
    idx = pd.MultiIndex.from_tuples([("=a", 2020), ("b", 2021)], names=["region", "year"])
    df = pd.DataFrame({"s": pd.Categorical(["-x", "y"])}, index=idx)
    out = safe_frame(df)
    assert out.index.get_level_values(0).tolist() == ["'=a", "b"]
    assert out.index.get_level_values(1).tolist() == [2020, 2021]
    assert out["s"].tolist() == ["'-x", "y"]


def test_written_xlsx_holds_no_formula_cell():
    """openpyxl turns a string starting with '=' into a formula; after safe_frame it cannot."""
    df = pd.DataFrame({"name": ["=1+1", "plain"], "v": [1, 2]})
    buf = io.BytesIO()
    safe_frame(df).to_excel(buf, index=False)
    ws = openpyxl.load_workbook(io.BytesIO(buf.getvalue())).active
    assert [c.data_type for c in ws["A"]] == ["s", "s", "s"]
    assert not any(dangerous(c.value) for row in ws.iter_rows() for c in row)


def test_every_library_export_goes_through_safe_frame():
    """Static check: each ``.to_csv(``/``.to_excel(`` call in the package is on a safe_frame,
    and so is every frame handed to ``io.workbook_bytes`` (which writes what it is given).

    A new export that forgets the helper fails here, naming file and line."""
    import re
    from pathlib import Path

    import cocontrol

    root = Path(cocontrol.__file__).parent
    # io.workbook_bytes writes the frames it is given: each of its calls is checked instead
    call = re.compile(r"(\S+)\.to_(csv|excel)\(|(\S*)workbook_bytes\(")
    offenders = []
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for m in call.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            lines = text[:m.end()].split("\n")
            stmt = "\n".join(lines[-3:])  # the call and the two lines before it
            if m.group(0).endswith("workbook_bytes("):  # its arguments, to the closing ")"
                depth, end = 1, m.end()
                while depth and end < len(text):
                    depth += {"(": 1, ")": -1}.get(text[end], 0)
                    end += 1
                stmt = text[m.start():end]
            if "safe_frame(" not in stmt and not lines[-1].lstrip().startswith("def "):
                offenders.append(f"{path.relative_to(root)}:{line}: {m.group(0)}")
    # Inventory.to_excel writes its sheets through safe_frame itself
    offenders = [o for o in offenders if not o.endswith(("inv.to_excel(",))
                 and not (o.startswith("io.py:") and o.endswith(": frame.to_excel("))]
    assert offenders == []


def test_cli_emit_neutralises_csv_and_xlsx(tmp_path):
    from cocontrol.cli.common import Format, emit

    df = pd.DataFrame({"v": [1.0]}, index=pd.Index(["=HYPERLINK(\"http://x\")"], name="region"))
    emit(df, Format.table, tmp_path / "t.csv")
    assert pd.read_csv(tmp_path / "t.csv").iloc[0, 0].startswith("'=HYPERLINK")
    emit(df, Format.xlsx, tmp_path / "t.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx").active
    # row 1 bilingual header, row 2 units (cocontrol.xlsxreport), first data row 3
    assert ws["A3"].value.startswith("'=") and ws["A3"].data_type == "s"
