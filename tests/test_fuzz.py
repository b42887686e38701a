"""Random bytes, random CSV shapes and random labels thrown at the readers and the CLI.

The only outcomes allowed are a result (exit 0; 3 from ``check`` when it finds problems) or
one clean ``Error:`` line with exit 1. Anything else (a traceback, a Python warning, an
exception that is not a :class:`~wres4.errors.Wres4Error`) is a bug.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wres4.cli import cli
from wres4.errors import Wres4Error
from wres4.indicator import values
from wres4.inputs.columns import resolve_columns
from wres4.inputs.readers import iter_tables, open_source

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Tests that run compute and check on every example: fewer examples keep the module ~10 s.
DEEP = settings(FUZZ, max_examples=25)

TRAINING = (
    "Employee Number,Course Title,Course Type,Status,Start Date\n"
    "1,Coaching Skills,CPD,Attended,15/06/2023\n"
    "3,Coaching Skills,CPD,Attended,15/06/2023\n"
)
STAFF_HEADERS = ("Employee Number", "Ethnic Origin", "Snapshot Date")

# Headers wres4 recognises, headers it does not, and awkward ones.
HEADERS = st.sampled_from(
    [
        "Employee Number",
        "Assignment Number",
        "Ethnic Origin",
        "Ethnicity",
        "Snapshot Date",
        "Year",
        "Assignment Category",
        "Course Title",
        "Course Type",
        "Mandatory",
        "Status",
        "Start Date",
        "Date",
        "Accessed",
        "Headcount",
        "Group",
        "Pay Band",
        "Notes",
        "",
        " ",
        "Employee Number",
        'Quote"d',
        "Semi;colon",
        "Ünïcödé",
        "=cmd()",
    ]
)
# Cell text: dates in every form, labels, numbers, and the characters that break parsers.
CELLS = st.one_of(
    st.sampled_from(
        [
            "1",
            "00001",
            "2",
            "12345678-2",
            "A White - British",
            "PC Black Nigerian",
            "Z Not Stated",
            "Mixed - White and Asian",
            "Bank",
            "CPD",
            "Mandatory",
            "Attended",
            "Declined",
            "31/03/2024",
            "2024-03-31",
            "31/02/2024",
            "0001-01-01",
            "9999-12-31",
            "45000",
            "2023/24",
            "yes",
            "-5",
            "5.5",
            "1e400",
            "inf",
            "nan",
            "",
            " ",
        ]
    ),
    st.text(max_size=12),
    st.text(alphabet="\",;\t|\r\n\x00\x1f\\'", max_size=6),
)
# Cell text that a spreadsheet could really hold: no lone carriage returns or NUL bytes.
VALUES = CELLS.filter(lambda text: "\r" not in text and "\x00" not in text)


def column(*likely: str) -> st.SearchStrategy[str]:
    """Mostly plausible values for one column, sometimes anything."""
    return st.one_of(st.sampled_from(likely), st.sampled_from(likely), VALUES)


IDS = column("1", "00001", "2", "3", "4", " 4 ", "1.0", "12345678-2", "")
LABELS = column("A White - British", "PC Black Nigerian", "Z Not Stated", "Mixed", "N/A", "")
DATES = column("31/03/2024", "2024-03-31", "31/03/2023", "31-Mar-2022", "45382", "31/02/2024")
CATEGORIES = column("Permanent", "Bank", " bank ", "Fixed Term", "")
TYPES = column("CPD", "Mandatory", "Non-Mandatory", "Statutory/Mandatory", "Core Skills", "")
STATUSES = column("Attended", "Completed", "Declined", "DNA", "Pending", "In Progress", "")
TITLES = column("Ready Now", "Fire Safety", "Coaching", "Safeguarding Adults Level 2", "")
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "utf-16-le", "latin-1"])


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


@contextmanager
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


def assert_result_or_clean_error(result: Result, ok: tuple[int, ...] = (0,)) -> None:
    """A result, or exactly one ``Error:`` line and exit 1; never a traceback."""
    assert isinstance(result.exception, SystemExit | None), repr(result.exception)
    if result.exit_code == 1:
        assert result.stdout == ""
        assert result.stderr.startswith("Error: "), result.stderr
        assert result.stderr.count("\n") == 1 and result.stderr.endswith("\n"), result.stderr
    else:
        assert result.exit_code in ok, result.output


def encoded(text: str, encoding: str) -> bytes:
    return text.encode(encoding, errors="replace")


# ------------------------------------------------------------------------------ random bytes


@FUZZ
@given(data=st.binary(max_size=3000), suffix=st.sampled_from([".csv", ".tsv", ".txt"]))
def test_random_bytes_as_a_text_extract(data: bytes, suffix: str) -> None:
    with folder() as tmp:
        path = tmp / f"staff{suffix}"
        path.write_bytes(data)
        training = tmp / "training.csv"
        training.write_text(TRAINING, encoding="utf-8")
        assert_result_or_clean_error(invoke("compute", str(path), "--training", str(training)))
        assert_result_or_clean_error(invoke("compute", str(training), "--training", str(path)))


@FUZZ
@given(
    data=st.binary(max_size=2000),
    suffix=st.sampled_from([".xlsx", ".xls", ".xlsm", ".parquet"]),
    magic=st.sampled_from([b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"PAR1"]),
)
def test_random_bytes_as_a_binary_extract(data: bytes, suffix: str, magic: bytes) -> None:
    with folder() as tmp:
        path = tmp / f"staff{suffix}"
        path.write_bytes(magic + data + (magic if magic == b"PAR1" else b""))
        training = tmp / "training.csv"
        training.write_text(TRAINING, encoding="utf-8")
        assert_result_or_clean_error(invoke("compute", str(path), "--training", str(training)))


@FUZZ
@given(data=st.binary(max_size=2000))
def test_random_bytes_inside_a_real_workbook_zip(data: bytes) -> None:
    import zipfile

    with folder() as tmp:
        path = tmp / "staff.xlsx"
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("[Content_Types].xml", "<Types/>")
            zf.writestr("xl/workbook.xml", "<workbook/>")
            zf.writestr("xl/worksheets/sheet1.xml", data)
        training = tmp / "training.csv"
        training.write_text(TRAINING, encoding="utf-8")
        assert_result_or_clean_error(invoke("compute", str(path), "--training", str(training)))


# -------------------------------------------------------------------------- random CSV shapes


@st.composite
def csv_files(draw: st.DrawFn) -> tuple[bytes, str]:
    """A CSV-ish file: random headers, ragged rows, odd cells, any delimiter and encoding."""
    headers = draw(st.lists(HEADERS, min_size=1, max_size=7))
    width = len(headers)
    rows = draw(
        st.lists(
            st.lists(CELLS, min_size=max(0, width - 1), max_size=width + 1),
            max_size=12,
        )
    )
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    buffer = io.StringIO()
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONE]))
    writer = csv.writer(
        buffer,
        delimiter=delimiter,
        quoting=quoting,
        escapechar="\\" if quoting == csv.QUOTE_NONE else None,
        lineterminator=draw(st.sampled_from(["\n", "\r\n", "\r"])),
    )
    try:
        writer.writerow(headers)
        writer.writerows(rows)
    except csv.Error:  # QUOTE_NONE cannot write a lone empty field: quote minimally
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=delimiter)
        writer.writerow(headers)
        writer.writerows(rows)
    encoding = draw(ENCODINGS)
    return encoded(buffer.getvalue(), encoding), encoding


@DEEP
@given(staff=csv_files(), training=csv_files())
def test_random_csv_shapes_through_compute_and_check(
    staff: tuple[bytes, str], training: tuple[bytes, str]
) -> None:
    with folder() as tmp:
        s, t = tmp / "staff.csv", tmp / "training.csv"
        s.write_bytes(staff[0])
        t.write_bytes(training[0])
        assert_result_or_clean_error(invoke("compute", str(s), "--training", str(t), "-f", "csv"))
        assert_result_or_clean_error(invoke("compute", str(s), "-f", "json"))
        assert_result_or_clean_error(invoke("check", str(s), "--training", str(t)), ok=(0, 3))


@FUZZ
@given(file=csv_files())
def test_readers_raise_only_wres4_errors(file: tuple[bytes, str]) -> None:
    with folder() as tmp:
        path = tmp / "data.csv"
        path.write_bytes(file[0])
        try:
            source = open_source([path], "staff extract")
            columns = resolve_columns(source, ["person_id", "ethnicity", "snapshot", "date"])
            for table in iter_tables(source, columns, batch_bytes=256):
                assert table.column_names[-2:] == ["_row", "_file"]
        except Wres4Error as exc:
            assert str(exc).startswith(str(path)) or str(exc).startswith("--encoding")
            assert "\n" not in str(exc)


# ----------------------------------------------------------------------------- random labels


@DEEP
@given(
    labels=st.lists(st.text(max_size=30), min_size=1, max_size=12),
    encoding=st.sampled_from(["utf-8", "utf-16"]),
)
def test_random_labels_always_give_a_result(labels: list[str], encoding: str) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(STAFF_HEADERS)
    for i, label in enumerate(labels, start=1):
        writer.writerow([i, label, "31/03/2024"])
    with folder() as tmp:
        s, t = tmp / "staff.csv", tmp / "training.csv"
        s.write_bytes(buffer.getvalue().encode(encoding, errors="surrogatepass"))
        t.write_text(TRAINING, encoding="utf-8")
        result = invoke("compute", str(s), "--training", str(t), "-f", "json")
        assert_result_or_clean_error(result)
        audit = invoke("check", str(s), "--training", str(t))
        assert_result_or_clean_error(audit, ok=(0, 3))


@DEEP
@given(
    staff=st.lists(st.tuples(IDS, LABELS, DATES, CATEGORIES), min_size=1, max_size=15),
    training=st.lists(st.tuples(IDS, TITLES, TYPES, STATUSES, DATES), max_size=15),
    month_first=st.booleans(),
)
def test_random_values_in_the_right_columns(
    staff: list[tuple[str, ...]], training: list[tuple[str, ...]], month_first: bool
) -> None:
    """Well-formed files with any values: deep into staff and training, still no traceback."""

    def write(path: Path, header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        path.write_text(buffer.getvalue(), encoding="utf-8", errors="surrogatepass")

    with folder() as tmp:
        s, t = tmp / "staff.csv", tmp / "training.csv"
        write(s, (*STAFF_HEADERS, "Assignment Category"), staff)
        write(
            t, ("Employee Number", "Course Title", "Course Type", "Status", "Start Date"), training
        )
        flags = ["--month-first"] if month_first else []
        assert_result_or_clean_error(invoke("compute", str(s), "--training", str(t), *flags))
        assert_result_or_clean_error(
            invoke("check", str(s), "--training", str(t), "-f", "json", *flags), ok=(0, 3)
        )


# (Non-finite and huge counts are left to test_bad_input's overflow test.)
COUNTS = column("0", "5", "12", "1,200", "7.0", "-1", "2.5", "").filter(
    lambda text: (
        text.strip().casefold().lstrip("+-") not in ("inf", "infinity", "nan")
        and "e" not in text.casefold()
        and len(text.strip()) < 12
    )
)
YEARS = column("2023", "2024", "2023/24", "2022-23", "FY2024", "31/03/2024", "1899", "")
GROUPS = column("White", "BME", "Unknown", "A White - British", "N Black African", "Z")


@FUZZ
@given(rows=st.lists(st.tuples(YEARS, GROUPS, COUNTS, COUNTS), min_size=1, max_size=10))
def test_random_aggregate_counts(rows: list[tuple[str, ...]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("Year", "Group", "Headcount", "Accessed"))
    writer.writerows(rows)
    with folder() as tmp:
        path = tmp / "history.csv"
        path.write_text(buffer.getvalue(), encoding="utf-8", errors="surrogatepass")
        assert_result_or_clean_error(invoke("compute", str(path), "-f", "json"))
        assert_result_or_clean_error(invoke("check", str(path)), ok=(0, 3))


# ------------------------------------------------------------------------ value parsers


@FUZZ
@given(texts=st.lists(st.text(max_size=20), max_size=20), day_first=st.booleans())
def test_value_parsers_never_raise(texts: list[str], day_first: bool) -> None:
    import pyarrow as pa

    dates = values.parse_dates(texts, day_first=day_first)
    assert len(dates) == len(texts)
    assert all(d is None or d != d or 1900 <= d.year <= 2199 for d in dates)
    for text in texts:
        year = values.parse_year(text)
        assert year is None or 1900 < year <= 2199
        count = values.count_value(text)
        assert count is None or 0 <= count <= values.MAX_COUNT
    answers, unknown = values.truth_values(texts)
    assert len(answers) == len(texts) and len(unknown) <= len(texts)
    keys = values.person_keys(pa.array(texts, type=pa.string()), assignment=day_first)
    assert len(keys) == len(texts)
