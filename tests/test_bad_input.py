"""Bad input, one case per test: a one-line ``Error:`` (exit 1) naming the file, or a warning
where the run can honestly continue; never a traceback, never a half-written file
(method.md: Data quality).

Every error case runs ``compute`` twice (once with a new ``-o`` file, once with an existing
one that must survive unchanged) and ``check`` once; all three must fail the same way.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from badinput import (
    KEEP,
    STAFF,
    TRAINING,
    assert_clean_error,
    extracts,
    fails,
    invoke,
    staff,
    staff_rows,
    training,
    workbook,
    write,
)

from wres4.inputs import filecheck, readers
from wres4.inputs.columns import resolve_columns

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


def test_binary_file_named_csv(tmp_path: Path) -> None:
    fails(
        tmp_path,
        extracts(tmp_path, bytes(range(256)) * 8),
        f"Error: {tmp_path / 'staff.csv'}: not a text file (it holds binary data). "
        "Give the CSV or TSV export of the extract.",
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
    columns = resolve_columns(source, ["person_id", "ethnicity"])
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
    assert len(data) > filecheck.SNIFF_BYTES
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
    from wres4.output import text as export

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


def test_a_ten_megabyte_course_title_is_read_and_reported(tmp_path: Path) -> None:
    title = "Leadership " * (1 << 20)  # 11 MB in one cell
    long_text = TRAINING + f'1,"{title}",CPD,Attended,15/06/2023\n'
    plain = invoke("compute", *extracts(tmp_path), "-f", "csv", "-q")
    result = invoke(
        "compute",
        str(staff(tmp_path)),
        "--training",
        str(training(tmp_path, long_text)),
        "-f",
        "csv",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == plain.stdout  # person 1 had already accessed: counts unchanged
    assert result.stderr.splitlines() == [
        f"Warning: {tmp_path / 'training.csv'}: column 'Course Title' holds a value longer than "
        f"a spreadsheet cell can hold (first row 4: {len(title):,} characters); read as it is, "
        "but check the export: an unclosed quote can run many rows into one field."
    ]
    assert invoke("check", *extracts(tmp_path)).exit_code == 0
    training(tmp_path, long_text)
    audit = invoke("check", str(staff(tmp_path)), "--training", str(tmp_path / "training.csv"))
    assert audit.exit_code == 3
    assert "[long_field]" in audit.stdout


def test_sheet_options_for_files_without_sheets_are_usage_errors(tmp_path: Path) -> None:
    args = extracts(tmp_path)
    result = invoke("compute", *args, "--sheet", "Staff", "-o", str(tmp_path / "out.csv"))
    assert_clean_error(
        result,
        f"Error: --sheet 'Staff' picks a sheet of an Excel workbook, but {args[0]} is a CSV "
        "file, which has no sheets. Leave --sheet out, or give the workbook.",
        code=2,
    )
    assert not (tmp_path / "out.csv").exists()
    result = invoke("check", *args, "--training-sheet", "Training")
    assert_clean_error(
        result,
        f"Error: --training-sheet 'Training' picks a sheet of an Excel workbook, but {args[2]} "
        "is a CSV file, which has no sheets. Leave --training-sheet out, or give the workbook.",
        code=2,
    )
    # A workbook among the inputs takes the option: the funnel's staff extract here.
    book = workbook(tmp_path / "staff.xlsx", staff_rows(), sheet="Staff")
    log = write(tmp_path / "log.csv", "Staff ID,Application Date\n1,01/05/2023\n")
    ok = invoke("funnel", str(log), "--staff", str(book), "--sheet", "Staff", "-f", "csv", "-q")
    assert ok.exit_code == 0, ok.output
