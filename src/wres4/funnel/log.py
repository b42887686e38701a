"""An application log -> one tidy row per application: period, person, group and stages.

method.md: Funnel. Every text column is classified once per distinct value: dates, the
decision and attendance/status values, ethnicity labels, person ids, decline reasons and
course names. Ethnicity comes from the log's own column or, when it has none, from the staff
snapshot nearest to (and not after) each application date.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from wres4.errors import ColumnError, DataError
from wres4.findings import Code, Finding
from wres4.funnel import status
from wres4.funnel.status import distinct_map, distinct_texts, sample_rows
from wres4.inputs.columns import ROLE_ALIASES, header_key
from wres4.periods import period_name
from wres4.settings import GROUP_CODES, Settings
from wres4.text import count_people

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    from wres4.indicator.staff import Staff
    from wres4.inputs.columns import Columns
    from wres4.inputs.source import Source

LOG_ROLES = (
    "person_id",
    "ethnicity",
    "application_date",
    "course",
    "decision",
    "status",
    "decline_reason",
)
# Header names for the log's own roles, most specific first. The decision column is claimed
# before the attendance/status column, so a log with "Decision" and "Status" keeps them apart.
LOG_ALIASES: dict[str, tuple[str, ...]] = {
    "application_date": (
        *ROLE_ALIASES["application_date"],
        "date of application",
        "application received",
        "date received",
        "received date",
        "request date",
        "date requested",
        "applied on",
        "date",
    ),
    "decision": (
        "decision",
        "application decision",
        "approval decision",
        "approval status",
        "approval",
        "approved",
        "manager decision",
        "panel decision",
        "application outcome",
        "outcome of application",
    ),
    "status": (
        "attendance",
        "attendance status",
        "attendance outcome",
        "attended",
        "completion status",
        "course outcome",
        "outcome",
        "training status",
        "booking status",
        "enrolment status",
        "status",
        "application status",
        "stage",
    ),
}

UNKNOWN = GROUP_CODES["Unknown"]


@dataclass
class Log:
    """The application log, one row per usable application."""

    frame: pd.DataFrame  # period, person, group, approved, declined, accessed, course, reason
    roles: dict[str, str]  # role -> header in the (first) file
    inputs: list[Path]
    has_outcomes: bool
    has_reasons: bool
    has_course: bool
    findings: tuple[Finding, ...] = ()


def read_log(source: Source, per: str, settings: Settings, staff: Staff | None) -> Log:
    """Read the application log and reduce each application to its period, person and stages."""
    import numpy as np
    import pandas as pd

    from wres4.inputs.columns import resolve_columns
    from wres4.inputs.readers import read_all
    from wres4.inputs.source import long_field_findings

    user = dict(settings.columns.get("applications", {}))
    columns = resolve_columns(
        source,
        LOG_ROLES,
        required=("application_date",),
        explicit={**_alias_roles(source, user), **user},
    )
    first = next(iter(columns.values()))
    roles = dict(first.roles)
    where = source.where
    if "ethnicity" not in roles and (staff is None or "person_id" not in roles):
        need = "a person id column and --staff" if staff is None else "a person id column"
        raise ColumnError(
            f"{where}: the application log has no ethnicity column (e.g. 'Ethnic Origin'), so "
            f"ethnicity must come from the staff extract, which needs {need}. Columns found: "
            f"{', '.join(repr(h) for h in first.headers)}."
        )
    table = read_all(source, columns)
    if table.num_rows == 0:
        raise DataError(f"{where}: the application log has a header but no rows.")
    dates, findings = _dates(table, settings, where, roles)
    findings.extend(long_field_findings(source, columns))
    keep = ~np.isnat(dates)
    if not keep.any():
        raise DataError(
            f"{where}: no application has a readable date in column "
            f"'{roles['application_date']}'. Use dates like 31/03/2024 or 2024-03-31."
        )
    frame = pd.DataFrame({"period": period_keys(dates, per), "_row": table.column("_row")})
    frame["person"], more = _people(table, columns, where, roles)
    findings.extend(more)
    if "ethnicity" in roles:
        frame["group"], more = _log_groups(table, settings, where, roles)
        findings.extend(more)
        if staff is not None and "person_id" in roles:
            findings.extend(_applicants_in_no_snapshot(table, columns, staff, where, roles))
    else:
        assert staff is not None
        frame["group"], more = _staff_groups(table, columns, dates, staff, where, roles)
        findings.extend(more)
    outcome_roles = [r for r in ("decision", "status") if r in roles]
    stages, more = status.stages(table, outcome_roles, settings, where, roles)
    findings.extend(more)
    for name, values in stages.items():
        frame[name] = values
    frame["course"] = distinct_map(table, "course", status.course_key) if "course" in roles else ""
    if "decline_reason" in roles:
        frame["reason"] = distinct_map(table, "decline_reason", status.reason_text)
    frame = frame[keep].reset_index(drop=True)
    frame["group"], more = _one_group(frame, where, roles)
    findings.extend(more)
    return Log(
        frame=frame,
        roles=roles,
        inputs=list(source.paths),
        has_outcomes=bool(outcome_roles),
        has_reasons="decline_reason" in roles and bool(outcome_roles),
        has_course="course" in roles,
        findings=tuple(findings),
    )


def _applicants_in_no_snapshot(
    table: pa.Table,
    columns: Mapping[Path, Columns],
    staff: Staff,
    where: str,
    roles: dict[str, str],
) -> list[Finding]:
    """Applicants the staff extract does not know: counted as applicants, in no headcount."""
    import numpy as np
    import pyarrow as pa

    keys = _keys(table, columns)
    known = staff.positions(pa.array(keys, type=pa.string())) >= 0
    unknown = ~known & (keys != "")
    if not unknown.any():
        return []
    people = len(np.unique(keys[unknown]))
    return [
        Code.APPLICANT_NOT_IN_STAFF.finding(
            f"{int(unknown.sum()):,} applications ({count_people(people)}) are from people "
            "in no staff snapshot; they count as applicants but in no headcount, so "
            "application rates may be overstated",
            int(unknown.sum()),
            file=where,
            column=roles["person_id"],
        )
    ]


def _alias_roles(source: Source, user: Mapping[str, str]) -> dict[str, str]:
    """Headers for the log's own roles, found by this module's aliases (claimed in order).

    Only headers every file of the log has are used, so a missing one is reported by
    readers.resolve_columns as missing rather than as a mapping that was never given.
    """
    headers = source.headers[source.paths[0]]
    keys = [header_key(h) for h in headers]
    common = set.intersection(*({header_key(h) for h in hs} for hs in source.headers.values()))
    taken = {header_key(h) for h in user.values()}
    out: dict[str, str] = {}
    for role, aliases in LOG_ALIASES.items():
        if role in user:
            continue
        for alias in aliases:
            key = header_key(alias)
            if key in common and key not in taken:
                out[role] = headers[keys.index(key)]
                taken.add(key)
                break
    return out


# ------------------------------------------------------------------------------------- periods


def period_keys(dates: np.ndarray, per: str) -> np.ndarray:
    """Financial year (1 April - 31 March) of each date as 10 * year, plus the quarter (Q1 =
    April-June) with ``per="quarter"``. The year is the one of its 31 March (2024 = 2023/24)."""
    import numpy as np

    months = dates.astype("datetime64[M]").astype(np.int64)
    month = months % 12 + 1
    year = months // 12 + 1970 + (month >= 4)
    if per == "year":
        keys: np.ndarray = year * 10
        return keys
    quarter_keys: np.ndarray = year * 10 + (month - 4) % 12 // 3 + 1
    return quarter_keys


def period_label(key: int) -> str:
    """20244 -> "2023/24 Q4"; 20240 -> "2023/24"."""
    year, quarter = divmod(int(key), 10)
    return period_name(year) if quarter == 0 else f"{period_name(year)} Q{quarter}"


def period_end(key: int) -> dt.date:
    """The last day of a period: 31 March for a year, the quarter's last day otherwise."""
    year, quarter = divmod(int(key), 10)
    ends = {0: (year, 3, 31), 1: (year - 1, 6, 30), 2: (year - 1, 9, 30), 3: (year - 1, 12, 31)}
    return dt.date(*ends.get(quarter, (year, 3, 31)))


def period_range(keys: Sequence[int]) -> list[int]:
    """Every period from the first to the last, so a quiet quarter shows as zeros."""
    low, high = min(keys), max(keys)
    if low % 10 == 0:
        return [y * 10 for y in range(low // 10, high // 10 + 1)]
    first, last = (low // 10) * 4 + low % 10 - 1, (high // 10) * 4 + high % 10 - 1
    return [(i // 4) * 10 + i % 4 + 1 for i in range(first, last + 1)]


# -------------------------------------------------------------------------------------- columns


def _dates(
    table: pa.Table, settings: Settings, where: str, roles: dict[str, str]
) -> tuple[np.ndarray, list[Finding]]:
    import numpy as np

    from wres4.indicator.values import mixed_dates_finding, parse_dates

    idx, texts = distinct_texts(table, "application_date")
    parsed = parse_dates(texts, day_first=settings.day_first).to_numpy("datetime64[D]")
    dates: np.ndarray = parsed[idx]
    blank = np.array([not t.strip() for t in texts], dtype=bool)[idx]
    bad = np.isnat(dates) & ~blank
    column = roles["application_date"]
    mixed = mixed_dates_finding(
        texts, what="application", column=column, file=where, day_first=settings.day_first
    )
    out: list[Finding] = [mixed] if mixed else []
    if bad.any():
        rows = sample_rows(table, bad)
        values = Counter(np.asarray(texts, dtype=object)[idx[bad]].tolist())
        out.append(
            Code.UNPARSEABLE_DATE.finding(
                f"{int(bad.sum()):,} applications have a date that cannot be read (first rows "
                f"{', '.join(map(str, rows))}); they are left out",
                int(bad.sum()),
                file=where,
                column=column,
                rows=rows,
                values=tuple(values.most_common(10)),
            )
        )
    if blank.any():
        rows = sample_rows(table, blank)
        out.append(
            Code.BLANK_DATE.finding(
                f"{int(blank.sum()):,} applications have no application date (first rows "
                f"{', '.join(map(str, rows))}); they are left out",
                int(blank.sum()),
                file=where,
                column=column,
                rows=rows,
            )
        )
    return dates, out


def _people(
    table: pa.Table,
    columns: Mapping[Path, Columns],
    where: str,
    roles: dict[str, str],
) -> tuple[np.ndarray, list[Finding]]:
    """A whole number per person; without ids every application is its own person."""
    import numpy as np
    import pandas as pd

    n = table.num_rows
    if "person_id" not in roles:
        note = Code.NO_PERSON_ID.finding(
            "the application log has no person id column; each application is counted "
            "as a different person",
            n,
            file=where,
        )
        return np.arange(n, dtype=np.int64), [note]
    keys = _keys(table, columns)
    codes, uniques = pd.factorize(keys)
    blank = keys == ""
    out: list[Finding] = []
    if blank.any():
        rows = sample_rows(table, blank)
        out.append(
            Code.BLANK_PERSON_ID.finding(
                f"{int(blank.sum()):,} applications have no person id (first rows "
                f"{', '.join(map(str, rows))}); each is counted as a different person",
                int(blank.sum()),
                file=where,
                column=roles["person_id"],
                rows=rows,
            )
        )
    people: np.ndarray = codes.astype(np.int64)
    people[blank] = len(uniques) + np.arange(int(blank.sum()))
    return people, out


def _keys(table: pa.Table, columns: Mapping[Path, Columns]) -> np.ndarray:
    """Canonical person keys (values.person_keys), honouring assignment-number headers."""
    import numpy as np
    import pyarrow.compute as pc

    from wres4.indicator.values import person_keys

    ids = pc.fill_null(table.column("person_id"), "")
    assignment = np.array([c.assignment_ids for c in columns.values()])
    if not assignment.any():
        return np.asarray(person_keys(ids).to_numpy(zero_copy_only=False), dtype=object)
    files = table.column("_file").to_numpy()
    plain = np.asarray(person_keys(ids).to_numpy(zero_copy_only=False), dtype=object)
    split = np.asarray(
        person_keys(ids, assignment=True).to_numpy(zero_copy_only=False), dtype=object
    )
    keys: np.ndarray = np.where(assignment[files], split, plain)
    return keys


def _log_groups(
    table: pa.Table, settings: Settings, where: str, roles: dict[str, str]
) -> tuple[np.ndarray, list[Finding]]:
    import numpy as np

    from wres4.indicator.ethnicity import classify_many

    idx, texts = distinct_texts(table, "ethnicity")
    mapped = classify_many(texts, settings.label_overrides())
    codes = np.array([GROUP_CODES[mapped[t].group] for t in texts], dtype=np.int8)
    counts = np.bincount(idx, minlength=len(texts))
    unmapped = Counter(
        {
            t: int(n)
            for t, n in zip(texts, counts, strict=True)
            if mapped[t].source == "unrecognised"
        }
    )
    out: list[Finding] = []
    if unmapped:
        total = sum(unmapped.values())
        shown = ", ".join(repr(k) for k, _ in unmapped.most_common(3))
        out.append(
            Code.UNMAPPED_LABEL.finding(
                f"{total:,} applications have an ethnicity wres4 does not recognise ({shown}"
                f"{', ...' if len(unmapped) > 3 else ''}); they count as Unknown. "
                "Add an override under [ethnicity] in wres4.toml",
                total,
                file=where,
                column=roles["ethnicity"],
                values=tuple(unmapped.most_common()),
            )
        )
    groups: np.ndarray = codes[idx]
    return groups, out


def _staff_groups(
    table: pa.Table,
    columns: Mapping[Path, Columns],
    dates: np.ndarray,
    staff: Staff,
    where: str,
    roles: dict[str, str],
) -> tuple[np.ndarray, list[Finding]]:
    """Each applicant's group in the latest staff snapshot on or before the application date."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    years = np.array(sorted(staff.snapshots), dtype=np.int64)
    snaps = np.array([staff.snapshots[int(y)] for y in years], dtype="datetime64[D]")
    which = np.searchsorted(snaps, dates, side="right") - 1
    year = np.where(which >= 0, years[np.clip(which, 0, None)], -1)
    pos = staff.positions(pa.array(_keys(table, columns), type=pa.string()))
    people = staff.people
    index = pd.Index(people["year"].to_numpy(np.int64) * (1 << 40) + people["pos"].to_numpy())
    found = index.get_indexer(year * (1 << 40) + pos)
    found[(pos < 0) | (year < 0)] = -1
    groups: np.ndarray = np.where(
        found >= 0, people["group"].to_numpy()[np.clip(found, 0, None)], UNKNOWN
    ).astype(np.int8)
    missing = (found < 0) & ~np.isnat(dates)
    if not missing.any():
        return groups, []
    rows = sample_rows(table, missing)
    early = int((missing & (year < 0)).sum())
    detail = f"; {early:,} are dated before the first snapshot" if early else ""
    problem = Code.UNMATCHED_APPLICATION.finding(
        f"{int(missing.sum()):,} applications have no staff record in the snapshot on or "
        f"before their application date (first rows {', '.join(map(str, rows))}"
        f"{detail}); they count as Unknown",
        int(missing.sum()),
        file=where,
        column=roles["person_id"],
        rows=rows,
    )
    return groups, [problem]


def _one_group(
    frame: pd.DataFrame, where: str, roles: dict[str, str]
) -> tuple[np.ndarray, list[Finding]]:
    """One group per person per period: a known group wins over Unknown; among different
    known groups, the one on the latest application row."""
    import numpy as np

    known = frame.loc[frame["group"] != UNKNOWN, ["period", "person", "group", "_row"]]
    if known.empty:
        same: np.ndarray = frame["group"].to_numpy()
        return same, []
    conflicts = int((known.groupby(["period", "person"])["group"].nunique() > 1).sum())
    out: list[Finding] = []
    if conflicts:
        out.append(
            Code.CONFLICTING_ETHNICITY.finding(
                f"{conflicts:,} people have applications with different ethnic groups in one "
                "period; the group on their latest application is used",
                conflicts,
                file=where,
                column=roles.get("ethnicity"),
            )
        )
    # Rows keep the log's order (files in turn), so the last duplicate is the latest row.
    chosen = known.drop_duplicates(["period", "person"], keep="last")
    merged = frame[["period", "person"]].merge(
        chosen[["period", "person", "group"]], on=["period", "person"], how="left"
    )
    groups: np.ndarray = merged["group"].fillna(UNKNOWN).to_numpy(np.int8)
    return groups, out
