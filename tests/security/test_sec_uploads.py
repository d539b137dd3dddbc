"""Upload safety: each hostile file is refused with a plain message (issue 14, part 5).

The API-level fuzz test (server stays up, nothing stored) is in test_service_uploads.py; these
tests check the refusal itself and its message in both languages.
"""

from __future__ import annotations

import io
import random
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sec_uploadfiles import (
    billion_laughs_xlsx,
    docx_like_zip,
    external_link_xlsx,
    external_rel_only_xlsx,
    macro_xlsx,
    rezip,
    traversal_xlsx,
    xlsx,
    zip_bomb_xlsx,
)

from cocontrol.security.errors import UploadRejected
from cocontrol.security.uploads import UploadLimits, check_upload, display_name, looks_like_formula

LIMITS = UploadLimits(max_bytes=2 * 2**20, max_unzipped=16 * 2**20)


def refused(data: bytes, name: str, limits=LIMITS) -> UploadRejected:
    with pytest.raises(UploadRejected) as e:
        check_upload(data, name, limits)
    err = e.value
    assert err.message("en") and err.message("zh") != err.message("en")
    assert "Traceback" not in err.message("en")
    return err


def test_plain_csv_and_xlsx_pass_and_are_identified_by_content():
    ok = check_upload(b"region_id,value\nR1,1.5\nR2,-2\nR3,1e-3\n", "a.csv", LIMITS)
    assert ok.kind == "csv" and ok.encoding == "utf-8-sig"
    gbk = check_upload("区域,数值\n朝阳区,-1.5\n".encode("gb18030"), "区域.csv", LIMITS)
    assert gbk.encoding == "gb18030" and gbk.text("区域,数值\n朝阳区,-1.5\n".encode("gb18030"))
    # the name is not trusted: a workbook called "data" (no extension) is still an xlsx
    assert check_upload(xlsx(), "data", LIMITS).kind == "xlsx"


@pytest.mark.parametrize("maker, name, code", [
    (lambda: b"", "a.csv", "upload_empty"),
    (lambda: b"a,b\n" + b"1,2\n" * (2**20), "big.csv", "upload_too_large"),
    (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "old.xls", "upload_type"),
    (lambda: b"%PDF-1.7\n...", "report.csv", "upload_type"),
    (lambda: b"MZ\x90\x00" + b"\x00" * 60, "tool.xlsx", "upload_type"),
    (lambda: b"<html><script>alert(1)</script></html>", "page.csv", "upload_type"),
    (lambda: b"a,b\n1,\x002\n", "nul.csv", "upload_binary"),
    (lambda: bytes(range(256)) * 4, "random.csv", "upload_type"),
    (lambda: xlsx(), "data.csv", "upload_name_mismatch"),
    (lambda: b"a,b\n1,2\n", "data.xlsx", "upload_name_mismatch"),
    (lambda: xlsx(), "book.xlsm", "upload_macro"),
    (macro_xlsx, "book.xlsx", "upload_macro"),
    (external_link_xlsx, "links.xlsx", "upload_external"),
    (external_rel_only_xlsx, "ole.xlsx", "upload_external"),
    (billion_laughs_xlsx, "lol.xlsx", "upload_xml"),
    (traversal_xlsx, "evil.xlsx", "upload_zip"),
    (docx_like_zip, "letter.xlsx", "upload_type"),
    (lambda: xlsx()[:-200], "truncated.xlsx", "upload_zip"),
    (lambda: b"PK\x03\x04" + b"\x00" * 200, "junk.xlsx", "upload_zip"),
])
def test_hostile_or_wrong_files_are_refused_with_the_reason(maker, name, code):
    assert refused(maker(), name).code == code


def test_zip_bombs_are_refused_by_ratio_declared_and_inflated_size():
    bomb = zip_bomb_xlsx(64 * 2**20)  # 64 MiB of zeros in about 64 kB
    assert len(bomb) < LIMITS.max_bytes
    err = refused(bomb, "bomb.xlsx")
    assert err.code == "upload_zip_bomb" and "zip bomb" in err.message("en")
    # ratio allowed, but the inflated total over the limit: refused as well
    lax = UploadLimits(max_bytes=2 * 2**20, max_unzipped=8 * 2**20, max_ratio=10**6)
    assert refused(zip_bomb_xlsx(12 * 2**20), "bomb.xlsx", lax).code == "upload_zip_bomb"


def test_too_many_parts_refused():
    many = rezip(xlsx(), add={f"xl/media/p{i}.bin": b"x" for i in range(60)})
    err = refused(many, "many.xlsx", UploadLimits(max_parts=50))
    assert err.code == "upload_zip_entries"


@pytest.mark.parametrize("cell", ["=1+2", "=HYPERLINK(\"http://x\",\"y\")", "+cmd|' /C calc'!A0",
                                  "-2+3", "@SUM(A1:A2)", "\t=1", "＝1+1", "=cmd|'/c calc'!A1"])
def test_formula_laden_csv_refused_naming_row_and_column(cell):
    data = f'region_id,value\nR1,1\n"{cell}",2\n'.encode()
    err = refused(data, "f.csv")
    assert err.code == "upload_formula" and "row 3, column 1" in err.message("en")
    assert "第" not in err.message("en") and "公式" in err.message("zh")


def test_formula_cells_in_xlsx_refused_naming_sheet_and_cell():
    err = refused(xlsx(formula="=SUM(B2:B3)"), "f.xlsx")
    assert "sheet activity, cell C2" in err.message("en")
    err = refused(xlsx(text="=HYPERLINK(\"http://evil\")"), "t.xlsx")
    assert err.code == "upload_formula" and "cell D2" in err.message("en")


@pytest.mark.parametrize("cell, expected", [
    ("-1.5", False), ("+2", False), ("-1e-3", False), ("-1,234.5", False), ("-", False),
    ("50%", False), ("-5%", False), ("-x", True), ("=A1", True), ("@x", True), ("abc", False),
    ("", False), ("减排", False)])
def test_looks_like_formula(cell, expected):
    assert looks_like_formula(cell) is expected


def test_display_name_never_carries_a_path():
    assert display_name("../../etc/passwd") == "passwd"
    assert display_name("C:\\Users\\x\\data.xlsx") == "data.xlsx"
    assert display_name("a\x00b\nc.csv") == "abc.csv"
    assert display_name(None) == "upload"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(min_size=0, max_size=2000))
def test_random_bytes_are_accepted_or_refused_plainly(data):
    try:
        check_upload(data, "fuzz.csv", LIMITS)
    except UploadRejected as e:
        assert e.message("en") and e.message("zh")


def test_mutated_workbooks_are_accepted_or_refused_plainly():
    """Byte flips in a real workbook: never an exception other than UploadRejected."""
    base = bytearray(xlsx())
    rng = random.Random(14)
    outcomes = set()
    for _ in range(150):
        b = bytearray(base)
        for _ in range(rng.randint(1, 8)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        try:
            check_upload(bytes(b), "m.xlsx", LIMITS)
            outcomes.add("ok")
        except UploadRejected as e:
            outcomes.add(e.code)
    assert len(outcomes) >= 2  # the flips really reach the checks


def test_check_reads_nothing_from_disk(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    check_upload(xlsx(), "../x.xlsx", LIMITS)
    assert list(tmp_path.iterdir()) == []
    assert zipfile.is_zipfile(io.BytesIO(xlsx()))
