"""File checks: a file that is empty, or not what its name says (a workbook named .csv, a
page saved as .xls, an image, an archive), and unsafe workbooks (encrypted, corrupt, zip
bombs, XML entity declarations) are refused before any parser sees them, with one clean
``Error:`` line from compute and check alike."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from badinput import STAFF, extracts, fails, rezip, staff, staff_rows, training, workbook

from wres4.inputs import filecheck
from wres4.inputs.filecheck import check_file


def test_a_text_export_and_a_workbook_pass(tmp_path: Path) -> None:
    assert check_file(staff(tmp_path), "csv") is None
    assert check_file(workbook(tmp_path / "staff.xlsx", staff_rows()), "excel") is None


# ------------------------------------------------------------------------------ empty


def test_empty_file(tmp_path: Path) -> None:
    fails(
        tmp_path,
        extracts(tmp_path, ""),
        f"Error: {tmp_path / 'staff.csv'}: the file is empty. Export the extract again.",
    )


# --------------------------------------------------------------- not what the name says


def test_html_saved_as_xls(tmp_path: Path) -> None:
    page = "<html><body><table><tr><td>Employee Number</td></tr></table></body></html>"
    fails(
        tmp_path,
        extracts(tmp_path, page, name="staff.xls"),
        f"Error: {tmp_path / 'staff.xls'}: not an Excel workbook (it is an HTML or XML page). "
        "Save it as .xlsx from Excel, or rename it to .csv if it is a CSV file.",
    )


def test_csv_saved_as_xlsx(tmp_path: Path) -> None:
    fails(
        tmp_path,
        extracts(tmp_path, name="staff.xlsx"),
        f"Error: {tmp_path / 'staff.xlsx'}: not an Excel workbook (it is a text file). "
        "Save it as .xlsx from Excel, or rename it to .csv if it is a CSV file.",
    )


def test_workbook_named_csv(tmp_path: Path) -> None:
    path = workbook(tmp_path / "book.xlsx", staff_rows()).rename(tmp_path / "staff.csv")
    fails(
        tmp_path,
        [str(path), "--training", str(training(tmp_path))],
        f"Error: {path}: this is an Excel workbook with a text-file name. Rename it to .xlsx.",
    )


def test_zip_archive_named_csv(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("staff.csv", STAFF)
    fails(
        tmp_path,
        extracts(tmp_path, buffer.getvalue()),
        f"Error: {tmp_path / 'staff.csv'}: this is a zip archive, not a text file. "
        "Unzip it and give the file inside.",
    )


def test_image_named_csv(tmp_path: Path) -> None:
    fails(
        tmp_path,
        extracts(tmp_path, b"\x89PNG\r\n\x1a\n" + bytes(100)),
        f"Error: {tmp_path / 'staff.csv'}: not a text file (it is a PNG image). "
        "Export the data as CSV and give that file.",
    )


def test_parquet_named_csv(tmp_path: Path) -> None:
    fails(
        tmp_path,
        extracts(tmp_path, b"PAR1" + bytes(100)),
        f"Error: {tmp_path / 'staff.csv'}: not a text file (it is a Parquet file). "
        "Rename it to .parquet.",
    )


def test_text_named_parquet(tmp_path: Path) -> None:
    fails(
        tmp_path,
        extracts(tmp_path, name="staff.parquet"),
        f"Error: {tmp_path / 'staff.parquet'}: not a Parquet file (it is a text file). "
        "Check the file, or give it its real suffix.",
    )


# ------------------------------------------------------------------------------- workbooks


def test_encrypted_workbook(tmp_path: Path) -> None:
    # What Excel writes for a password-protected .xlsx: an OLE file holding EncryptedPackage.
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "EncryptedPackage".encode("utf-16-le")
    fails(
        tmp_path,
        extracts(tmp_path, ole, name="staff.xlsx"),
        f"Error: {tmp_path / 'staff.xlsx'}: the workbook is password-protected. Remove the "
        "password in Excel (File > Info > Protect Workbook) and save again.",
    )


def test_corrupt_workbook(tmp_path: Path) -> None:
    whole = workbook(tmp_path / "whole.xlsx", staff_rows()).read_bytes()
    fails(
        tmp_path,
        extracts(tmp_path, whole[: len(whole) // 2], name="staff.xlsx"),
        f"Error: {tmp_path / 'staff.xlsx'}: the workbook is corrupt (File is not a zip file). "
        "Open it in Excel and save it again.",
    )


def test_zip_bomb_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 4 MB of zeros packs into a few kB; with a 2 MB cap the workbook must be refused unread.
    monkeypatch.setattr(filecheck, "MAX_WORKBOOK_UNCOMPRESSED", 2 << 20)
    path = workbook(tmp_path / "staff.xlsx", staff_rows())
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/media/padding.bin", bytes(4 << 20))
    assert path.stat().st_size < 100_000
    fails(
        tmp_path,
        [str(path), "--training", str(training(tmp_path))],
        f"Error: {path}: the workbook would unpack to 4 MB, over the 2 MB limit wres4 accepts "
        "(a safeguard against zip bombs). Export the sheet as CSV instead.",
    )


def test_xml_entities_are_refused(tmp_path: Path) -> None:
    plain = workbook(tmp_path / "plain.xlsx", staff_rows())
    laughs = (
        b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n'
    )

    def poison(name: str, data: bytes) -> bytes:
        return laughs + data if name == "xl/worksheets/sheet1.xml" else data

    path = rezip(plain, tmp_path / "staff.xlsx", poison)
    fails(
        tmp_path,
        [str(path), "--training", str(training(tmp_path))],
        f"Error: {path}: the workbook contains XML entity declarations "
        "(xl/worksheets/sheet1.xml), which wres4 refuses for safety. "
        "Open it in Excel and save it again as .xlsx.",
    )


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("word/document.xml", "<w/>")
    fails(
        tmp_path,
        extracts(tmp_path, buffer.getvalue(), name="staff.xlsx"),
        f"Error: {tmp_path / 'staff.xlsx'}: not an Excel workbook (no xl/workbook.xml "
        "inside). Save it again as .xlsx from Excel.",
    )
