"""Reporting periods: year names, labels a reader cannot misread, and windows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from wres4.periods import add_months, period_label, period_name, reporting_year, window_start


def test_a_31_march_snapshot_is_named_as_its_financial_year() -> None:
    assert period_name(2024) == "2023/24"
    assert period_name(2000) == "1999/00"
    assert period_label(2024, dt.date(2024, 3, 31)) == "2023/24"
    assert period_label(2024, dt.date(2024, 3, 31), 24) == "2023/24"


@pytest.mark.parametrize(
    ("snapshot", "months", "label"),
    [
        (dt.date(2024, 9, 30), 12, "12 months to 30 Sep 2024"),
        (dt.date(2024, 12, 31), 6, "6 months to 31 Dec 2024"),
        (dt.date(2024, 3, 30), 12, "12 months to 30 Mar 2024"),
    ],
)
def test_other_snapshots_are_named_by_their_window(
    snapshot: dt.date, months: int, label: str
) -> None:
    year = reporting_year(snapshot)
    assert period_label(year, snapshot, months) == label


def test_reporting_year_follows_the_snapshot_day() -> None:
    assert reporting_year(dt.date(2024, 3, 31)) == 2024
    assert reporting_year(dt.date(2024, 4, 1)) == 2025
    assert reporting_year(dt.date(2024, 9, 30), 9, 30) == 2024
    assert reporting_year(dt.date(2024, 10, 1), 9, 30) == 2025


def test_windows_cover_whole_months() -> None:
    assert window_start(dt.date(2024, 3, 31), 12) == dt.date(2023, 4, 1)
    assert window_start(dt.date(2024, 9, 30), 6) == dt.date(2024, 4, 1)
    assert window_start(dt.date(2024, 3, 15), 12) == dt.date(2023, 3, 16)
    assert add_months(dt.date(2024, 5, 31), -3) == dt.date(2024, 2, 29)


def test_a_september_snapshot_is_not_called_a_financial_year(tmp_path: Path) -> None:
    from wres4.indicator.compute import compute
    from wres4.settings import Settings

    staff = tmp_path / "staff.csv"
    staff.write_text(
        "Employee Number,Ethnic Origin,Snapshot Date\n"
        "1,A White - British,30/09/2024\n2,H Indian,30/09/2024\n"
        "3,A,30/09/2024\n4,N African,30/09/2024\n",
        encoding="utf-8",
    )
    training = tmp_path / "training.csv"
    training.write_text(
        "Employee Number,Course Type,Status,Start Date\n"
        "1,CPD,Attended,2024-01-05\n2,CPD,Attended,2024-06-01\n4,CPD,Attended,2023-09-01\n",
        encoding="utf-8",
    )
    default = compute([staff], training=[training]).table.iloc[0]
    assert default["period"] == "12 months to 30 Sep 2024"
    assert default["snapshot_date"] == dt.date(2024, 9, 30)
    # 4 trained on 1 Sep 2023, before the window 1 Oct 2023 - 30 Sep 2024.
    assert (default["white_accessed"], default["bme_accessed"]) == (1, 1)
    september = Settings(snapshot_month=9, snapshot_day=30)
    row = compute([staff], training=[training], settings=september).table.iloc[0]
    assert (row["year"], row["period"]) == (2024, "12 months to 30 Sep 2024")
