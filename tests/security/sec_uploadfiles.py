"""Hostile and benign upload files made on the fly (nothing is stored in the repository)."""

from __future__ import annotations

import io
import zipfile

import openpyxl


def xlsx(rows=(("region_id", "value"), ("R1", 1.5), ("R2", -2)), formula: str | None = None,
         text: str | None = None) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "activity"
    for r in rows:
        ws.append(list(r))
    if formula:
        ws["C2"] = formula  # openpyxl writes "=..." as a formula cell
    if text is not None:
        ws["D2"].value = text
        ws["D2"].data_type = "s"  # a text cell that merely looks like a formula
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def rezip(data: bytes, add: dict[str, bytes] | None = None, drop=(), patch=None,
          compression=zipfile.ZIP_DEFLATED) -> bytes:
    """A copy of the zip ``data`` with parts added, dropped or patched (name -> fn(bytes))."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as dst:
        for info in src.infolist():
            if info.filename in drop:
                continue
            content = src.read(info.filename)
            if patch and info.filename in patch:
                content = patch[info.filename](content)
            dst.writestr(info.filename, content)
        for name, content in (add or {}).items():
            dst.writestr(name, content)
    return out.getvalue()


def external_link_xlsx() -> bytes:
    rel = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
           b'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http:'
           b'//schemas.openxmlformats.org/officeDocument/2006/relationships/externalLinkPath" '
           b'Target="file:///\\\\fileserver\\share\\secret.xlsx" TargetMode="External"/>'
           b'</Relationships>')
    return rezip(xlsx(), add={"xl/externalLinks/_rels/externalLink1.xml.rels": rel,
                              "xl/externalLinks/externalLink1.xml": b"<externalLink/>"})


def replace_part(data: bytes, name: str, content: bytes) -> bytes:
    """``data`` with part ``name`` set to ``content`` (added when missing)."""
    if name in zipfile.ZipFile(io.BytesIO(data)).namelist():
        return rezip(data, patch={name: lambda _b: content})
    return rezip(data, add={name: content})


def external_rel_only_xlsx() -> bytes:
    """An external relationship without an externalLinks part (e.g. an OLE link)."""
    base = xlsx()
    rels = zipfile.ZipFile(io.BytesIO(base)).read("xl/_rels/workbook.xml.rels")
    rels = rels.replace(b"</Relationships>", b'<Relationship Id="rId99" Type="http://schemas.'
                        b'openxmlformats.org/officeDocument/2006/relationships/oleObject" '
                        b'Target="http://10.0.0.9/x.bin" TargetMode="External"/>'
                        b"</Relationships>")
    return replace_part(base, "xl/_rels/workbook.xml.rels", rels)


def billion_laughs_xlsx() -> bytes:
    lol = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
           b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
           b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
           b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           b'<si><t>&lol3;</t></si></sst>')
    return replace_part(xlsx(), "xl/sharedStrings.xml", lol)


def macro_xlsx() -> bytes:
    return rezip(xlsx(), add={"xl/vbaProject.bin": b"\x00" * 64})


def traversal_xlsx() -> bytes:
    return rezip(xlsx(), add={"../../etc/cron.d/x": b"* * * * * root id"})


def docx_like_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<document/>")
    return out.getvalue()


def zip_bomb_xlsx(inflated: int) -> bytes:
    """A valid workbook with an extra part of ``inflated`` zero bytes (ratio ~1000:1)."""
    out = io.BytesIO(xlsx())
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as z:
        with z.open("xl/media/bomb.bin", "w", force_zip64=True) as f:
            chunk = bytes(1 << 20)
            for _ in range(inflated // len(chunk)):
                f.write(chunk)
    return out.getvalue()
