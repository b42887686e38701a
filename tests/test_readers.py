"""Files -> tables (method.md: Inputs):
delimiters, encodings, formats, several files, header aliases,
explicit mappings and person ids. The same rows written in every format give one result."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    BME,
    STAFF_HEADER,
    TRAINING_HEADER,
    UNKNOWN,
    WHITE,
    counts,
    cpd,
    only_row,
    run,
    write_rows,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from wres4.indicator.compute import compute
from wres4.indicator.result import Result
from wres4.inputs.columns import resolve_columns
from wres4.inputs.readers import FileHashes, file_sha256, open_source, read_all
from wres4.settings import Settings

# One small scenario used across formats:
#   White 1, 2, 3 (1 and 2 accessed; 1 twice)  -> 2/3
#   BME 4, 5, 6, 7 (4 accessed)                 -> 1/4
#   Unknown 8 (accessed)                        -> 1/1
#   ratio (2/3) / (1/4) = 8/3
STAFF: list[list[Any]] = [
    [1, WHITE, "2024-03-31"],
    [2, WHITE, "2024-03-31"],
    [3, WHITE, "2024-03-31"],
    [4, BME, "2024-03-31"],
    [5, BME, "2024-03-31"],
    [6, BME, "2024-03-31"],
    [7, BME, "2024-03-31"],
    [8, UNKNOWN, "2024-03-31"],
]
TRAINING: list[list[Any]] = [
    cpd(1, "2023-05-01"),
    cpd(1, "2023-11-20"),
    cpd(2, "2024-03-31"),
    cpd(4, "2023-04-01"),
    cpd(8, "2023-08-08"),
    [3, "Fire Safety", "Mandatory", "Completed", "2023-06-01"],
    [5, "Coaching Skills", "CPD", "Declined", "2023-06-01"],
    [6, "Coaching Skills", "CPD", "Attended", "2023-03-31"],
]
EXPECTED = (3, 2, 4, 1, 1, 1)
RATIO = 8 / 3


def assert_scenario(result: Result) -> None:
    row = only_row(result)
    assert counts(row) == EXPECTED
    assert row["relative_likelihood"] == pytest.approx(RATIO, rel=1e-12)


def as_dates(rows: list[list[Any]], column: int) -> list[list[Any]]:
    """The rows with ``column`` turned from ISO text into dates (as Excel/Parquet hold them)."""
    return [[*r[:column], dt.date.fromisoformat(r[column]), *r[column + 1 :]] for r in rows]


# ----------------------------------------------------------------------------- delimiters


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_csv_delimiter_is_sniffed(tmp_path: Path, delimiter: str) -> None:
    s = write_rows(tmp_path / "staff.csv", STAFF_HEADER, STAFF, delimiter=delimiter)
    t = write_rows(tmp_path / "training.csv", TRAINING_HEADER, TRAINING, delimiter=delimiter)
    assert_scenario(compute([s], training=[t]))


def test_delimiter_inside_quotes_is_not_a_separator(tmp_path: Path) -> None:
    # A course title holding commas and semicolons is quoted by the writer.
    training = [[*r[:1], "Leadership; Coaching, Mentoring", *r[2:]] for r in TRAINING]
    s = write_rows(tmp_path / "staff.csv", STAFF_HEADER, STAFF, delimiter=";")
    t = write_rows(tmp_path / "training.csv", TRAINING_HEADER, training, delimiter=";")
    assert_scenario(compute([s], training=[t]))


def test_tsv(tmp_path: Path) -> None:
    assert_scenario(run(tmp_path, STAFF, TRAINING, suffix=".tsv"))


# ------------------------------------------------------------------------------ encodings

LABEL = "Café – £ (ward 3)"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_encodings(tmp_path: Path, encoding: str) -> None:
    # The department label holds é, the en dash and £: bytes E9 96 A3 in Windows-1252
    # (not valid UTF-8), so each encoding has to be recognised to read it back intact.
    header = (*STAFF_HEADER, "Department")
    staff = [[*r, LABEL if r[0] <= 4 else "Ward"] for r in STAFF]
    s = write_rows(tmp_path / "staff.csv", header, staff, encoding=encoding)
    t = write_rows(tmp_path / "training.csv", TRAINING_HEADER, TRAINING, encoding=encoding)
    result = compute([s], training=[t], by=["Department"])
    assert_scenario(Result(result.overall, result.meta))
    by_label = {r["Department"]: r for r in result.table.to_dict("records")}
    # Café: White 1, 2, 3 (1, 2 accessed) and BME 4 (accessed).
    assert counts(by_label[LABEL]) == (3, 2, 1, 1, 0, 0)


def test_bom_does_not_hide_the_first_header(tmp_path: Path) -> None:
    # With a BOM the first header must still be found as the person id column.
    s = write_rows(tmp_path / "staff.csv", STAFF_HEADER, STAFF, encoding="utf-8-sig")
    source = open_source([s], "staff extract")
    columns = resolve_columns(source, ["person_id", "ethnicity"], required=["person_id"])
    assert columns[s].roles["person_id"] == "Employee Number"


def test_windows_1252_bytes_late_in_a_large_file(tmp_path: Path) -> None:
    # 3,000 plain ASCII rows (> 64 KB) before the first non-ASCII label.
    filler = [[100 + i, WHITE, "2024-03-31", "Ward " + "x" * 20] for i in range(3000)]
    header = (*STAFF_HEADER, "Department")
    staff = [*filler, *([*r, LABEL] for r in STAFF)]
    s = write_rows(tmp_path / "staff.csv", header, staff, encoding="cp1252")
    assert s.stat().st_size > 64 * 1024
    t = write_rows(tmp_path / "training.csv", TRAINING_HEADER, TRAINING)
    result = compute([s], training=[t], by=["Department"])
    labels = set(result.table["Department"].dropna())
    assert LABEL in labels
    # White 1-3 plus the 3,000 filler people; the rest as in the scenario.
    assert counts(only_row(Result(result.overall, result.meta))) == (3003, 2, 4, 1, 1, 1)


# ---------------------------------------------------------------------- Excel and Parquet


def test_xlsx_first_sheet(tmp_path: Path) -> None:
    # Ids as numbers and dates as date cells, as Excel holds them.
    s = write_rows(tmp_path / "staff.xlsx", STAFF_HEADER, as_dates(STAFF, 2))
    t = write_rows(tmp_path / "training.xlsx", TRAINING_HEADER, as_dates(TRAINING, 4))
    assert_scenario(compute([s], training=[t]))


def test_xlsx_named_sheet(tmp_path: Path) -> None:
    # The first sheet is a cover note; the data are on "Staff".
    notes = {"Notes": [["Extract from ESR"], ["Run on 2024-04-02"]]}
    s = write_rows(tmp_path / "staff.xlsx", STAFF_HEADER, STAFF, sheet="Staff", before=notes)
    t = write_rows(tmp_path / "training.csv", TRAINING_HEADER, TRAINING)
    assert_scenario(compute([s], training=[t], settings=Settings(sheet="Staff")))


def test_parquet_with_date32_and_int64(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    s = write_rows(tmp_path / "staff.parquet", STAFF_HEADER, as_dates(STAFF, 2))
    t = write_rows(tmp_path / "training.parquet", TRAINING_HEADER, as_dates(TRAINING, 4))
    schema = pq.read_schema(s)
    assert schema.field("Employee Number").type == pa.int64()
    assert schema.field("Snapshot Date").type == pa.date32()
    assert pq.read_schema(t).field("Start Date").type == pa.date32()
    assert_scenario(compute([s], training=[t]))


def test_parquet_timestamps(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    s = tmp_path / "staff.parquet"
    pq.write_table(
        pa.table(
            {
                "Employee Number": pa.array([r[0] for r in STAFF], pa.int64()),
                "Ethnic Origin": [r[1] for r in STAFF],
                "Snapshot Date": pa.array(
                    [dt.datetime(2024, 3, 31) for _ in STAFF], pa.timestamp("us")
                ),
            }
        ),
        s,
    )
    t = write_rows(tmp_path / "training.csv", TRAINING_HEADER, TRAINING)
    assert_scenario(compute([s], training=[t]))


def test_same_rows_same_result_in_every_format(tmp_path: Path) -> None:
    tables = []
    for suffix in (".csv", ".tsv", ".xlsx", ".parquet"):
        folder = tmp_path / suffix[1:]
        folder.mkdir()
        # Excel and Parquet keep ids as numbers and dates as dates; CSV/TSV as text.
        typed = suffix in (".xlsx", ".parquet")
        staff = as_dates(STAFF, 2) if typed else STAFF
        training = as_dates(TRAINING, 4) if typed else TRAINING
        result = run(folder, staff, training, suffix=suffix)
        assert_scenario(result)
        tables.append(result.table)
    for other in tables[1:]:
        assert other.equals(tables[0])


# ------------------------------------------------------------------ several files, folders


def test_several_staff_files_and_a_directory_of_training(tmp_path: Path) -> None:
    a = write_rows(tmp_path / "staff-a.csv", STAFF_HEADER, STAFF[:4])
    b = write_rows(tmp_path / "staff-b.csv", STAFF_HEADER, STAFF[4:])
    folder = tmp_path / "training"
    folder.mkdir()
    for month, rows in enumerate((TRAINING[:3], TRAINING[3:6], TRAINING[6:]), start=1):
        write_rows(folder / f"2023-{month:02d}.csv", TRAINING_HEADER, rows)
    (folder / "README.md").write_text("not data\n")  # ignored: not a data file
    assert_scenario(compute([a, b], training=[folder]))


def test_directory_of_staff_files(tmp_path: Path) -> None:
    folder = tmp_path / "staff"
    folder.mkdir()
    write_rows(folder / "1.csv", STAFF_HEADER, STAFF[:5])
    write_rows(folder / "2.csv", STAFF_HEADER, STAFF[5:])
    t = write_rows(tmp_path / "training.csv", TRAINING_HEADER, TRAINING)
    assert_scenario(compute([folder], training=[t]))


def test_several_files_read_as_one_table(tmp_path: Path) -> None:
    a = write_rows(tmp_path / "a.csv", STAFF_HEADER, STAFF[:2])
    # The second file has its columns in another order and one extra.
    b = write_rows(
        tmp_path / "b.csv",
        ("Snapshot Date", "Band", "Ethnic Origin", "Employee Number"),
        [["2024-03-31", "5", BME, 9]],
    )
    source = open_source([a, b], "staff extract")
    columns = resolve_columns(source, ["person_id", "ethnicity"], required=["person_id"])
    table = read_all(source, columns)
    assert table.column("person_id").to_pylist() == ["1", "2", "9"]
    assert table.column("ethnicity").to_pylist() == [WHITE, WHITE, BME]


# ----------------------------------------------------------------- header aliases, end to end


def test_aliased_headers_end_to_end(tmp_path: Path) -> None:
    # "2023/24" in a Financial Year column is the 31 March 2024 snapshot.
    staff_header = ("EMPLOYEE  NUMBER", "Ethnic Group", "Financial Year")
    staff = [[r[0], r[1], "2023/24"] for r in STAFF]
    training_header = ("Staff No.", "Competence Name", "Learning Type", "Outcome", "Event Date")
    result = run(
        tmp_path, staff, TRAINING, staff_header=staff_header, training_header=training_header
    )
    assert_scenario(result)
    assert only_row(result)["snapshot_date"] == dt.date(2024, 3, 31)


def test_as_at_date_header(tmp_path: Path) -> None:
    header = ("Staff Number", "Ethnic Origin", "As At Date")
    staff = [[r[0], r[1], "31/03/2024"] for r in STAFF]
    assert_scenario(run(tmp_path, staff, TRAINING, staff_header=header))


def test_explicit_column_mapping(tmp_path: Path) -> None:
    # "Emp Ref" is no alias; the mapping names it. "ID" would otherwise be taken as the id.
    header = ("ID", "Emp Ref", "Ethnic Origin", "Snapshot Date")
    staff = [[1000 + i, *r] for i, r in enumerate(STAFF)]
    t_header = ("Emp Ref", *TRAINING_HEADER[1:])
    settings = Settings(
        columns={"staff": {"person_id": "Emp Ref"}, "training": {"person_id": "emp ref"}}
    )
    result = run(
        tmp_path, staff, TRAINING, staff_header=header, training_header=t_header, settings=settings
    )
    assert_scenario(result)


# ------------------------------------------------------------------------------ person ids


def test_ids_with_leading_zeros_match_across_extracts(tmp_path: Path) -> None:
    staff = [[f"00{r[0]:06d}", *r[1:]] for r in STAFF]  # "00000001"
    assert_scenario(run(tmp_path, staff, TRAINING))


def test_ids_from_excel_numbers_match_text_ids(tmp_path: Path) -> None:
    # Staff from a workbook (ids as numbers 123456), training as text "00123456".
    staff = [[123450 + r[0], *r[1:]] for r in STAFF]
    training = [[f"00{123450 + r[0]}", *r[1:]] for r in TRAINING]
    s = write_rows(tmp_path / "staff.xlsx", STAFF_HEADER, staff)
    t = write_rows(tmp_path / "training.csv", TRAINING_HEADER, training)
    assert_scenario(compute([s], training=[t]))


def test_assignment_numbers_in_staff_and_training(tmp_path: Path) -> None:
    staff = [[f"1234567{r[0]}-1", *r[1:]] for r in STAFF]
    staff.append(["12345671-2", WHITE, "2024-03-31"])  # a second assignment of person 1
    training = [[f"1234567{r[0]}-{r[0] % 3 + 1}", *r[1:]] for r in TRAINING]
    header = ("Assignment Number", "Ethnic Origin", "Snapshot Date")
    t_header = ("Assignment No", *TRAINING_HEADER[1:])
    result = run(tmp_path, staff, training, staff_header=header, training_header=t_header)
    assert_scenario(result)


# ------------------------------------------------------------------- more format details


def test_xlsx_datetimes_with_a_time_of_day(tmp_path: Path) -> None:
    # A date-time cell on the snapshot day is that day (inside); one on 1 April is outside.
    training = [
        [1, "Coaching", "CPD", "Attended", dt.datetime(2024, 3, 31, 15, 0)],
        [2, "Coaching", "CPD", "Attended", dt.datetime(2024, 4, 1, 0, 30)],
        [4, "Coaching", "CPD", "Attended", dt.datetime(2023, 4, 1, 9, 0)],
    ]
    s = write_rows(tmp_path / "staff.xlsx", STAFF_HEADER, as_dates(STAFF[:7], 2))
    t = write_rows(tmp_path / "training.xlsx", TRAINING_HEADER, training)
    # White 1, 2, 3 -> 1 accessed; BME 4-7 -> 1 accessed.
    assert counts(only_row(compute([s], training=[t]))) == (3, 1, 4, 1, 0, 0)


def test_bom_with_semicolons_and_a_tab_separated_txt(tmp_path: Path) -> None:
    # Excel's "CSV UTF-8" in a European locale: BOM + semicolons; and a .txt export with tabs.
    s = write_rows(
        tmp_path / "staff.txt", STAFF_HEADER, STAFF, delimiter="\t", encoding="utf-8-sig"
    )
    t = write_rows(
        tmp_path / "training.csv", TRAINING_HEADER, TRAINING, delimiter=";", encoding="utf-8-sig"
    )
    assert_scenario(compute([s], training=[t]))


def test_person_level_table_in_a_workbook(tmp_path: Path) -> None:
    # TRUE/FALSE cells: White 1 (TRUE), 2 (FALSE) -> 1/2; BME 3 (TRUE), 4, 5 -> 1/3.
    # ratio (1/2) / (1/3) = 1.5.
    rows = [
        [1, WHITE, "2023/24", True],
        [2, WHITE, "2023/24", False],
        [3, BME, "2023/24", True],
        [4, BME, "2023/24", False],
        [5, BME, "2023/24", False],
    ]
    path = write_rows(tmp_path / "p.xlsx", ("Staff ID", "Ethnicity", "Year", "Accessed"), rows)
    row = only_row(compute([path]))
    assert counts(row) == (2, 1, 3, 1, 0, 0)
    assert row["relative_likelihood"] == pytest.approx(1.5, rel=1e-12)


def test_aggregate_counts_in_parquet(tmp_path: Path) -> None:
    rows = [[2024, "White", 10, 5], [2024, "BME", 10, 2]]
    path = write_rows(tmp_path / "a.parquet", ("Year", "Group", "Headcount", "Accessed"), rows)
    row = only_row(compute([path]))
    # (5/10) / (2/10) = 2.5
    assert counts(row) == (10, 5, 10, 2, 0, 0)
    assert row["relative_likelihood"] == pytest.approx(2.5, rel=1e-12)


# ------------------------------------------------------------ the chunked multi-threaded reader


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_chunks_cut_at_line_breaks_give_the_same_rows_and_row_numbers(
    tmp_path: Path, newline: str
) -> None:
    """Big extracts are parsed in chunks cut after a line break (16 MB each); tiny chunks
    here put hundreds of cuts among quoted commas and CRLF endings."""
    from wres4.inputs.readers import iter_tables

    rows = [
        [i, WHITE if i % 3 else f'"{BME}, with a comma"', "2024-03-31", "x" * (i % 40)]
        for i in range(1, 2001)
    ]
    text = (
        newline.join(
            ["Employee Number,Ethnic Origin,Snapshot Date,Department"]
            + [",".join(map(str, r)) for r in rows]
        )
        + newline
    )
    path = tmp_path / "staff.csv"
    path.write_bytes(text.encode("utf-8"))
    source = open_source([path], "staff extract")
    columns = resolve_columns(source, ["person_id", "ethnicity"], extra=["Department"])

    def read(chunk: int | None) -> dict[str, list[Any]]:
        parts = list(iter_tables(source, columns, chunk_bytes=chunk))
        return {
            name: [v for part in parts for v in part.column(name).to_pylist()]
            for name in ("person_id", "ethnicity", "Department", "_row")
        }

    whole, chunked = read(None), read(700)
    assert chunked == whole
    assert whole["_row"] == list(range(2, 2002))  # spreadsheet rows under the header
    assert whole["ethnicity"][2] == f"{BME}, with a comma"


def test_a_broken_row_far_into_a_chunked_file_is_named_by_its_row(tmp_path: Path) -> None:
    from wres4.errors import InputError
    from wres4.inputs.readers import iter_tables

    lines = ["Employee Number,Ethnic Origin,Snapshot Date"]
    lines += [f"{i},{WHITE},2024-03-31" for i in range(1, 1500)]
    lines[1200] = "1200,only two fields"  # row 1201 of the file
    path = tmp_path / "staff.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    source = open_source([path], "staff extract")
    columns = resolve_columns(source, ["person_id", "ethnicity"])
    with pytest.raises(InputError, match="row 1201 has 2 fields but the header has 3"):
        list(iter_tables(source, columns, chunk_bytes=500))


class SmallBlocks(FileHashes):
    BLOCK = 64  # several blocks a file, so a stop falls inside one


@given(
    sizes=st.lists(st.integers(0, 400), min_size=1, max_size=4),
    blocks=st.integers(0, 30),
    seed=st.integers(0, 2**16),
)
@settings(max_examples=60, deadline=None)
def test_file_hashes_stopped_part_way_are_finished_by_another_thread(
    sizes: list[int], blocks: int, seed: int
) -> None:
    """Whatever block the hashing stops at, the thread that finishes it gets every file's
    SHA-256; the extract in a directory is found (the reading's files: not a lock file or
    notes), and a missing file is left out."""
    import hashlib
    import random
    import tempfile
    import threading

    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "extracts"
        folder.mkdir()
        files = [Path(tmp) / f"f{i}.csv" for i in range(len(sizes) - 1)]
        files.append(folder / "last.csv")
        expected: dict[Path, str] = {}
        for path, size in zip(files, sizes, strict=True):
            data = rng.randbytes(size)
            path.write_bytes(data)
            expected[path] = hashlib.sha256(data).hexdigest()
        (folder / "notes.md").write_text("not an extract", encoding="utf-8")
        (folder / "~$last.csv").write_text("an Office lock file", encoding="utf-8")
        taken = iter(range(1 << 30))
        paths = [*files[:-1], folder, Path(tmp) / "missing.csv"]
        hashes = SmallBlocks(paths).run(lambda: next(taken) >= blocks)
        assert all(expected[p] == d for p, d in hashes.digests.items())
        finished: list[dict[Path, str]] = []
        other = threading.Thread(target=lambda: finished.append(hashes.finish()))
        other.start()
        other.join()
        assert finished == [expected]


def test_file_sha256_reads_the_whole_file_and_says_when_it_cannot(tmp_path: Path) -> None:
    import hashlib

    path = tmp_path / "staff.csv"
    path.write_bytes(b"x" * 3_000_000)
    assert file_sha256(path) == hashlib.sha256(b"x" * 3_000_000).hexdigest()
    with pytest.raises(FileNotFoundError):
        file_sha256(tmp_path / "gone.csv")


def test_a_file_changed_while_its_hashing_was_stopped_is_hashed_again(tmp_path: Path) -> None:
    """The digest is the file's as it is when finished, never the old head and a new tail."""
    import hashlib
    import os

    path = tmp_path / "staff.csv"
    path.write_bytes(b"a" * 1000)
    taken = iter(range(1 << 30))
    hashes = SmallBlocks([path]).run(lambda: next(taken) >= 3)  # stopped after 3 blocks
    assert hashes.digests == {}
    for new in (b"b" * 1000, b"c" * 100):  # rewritten, then cut short below the offset
        path.write_bytes(new)
        os.utime(path, ns=(1, len(new)))  # a time of its own, however fast the rewrite
        assert SmallBlocks([path]).finish() == {path: hashlib.sha256(new).hexdigest()}
    path.write_bytes(b"d" * 1000)
    assert hashes.finish() == {path: hashlib.sha256(b"d" * 1000).hexdigest()}
