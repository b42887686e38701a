"""Reporting periods: the year named after its snapshot, its financial-year name and its
window. A leaf: it imports nothing of the package."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Windows:
    """The reporting window of each year: (year, first day, snapshot day), both inclusive."""

    years: tuple[int, ...]
    starts: tuple[dt.date, ...]
    ends: tuple[dt.date, ...]


def reporting_year(day: dt.date, month: int = 3, mday: int = 31) -> int:
    """The reporting year a snapshot date belongs to, named after its snapshot (R2)."""
    return day.year if (day.month, day.day) <= (month, mday) else day.year + 1


def period_name(year: int) -> str:
    """Financial-year name of a reporting year: 2024 -> "2023/24"."""
    return f"{year - 1}/{year % 100:02d}"


MONTH_ABBREVIATIONS = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)


def period_label(year: int, snapshot: dt.date, window_months: int = 12) -> str:
    """The name a reader cannot misread for the reporting period ending at ``snapshot``.

    A 31 March snapshot closes a financial year, named as WRES names it ("2023/24"). Any
    other snapshot is named by its window: "12 months to 30 Sep 2024", never as a
    financial year it does not match (method.md: Trends).
    """
    if (snapshot.month, snapshot.day) == (3, 31) and snapshot.year == year:
        return period_name(year)
    month = MONTH_ABBREVIATIONS[snapshot.month - 1]
    return f"{window_months} months to {snapshot.day} {month} {snapshot.year}"


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar month arithmetic, clamping to the month's last day (31 May - 3 = 28/29 Feb)."""
    import calendar

    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def window_start(snapshot: dt.date, months: int) -> dt.date:
    """First day of the reporting window ending on ``snapshot`` (inclusive both ends).

    A month-end snapshot covers whole months: 30 September, 6 months -> 1 April.
    """
    if (snapshot + dt.timedelta(days=1)).day == 1:
        return add_months(snapshot.replace(day=1), 1 - months)
    return add_months(snapshot, -months) + dt.timedelta(days=1)
