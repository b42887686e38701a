"""Data-quality findings: observations collected on the way, never raised.

:class:`Code` is the catalogue: every finding wres4 reports, with its severity and what it
means. A finding is made through it (``Code.BLANK_DATE.finding(message, count, file=...)``),
so its severity is never chosen by hand. A *problem* can change the figures and makes
``wres4 check`` and ``--strict`` exit 3; a *note* records a choice or a fact of the run.

A leaf: it imports nothing of the package.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


# How many examples a finding lists (people, labels, values); messages show the first few.
EXAMPLES = 20


class Severity(StrEnum):
    PROBLEM = "problem"
    NOTE = "note"


PROBLEM, NOTE = Severity.PROBLEM, Severity.NOTE


class Code(StrEnum):
    """Every finding code, its severity and a line saying what it means.

    A member is its code text (``Code.ROWS_READ == "rows_read"``).
    """

    severity: Severity
    meaning: str

    def __new__(cls, value: str, severity: Severity, meaning: str) -> Code:
        member = str.__new__(cls, value)
        member._value_ = value
        member.severity = severity
        member.meaning = meaning
        return member

    # Inputs
    ROWS_READ = "rows_read", NOTE, "rows read from each input file"
    LONG_FIELD = (
        "long_field",
        PROBLEM,
        "a cell longer than a spreadsheet cell can hold; read, but the export may be broken",
    )
    COLUMN_CHOICE = (
        "column_choice",
        NOTE,
        "several columns could play a role; the one used and those passed over are named",
    )
    # Staff extract
    BLANK_PERSON_ID = "blank_person_id", PROBLEM, "rows with no person id"
    ASSUMED_SNAPSHOT = (
        "assumed_snapshot",
        PROBLEM,
        "no snapshot date or year column: the staff are taken as in post on a default day",
    )
    UNPARSEABLE_DATE = "unparseable_date", PROBLEM, "dates that cannot be read"
    MIXED_DATE_FORMATS = (
        "mixed_date_formats",
        NOTE,
        "one date column writes its dates in several ways; every form was read",
    )
    FUTURE_SNAPSHOT = "future_snapshot", PROBLEM, "snapshot dates after today"
    EXTRA_SNAPSHOTS = (
        "extra_snapshots",
        NOTE,
        "several snapshots in one reporting year; only the latest is used",
    )
    DUPLICATE_PERSON = (
        "duplicate_person",
        NOTE,
        "people on more than one row of a snapshot, counted once",
    )
    MIXED_BREAKDOWN = (
        "mixed_breakdown",
        NOTE,
        "people whose rows in one snapshot differ in a breakdown column",
    )
    CONFLICTING_ETHNICITY = (
        "conflicting_ethnicity",
        PROBLEM,
        "people whose rows in one snapshot or period give different ethnic groups",
    )
    ETHNICITY_CHANGED = (
        "ethnicity_changed",
        NOTE,
        "people whose ethnic group differs between snapshots",
    )
    BANK_EXCLUDED = "bank_excluded", NOTE, "bank-only staff left out of the headcount"
    UNMAPPED_LABEL = (
        "unmapped_label",
        PROBLEM,
        "ethnicity values wres4 does not recognise, counted as Unknown",
    )
    PEOPLE_IN_POST = "people_in_post", NOTE, "people in post at each snapshot"
    # Progression
    UNBANDED = (
        "unbanded",
        NOTE,
        "people in post with no Agenda for Change band: in retention, not in progression",
    )
    BAND_DOWN = "band_down", NOTE, "people on a lower band at the next snapshot"
    GROUP_CHANGED = (
        "group_changed",
        NOTE,
        "people in a cohort whose ethnic group is another at the next snapshot",
    )
    SNAPSHOT_GAP = (
        "snapshot_gap",
        NOTE,
        "a year with no snapshot: cohorts followed over more than one year",
    )
    NO_GROUP_STAFF = (
        "no_group_staff",
        PROBLEM,
        "years with no White or no BME staff: the relative likelihood is not calculable",
    )
    UNKNOWN_OVER_10PCT = (
        "unknown_over_10pct",
        PROBLEM,
        "years where more than 10% of staff have Unknown ethnicity",
    )
    HISTORY_OVERLAP = (
        "history_overlap",
        NOTE,
        "years in the history file that the extracts also give; the extracts win",
    )
    # Training extract
    UNMATCHED_TRAINING_ID = (
        "unmatched_training_id",
        PROBLEM,
        "training records whose id is in no staff snapshot",
    )
    BLANK_DATE = "blank_date", PROBLEM, "records with no date"
    OUTSIDE_WINDOW = (
        "outside_window",
        NOTE,
        "training records dated outside every reporting window",
    )
    UNCLASSIFIED_STATUS = (
        "unclassified_status",
        PROBLEM,
        "status or decision values wres4 does not recognise",
    )
    UNCLASSIFIED_TYPE = (
        "unclassified_type",
        NOTE,
        "course types neither mandatory nor non-mandatory",
    )
    NO_TYPE_COLUMN = (
        "no_type_column",
        NOTE,
        "no course type, mandatory or title column: every record is non-mandatory",
    )
    # Application log
    NO_PERSON_ID = (
        "no_person_id",
        NOTE,
        "no person id column: each application is a different person",
    )
    APPLICANT_NOT_IN_STAFF = (
        "applicant_not_in_staff",
        PROBLEM,
        "applications from people in no staff snapshot",
    )
    UNMATCHED_APPLICATION = (
        "unmatched_application",
        PROBLEM,
        "applications with no staff record on or before their date, counted as Unknown",
    )
    DECLINED_BUT_ACCESSED = (
        "declined_but_accessed",
        PROBLEM,
        "applications marked declined that were also attended or completed",
    )
    NO_SNAPSHOT_FOR_PERIOD = (
        "no_snapshot_for_period",
        NOTE,
        "periods with no staff snapshot on or before their end, so no headcount",
    )
    TARGET_PROGRAMME_NOT_FOUND = (
        "target_programme_not_found",
        PROBLEM,
        "a --target programme that no application names",
    )

    @property
    def problem(self) -> bool:
        return self.severity is PROBLEM

    def finding(
        self,
        message: str,
        count: int,
        *,
        file: str | None = None,
        column: str | None = None,
        rows: Sequence[int] = (),
        values: Sequence[tuple[str, int]] = (),
    ) -> Finding:
        """A finding of this code; ``message`` says what, where and what to do."""
        return Finding(
            self.value,
            message,
            count,
            file=file,
            column=column,
            rows=tuple(rows),
            values=tuple(values),
        )


# Code text -> member ("rows_read" -> Code.ROWS_READ), for findings made from text.
CODES: dict[str, Code] = {code.value: code for code in Code}


def code_of(text: str) -> Code:
    """The catalogue entry of a code text; ValueError for a code not in the catalogue."""
    try:
        return CODES[text]
    except KeyError:
        raise ValueError(f"{text!r} is not a finding code in wres4.findings.Code") from None


@dataclass(frozen=True)
class Finding:
    """One data-quality observation, collected rather than raised.

    ``code`` is a :class:`Code` value; the severity follows from it.
    """

    code: str
    message: str
    count: int
    file: str | None = None
    column: str | None = None
    rows: tuple[int, ...] = ()
    values: tuple[tuple[str, int], ...] = ()

    def __post_init__(self) -> None:
        # An unknown code is a bug, caught where the finding is made; the stored code is plain
        # text, so findings serialise and compare as before.
        object.__setattr__(self, "code", code_of(self.code).value)

    @property
    def severity(self) -> Severity:
        return code_of(self.code).severity

    @property
    def problem(self) -> bool:
        return self.severity is PROBLEM

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "count": self.count,
            "file": self.file,
            "column": self.column,
            "rows": list(self.rows),
            "values": [{"value": v, "count": n} for v, n in self.values],
            "problem": self.problem,
        }


# The tidy findings table library users get and ``wres4 check -f json`` emits, one row a
# finding, in this column order.
FINDINGS_COLUMNS: tuple[str, ...] = (
    "code",
    "severity",
    "file",
    "column",
    "rows",
    "count",
    "message",
)


def finding_records(findings: Sequence[Finding]) -> list[dict[str, Any]]:
    """The findings as plain rows with :data:`FINDINGS_COLUMNS` (no pandas needed): what
    ``wres4 check -f json`` emits under ``"findings"``."""
    return [
        {
            "code": f.code,
            "severity": f.severity.value,
            "file": f.file,
            "column": f.column,
            "rows": ";".join(str(r) for r in f.rows),
            "count": f.count,
            "message": f.message,
        }
        for f in findings
    ]


def findings_table(findings: Sequence[Finding]) -> pd.DataFrame:
    """The findings as a DataFrame with :data:`FINDINGS_COLUMNS`: ``count`` is int64, the
    rest text (object); ``severity`` is "problem" or "note" from the catalogue, ``rows`` a
    ``;``-separated list of example row numbers (empty when none)."""
    import pandas as pd

    # Text columns stay object (Python str, and None where a finding names no file or
    # column), whatever the findings hold and whichever pandas infers strings as.
    records = finding_records(findings)
    table = pd.DataFrame(records, columns=list(FINDINGS_COLUMNS), dtype=object)
    return table.astype({"count": "int64"})
