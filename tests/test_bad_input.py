"""Bad input, one case per test: a one-line ``Error:`` (exit 1) naming the file, or a warning
where the run can honestly continue; never a traceback, never a half-written file (SPEC §9).

Every error case runs ``compute`` twice (once with a new ``-o`` file, once with an existing
one that must survive unchanged) and ``check`` once; all three must fail the same way.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from wres4.cli import cli
from wres4.inputs import filecheck, readers

STAFF = (
    "Employee Number,Ethnic Origin,Snapshot Date\n"
    "1,A White - British,31/03/2024\n"
    "2,A White - British,31/03/2024\n"
    "3,PC Black Nigerian,31/03/2024\n"
    "4,H Indian,31/03/2024\n"
)
TRAINING = (
    "Employee Number,Course Title,Course Type,Status,Start Date\n"
    "1,Coaching Skills,CPD,Attended,15/06/2023\n"
    "3,Coaching Skills,CPD,Attended,15/06/2023\n"
)
KEEP = "an earlier result that must survive\n"

Case = Callable[[Path], tuple[list[str], str]]


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8", newline="")
    else:
        path.write_bytes(data)
    return path


def staff(tmp: Path, data: str | bytes = STAFF, name: str = "staff.csv") -> Path:
    return write(tmp / name, data)


def training(tmp: Path, data: str | bytes = TRAINING, name: str = "training.csv") -> Path:
    return write(tmp / name, data)


def extracts(tmp: Path, staff_data: str | bytes = STAFF, **kw: str) -> list[str]:
    """Arguments for a staff extract (``staff_data``) with the standard training extract."""
    return [str(staff(tmp, staff_data, **kw)), "--training", str(training(tmp))]


def assert_clean_error(result: Result, first_line: str, code: int = 1) -> None:
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == code, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ")
    assert result.stderr.splitlines()[0] == first_line


def fails(tmp: Path, args: list[str], first_line: str, *, check: bool = True) -> None:
    """compute fails cleanly and writes nothing, keeps an existing file; check fails alike."""
    fresh, kept = tmp / "out" / "new.csv", write(tmp / "out" / "kept.csv", KEEP)
    assert_clean_error(invoke("compute", *args, "-o", str(fresh)), first_line)
    assert not fresh.exists()
    assert_clean_error(invoke("compute", *args, "-o", str(kept), "-f", "json"), first_line)
    assert kept.read_text(encoding="utf-8") == KEEP
    assert sorted(p.name for p in (tmp / "out").iterdir()) == ["kept.csv"]  # no temp files
    if check:
        assert_clean_error(invoke("check", *args), first_line)


def workbook(path: Path, rows: list[list[object]], sheet: str = "Staff") -> Path:
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet
    for row in rows:
        ws.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def staff_rows() -> list[list[object]]:
    return [line.split(",") for line in STAFF.splitlines()]


def rezip(source: Path, target: Path, change: Callable[[str, bytes], bytes]) -> Path:
    """Copy a workbook, passing every part through ``change``."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zo:
        for info in zin.infolist():
            zo.writestr(info.filename, change(info.filename, zin.read(info)))
    return target


# ------------------------------------------------------------------------- missing and empty


def test_missing_staff_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.csv"
    fails(
        tmp_path,
        [str(path), "--training", str(training(tmp_path))],
        f"Error: {path}: file not found. Check the path given for the staff extract.",
    )


def test_missing_training_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.csv"
    fails(
        tmp_path,
        [str(staff(tmp_path)), "--training", str(path)],
        f"Error: {path}: file not found. Check the path given for the training extract.",
    )


def test_empty_file(tmp_path: Path) -> None:
    fails(
        tmp_path,
        extracts(tmp_path, ""),
        f"Error: {tmp_path / 'staff.csv'}: the file is empty. Export the extract again.",
    )


def test_header_only_staff(tmp_path: Path) -> None:
    fails(
        tmp_path,
        extracts(tmp_path, "Employee Number,Ethnic Origin,Snapshot Date\r\n"),
        f"Error: {tmp_path / 'staff.csv'}: the staff extract has a header but no rows.",
    )


def test_header_only_training(tmp_path: Path) -> None:
    path = training(tmp_path, "Employee Number,Course Title,Status,Start Date\n")
    fails(
        tmp_path,
        [str(staff(tmp_path)), "--training", str(path)],
        f"Error: {path}: the training extract has a header but no rows.",
    )


def test_file_of_blank_lines(tmp_path: Path) -> None:
    fails(
        tmp_path,
        extracts(tmp_path, "\r\n\r\n   \r\n\t\n"),
        f"Error: {tmp_path / 'staff.csv'}: the file has only blank lines. "
        "Export the extract again, with its header row.",
    )


def test_no_header_row(tmp_path: Path) -> None:
    path = tmp_path / "staff.csv"
    fails(
        tmp_path,
        extracts(tmp_path, STAFF.split("\n", 1)[1]),
        # The first row is a person's record: it is never echoed (privacy).
        f"Error: {path}: the first row looks like data (numbers or dates), not column names; "
        "the file needs its header row. Export the extract again with headers.",
    )


def test_title_line_above_the_header(tmp_path: Path) -> None:
    fails(
        tmp_path,
        extracts(tmp_path, "Staff in post report\n" + STAFF),
        f"Error: {tmp_path / 'staff.csv'}: missing column for person id (e.g. 'Employee "
        "Number', 'Employee No', 'Employee Id', 'Employee Ref', 'Staff Number'); ethnicity "
        "(e.g. 'Ethnic Origin', 'Ethnicity', 'Ethnic Group', 'Ethnic Category', 'Ethnic Origin "
        "Description'). Columns found: 'Staff in post report'. Only one column was found: if "
        "the file has title lines above its header row, delete them; if its columns are split "
        "by another character, save it as CSV again. Rename the column, or map it with "
        "--column ROLE=HEADER.",
    )


def test_empty_directory(tmp_path: Path) -> None:
    folder = tmp_path / "esr"
    folder.mkdir()
    fails(
        tmp_path,
        [str(folder), "--training", str(training(tmp_path))],
        f"Error: {folder}: the directory holds no CSV, TSV, Excel or Parquet files.",
    )


def test_directory_with_mixed_kinds_of_file(tmp_path: Path) -> None:
    folder = tmp_path / "esr"
    staff(folder, name="april.csv")
    workbook(folder / "may.xlsx", staff_rows())
    fails(
        tmp_path,
        [str(folder), "--training", str(training(tmp_path))],
        f"Error: {folder}: the staff extract mixes kinds of file (april.csv (csv), may.xlsx "
        "(excel)). Give files of one kind, or convert them to one format.",
    )


def test_directory_files_with_different_columns(tmp_path: Path) -> None:
    folder = tmp_path / "esr"
    staff(folder, name="april.csv")
    staff(folder, "Employee Number,Ethnic Origin\n5,A\n", name="may.csv")
    fails(
        tmp_path,
        [str(folder), "--training", str(training(tmp_path))],
        f"Error: {folder / 'may.csv'}: no snapshot column, but {folder / 'april.csv'} has one "
        "('Snapshot Date'). Files of one extract need the same columns; export them from the "
        "same report.",
    )


# --------------------------------------------------------------- not what the name says


def test_wrong_suffix(tmp_path: Path) -> None:
    fails(
        tmp_path,
        extracts(tmp_path, name="staff.docx"),
        f"Error: {tmp_path / 'staff.docx'}: unsupported file type '.docx'. "
        "Use CSV, TSV, Excel (.xlsx, .xlsm, .xls) or Parquet.",
    )


def test_no_suffix(tmp_path: Path) -> None:
    fails(
        tmp_path,
        extracts(tmp_path, name="staff"),
        f"Error: {tmp_path / 'staff'}: unsupported file type '(none)'. "
        "Use CSV, TSV, Excel (.xlsx, .xlsm, .xls) or Parquet.",
    )


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


def test_binary_file_named_csv(tmp_path: Path) -> None:
    fails(
        tmp_path,
        extracts(tmp_path, bytes(range(256)) * 8),
        f"Error: {tmp_path / 'staff.csv'}: not a text file (it holds binary data). "
        "Give the CSV or TSV export of the extract.",
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


def test_corrupt_parquet(tmp_path: Path) -> None:
    fails(
        tmp_path,
        extracts(tmp_path, b"PAR1" + bytes(50), name="staff.parquet"),
        f"Error: {tmp_path / 'staff.parquet'}: the Parquet file cannot be read (Parquet magic "
        "bytes not found in footer. Either the file is corrupted or this is not a parquet "
        "file.). Export it again.",
    )


def test_parquet_column_of_lists(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "staff.parquet"
    table = pa.table(
        {
            "Employee Number": [1, 2],
            "Ethnic Origin": [["A"], ["M"]],
            "Snapshot Date": [dt.date(2024, 3, 31)] * 2,
        }
    )
    pq.write_table(table, path)
    fails(
        tmp_path,
        [str(path), "--training", str(training(tmp_path))],
        f"Error: {path}: column 'Ethnic Origin' holds list<element: string>, not plain values. "
        "Write it as text, numbers or dates.",
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


def test_missing_sheet(tmp_path: Path) -> None:
    path = workbook(tmp_path / "staff.xlsx", staff_rows())
    args = [str(path), "--training", str(training(tmp_path)), "--sheet", "Training"]
    fails(
        tmp_path,
        args,
        f"Error: {path}: no sheet 'Training'; sheets found: 'Staff'. Choose one with --sheet.",
    )


def test_empty_sheet(tmp_path: Path) -> None:
    path = workbook(tmp_path / "staff.xlsx", [])
    fails(
        tmp_path,
        [str(path), "--training", str(training(tmp_path))],
        f"Error: {path}: the first sheet is empty. "
        "Choose the sheet that holds the data with --sheet.",
    )


def test_header_only_sheet(tmp_path: Path) -> None:
    path = workbook(tmp_path / "staff.xlsx", staff_rows()[:1])
    fails(
        tmp_path,
        [str(path), "--training", str(training(tmp_path))],
        f"Error: {path}: the staff extract has a header but no rows.",
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


# ---------------------------------------------------------------------------------- columns


def test_missing_required_column(tmp_path: Path) -> None:
    fails(
        tmp_path,
        extracts(tmp_path, "Employee Number,Snapshot Date\n1,31/03/2024\n"),
        f"Error: {tmp_path / 'staff.csv'}: missing column for ethnicity (e.g. 'Ethnic Origin', "
        "'Ethnicity', 'Ethnic Group', 'Ethnic Category', 'Ethnic Origin Description'). Columns "
        "found: 'Employee Number', 'Snapshot Date'. Rename the column, or map it with "
        "--column ROLE=HEADER.",
    )


def test_duplicate_required_column(tmp_path: Path) -> None:
    text = "Employee Number,Ethnic Origin,Ethnic Origin,Snapshot Date\n1,A,A,31/03/2024\n"
    fails(
        tmp_path,
        extracts(tmp_path, text),
        f"Error: {tmp_path / 'staff.csv'}: the header 'Ethnic Origin' appears twice (columns 2 "
        "and 3), so wres4 cannot tell which holds the ethnicity. Rename or remove the extra "
        "column in the file.",
    )


def test_two_different_headers_for_one_role(tmp_path: Path) -> None:
    text = "Employee Number,Ethnic Origin,ETHNIC_ORIGIN,Snapshot Date\n1,A,A,31/03/2024\n"
    fails(
        tmp_path,
        extracts(tmp_path, text),
        f"Error: {tmp_path / 'staff.csv'}: columns 'Ethnic Origin' (column 2), 'ETHNIC_ORIGIN' "
        "(column 3) both look like the ethnicity column. Rename one, or map the role "
        "explicitly with --column.",
    )


def test_mapped_column_not_found(tmp_path: Path) -> None:
    fails(
        tmp_path,
        [*extracts(tmp_path), "--column", "ethnicity=Ethnic Code"],
        f"Error: {tmp_path / 'staff.csv'}: column 'Ethnic Code' (given for ethnicity) not "
        "found; columns found: 'Employee Number', 'Ethnic Origin', 'Snapshot Date'.",
    )


def test_training_file_given_as_staff(tmp_path: Path) -> None:
    t = training(tmp_path)
    fails(
        tmp_path,
        [str(t), "--training", str(t)],
        f"Error: {t}: missing column for ethnicity (e.g. 'Ethnic Origin', 'Ethnicity', "
        "'Ethnic Group', 'Ethnic Category', 'Ethnic Origin Description'). Columns found: "
        "'Employee Number', 'Course Title', 'Course Type', 'Status', 'Start Date'. This looks "
        "like a training extract: give the staff extract first and the training extract after "
        "--training. Rename the column, or map it with --column ROLE=HEADER.",
    )


def test_staff_file_given_as_training(tmp_path: Path) -> None:
    s = staff(tmp_path)
    fails(
        tmp_path,
        [str(s), "--training", str(s)],
        f"Error: {s}: missing column for date (e.g. 'Start Date', 'Course Date', 'Event Date', "
        "'Attended Date', 'Completion Date'). Columns found: 'Employee Number', 'Ethnic "
        "Origin', 'Snapshot Date'. This looks like a staff extract, not a training extract: "
        "check the file given with --training. Rename the column, or map it with --column "
        "ROLE=HEADER.",
    )


def test_duplicated_headers_that_are_not_roles_are_fine(tmp_path: Path) -> None:
    text = (
        "Employee Number,Notes,Ethnic Origin,Notes,Snapshot Date,Notes\n"
        "1,a,A White - British,b,31/03/2024,c\n"
        "3,a,PC Black Nigerian,b,31/03/2024,c\n"
    )
    result = invoke("compute", *extracts(tmp_path, text), "-f", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1].startswith("2024,2023/24,2024-03-31,1,1,1.0,1,1,1.0,")


# ----------------------------------------------------------------------------- CSV shapes


def test_malformed_quoting(tmp_path: Path) -> None:
    text = STAFF + '5,"A White - British,31/03/2024\n6,A White - British,31/03/2024\n'
    fails(
        tmp_path,
        extracts(tmp_path, text),
        f"Error: {tmp_path / 'staff.csv'}: row 6 has 2 fields but the header has 3. Check that "
        'row for an unbalanced quote (") or a stray delimiter, or export the file again.',
    )


def test_row_with_extra_fields(tmp_path: Path) -> None:
    text = STAFF + "5,A White - British,31/03/2024,Band 5,extra\n"
    fails(
        tmp_path,
        extracts(tmp_path, text),
        f"Error: {tmp_path / 'staff.csv'}: row 6 has 5 fields but the header has 3. Check that "
        'row for an unbalanced quote (") or a stray delimiter, or export the file again.',
    )


def test_row_with_too_few_fields_deep_in_a_training_file(tmp_path: Path) -> None:
    rows = "".join(f"{i % 4 + 1},Coaching,CPD,Attended,15/06/2023\n" for i in range(3000))
    path = training(tmp_path, TRAINING + rows + "7,Coaching\n")
    fails(
        tmp_path,
        [str(staff(tmp_path)), "--training", str(path)],
        f"Error: {path}: row 3004 has 2 fields but the header has 5. Check that row for an "
        'unbalanced quote (") or a stray delimiter, or export the file again.',
    )


def test_quoted_newlines_and_blank_lines_are_fine(tmp_path: Path) -> None:
    text = (
        "\r\nEmployee Number,Ethnic Origin,Snapshot Date,Note\r\n"
        '1,A White - British,31/03/2024,"two\r\nlines"\r\n'
        "   \r\n"
        "3,PC Black Nigerian,31/03/2024,\r\n"
    )
    result = invoke("compute", *extracts(tmp_path, text), "-f", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1].startswith("2024,2023/24,2024-03-31,1,1,1.0,1,1,1.0,")


def test_very_long_field(tmp_path: Path) -> None:
    title = "Leadership " * 100_000  # a 1.1 MB cell
    text = TRAINING + f'1,"{title}",CPD,Attended,15/06/2023\n'
    result = invoke("compute", str(staff(tmp_path)), "--training", str(training(tmp_path, text)))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1].startswith("2024,2023/24,2024-03-31,2,1,0.5,2,1,0.5,")


def test_row_longer_than_the_read_block(tmp_path: Path) -> None:
    # pyarrow needs a block larger than the longest row: the reader grows it and re-reads,
    # handing out every row exactly once.
    text = "Employee Number,Ethnic Origin,Snapshot Date\n"
    text += "".join(f"{i},A,31/03/2024\n" for i in range(200))
    text += "900," + "x" * 5000 + ",31/03/2024\n"
    text += "".join(f"{i},M,31/03/2024\n" for i in range(1000, 1200))
    source = readers.open_source([staff(tmp_path, text)], "staff extract")
    columns = readers.resolve_columns(source, ["person_id", "ethnicity"])
    tables = list(readers.iter_tables(source, columns, batch_bytes=1024))
    ids = [v for t in tables for v in t.column("person_id").to_pylist()]
    rows = [v for t in tables for v in t.column("_row").to_pylist()]
    assert len(ids) == 401 and len(set(ids)) == 401
    assert rows == list(range(2, 403))


def test_utf16_file(tmp_path: Path) -> None:
    plain = invoke("compute", *extracts(tmp_path), "-f", "csv")
    wide = invoke("compute", *extracts(tmp_path, STAFF.encode("utf-16")), "-f", "csv")
    assert wide.exit_code == 0, wide.output
    assert wide.stdout == plain.stdout


def test_utf16_without_byte_order_mark(tmp_path: Path) -> None:
    plain = invoke("compute", *extracts(tmp_path), "-f", "csv")
    wide = invoke("compute", *extracts(tmp_path, STAFF.encode("utf-16-le")), "-f", "csv")
    assert wide.exit_code == 0, wide.output
    assert wide.stdout == plain.stdout


def test_windows_1252_is_detected(tmp_path: Path) -> None:
    text = STAFF + "5,Any other White background – Café,31/03/2024\n"
    result = invoke("compute", *extracts(tmp_path, text.encode("cp1252")), "-f", "csv")
    assert result.exit_code == 0, result.output


def test_undecodable_bytes_with_encoding_hint(tmp_path: Path) -> None:
    text = (STAFF + "5,White Café,31/03/2024\n").encode("cp1252")
    fails(
        tmp_path,
        [*extracts(tmp_path, text), "--encoding", "utf-8"],
        f"Error: {tmp_path / 'staff.csv'}: row 6 holds bytes that are not valid utf-8 text "
        "(the file may mix encodings). Save the file as UTF-8 from Excel ('CSV UTF-8'), or "
        "give its encoding with --encoding (e.g. --encoding cp1252).",
    )


def test_mixed_encodings(tmp_path: Path) -> None:
    # The first 64 kB are UTF-8 with a real UTF-8 character (so the file is UTF-8, not a
    # Windows-1252 file that happens to start in ASCII); a cp1252 byte comes later.
    rows = "".join(f"{i},A White - British,31/03/2024\n" for i in range(10, 3009))
    rows += "3009,White Zoë,31/03/2024\n"
    data = (STAFF + rows).encode("utf-8") + "9,White Café,31/03/2024\n".encode("cp1252")
    assert len(data) > readers.SNIFF_BYTES
    fails(
        tmp_path,
        extracts(tmp_path, data),
        f"Error: {tmp_path / 'staff.csv'}: row 3006 holds bytes that are not valid utf-8 text "
        "(the file may mix encodings). Save the file as UTF-8 from Excel ('CSV UTF-8'), or "
        "give its encoding with --encoding (e.g. --encoding cp1252).",
    )


def test_bytes_undefined_in_windows_1252(tmp_path: Path) -> None:
    data = STAFF.encode() + b"5,White \x81\xe9,31/03/2024\n"
    fails(
        tmp_path,
        extracts(tmp_path, data),
        f"Error: {tmp_path / 'staff.csv'}: row 6 holds bytes that are not valid cp1252 text "
        "(the file may mix encodings). Save the file as UTF-8 from Excel ('CSV UTF-8'), or "
        "give its encoding with --encoding (e.g. --encoding latin-1).",
    )


def test_unknown_encoding_name(tmp_path: Path) -> None:
    fails(
        tmp_path,
        [*extracts(tmp_path), "--encoding", "klingon"],
        "Error: --encoding 'klingon' is not a text encoding wres4 knows. "
        "Use utf-8, cp1252, latin-1 or utf-16.",
    )


# ------------------------------------------------------------------------------------ dates


def test_impossible_snapshot_dates(tmp_path: Path) -> None:
    fails(
        tmp_path,
        extracts(tmp_path, STAFF.replace("31/03/2024", "31/02/2024")),
        f"Error: {tmp_path / 'staff.csv'}: column 'Snapshot Date' holds no readable date or "
        "year between 1900 and 2199 (e.g. '31/02/2024'). Use dates like 31/03/2024 or "
        "2024-03-31, or years like 2023/24.",
    )


def test_placeholder_snapshot_dates(tmp_path: Path) -> None:
    fails(
        tmp_path,
        extracts(tmp_path, STAFF.replace("31/03/2024", "0001-01-01")),
        f"Error: {tmp_path / 'staff.csv'}: column 'Snapshot Date' holds no readable date or "
        "year between 1900 and 2199 (e.g. '0001-01-01'). Use dates like 31/03/2024 or "
        "2024-03-31, or years like 2023/24.",
    )


def test_some_impossible_dates_are_a_warning(tmp_path: Path) -> None:
    text = STAFF + "5,A White - British,31/02/2024\n"
    result = invoke("compute", *extracts(tmp_path, text), "-f", "csv")
    assert result.exit_code == 0, result.output
    assert (
        "Warning: 1 staff rows have a snapshot that cannot be read (first rows 6); "
        "they are left out." in result.stderr.splitlines()
    )
    assert invoke("check", *extracts(tmp_path, text)).exit_code == 3


def test_mixed_date_formats_are_read(tmp_path: Path) -> None:
    text = (
        "Employee Number,Ethnic Origin,Snapshot Date\n"
        "1,A White - British,31/03/2024\n"
        "2,A White - British,2024-03-31\n"
        "3,PC Black Nigerian,31-Mar-2024\n"
        "4,H Indian,31 March 2024\n"
    )
    t = training(
        tmp_path, TRAINING + "2,Coaching,CPD,Attended,2023-06-15\n4,Coaching,CPD,Attended,45092\n"
    )
    result = invoke("compute", str(staff(tmp_path, text)), "--training", str(t), "-f", "csv")
    assert result.exit_code == 0, result.output
    # Every form is read, and a column that mixes them is named with the forms seen.
    assert result.stderr.splitlines() == [
        "Note: the staff column 'Snapshot Date' mixes date formats: ISO (2024-03-31), "
        "day/month/year (31/03/2024), day and month name (31-Mar-2024); all were read, "
        "slashed dates day first.",
        "Note: the training column 'Start Date' mixes date formats: ISO (2023-06-15), "
        "day/month/year (15/06/2023), Excel day number (45092); all were read, slashed dates "
        "day first.",
    ]
    assert result.stdout.splitlines()[1].startswith("2024,2023/24,2024-03-31,2,2,1.0,2,2,1.0,")


def test_unreadable_training_dates_are_counted_with_rows(tmp_path: Path) -> None:
    text = TRAINING + "2,Coaching,CPD,Attended,31/02/2024\n4,Coaching,CPD,Attended,soon\n"
    result = invoke("compute", str(staff(tmp_path)), "--training", str(training(tmp_path, text)))
    assert result.exit_code == 0, result.output
    assert (
        "Warning: 2 training records have a date that cannot be read (first rows 4, 5); "
        "they do not count." in result.stderr.splitlines()
    )


def test_future_snapshot_is_a_warning(tmp_path: Path) -> None:
    future = dt.date.today().year + 2
    text = STAFF.replace("2024", str(future))
    result = invoke("compute", *extracts(tmp_path, text), "-f", "csv")
    assert result.exit_code == 0, result.output
    assert (
        "Warning: 4 staff rows have a snapshot date after today (first rows 2, 3, 4, 5); "
        "check the extract's dates." in result.stderr.splitlines()
    )


def test_as_at_date_not_in_the_extract(tmp_path: Path) -> None:
    fails(
        tmp_path,
        [*extracts(tmp_path), "--as-at", "2023-03-31"],
        f"Error: {tmp_path / 'staff.csv'}: no rows have snapshot 2023-03-31 (--as-at); "
        "snapshots found: 2024-03-31.",
    )


def test_year_column_without_years(tmp_path: Path) -> None:
    fails(
        tmp_path,
        extracts(tmp_path, "Employee Number,Ethnic Origin,Year\n1,A,soon\n"),
        f"Error: {tmp_path / 'staff.csv'}: column 'Year' holds no readable date or year "
        "between 1900 and 2199 (e.g. 'soon'). Use dates like 31/03/2024 or 2024-03-31, or "
        "years like 2023/24.",
    )


# ----------------------------------------------------------------------------- the groups


def test_year_with_no_bme_staff(tmp_path: Path) -> None:
    text = "Employee Number,Ethnic Origin,Snapshot Date\n1,A,31/03/2024\n2,A,31/03/2024\n"
    result = invoke("compute", *extracts(tmp_path, text), "-f", "csv")
    assert result.exit_code == 0, result.output
    assert (
        "Warning: no BME staff in 2023/24: the relative likelihood is not calculable for that "
        "year. Check the ethnicity column and any --as-at or snapshot filter."
        in result.stderr.splitlines()
    )
    assert "not_calculable:no_bme_staff" in result.stdout
    assert invoke("check", *extracts(tmp_path, text)).exit_code == 3


def test_year_with_no_white_staff(tmp_path: Path) -> None:
    text = "Employee Number,Ethnic Origin,Snapshot Date\n1,M,31/03/2024\n2,Z,31/03/2024\n"
    result = invoke("compute", *extracts(tmp_path, text), "-f", "csv")
    assert result.exit_code == 0, result.output
    assert "Warning: no White staff in 2023/24" in result.stderr
    assert "not_calculable:no_white_staff" in result.stdout


def test_person_level_accessed_not_yes_or_no(tmp_path: Path) -> None:
    path = write(
        tmp_path / "people.csv",
        "Employee Number,Ethnic Origin,Year,Accessed\n1,A,2024,yes\n2,M,2024,maybe\n",
    )
    fails(
        tmp_path,
        [str(path)],
        f"Error: {path}: column 'Accessed', row 3: values that are not yes/no, true/false, "
        "1/0 or a count ('maybe'). Use yes/no or a count of activities.",
    )


# ------------------------------------------------------------------------ aggregate counts


AGGREGATE = "Year,Group,Headcount,Accessed\n2024,White,{white},{accessed}\n2024,BME,10,2\n"


@pytest.mark.parametrize("value", ["-5", "5.5", "lots"])
def test_aggregate_count_that_is_not_a_whole_number(tmp_path: Path, value: str) -> None:
    path = write(tmp_path / "history.csv", AGGREGATE.format(white=value, accessed=1))
    fails(
        tmp_path,
        [str(path)],
        f"Error: {path}: column 'Headcount', row 2: '{value}' is not a whole number of people "
        "(counts must be 0, 1, 2, ...).",
    )


@pytest.mark.parametrize("value", ["1e400", "inf", "99999999999999999999999"])
def test_aggregate_count_that_overflows(tmp_path: Path, value: str) -> None:
    path = write(tmp_path / "history.csv", AGGREGATE.format(white=0, accessed=value))
    fails(
        tmp_path,
        [str(path)],
        f"Error: {path}: column 'Accessed', row 2: '{value}' is not a whole number of people "
        "(counts must be 0, 1, 2, ...).",
    )


def test_aggregate_accessed_over_headcount(tmp_path: Path) -> None:
    path = write(tmp_path / "history.csv", AGGREGATE.format(white=5, accessed=7))
    fails(
        tmp_path,
        [str(path)],
        f"Error: {path}: row 2: accessed (7) is more than headcount (5). Check the two columns.",
    )


def test_aggregate_year_that_is_not_a_year(tmp_path: Path) -> None:
    path = write(
        tmp_path / "history.csv", AGGREGATE.format(white=5, accessed=1).replace("2024,W", "0000,W")
    )
    fails(
        tmp_path,
        [str(path)],
        f"Error: {path}: column 'Year', row 2: '0000' is not a year. "
        "Use 2024, 2023/24 or a snapshot date.",
    )


def test_aggregate_year_with_no_bme_staff(tmp_path: Path) -> None:
    path = write(tmp_path / "history.csv", "Year,Group,Headcount,Accessed\n2024,White,5,2\n")
    result = invoke("compute", str(path), "-f", "csv")
    assert result.exit_code == 0, result.output
    assert "not_calculable:no_bme_staff" in result.stdout
    audit = invoke("check", str(path))
    assert audit.exit_code == 3
    assert "[no_group_staff] no staff in BME in 2024" in audit.stdout


# ------------------------------------------------------------------------- writing output


def test_output_folder_missing_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "nowhere" / "out.csv"
    result = invoke("compute", *extracts(tmp_path), "-o", str(target))
    assert_clean_error(
        result, f"Error: {target}: the folder {target.parent} does not exist. Create it first."
    )
    assert not target.parent.exists()


def test_strict_compute_writes_nothing_and_keeps_the_old_file(tmp_path: Path) -> None:
    target = write(tmp_path / "out.csv", KEEP)
    text = STAFF + "5,Martian,31/03/2024\n"
    result = invoke("compute", *extracts(tmp_path, text), "--strict", "-o", str(target))
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == (
        "Error: 1 data-quality problem found (--strict); nothing was written. "
        "Run 'wres4 check' for the full audit."
    )
    assert target.read_text(encoding="utf-8") == KEEP


def test_strict_funnel_writes_nothing(tmp_path: Path) -> None:
    log = write(
        tmp_path / "applications.csv",
        "Employee Number,Ethnic Origin,Programme,Application Date,Decision\n"
        "1,A White - British,Ready Now,01/05/2023,Approved\n"
        "2,Martian,Ready Now,01/05/2023,Approved\n"
        "3,PC Black Nigerian,Ready Now,01/05/2023,Declined\n",
    )
    target = write(tmp_path / "funnel.json", KEEP)
    loose = invoke("funnel", str(log), "-f", "json")
    assert loose.exit_code == 0, loose.output
    strict = invoke("funnel", str(log), "--strict", "-o", str(target))
    assert strict.exit_code == 3, strict.output
    assert strict.stdout == ""
    assert target.read_text(encoding="utf-8") == KEEP


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    from wres4.errors import InputError

    result = invoke("--debug", "compute", str(tmp_path / "nope.csv"), "--training", "t.csv")
    assert isinstance(result.exception, InputError)


def test_failure_while_writing_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wres4.output import export

    def half_then_full_disk(result: object, out: io.StringIO) -> None:
        out.write("year,period\n2024,")
        out.flush()
        raise OSError(28, "No space left on device", str(target))

    target = write(tmp_path / "out" / "result.csv", KEEP)
    monkeypatch.setitem(export.TEXT_WRITERS, "csv", half_then_full_disk)
    result = invoke("compute", *extracts(tmp_path), "-o", str(target))
    assert_clean_error(result, f"Error: {target}: No space left on device.")
    assert target.read_text(encoding="utf-8") == KEEP
    assert [p.name for p in target.parent.iterdir()] == ["result.csv"]


def test_out_of_memory_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import wres4.indicator.compute

    def too_big(*args: object, **kwargs: object) -> None:
        raise MemoryError

    monkeypatch.setattr(wres4.indicator.compute, "compute", too_big)
    result = invoke("compute", *extracts(tmp_path))
    assert_clean_error(
        result,
        "Error: not enough memory for these inputs. Give fewer or smaller files at once "
        "(e.g. one year), or run on a machine with more memory.",
    )


def test_workbook_rows_are_numbered_as_excel_shows_them(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        [],
        [],
        ["Employee Number", "Ethnic Origin", "Snapshot Date"],
        [1, "A White - British", dt.datetime(2024, 3, 31)],
        [None, None, None],
        [3, "PC Black Nigerian", "31/02/2024"],
        [4, "H Indian", dt.datetime(2024, 3, 31)],
    ]
    path = workbook(tmp_path / "staff.xlsx", rows)
    result = invoke("compute", str(path), "--training", str(training(tmp_path)), "--sheet", "staff")
    assert result.exit_code == 0, result.output
    assert (
        "Warning: 1 staff rows have a snapshot that cannot be read (first rows 6); "
        "they are left out." in result.stderr.splitlines()
    )
    assert "no person id" not in result.stderr  # the empty row 5 is not a record


def test_staff_without_snapshot_column_needs_a_date(tmp_path: Path) -> None:
    text = "Employee Number,Ethnic Origin\n1,A White - British\n3,H Indian\n"
    fails(
        tmp_path,
        extracts(tmp_path, text),
        f"Error: {tmp_path / 'staff.csv'}: no snapshot column (e.g. 'Snapshot Date', 'As At "
        "Date', 'Report Date' or a 'Year' column); columns found: 'Employee Number', 'Ethnic "
        "Origin'. Give the date the extract was taken with --as-at DATE, map a column with "
        "--column snapshot=HEADER, or set extracts_are_current = true under [reporting] in "
        "wres4.toml.",
    )
    dated = invoke("compute", *extracts(tmp_path, text), "--as-at", "31/03/2024", "-f", "csv")
    assert dated.exit_code == 0, dated.output
    assert dated.stdout.splitlines()[1].startswith("2024,2023/24,2024-03-31,1,1,1.0,1,1,1.0,")
    config = write(tmp_path / "wres4.toml", "[reporting]\nextracts_are_current = true\n")
    current = invoke("--config", str(config), "compute", *extracts(tmp_path, text), "-f", "csv")
    assert current.exit_code == 0, current.output
    assert current.stderr.startswith(
        "Warning: the staff extract has no snapshot date or year column; it is taken as the "
        "staff in post on "
    )
