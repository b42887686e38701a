"""Snapshot dates of a staff extract -> reporting years and their windows.

A snapshot comes from a date column, a year column or ``--as-at``; each reporting year is
computed on the latest snapshot inside it, so earlier ones in the same year are dropped
(method.md: Denominator, method.md: Trends).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import TYPE_CHECKING

from wres4.errors import ColumnError, DataError
from wres4.findings import EXAMPLES, Code, Finding
from wres4.periods import Windows, window_start
from wres4.settings import Settings
from wres4.text import clip

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

    from wres4.inputs.columns import Columns


def default_as_at(settings: Settings, today: dt.date) -> dt.date:
    """The latest snapshot day (31 March by default) on or before today."""
    day = dt.date(today.year, settings.snapshot_month, settings.snapshot_day)
    return day if day <= today else dt.date(today.year - 1, day.month, day.day)


def snapshot_dates(
    table: pa.Table,
    cols: Columns,
    settings: Settings,
    as_at: dt.date | None,
    where: str,
    today: dt.date | None,
) -> tuple[np.ndarray, np.ndarray, list[Finding]]:
    """Snapshot date of each row, from a date column, a year column or ``as_at``, with
    findings for dates that cannot be read, dates after today and an assumed snapshot.

    Returns each row's index into a few distinct dates, and those dates (``days[codes]`` is
    the rows' dates): an extract holds a handful of snapshots, so their years and order are
    worked out once each. With ``as_at``, any other snapshot's date is NaT. Raises DataError
    when no row has a readable date, or no row has the ``as_at`` snapshot.
    """
    import numpy as np

    from wres4.indicator.values import (
        FIRST_YEAR,
        LAST_YEAR,
        encode,
        mixed_dates_finding,
        parse_dates,
        parse_year,
    )

    today = today or dt.date.today()
    n = table.num_rows
    if "snapshot" in table.column_names:
        idx, values = encode(table.column("snapshot"))
        texts = values.to_pylist()
        days = parse_dates(texts, day_first=settings.day_first).to_numpy("datetime64[D]")
        column = cols.roles["snapshot"]
    elif "year" in table.column_names:
        idx, values = encode(table.column("year"))
        texts = values.to_pylist()
        years = [parse_year(t) for t in texts]
        days = np.array(
            [
                np.datetime64(dt.date(y, settings.snapshot_month, settings.snapshot_day), "D")
                if y
                else np.datetime64("NaT", "D")
                for y in years
            ],
            dtype="datetime64[D]",
        )
        column = cols.roles["year"]
    else:
        if as_at is None and not settings.extracts_current:
            # Guessing the day would put every training record outside the window without a
            # word (method.md: Denominator): the day an extract was taken must be said.
            shown = ", ".join(f"'{h}'" for h in cols.headers[:12])
            raise ColumnError(
                f"{where}: no snapshot column (e.g. 'Snapshot Date', 'As At Date', 'Report "
                f"Date' or a 'Year' column); columns found: {shown}. Give the date the extract "
                "was taken with --as-at DATE, map a column with --column snapshot=HEADER, or "
                "set extracts_are_current = true under [reporting] in wres4.toml."
            )
        day = as_at or default_as_at(settings, today)
        assumed: list[Finding] = []
        if as_at is None:
            assumed.append(
                Code.ASSUMED_SNAPSHOT.finding(
                    f"the staff extract has no snapshot date or year column; it is taken as the "
                    f"staff in post on {day.isoformat()}, the latest snapshot day before today, "
                    "so the result depends on the day it is run; give the date with --as-at",
                    n,
                    file=where,
                )
            )
        return np.zeros(n, dtype=np.int32), np.array([day], dtype="datetime64[D]"), assumed
    unread = np.isnat(days)
    bad = unread[idx]
    if bad.all():
        sample = ", ".join(repr(clip(t, 30)) for t in texts[:3])
        raise DataError(
            f"{where}: column '{column}' holds no readable date or year between "
            f"{FIRST_YEAR} and {LAST_YEAR} (e.g. {sample}). "
            "Use dates like 31/03/2024 or 2024-03-31, or years like 2023/24."
        )
    row_numbers = table.column("_row").to_numpy()
    future = (~unread & (days > np.datetime64(today, "D")))[idx]
    findings: list[Finding] = []
    for code, mask, text, examples in (
        (
            Code.UNPARSEABLE_DATE,
            bad,
            "have a snapshot that cannot be read (first rows {rows}); they are left out",
            _bad_values(idx, texts, bad) if bad.any() else (),
        ),
        (
            Code.FUTURE_SNAPSHOT,
            future,
            "have a snapshot date after today (first rows {rows}); check the extract's dates",
            (),
        ),
    ):
        if mask.any():
            rows = tuple(int(r) for r in row_numbers[mask][:5])
            findings.append(
                code.finding(
                    f"{int(mask.sum()):,} staff rows "
                    + text.format(rows=", ".join(map(str, rows))),
                    int(mask.sum()),
                    file=where,
                    column=column,
                    rows=rows,
                    values=examples,
                )
            )
    if "snapshot" in table.column_names:
        mixed = mixed_dates_finding(
            texts, what="staff", column=column, file=where, day_first=settings.day_first
        )
        findings.extend([mixed] if mixed else [])
    if as_at is not None:
        chosen = days == np.datetime64(as_at, "D")
        if not chosen[idx].any():
            found = sorted({str(d) for d in days[np.unique(idx[~bad])]})
            raise DataError(
                f"{where}: no rows have snapshot {as_at.isoformat()} (--as-at); snapshots "
                f"found: {', '.join(found[:6])}."
            )
        days = np.where(chosen, days, np.datetime64("NaT", "D"))
    return idx, days, findings


def latest_snapshots(days: np.ndarray, years: np.ndarray) -> dict[int, dt.date]:
    """The latest of the snapshot dates (NaT left out) in each reporting year, by year."""
    import numpy as np

    latest: dict[int, np.datetime64] = {}
    for day, year in zip(days, years, strict=True):
        if not np.isnat(day) and (int(year) not in latest or day > latest[int(year)]):
            latest[int(year)] = day
    return {year: dt.date.fromisoformat(str(latest[year])) for year in sorted(latest)}


def superseded(days: np.ndarray, years: np.ndarray) -> np.ndarray:
    """For distinct snapshot dates: is a later snapshot in the same reporting year?"""
    import numpy as np

    latest = latest_snapshots(days, years)
    flags = [
        not np.isnat(d) and d.item() != latest[int(y)] for d, y in zip(days, years, strict=True)
    ]
    return np.array(flags, dtype=bool)


def reporting_years(snapshot: np.ndarray, settings: Settings) -> np.ndarray:
    """Reporting year of each snapshot date: its own year up to the snapshot day, else the
    next (method.md: Denominator)."""
    import numpy as np

    months = snapshot.astype("datetime64[M]")
    month_index = months.astype(np.int64)
    year = month_index // 12 + 1970
    month = month_index % 12 + 1
    day = (snapshot - months).astype(np.int64) + 1
    after = (month > settings.snapshot_month) | (
        (month == settings.snapshot_month) & (day > settings.snapshot_day)
    )
    result: np.ndarray = year + after
    return result


def superseded_note(
    days: np.ndarray, older: np.ndarray, rows: np.ndarray, where: str
) -> list[Finding]:
    """A note naming the snapshots that a later one in the same reporting year replaces:
    ``older`` marks them among the distinct ``days``, ``rows`` counts each one's rows."""
    left_out = older & (rows > 0)
    if not left_out.any():
        return []
    dropped = sorted({d.item().isoformat() for d in days[left_out]})
    note = Code.EXTRA_SNAPSHOTS.finding(
        f"several snapshots fall in one reporting year; the latest of each year is used "
        f"and {len(dropped)} earlier ones are ignored ({', '.join(dropped[:4])}"
        f"{', ...' if len(dropped) > 4 else ''})",
        int(rows[left_out].sum()),
        file=where,
    )
    return [note]


def windows_of(snapshots: dict[int, dt.date], settings: Settings) -> Windows:
    """The reporting window of each year, ending on its snapshot."""
    years = tuple(sorted(snapshots))
    return Windows(
        years=years,
        starts=tuple(window_start(snapshots[y], settings.window_months) for y in years),
        ends=tuple(snapshots[y] for y in years),
    )


def _bad_values(idx: np.ndarray, texts: list[str], bad: np.ndarray) -> tuple[tuple[str, int], ...]:
    """The distinct unreadable values of a column with their row counts, most frequent first."""
    found: Counter[str] = Counter()
    for i in idx[bad]:
        found[texts[int(i)]] += 1
    return tuple((clip(text, 200), n) for text, n in found.most_common(EXAMPLES))
