"""Tables in: a pandas DataFrame or a pyarrow Table is read by the same rules as the file it
came from, so compute, funnel and check give the command line's result on the same data.

A table is named where a file would be ("staff table"), its first row is row 2, and typed
cells (ints, floats with gaps, dates, categories, NaN) become the text a CSV export holds.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest
from conftest import (
    BME,
    STAFF_HEADER,
    TRAINING_HEADER,
    UNKNOWN,
    WHITE,
    counts,
    fresh_python,
    only_row,
)
from hypothesis import given, settings
from hypothesis import strategies as st

import wres4
from wres4 import ColumnError, DataError, InputError, Result
from wres4.findings import Finding
from wres4.inputs.readers import open_source
from wres4.inputs.source import cell_text
from wres4.inputs.tables import is_table, table_sha256, text_array

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
STAFF_CSV = EXAMPLES / "staff.csv"
TRAINING_CSV = EXAMPLES / "training.csv"
APPLICATIONS_CSV = EXAMPLES / "applications.csv"


def text_frame(path: Path) -> pd.DataFrame:
    """A CSV file as a DataFrame of its exact cell text."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def text_table(path: Path) -> pa.Table:
    """A CSV file as a pyarrow Table of its exact cell text (no pandas involved)."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh))
    convert = pacsv.ConvertOptions(
        column_types=dict.fromkeys(header, pa.string()), strings_can_be_null=False
    )
    return pacsv.read_csv(path, convert_options=convert)


def renamed(findings: tuple[Finding, ...], names: dict[str, str]) -> list[Finding]:
    """The findings with every file name replaced by the table name that stands for it."""

    def swap(text: str | None) -> str | None:
        for old, new in names.items():
            text = None if text is None else text.replace(old, new)
        return text

    return [
        dataclasses.replace(
            f,
            message=swap(f.message) or "",
            file=swap(f.file),
            values=tuple((swap(v) or "", n) for v, n in f.values),
        )
        for f in findings
    ]


def assert_same_result(by_file: Result, by_table: Result, names: dict[str, str]) -> None:
    """Every count, ratio, interval, p-value and flag equal; the same findings, file names
    aside; the same meta but for the inputs."""
    pd.testing.assert_frame_equal(by_file.table, by_table.table, check_exact=True)
    assert by_file.trend == by_table.trend
    assert renamed(by_file.findings, names) == list(by_table.findings)
    strip = ("inputs", "findings")
    assert {k: v for k, v in by_file.meta.items() if k not in strip} == {
        k: v for k, v in by_table.meta.items() if k not in strip
    }


# -------------------------------------------------------------- the examples, three ways


EXAMPLE_NAMES = {str(STAFF_CSV): "staff table", str(TRAINING_CSV): "training table"}


@pytest.fixture(scope="module")
def by_file() -> Result:
    return wres4.compute([STAFF_CSV], training=[TRAINING_CSV])


def text_batch(path: Path) -> pa.RecordBatch:
    return text_table(path).combine_chunks().to_batches()[0]


@pytest.mark.parametrize(
    "reader", [text_frame, text_table, text_batch], ids=["DataFrame", "Table", "RecordBatch"]
)
def test_compute_on_tables_is_the_files_result(by_file: Result, reader: Any) -> None:
    by_table = wres4.compute(reader(STAFF_CSV), training=reader(TRAINING_CSV))
    assert_same_result(by_file, by_table, EXAMPLE_NAMES)
    # Pinned, so that two wrong answers cannot agree: the examples' 2023/24 row.
    row = by_table.table.set_index("year").loc[2024]
    assert (row["white_headcount"], row["white_accessed"]) == (100, 39)
    assert (row["bme_headcount"], row["bme_accessed"]) == (36, 8)
    assert row["relative_likelihood"] == pytest.approx((39 / 100) / (8 / 36), rel=1e-12)


def test_a_frame_read_with_type_inference_gives_the_same_numbers(by_file: Result) -> None:
    # pd.read_csv makes ids int64 (dropping leading zeros) and blanks NaN: the counts and
    # every statistic stay the command line's.
    frame_result = wres4.compute(pd.read_csv(STAFF_CSV), training=pd.read_csv(TRAINING_CSV))
    arrow_result = wres4.compute(pacsv.read_csv(STAFF_CSV), training=pacsv.read_csv(TRAINING_CSV))
    for result in (frame_result, arrow_result):
        pd.testing.assert_frame_equal(by_file.table, result.table, check_exact=True)
        assert [(f.code, f.count) for f in result.findings] == [
            (f.code, f.count) for f in by_file.findings
        ]


def test_a_list_of_tables_is_one_input_like_a_list_of_files(tmp_path: Path) -> None:
    staff = text_frame(STAFF_CSV)
    first, second = staff.iloc[:200], staff.iloc[200:]
    first.to_csv(tmp_path / "a.csv", index=False)
    second.to_csv(tmp_path / "b.csv", index=False)
    files = wres4.compute([tmp_path / "a.csv", tmp_path / "b.csv"], training=TRAINING_CSV)
    tables = wres4.compute([first, second], training=text_frame(TRAINING_CSV))
    names = {
        str(tmp_path / "a.csv"): "staff table 1",
        "a.csv": "staff table 1",
        str(tmp_path / "b.csv"): "staff table 2",
        "b.csv": "staff table 2",
        str(TRAINING_CSV): "training table",
    }
    assert_same_result(files, tables, names)
    read = next(f for f in tables.findings if f.code == "rows_read")
    assert read.values == (("staff table 1", 200), ("staff table 2", 288))


def test_history_as_a_table(by_file: Result) -> None:
    history = EXAMPLES / "history.csv"
    files = wres4.compute([STAFF_CSV], training=[TRAINING_CSV], history=history)
    tables = wres4.compute(
        text_frame(STAFF_CSV), training=text_frame(TRAINING_CSV), history=text_table(history)
    )
    assert_same_result(files, tables, {**EXAMPLE_NAMES, str(history): "history table"})
    assert len(tables.table) == len(by_file.table) + 2  # 2019/20 and 2020/21 from history


def test_funnel_on_tables_is_the_files_result() -> None:
    files = wres4.funnel([APPLICATIONS_CSV], staff=[STAFF_CSV], per="quarter")
    for reader in (text_frame, text_table):
        tables = wres4.funnel(reader(APPLICATIONS_CSV), staff=reader(STAFF_CSV), per="quarter")
        assert files.tables().keys() == tables.tables().keys()
        for name, table in files.tables().items():
            pd.testing.assert_frame_equal(table, tables.tables()[name], check_exact=True)
        names = {str(APPLICATIONS_CSV): "applications table", str(STAFF_CSV): "staff table"}
        assert renamed(files.findings, names) == list(tables.findings)
        assert [i["table"] for i in tables.meta["inputs"]] == ["applications table", "staff table"]


def test_check_on_tables_is_the_files_audit() -> None:
    files = wres4.check([STAFF_CSV], training=[TRAINING_CSV])
    tables = wres4.check(text_frame(STAFF_CSV), training=text_table(TRAINING_CSV))
    assert files.years == tables.years
    assert renamed(files.findings, EXAMPLE_NAMES) == list(tables.findings)
    assert [f.code for f in tables.problems] == [f.code for f in files.problems]
    # A table's entry counts its rows, as a file's does.
    assert [i["rows"] for i in files.meta["inputs"]] == [488, 841]
    assert [(i["table"], i["rows"]) for i in tables.meta["inputs"]] == [
        ("staff table", 488),
        ("training table", 841),
    ]


# --------------------------------------------------------- a warehouse frame, typed and messy

# One snapshot, 31 March 2024 (window 1 April 2023 - 31 March 2024). As text, in the CSV an
# export of the frame would be:
STAFF_TEXT = [
    ["1001", " white british", "2024-03-31", "Permanent", "5"],
    ["1002", "A White - British", "2024-03-31", "Permanent", "6"],
    ["", "A White - British", "2024-03-31", "Permanent", ""],  # no id: left out
    ["1003", "A White - British", "2024-03-31", "Bank", "5"],  # bank-only: left out
    ["1004", "N Black African", "2024-03-31", "Permanent", "7"],
    ["1005", "H Indian", "2024-03-31", "Permanent", ""],
    ["1006", "", "2024-03-31", "Permanent", "5"],  # blank ethnicity: Unknown
    ["1004", "N Black African", "2024-03-31", "Fixed Term", "7"],  # second assignment
]
STAFF_COLUMNS = ["Employee Number", "Ethnic Origin", "Snapshot Date", "Assignment Category", "Band"]
TRAINING_TEXT = [
    ["1001", "Coaching Skills", "CPD", "Attended", "2023-06-15"],
    ["1001", "Coaching Skills", "CPD", "Attended", "15/07/2023"],
    ["1002", "Fire Safety", "Mandatory", "Completed", "2023-06-15"],  # mandatory
    ["1004", "Mary Seacole", "CPD", "Completed", "2024-01-10"],
    ["1005", "Mary Seacole", "CPD", "Cancelled", "2024-01-10"],  # not accessed
    ["1006", "Coaching Skills", "", "Attended", "2023-04-01"],
    ["9999", "Coaching Skills", "CPD", "Attended", "2023-04-01"],  # in no snapshot
    ["1002", "Coaching Skills", "CPD", "Attended", "2022-06-15"],  # outside the window
]


def warehouse_staff() -> pd.DataFrame:
    """The staff rows as a warehouse query returns them: float ids with a gap, real dates,
    a categorical, a nullable integer and None for a blank label."""
    ids = [float(r[0]) if r[0] else np.nan for r in STAFF_TEXT]
    labels = [r[1] or None for r in STAFF_TEXT]
    return pd.DataFrame(
        {
            "Employee Number": ids,
            "Ethnic Origin": labels,
            "Snapshot Date": pd.to_datetime([r[2] for r in STAFF_TEXT]),
            "Assignment Category": pd.Categorical([r[3] for r in STAFF_TEXT]),
            "Band": pd.array([int(r[4]) if r[4] else None for r in STAFF_TEXT], dtype="Int64"),
        }
    )


def warehouse_training() -> pd.DataFrame:
    """Training rows with int ids and a date column of mixed objects (dates and text)."""
    dates: list[Any] = [dt.date.fromisoformat(r[4]) if "-" in r[4] else r[4] for r in TRAINING_TEXT]
    return pd.DataFrame(
        {
            "Employee Number": [int(r[0]) for r in TRAINING_TEXT],
            "Course Title": [r[1] for r in TRAINING_TEXT],
            "Course Type": [r[2] or np.nan for r in TRAINING_TEXT],
            "Status": [r[3] for r in TRAINING_TEXT],
            "Start Date": pd.Series(dates, dtype=object),
        }
    )


def write_text(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *rows])
    return path


def test_typed_frame_reads_as_its_csv_export(tmp_path: Path) -> None:
    staff_csv = write_text(tmp_path / "staff.csv", STAFF_COLUMNS, STAFF_TEXT)
    training_csv = write_text(tmp_path / "training.csv", list(TRAINING_HEADER), TRAINING_TEXT)
    files = wres4.compute(staff_csv, training=training_csv)
    frames = wres4.compute(warehouse_staff(), training=warehouse_training())
    # Arrow has no column of mixed objects: its dates come as text, its ids as int64.
    training = warehouse_training().assign(**{"Start Date": [r[4] for r in TRAINING_TEXT]})
    arrow = wres4.compute(
        pa.Table.from_pandas(warehouse_staff()), training=pa.Table.from_pandas(training)
    )
    names = {str(staff_csv): "staff table", str(training_csv): "training table"}
    assert_same_result(files, frames, names)
    assert_same_result(files, arrow, names)
    # By hand: White 1001, 1002 (1003 bank-only, no-id row out) -> 1/2 (1002's CPD is
    # outside the window); BME 1004, 1005 -> 1/2; Unknown 1006 -> 1/1.
    assert counts(only_row(frames)) == (2, 1, 2, 1, 1, 1)
    blank = next(f for f in frames.findings if f.code == "blank_person_id")
    assert blank.rows == (4,)  # the third data row, numbered as a spreadsheet shows it
    assert blank.file == "staff table"


def test_typed_cells_become_the_text_a_csv_export_holds() -> None:
    where = Path("staff table")

    def text(values: Any, typ: Any = None) -> list[str]:
        return text_array(pa.array(values, type=typ), where, "c").to_pylist()

    assert text([1.0, np.nan, 70059468.0, 2.5, None]) == ["1", "", "70059468", "2.5", ""]
    assert text([1, None, -3], pa.int64()) == ["1", "", "-3"]
    assert text([dt.date(2024, 3, 31), None]) == ["2024-03-31", ""]
    assert text([dt.datetime(2024, 3, 31, 0, 0), dt.datetime(2024, 3, 31, 23, 30)]) == [
        "2024-03-31",
        "2024-03-31",
    ]
    assert text([True, False, None]) == ["TRUE", "FALSE", ""]
    assert text(["  padded ", "", None]) == ["  padded ", "", ""]
    assert text([None, None], pa.null()) == ["", ""]
    london = pa.array([pd.Timestamp("2024-03-31 00:30", tz="Europe/London")])
    assert text_array(london, where, "c").to_pylist() == ["2024-03-31"]  # the local date
    categories = pa.array(pd.Categorical(["Bank", None, "Bank"]), from_pandas=True)
    assert text_array(categories, where, "c").to_pylist() == ["Bank", "", "Bank"]
    from decimal import Decimal

    assert text([Decimal("5.00"), Decimal("2.50"), None], pa.decimal128(5, 2)) == ["5", "2.50", ""]
    assert [cell_text(v) for v in (None, 7.0, 0.1, "x")] == ["", "7", "0.1", "x"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats() | st.integers(-(2**60), 2**60).map(float) | st.none(), max_size=40))
def test_vectorised_float_text_is_the_per_value_rule(values: list[float | None]) -> None:
    array = pa.array(values, type=pa.float64())
    assert text_array(array, Path("t"), "c").to_pylist() == [cell_text(v) for v in values]


def test_a_column_of_mixed_objects_is_read_per_value() -> None:
    frame = pd.DataFrame(
        {
            "Employee Number": pd.Series([1001, "1002", 1003.0, None], dtype=object),
            "Ethnic Origin": [WHITE, BME, UNKNOWN, WHITE],
            "Snapshot Date": pd.Series(
                [np.datetime64("2024-03-31"), "31/03/2024", dt.date(2024, 3, 31), np.nan],
                dtype=object,
            ),
        }
    )
    source = open_source(frame, "staff extract")
    from wres4.inputs.columns import resolve_columns
    from wres4.inputs.readers import read_all

    columns = resolve_columns(source, ["person_id", "ethnicity", "snapshot"])
    table = read_all(source, columns)
    assert table.column("person_id").to_pylist() == ["1001", "1002", "1003", ""]
    assert table.column("snapshot").to_pylist() == ["2024-03-31", "31/03/2024", "2024-03-31", ""]
    assert table.column("_row").to_pylist() == [2, 3, 4, 5]


# ------------------------------------------------------------------ names, rows and errors


def test_messages_name_the_table_where_a_file_would_be() -> None:
    frame = pd.DataFrame({"Employee Number": [1, 2], "Snapshot Date": ["2024-03-31"] * 2})
    with pytest.raises(ColumnError) as caught:
        wres4.compute(frame, training=text_frame(TRAINING_CSV))
    assert str(caught.value).startswith("staff table: missing column for ethnicity")
    good = text_frame(STAFF_CSV)
    with pytest.raises(ColumnError) as caught:
        wres4.compute([good, frame], training=text_frame(TRAINING_CSV))
    assert str(caught.value).startswith("staff table 2: missing column for ethnicity")


def test_a_table_with_no_rows_or_no_columns_says_so() -> None:
    empty = pd.DataFrame({name: pd.Series([], dtype=str) for name in STAFF_HEADER})
    with pytest.raises(DataError, match=r"^staff table: the staff extract has a header but no"):
        wres4.compute(empty, training=text_frame(TRAINING_CSV))
    with pytest.raises(InputError, match=r"^training table: the table has no columns"):
        wres4.compute(text_frame(STAFF_CSV), training=pd.DataFrame())


def test_bad_rows_are_numbered_as_a_spreadsheet_shows_them() -> None:
    rows = [[1, WHITE, "2024-03-31"], [2, BME, "2024-03-31"], [3, "White", "2024-03-31"]]
    frame = pd.DataFrame(rows, columns=["Year", "Ethnic Group", "Headcount"])
    frame["Accessed"] = [1, 1, 1]
    frame["Year"] = ["2023/24", "2023/24", "never"]
    with pytest.raises(DataError) as caught:
        wres4.compute(frame)
    assert str(caught.value) == (
        "staff table: column 'Year', row 4: 'never' is not a year. "
        "Use 2024, 2023/24 or a snapshot date."
    )


def test_paths_and_tables_do_not_mix_and_other_types_are_refused() -> None:
    with pytest.raises(InputError, match="mixes file paths and in-memory tables"):
        wres4.compute([STAFF_CSV, text_frame(STAFF_CSV)], training=TRAINING_CSV)
    with pytest.raises(TypeError, match="a dict is not a file path, a pandas DataFrame"):
        wres4.compute([{"Employee Number": [1]}], training=TRAINING_CSV)  # type: ignore[list-item]


def test_column_maps_apply_to_tables_as_to_files(tmp_path: Path) -> None:
    staff = text_frame(STAFF_CSV).rename(columns={"Ethnic Origin": "Heritage"})
    mapped = wres4.Settings(columns={"staff": {"ethnicity": "heritage"}})
    staff.to_csv(tmp_path / "staff.csv", index=False)
    files = wres4.compute(tmp_path / "staff.csv", training=TRAINING_CSV, settings=mapped)
    tables = wres4.compute(staff, training=text_frame(TRAINING_CSV), settings=mapped)
    names = {str(tmp_path / "staff.csv"): "staff table", str(TRAINING_CSV): "training table"}
    assert_same_result(files, tables, names)
    assert tables.table["bme_headcount"].tolist() == [34, 34, 36]


def test_a_named_index_is_read_as_a_column() -> None:
    staff = text_frame(STAFF_CSV).set_index("Employee Number")
    result = wres4.compute(staff, training=text_frame(TRAINING_CSV))
    assert result.table["white_headcount"].tolist() == [102, 101, 100]


def test_a_column_of_lists_is_refused_when_a_role_needs_it() -> None:
    frame = pd.DataFrame({"Employee Number": [[1], [2]], "Ethnic Origin": [WHITE, BME]})
    frame["Snapshot Date"] = "2024-03-31"
    frame["Notes"] = [{"a": 1}, {"b": 2}]  # not needed: no harm
    table = pa.Table.from_pandas(frame, preserve_index=False)
    with pytest.raises(InputError, match=r"^staff table: column 'Employee Number' holds list"):
        wres4.compute(table, training=text_frame(TRAINING_CSV))


def test_meta_describes_a_table_by_name_rows_and_digest() -> None:
    staff = text_table(STAFF_CSV)
    result = wres4.compute(staff, training=TRAINING_CSV)
    first, second = result.meta["inputs"]
    assert first["table"] == "staff table" and first["rows"] == 488
    assert len(first["sha256"]) == 64
    assert second == {"file": str(TRAINING_CSV), "sha256": second["sha256"]}
    # The digest follows the data, not how it is chunked in memory.
    rechunked = pa.Table.from_batches(staff.to_batches(max_chunksize=50))
    assert rechunked.column(0).num_chunks > 1
    assert table_sha256(rechunked) == first["sha256"]
    assert table_sha256(staff.slice(1)) != first["sha256"]


def test_tables_are_known_by_type_name_without_importing_pandas() -> None:
    assert is_table(pd.DataFrame()) and is_table(pa.table({"a": [1]}))
    assert not is_table("staff.csv") and not is_table([pd.DataFrame()])
    code = (
        "import sys, wres4\n"
        "from wres4.inputs.tables import is_table\n"
        "assert not is_table(object()) and not is_table('staff.csv')\n"
        "print('HEAVY', [m for m in ('pandas', 'pyarrow') if m in sys.modules])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert "HEAVY []" in done.stdout, done.stdout + done.stderr


def test_the_public_api() -> None:
    names = ("compute", "funnel", "check", "findings_table", "Settings", "Result", "Report")
    for name in (*names, "Audit", "FunnelResult", "Finding", "__version__"):
        assert name in wres4.__all__
    assert callable(wres4.compute) and callable(wres4.funnel) and callable(wres4.check)
    errors = ("Wres4Error", "InputError", "ColumnError", "DataError", "ConfigError")
    assert set(errors) | {"QualityError"} <= set(wres4.__all__)
    assert all(issubclass(getattr(wres4, e), wres4.Wres4Error) for e in errors)
    assert set(wres4.__all__) <= set(dir(wres4))
    audit = wres4.check(text_frame(STAFF_CSV), training=text_frame(TRAINING_CSV))
    assert isinstance(audit, wres4.Audit)
    findings = wres4.findings_table(audit.findings)
    assert list(findings.columns)[:3] == ["code", "severity", "file"]
    assert "staff table" in set(findings["file"])


def test_long_fields_are_noted_once_per_column_with_the_first_row() -> None:
    import pyarrow as pa

    from wres4.inputs.source import LONG_FIELD, Source, note_long_fields

    source = Source(label="training extract", paths=[Path("t.csv")], fmt="csv")
    long = "x" * (LONG_FIELD + 1)
    first = pa.table({"course": ["a", long, "b"], "_row": [2, 3, 4]})
    second = pa.table({"course": pa.array(["c", long + "yy"]).dictionary_encode(), "_row": [5, 6]})
    short = pa.table({"course": pa.array(["x" * LONG_FIELD]).dictionary_encode(), "_row": [7]})
    for table in (first, second, short):
        note_long_fields(source, Path("t.csv"), table)
    assert source.long_fields == {(Path("t.csv"), "course"): (3, LONG_FIELD + 3, 2)}


def test_long_fields_are_found_in_any_chunk_of_a_dictionary_column() -> None:
    import pyarrow as pa

    from wres4.inputs.source import LONG_FIELD, Source, note_long_fields

    source = Source(label="staff extract", paths=[Path("s.csv")], fmt="csv")
    long = "y" * (LONG_FIELD + 5)
    chunks = [pa.array(["a", "b"]).dictionary_encode() for _ in range(3)]
    chunks.append(pa.array(["c", long, long]).dictionary_encode())
    table = pa.table({"ethnicity": pa.chunked_array(chunks), "_row": list(range(2, 11))})
    note_long_fields(source, Path("s.csv"), table)
    assert source.long_fields == {(Path("s.csv"), "ethnicity"): (9, LONG_FIELD + 5, 2)}
    quiet = Source(label="staff extract", paths=[Path("s.csv")], fmt="csv")
    note_long_fields(quiet, Path("s.csv"), table.slice(0, 6))
    assert quiet.long_fields == {}


def test_long_fields_are_found_in_large_string_dictionaries() -> None:
    import pyarrow as pa

    from wres4.inputs.source import LONG_FIELD, Source, note_long_fields

    source = Source(label="staff extract", paths=[Path("s.csv")], fmt="csv")
    long = "y" * (LONG_FIELD + 1)
    column = pa.array(["a", long], pa.large_string()).dictionary_encode()
    note_long_fields(source, Path("s.csv"), pa.table({"ethnicity": column, "_row": [2, 3]}))
    assert source.long_fields == {(Path("s.csv"), "ethnicity"): (3, LONG_FIELD + 1, 1)}


@settings(max_examples=80, deadline=None)
@given(
    st.sampled_from(["int64", "int32", "int16", "bool", "float64"]),
    st.lists(st.integers(-(2**15), 2**15 - 1), max_size=70),
    st.integers(0, 3),
    st.sampled_from([1, 2, -1]),
    st.sampled_from(["=", ">"]),
)
def test_numeric_array_equals_pa_array(
    kind: str, values: list[int], skip: int, step: int, order: str
) -> None:
    """Views off their start, strided, reversed, or in the other byte order."""
    import pyarrow as pa

    from wres4.inputs.source import numeric_array

    plain = np.asarray(values, dtype=np.int64).astype(kind)
    array = plain.astype(plain.dtype.newbyteorder(order))[skip::step]
    assert numeric_array(array).equals(pa.array(plain[skip::step]))


def test_numeric_array_takes_one_column() -> None:
    from wres4.inputs.source import numeric_array

    with pytest.raises(ValueError, match="1-d"):
        numeric_array(np.arange(6).reshape(2, 3))


def test_staff_rows_are_numbered_without_importing_pandas() -> None:
    # pyarrow's pa.array imports pandas on the first call: while the staff file is parsed,
    # that import is left to the background thread (method.md: Performance).
    code = (
        "import io, sys, pyarrow.csv as pacsv\n"
        "from wres4.inputs.source import with_rows\n"
        "table = with_rows(pacsv.read_csv(io.BytesIO(b'id\\n7\\n8\\n')), 2, 1)\n"
        "print('pandas' in sys.modules, table.num_columns)\n"
        "print(table.column('_row').to_pylist(), table.column('_file').to_pylist())\n"
    )
    assert fresh_python(code).splitlines() == ["False 3", "[2, 3] [1, 1]"]
