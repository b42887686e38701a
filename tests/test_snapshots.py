"""Snapshot dates -> reporting years and windows, by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from wres4.errors import ColumnError, DataError
from wres4.findings import Finding
from wres4.indicator.snapshots import (
    default_as_at,
    latest_snapshots,
    reporting_years,
    snapshot_dates,
    superseded,
    superseded_note,
    windows_of,
)
from wres4.inputs.columns import Columns
from wres4.periods import reporting_year
from wres4.settings import Settings

TODAY = dt.date(2025, 1, 15)
SEPTEMBER = Settings(snapshot_month=9, snapshot_day=30)


def days(*texts: str) -> np.ndarray:
    return np.array(texts, dtype="datetime64[D]")


def row_dates(
    data: pa.Table,
    cols: Columns,
    settings: Settings,
    as_at: dt.date | None = None,
) -> tuple[np.ndarray, list[Finding]]:
    """Each row's snapshot date, from the distinct dates and the rows' index into them."""
    codes, distinct, findings = snapshot_dates(data, cols, settings, as_at, "staff.csv", TODAY)
    return distinct[codes], findings


def table(role: str, header: str, values: list[str]) -> tuple[pa.Table, Columns]:
    data = pa.table({role: values, "_row": list(range(2, len(values) + 2))})
    return data, Columns(Path("staff.csv"), (header,), {role: header})


@pytest.mark.parametrize(
    ("today", "settings", "day"),
    [
        (dt.date(2024, 5, 1), Settings(), dt.date(2024, 3, 31)),
        (dt.date(2024, 3, 31), Settings(), dt.date(2024, 3, 31)),
        (dt.date(2024, 3, 30), Settings(), dt.date(2023, 3, 31)),
        (dt.date(2024, 10, 1), SEPTEMBER, dt.date(2024, 9, 30)),
        (dt.date(2024, 9, 29), SEPTEMBER, dt.date(2023, 9, 30)),
    ],
)
def test_default_as_at(today: dt.date, settings: Settings, day: dt.date) -> None:
    assert default_as_at(settings, today) == day


def test_reporting_years_are_named_after_their_snapshot() -> None:
    dates = days("2024-03-31", "2024-04-01", "2023-12-31", "2025-03-31", "2024-02-29")
    assert reporting_years(dates, Settings()).tolist() == [2024, 2025, 2024, 2025, 2024]
    assert reporting_years(days("2024-09-30", "2024-10-01"), SEPTEMBER).tolist() == [2024, 2025]


@given(st.dates(dt.date(1950, 1, 1), dt.date(2150, 12, 31)))
def test_reporting_years_agree_with_periods(day: dt.date) -> None:
    assert reporting_years(days(day.isoformat()), Settings())[0] == reporting_year(day)
    assert reporting_years(days(day.isoformat()), SEPTEMBER)[0] == reporting_year(day, 9, 30)


def test_superseded_marks_earlier_snapshots_of_a_year() -> None:
    distinct = days("2023-09-30", "2024-03-31", "2022-03-31", "NaT")
    years = reporting_years(distinct, Settings())
    assert superseded(distinct, years).tolist() == [True, False, False, False]


def test_snapshot_dates_from_a_date_column_with_findings() -> None:
    data, cols = table("snapshot", "Snapshot", ["31/03/2024", "soon", "31/03/2030", "2024-03-31"])
    dates, findings = row_dates(data, cols, Settings())
    assert dates.tolist() == days("2024-03-31", "NaT", "2030-03-31", "2024-03-31").tolist()
    bad, future, mixed = findings
    assert (mixed.code, mixed.problem, mixed.column) == ("mixed_date_formats", False, "Snapshot")
    assert mixed.message == (
        "the staff column 'Snapshot' mixes date formats: ISO (2024-03-31), day/month/year "
        "(31/03/2024); all were read, slashed dates day first"
    )
    assert (bad.code, bad.rows, bad.values, bad.column) == (
        "unparseable_date",
        (3,),
        (("soon", 1),),
        "Snapshot",
    )
    assert bad.message == (
        "1 staff rows have a snapshot that cannot be read (first rows 3); they are left out"
    )
    assert (future.code, future.rows, future.problem) == ("future_snapshot", (4,), True)
    assert future.message == (
        "1 staff rows have a snapshot date after today (first rows 4); check the extract's dates"
    )


def test_snapshot_dates_from_a_year_column() -> None:
    data, cols = table("year", "Year", ["2023/24", "2024", "FY2022/23"])
    dates, findings = row_dates(data, cols, SEPTEMBER)
    assert dates.tolist() == days("2024-09-30", "2024-09-30", "2023-09-30").tolist()
    assert findings == []


def test_without_a_snapshot_column_the_day_must_be_given_or_declared_current() -> None:
    data = pa.table({"person_id": ["1", "2"], "_row": [2, 3]})
    cols = Columns(Path("staff.csv"), ("Id",), {"person_id": "Id"})
    with pytest.raises(ColumnError, match=r"staff.csv: no snapshot column .* --as-at DATE"):
        snapshot_dates(data, cols, Settings(), None, "staff.csv", TODAY)
    current = Settings(extracts_current=True)
    dates, (assumed,) = row_dates(data, cols, current)
    assert dates.tolist() == days("2024-03-31", "2024-03-31").tolist()
    assert (assumed.code, assumed.count, assumed.problem) == ("assumed_snapshot", 2, True)
    assert "staff in post on 2024-03-31, the latest snapshot day before today" in assumed.message
    as_at = dt.date(2023, 3, 31)
    dates, findings = row_dates(data, cols, Settings(), as_at)
    assert dates.tolist() == days("2023-03-31", "2023-03-31").tolist() and findings == []


def test_as_at_keeps_only_its_snapshot() -> None:
    data, cols = table("snapshot", "Snapshot", ["31/03/2023", "31/03/2024"])
    as_at = dt.date(2024, 3, 31)
    dates, _ = row_dates(data, cols, Settings(), as_at)
    assert dates.tolist() == days("NaT", "2024-03-31").tolist()
    with pytest.raises(DataError, match=r"no rows have snapshot 2022-03-31 \(--as-at\)"):
        snapshot_dates(data, cols, Settings(), dt.date(2022, 3, 31), "staff.csv", TODAY)


def test_no_readable_snapshot_is_an_error_naming_the_column() -> None:
    data, cols = table("snapshot", "Snapshot", ["soon", "later"])
    with pytest.raises(DataError, match=r"staff.csv: column 'Snapshot' holds no readable date"):
        snapshot_dates(data, cols, Settings(), None, "staff.csv", TODAY)


def test_superseded_note_names_the_snapshots_left_out() -> None:
    distinct = days("2023-09-30", "2024-03-31", "2023-06-30", "NaT")
    older = superseded(distinct, reporting_years(distinct, Settings()))
    assert older.tolist() == [True, False, True, False]
    (note,) = superseded_note(distinct, older, np.array([2, 1, 0, 5]), "staff.csv")
    assert (note.code, note.count, note.problem) == ("extra_snapshots", 2, False)
    assert note.message == (
        "several snapshots fall in one reporting year; the latest of each year is used and 1 "
        "earlier ones are ignored (2023-09-30)"
    )  # 2023-06-30 has no rows: not named
    assert superseded_note(distinct, older, np.array([0, 1, 0, 5]), "staff.csv") == []


def test_latest_snapshots_by_year() -> None:
    distinct = days("2023-09-30", "2024-03-31", "2022-03-31", "NaT", "2024-03-31")
    years = np.where(np.isnat(distinct), 0, reporting_years(distinct, Settings()))
    assert latest_snapshots(distinct, years) == {
        2022: dt.date(2022, 3, 31),
        2024: dt.date(2024, 3, 31),
    }


def test_windows_end_on_each_snapshot() -> None:
    snapshots = {2024: dt.date(2024, 3, 31), 2023: dt.date(2023, 3, 31)}
    windows = windows_of(snapshots, Settings())
    assert windows.years == (2023, 2024)
    assert windows.starts == (dt.date(2022, 4, 1), dt.date(2023, 4, 1))
    assert windows.ends == (dt.date(2023, 3, 31), dt.date(2024, 3, 31))
    six = windows_of({2024: dt.date(2024, 3, 31)}, Settings(window_months=6))
    assert six.starts == (dt.date(2023, 10, 1),)
