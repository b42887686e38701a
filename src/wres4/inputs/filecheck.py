"""Is a file what its name says, and safe to open? Checked before any parser sees it.

Empty files, disguised files (HTML or CSV saved as .xlsx, a workbook named .csv, images,
archives), binary data, encrypted and corrupt workbooks, zip bombs and XML entity
declarations are refused here with one clear message.
"""

from __future__ import annotations

from pathlib import Path

from wres4.errors import InputError

# Zip bombs: refuse workbooks that would unpack to more than this.
MAX_WORKBOOK_UNCOMPRESSED = 1 << 30
SNIFF_BYTES = 64 << 10
OLE_MAGIC = b"\xd0\xcf\x11\xe0"
# What a file really is, from its first bytes (for "not what its name says" messages).
MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PAR1", "a Parquet file"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"{\\rtf", "an RTF document"),
)
# Bytes that never appear in a text export (NUL and the C0 controls other than \t \n \f \r).
CONTROL_BYTES = bytes([*range(0, 9), 11, *range(14, 27), *range(28, 32)])


def check_file(path: Path, fmt: str) -> None:
    """Refuse empty files and files that are not what their suffix claims."""
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror}).") from exc
    if not head:
        raise InputError(f"{path}: the file is empty. Export the extract again.")
    if fmt == "excel":
        if head.startswith(OLE_MAGIC):
            if path.suffix.lower() != ".xls" and _is_encrypted(path):
                raise InputError(
                    f"{path}: the workbook is password-protected. "
                    "Remove the password in Excel (File > Info > Protect Workbook) and save again."
                )
            if path.suffix.lower() != ".xls":
                raise InputError(
                    f"{path}: this is an old-style .xls or encrypted workbook, not an .xlsx. "
                    "Open it in Excel and save it as .xlsx."
                )
            return
        if not head.startswith(b"PK"):
            kind = _describe(path, head)
            raise InputError(
                f"{path}: not an Excel workbook (it is {kind}). "
                "Save it as .xlsx from Excel, or rename it to .csv if it is a CSV file."
            )
        _check_workbook_zip(path)
    elif fmt == "parquet":
        if head[:4] != b"PAR1":
            raise InputError(
                f"{path}: not a Parquet file (it is {_describe(path, head)}). "
                "Check the file, or give it its real suffix."
            )
    elif head.startswith(b"PK") or head.startswith(OLE_MAGIC):
        if head.startswith(b"PK") and not _is_workbook_zip(path):
            raise InputError(
                f"{path}: this is a zip archive, not a text file. "
                "Unzip it and give the file inside."
            )
        raise InputError(
            f"{path}: this is an Excel workbook with a text-file name. Rename it to .xlsx."
        )
    else:
        for magic, kind in MAGIC:
            if head.startswith(magic):
                hint = (
                    "Rename it to .parquet."
                    if magic == b"PAR1"
                    else "Export the data as CSV and give that file."
                )
                raise InputError(f"{path}: not a text file (it is {kind}). {hint}")


def _describe(path: Path, head: bytes) -> str:
    for magic, kind in MAGIC:
        if head.startswith(magic):
            return kind
    if head.startswith(b"PK"):
        return "an Excel workbook" if _is_workbook_zip(path) else "a zip archive"
    if head.startswith(OLE_MAGIC):
        return "an old-style Office file"
    return _describe_text(path)


def _describe_text(path: Path) -> str:
    with path.open("rb") as fh:
        head = fh.read(512)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="replace").encode("utf-8", errors="replace")
    head = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml", b"<meta", b"<head")):
        return "an HTML or XML page"
    if any(b in CONTROL_BYTES for b in head):
        return "binary data"
    return "a text file"


def _is_workbook_zip(path: Path) -> bool:
    import zipfile  # here, not at the top: ``wres4 --help`` should not load it

    try:
        with zipfile.ZipFile(path) as zf:
            return any(name.startswith("xl/") for name in zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def _is_encrypted(path: Path) -> bool:
    with path.open("rb") as fh:
        data = fh.read(1 << 16)
    return "EncryptedPackage".encode("utf-16-le") in data


# Markers of an XML document type declaration, in the encodings an XML part may use.
XML_DTD_MARKERS = tuple(
    marker.encode(enc)
    for marker in ("<!DOCTYPE", "<!ENTITY")
    for enc in ("utf-8", "utf-16-le", "utf-16-be")
)


def _check_workbook_zip(path: Path) -> None:
    """Refuse zip bombs and XML with entity declarations before any parser sees them."""
    import zipfile

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            total = sum(info.file_size for info in infos)
            if total > MAX_WORKBOOK_UNCOMPRESSED:
                raise InputError(
                    f"{path}: the workbook would unpack to {total / 2**20:,.0f} MB, over the "
                    f"{MAX_WORKBOOK_UNCOMPRESSED / 2**20:,.0f} MB limit wres4 accepts (a "
                    "safeguard against zip bombs). Export the sheet as CSV instead."
                )
            names = {info.filename for info in infos}
            if "xl/workbook.xml" not in names:
                raise InputError(
                    f"{path}: not an Excel workbook (no xl/workbook.xml inside). "
                    "Save it again as .xlsx from Excel."
                )
            for info in infos:
                if not info.filename.endswith((".xml", ".rels", ".vml")):
                    continue
                with zf.open(info) as member:
                    # A DTD can only come before the root element, near the start of a part.
                    head = member.read(SNIFF_BYTES)
                if any(marker in head for marker in XML_DTD_MARKERS):
                    raise InputError(
                        f"{path}: the workbook contains XML entity declarations "
                        f"({info.filename}), which wres4 refuses for safety. "
                        "Open it in Excel and save it again as .xlsx."
                    )
            fromstring(zf.read("xl/workbook.xml"), forbid_dtd=True)
    except zipfile.BadZipFile as exc:
        raise InputError(
            f"{path}: the workbook is corrupt ({exc}). Open it in Excel and save it again."
        ) from exc
    except DefusedXmlException as exc:
        raise InputError(f"{path}: the workbook's XML is unsafe ({exc}).") from exc
    except InputError:
        raise
    except Exception as exc:
        raise InputError(
            f"{path}: the workbook is corrupt ({short_error(exc)}). "
            "Open it in Excel and save it again."
        ) from exc


def short_error(exc: BaseException, limit: int = 200) -> str:
    """An exception's message on one line, cut to ``limit`` characters."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"
