"""Upload safety: refuse a file before anything is stored unless it is a plain CSV or .xlsx.

:func:`check_upload` takes the uploaded bytes and the name the client gave, and either returns
a :class:`CheckedUpload` or raises :class:`~cocontrol.security.errors.UploadRejected` with a plain
zh/en message. What it checks (OWASP ASVS 4.0.3 V12.1-12.3, 5.2.2; OWASP "File Upload" and
"CSV Injection" cheat sheets):

- size: empty files and files over ``max_bytes`` are refused;
- type by content, never by name: a zip with ``[Content_Types].xml`` and ``xl/workbook.xml`` is
  an xlsx; text that decodes as UTF-8 or GB18030 without control characters is a CSV; anything
  else (legacy .xls, PDF, images, executables, other archives) is named and refused; a name
  whose extension contradicts the content is refused too;
- xlsx: zip bombs (more parts than ``max_parts``, more than ``max_unzipped`` bytes declared *or
  actually inflated*, or a compression ratio over ``max_ratio``), unsafe or duplicate part
  names, encryption, macros, embedded objects, external links, data connections and external
  relationships; every XML part read is parsed with defusedxml (no DTDs, no entity expansion);
- formulas: xlsx cells holding a formula, and CSV or text cells starting like one
  (``= + - @``, also full-width, or a tab/carriage return) unless they are plain numbers.
  Input tables must carry values: a formula would be evaluated by Excel when the data are
  exported again (formula injection), and its cached value may be stale.

The client's file name is used only in messages (:func:`display_name`); no part of it reaches
the file system.
"""

from __future__ import annotations

import csv
import hashlib
import io
import posixpath
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from typing import Literal

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from cocontrol.i18n import Msg as M
from cocontrol.security.errors import UploadRejected

Kind = Literal["csv", "xlsx"]

#: what reading a corrupt archive can raise (refused as "not a valid .xlsx")
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, EOFError,
               NotImplementedError, ValueError, KeyError, RuntimeError, IndexError)


@dataclass(frozen=True)
class UploadLimits:
    max_bytes: int = 50 * 2**20
    max_unzipped: int = 300 * 2**20
    max_ratio: int = 200
    max_parts: int = 2000
    ratio_floor: int = 2**20  # the ratio is checked only for parts inflating beyond this


@dataclass(frozen=True)
class CheckedUpload:
    kind: Kind
    size: int
    sha256: str
    name: str
    encoding: str | None = None  # of a CSV

    def text(self, data: bytes) -> str:
        """The CSV's text (decoded with the encoding found)."""
        return data.decode(self.encoding or "utf-8-sig")


_MAGIC = [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", M("sec.found_ole")),
    (b"%PDF", M("sec.found_pdf")),
    (b"\x89PNG", M("sec.found_png")),
    (b"GIF8", M("sec.found_gif")),
    (b"\xff\xd8\xff", M("sec.found_jpeg")),
    (b"\x1f\x8b", M("sec.found_gzip")),
    (b"7z\xbc\xaf", M("sec.found_7z")),
    (b"Rar!", M("sec.found_rar")),
    (b"MZ", M("sec.found_exe")),
    (b"\x7fELF", M("sec.found_elf")),
    (b"{\\rtf", M("sec.found_rtf")),
]
_TEXT_MAGIC = [("<?xml", M("sec.found_xml")), ("<html", M("sec.found_html")),
               ("<!doctype", M("sec.found_html")), ("<svg", M("sec.found_svg"))]


def display_name(name: str | None) -> str:
    """The client's file name reduced to a safe label for messages (never a path)."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(c for c in base if unicodedata.category(c)[0] not in "CZ" or c == " ")
    return base.strip()[:120] or "upload"


def check_upload(data: bytes, name: str | None = None,
                 limits: UploadLimits = UploadLimits()) -> CheckedUpload:
    """Check an uploaded file; see the module docstring. Nothing is written anywhere."""
    label = display_name(name)
    size = len(data)
    if size == 0:
        raise UploadRejected("upload_empty", name=label)
    if size > limits.max_bytes:
        raise UploadRejected("upload_too_large", name=label, size=size, limit=limits.max_bytes)
    named = _named_kind(label)
    if named == "xlsm":
        raise UploadRejected("upload_macro", name=label, part=label)
    digest = hashlib.sha256(data).hexdigest()
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        if named == "csv":
            raise UploadRejected("upload_name_mismatch", name=label, named=".csv",
                                 found=M("sec.found_zip"))
        _check_xlsx(data, label, limits)
        return CheckedUpload("xlsx", size, digest, label)
    if data.startswith(b"\xd0\xcf\x11\xe0") and b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00" in data:
        raise UploadRejected("upload_encrypted", name=label)
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise UploadRejected("upload_type", name=label, found=what)
    encoding, text = _decode(data, label)
    head = text[:200].lstrip().lower()
    for magic, what in _TEXT_MAGIC:
        if head.startswith(magic):
            raise UploadRejected("upload_type", name=label, found=what)
    if named == "xlsx":
        raise UploadRejected("upload_name_mismatch", name=label, named=".xlsx",
                             found=M("sec.found_text"))
    _check_csv_cells(text, label)
    return CheckedUpload("csv", size, digest, label, encoding)


def _named_kind(label: str) -> str | None:
    ext = posixpath.splitext(label.lower())[1]
    return {".csv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".xlsm": "xlsm",
            ".xltm": "xlsm"}.get(ext)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _decode(data: bytes, label: str) -> tuple[str, str]:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        m = _CONTROL.search(text)
        if m:
            raise UploadRejected("upload_binary", name=label,
                                 offset=len(text[:m.start()].encode(enc)))
        return enc, text
    raise UploadRejected("upload_type", name=label, found=M("sec.found_binary"))


# -- formulas ---------------------------------------------------------------------------------
_FORMULA_START = tuple("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?$")


def looks_like_formula(cell: str) -> bool:
    """A text a spreadsheet would treat as a formula (numbers such as ``-1.5`` are fine)."""
    if not cell or not cell.startswith(_FORMULA_START):
        return False
    s = cell.strip()
    if len(s) <= 1:  # "-" as a placeholder is text
        return cell[0] in "\t\r" and len(cell) > 1
    return not _NUMBER.match(s.replace(",", ""))


def _short(value: str) -> str:
    value = value.replace("\n", " ").replace("\r", " ").replace("\t", " ")
    return value if len(value) <= 40 else value[:37] + "..."


def _check_csv_cells(text: str, label: str) -> None:
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        for r, row in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
            for c, cell in enumerate(row, start=1):
                if looks_like_formula(cell):
                    raise UploadRejected("upload_formula", name=label,
                                         where=M("sec.where_row_col", row=r, col=c),
                                         value=_short(cell))
    except csv.Error as e:
        raise UploadRejected("upload_type", name=label,
                             found=M("sec.found_bad_csv", detail=e)) from None


# -- xlsx ---------------------------------------------------------------------------------
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_NS_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_FORBIDDEN_PARTS = (
    ("xl/vbaproject.bin", "upload_macro"), ("xl/externallinks/", "upload_external"),
    ("xl/connections.xml", "upload_external"), ("xl/querytables/", "upload_external"),
    ("xl/embeddings/", "upload_external"), ("xl/activex/", "upload_external"),
    ("customxml/", None),
)


def _check_xlsx(data: bytes, label: str, limits: UploadLimits) -> None:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except _ZIP_ERRORS as e:
        raise UploadRejected("upload_zip", name=label, detail=str(e)[:100]) from None
    if len(infos) > limits.max_parts:
        raise UploadRejected("upload_zip_entries", name=label, count=len(infos),
                             limit=limits.max_parts)
    seen: set[str] = set()
    declared = 0
    for info in infos:
        n = info.filename
        norm = posixpath.normpath(n)
        if (n.startswith(("/", "\\")) or "\\" in n or norm.startswith("..") or ":" in n
                or "\x00" in n):
            raise UploadRejected("upload_zip", name=label,
                                 detail=M("sec.unsafe_part", part=repr(n[:60])))
        if n.lower() in seen:
            raise UploadRejected("upload_zip", name=label,
                                 detail=M("sec.duplicate_part", part=repr(n[:60])))
        seen.add(n.lower())
        if info.flag_bits & 0x1:
            raise UploadRejected("upload_encrypted", name=label)
        declared += info.file_size
        if (info.file_size > limits.ratio_floor
                and info.file_size > limits.max_ratio * max(info.compress_size, 1)):
            raise UploadRejected("upload_zip_bomb", name=label, limit=limits.max_unzipped,
                                 ratio=limits.max_ratio)
        low = n.lower()
        for prefix, code in _FORBIDDEN_PARTS:
            if low.startswith(prefix) and code:
                raise UploadRejected(code, name=label, part=n[:80])
    if declared > limits.max_unzipped:
        raise UploadRejected("upload_zip_bomb", name=label, limit=limits.max_unzipped,
                             ratio=limits.max_ratio)
    names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise UploadRejected("upload_type", name=label,
                             found=M("sec.found_zip_not_xlsx"))
    budget = _Budget(limits, label)
    ctypes = _parse(zf, "[Content_Types].xml", label, budget)
    for el in ctypes.iter():
        if "macroEnabled" in (el.get("ContentType") or ""):
            raise UploadRejected("upload_macro", name=label, part=el.get("PartName") or "?")
    for n in sorted(names):
        if n.endswith(".rels"):
            for rel in _parse(zf, n, label, budget).iter(_NS_REL + "Relationship"):
                if (rel.get("TargetMode") == "External"
                        and not (rel.get("Type") or "").endswith("/hyperlink")):
                    raise UploadRejected("upload_external", name=label,
                                         part=f"{n}: {(rel.get('Target') or '')[:60]}")
    workbook = _parse(zf, "xl/workbook.xml", label, budget)
    for dn in workbook.iter(_NS_MAIN + "definedName"):
        if re.search(r"\[\d+\]", dn.text or ""):
            raise UploadRejected("upload_external", name=label,
                                 part=M("sec.defined_name", name=dn.get("name")))
    sheets = _sheet_parts(zf, workbook, label, budget)
    bad_strings = _formula_like_shared_strings(zf, names, label, budget)
    for sheet_name, part in sheets:
        if part in names:
            _check_sheet(zf, part, sheet_name, bad_strings, label, budget)
    # every other part still counts against the inflation budget (bombs hide anywhere)
    for info in infos:
        if info.filename not in budget.read:
            budget.drain(zf, info.filename)


class _Budget:
    """Counts bytes actually inflated (declared sizes in a zip can lie)."""

    def __init__(self, limits: UploadLimits, label: str):
        self.left = limits.max_unzipped
        self.limits = limits
        self.label = label
        self.read: set[str] = set()

    def stream(self, zf: zipfile.ZipFile, name: str):
        self.read.add(name)
        return _Counted(zf.open(name), self)

    def drain(self, zf: zipfile.ZipFile, name: str) -> None:
        try:
            with self.stream(zf, name) as f:
                while f.read(1 << 16):
                    pass
        except _ZIP_ERRORS as e:
            raise UploadRejected("upload_zip", name=self.label, detail=str(e)[:100]) from None

    def spend(self, n: int) -> None:
        self.left -= n
        if self.left < 0:
            raise UploadRejected("upload_zip_bomb", name=self.label,
                                 limit=self.limits.max_unzipped, ratio=self.limits.max_ratio)


class _Counted(io.RawIOBase):
    def __init__(self, raw, budget: _Budget):
        self.raw = raw
        self.budget = budget

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        chunk = self.raw.read(n if n is not None and n >= 0 else 1 << 16)
        self.budget.spend(len(chunk))
        return chunk

    def readinto(self, b) -> int:
        chunk = self.read(len(b))
        b[:len(chunk)] = chunk
        return len(chunk)

    def close(self) -> None:
        self.raw.close()
        super().close()


def _parse(zf: zipfile.ZipFile, name: str, label: str, budget: _Budget):
    try:
        with budget.stream(zf, name) as f:
            return SafeET.parse(f, forbid_dtd=True)
    except UploadRejected:
        raise
    except (DefusedXmlException, SafeET.ParseError, *_ZIP_ERRORS) as e:
        raise UploadRejected("upload_xml", name=label, part=f"{name} ({str(e)[:60]})") from None


def _sheet_parts(zf, workbook, label, budget) -> list[tuple[str, str]]:
    rels = {}
    if "xl/_rels/workbook.xml.rels" in zf.namelist():
        for rel in _parse(zf, "xl/_rels/workbook.xml.rels", label, budget).iter(
                _NS_REL + "Relationship"):
            target = rel.get("Target") or ""
            target = target.lstrip("/") if target.startswith("/") else "xl/" + target
            rels[rel.get("Id")] = posixpath.normpath(target)
    out = []
    for sh in workbook.iter(_NS_MAIN + "sheet"):
        part = rels.get(sh.get(_NS_R + "id"))
        if part:
            out.append((sh.get("name") or "?", part))
    return out


def _formula_like_shared_strings(zf, names, label, budget) -> dict[int, str]:
    if "xl/sharedStrings.xml" not in names:
        return {}
    bad = {}
    root = _parse(zf, "xl/sharedStrings.xml", label, budget).getroot()
    for i, si in enumerate(root.iter(_NS_MAIN + "si")):
        text = "".join(t.text or "" for t in si.iter(_NS_MAIN + "t"))
        if looks_like_formula(text):
            bad[i] = text
    return bad


def _check_sheet(zf, part, sheet_name, bad_strings, label, budget) -> None:
    try:
        with budget.stream(zf, part) as f:
            for _event, el in SafeET.iterparse(f, forbid_dtd=True):
                if el.tag != _NS_MAIN + "c":
                    continue
                ref = el.get("r") or "?"
                f_el = el.find(_NS_MAIN + "f")
                if f_el is not None:
                    raise UploadRejected("upload_formula", name=label,
                                         where=M("sec.where_sheet_cell", sheet=sheet_name,
                                                 cell=ref),
                                         value="=" + _short(f_el.text or "(shared formula)"))
                t = el.get("t")
                text = None
                if t == "s":
                    v = el.find(_NS_MAIN + "v")
                    if v is not None and (v.text or "").strip().isdigit():
                        text = bad_strings.get(int(v.text))
                elif t == "inlineStr":
                    s = "".join(x.text or "" for x in el.iter(_NS_MAIN + "t"))
                    text = s if looks_like_formula(s) else None
                if text is not None:
                    raise UploadRejected("upload_formula", name=label,
                                         where=M("sec.where_sheet_cell", sheet=sheet_name,
                                                 cell=ref),
                                         value=_short(text))
                el.clear()
    except UploadRejected:
        raise
    except (DefusedXmlException, SafeET.ParseError, *_ZIP_ERRORS) as e:
        raise UploadRejected("upload_xml", name=label, part=f"{part} ({str(e)[:60]})") from None
