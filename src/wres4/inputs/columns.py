"""Header names -> roles: the alias table, the role each column plays, and what is missing.

Matching ignores case, spaces and punctuation. A role the user maps (option or config
file) wins; otherwise the most specific alias does, and any other candidate is named in a
note rather than passed over silently.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from wres4.errors import ColumnError
from wres4.findings import Code, Finding
from wres4.text import clip, squash

if TYPE_CHECKING:
    from wres4.inputs.source import Source

# Header names each role is recognised by, most specific first (method.md: Inputs). Matching ignores
# case, spaces and punctuation, so "EMPLOYEE  NUMBER" and "Employee_No." both work.
ROLE_ALIASES: dict[str, tuple[str, ...]] = {
    "person_id": (
        "employee number",
        "employee no",
        "employee id",
        "employee ref",
        "staff number",
        "staff no",
        "staff id",
        "person number",
        "person id",
        "personal number",
        "esr number",
        "assignment number",
        "assignment no",
        "id",
    ),
    "ethnicity": (
        "ethnic origin",
        "ethnicity",
        "ethnic group",
        "ethnic category",
        "ethnic origin description",
        "ethnicity code",
        "group",
    ),
    "snapshot": (
        "snapshot date",
        "as at date",
        "as at",
        "report date",
        "reporting date",
        "effective date",
        "census date",
        "snapshot",
    ),
    "year": ("reporting year", "financial year", "year", "fy", "wres year"),
    "bank": (
        "assignment category",
        "employee category",
        "employment category",
        "contract type",
        "assignment type",
    ),
    "type": (
        "course type",
        "training type",
        "learning type",
        "activity type",
        "training category",
        "course category",
        "category",
    ),
    "mandatory": (
        "mandatory",
        "is mandatory",
        "mandatory training",
        "mandatory yn",
        "mandatory flag",
        "statutory mandatory",
    ),
    "course": (
        "course title",
        "course name",
        "competence name",
        "programme",
        "programme name",
        "program",
        "activity",
        "course",
        "learning title",
        "training title",
    ),
    "status": (
        "status",
        "outcome",
        "attendance status",
        "booking status",
        "enrolment status",
        "decision",
        "application status",
    ),
    "date": (
        "start date",
        "course date",
        "event date",
        "attended date",
        "completion date",
        "date attended",
        "date completed",
        "activity date",
        "date",
    ),
    "application_date": ("application date", "date applied", "submitted", "submitted date"),
    "decline_reason": ("decline reason", "reason declined", "rejection reason", "reason"),
    "accessed": (
        "accessed",
        "accessed training",
        "accessed cpd",
        "non mandatory training",
        "accessed non mandatory training",
        "trained",
        "cpd",
        "activities",
    ),
    "headcount": ("headcount", "staff in post", "number of staff", "total staff", "staff"),
    "accessed_count": ("accessed", "accessed count", "number accessed", "trained"),
    "pay_band": ("pay band", "band", "grade", "afc band", "agenda for change band"),
    "staff_group": ("staff group", "occupational group"),
    "organisation": ("organisation", "directorate", "division", "department", "care group"),
    "site": ("site", "location", "base"),
    "gender": ("gender", "sex"),
    "disability": ("disability", "disabled"),
}

# Every role a column can be mapped to (the application log adds its decision column).
KNOWN_ROLES = frozenset(ROLE_ALIASES) | {"decision"}

# Person id headers whose values carry an assignment suffix ("12345678-2").
ASSIGNMENT_HEADERS = frozenset({"assignmentnumber", "assignmentno"})


def header_key(name: object) -> str:
    """Case-, space- and punctuation-insensitive form of a header name."""
    return squash(name, "")


@dataclass(frozen=True)
class Columns:
    """Which header in one file plays each role."""

    path: Path
    headers: tuple[str, ...]
    roles: dict[str, str]
    index: dict[str, int] = field(default_factory=dict)
    assignment_ids: bool = False
    # Other headers that also looked like a role's column (the most specific alias won).
    passed_over: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def choice_notes(
        self, label: str, roles: Sequence[str], option: str = "--column"
    ) -> list[Finding]:
        """Notes naming the columns passed over for ``roles``, so the choice is never silent."""
        return [
            Code.COLUMN_CHOICE.finding(
                f"the {label} has more than one {role.replace('_', ' ')} column: "
                f"'{self.roles[role]}' is used, not {', '.join(repr(h) for h in others)}; "
                f"map another with {option} {role}=HEADER",
                0,
                file=str(self.path),
                column=self.roles[role],
            )
            for role in roles
            if (others := self.passed_over.get(role))
        ]


def resolve_columns(
    source: Source,
    wanted: Sequence[str],
    *,
    required: Sequence[str] = (),
    explicit: Mapping[str, str] | None = None,
    extra: Sequence[str] = (),
) -> dict[Path, Columns]:
    """Find the header that plays each wanted role in every file of ``source``.

    ``explicit`` maps a role to a header name given by the user (option or config); ``extra``
    names further columns to read by role or raw header (breakdowns).
    """
    return {
        path: _resolve_file(
            path,
            source.headers[path],
            wanted,
            required,
            dict(explicit or {}),
            extra,
            source.label,
        )
        for path in source.paths
    }


def _resolve_file(
    path: Path,
    headers: tuple[str, ...],
    wanted: Sequence[str],
    required: Sequence[str],
    explicit: dict[str, str],
    extra: Sequence[str],
    label: str | None = None,
) -> Columns:
    keys = [header_key(h) for h in headers]
    index_of: dict[str, int] = {}
    passed_over: dict[str, tuple[str, ...]] = {}

    def find(names: Sequence[str], role: str, reuse: bool = False) -> int | None:
        # A breakdown may reuse a role's column (progression --by "Pay Band").
        taken = set() if reuse else set(index_of.values())
        for name in names:
            key = header_key(name)
            hits = [i for i, k in enumerate(keys) if k == key and i not in taken]
            if len(hits) > 1 and len({headers[i].strip() for i in hits}) == 1:
                times = "twice" if len(hits) == 2 else f"{len(hits)} times"
                numbers = [str(i + 1) for i in hits]
                where = f"{', '.join(numbers[:-1])} and {numbers[-1]}"
                raise ColumnError(
                    f"{path}: the header '{headers[hits[0]].strip()}' appears {times} "
                    f"(columns {where}), so wres4 cannot tell which holds the "
                    f"{role.replace('_', ' ')}. Rename or remove the extra column in the file."
                )
            if len(hits) > 1:
                shown = ", ".join(f"'{headers[i]}' (column {i + 1})" for i in hits)
                raise ColumnError(
                    f"{path}: columns {shown} both look like the {role.replace('_', ' ')} "
                    "column. Rename one, or map the role explicitly with --column."
                )
            if hits:
                return hits[0]
        return None

    # Explicit mappings first, so an alias cannot take a header the user assigned elsewhere.
    for role in sorted(wanted, key=lambda r: r not in explicit):
        if role in explicit:
            index = find([explicit[role]], role)
            if index is None:
                raise ColumnError(
                    f"{path}: column '{explicit[role]}' (given for {role}) not found; "
                    f"columns found: {_listing(headers)}."
                )
        else:
            index = find(ROLE_ALIASES.get(role, (role,)), role)
            if index is not None:
                # ESR extracts carry Assignment Number beside Employee Number: not a choice.
                alias_keys = {header_key(a) for a in ROLE_ALIASES.get(role, ())}
                alias_keys -= ASSIGNMENT_HEADERS
                taken = set(index_of.values()) | {index}
                others = tuple(
                    headers[i] for i, k in enumerate(keys) if k in alias_keys and i not in taken
                )
                if others:
                    passed_over[role] = others
        if index is not None:
            index_of[role] = index
    for name in extra:
        if name in index_of:
            continue
        # A mapped role first (config or --column), then the name as a header, then aliases.
        index = find([explicit[name]], name, True) if name in explicit else None
        if index is None:
            index = find([name], name, True)
        if index is None and name in ROLE_ALIASES:
            index = find(ROLE_ALIASES[name], name, True)
        if index is None:
            raise ColumnError(
                f"{path}: no column '{name}' to break down by; columns found: {_listing(headers)}."
            )
        index_of[name] = index
    missing = [r for r in required if r not in index_of]
    if missing and sum(bool(DATA_LIKE.match(h.strip())) for h in headers) >= 1:
        # Never echo the row: it is a person's record, not column names (privacy).
        raise ColumnError(
            f"{path}: the first row looks like data (numbers or dates), not column names; "
            "the file needs its header row. Export the extract again with headers."
        )
    if missing:
        raise ColumnError(missing_message(path, headers, missing, label=label))
    roles = {role: headers[i] for role, i in index_of.items()}
    assignment = "person_id" in roles and header_key(roles["person_id"]) in ASSIGNMENT_HEADERS
    # A header claimed by a later role was not passed over after all.
    claimed = set(roles.values())
    passed_over = {
        role: kept
        for role, others in passed_over.items()
        if (kept := tuple(h for h in others if h not in claimed))
    }
    return Columns(path, headers, roles, index_of, assignment, passed_over)


def missing_message(
    path: Path, headers: Sequence[str], missing: Sequence[str], *, label: str | None = None
) -> str:
    parts = []
    for role in missing:
        names = ", ".join(f"'{n.title()}'" for n in ROLE_ALIASES.get(role, (role,))[:5])
        parts.append(f"{role.replace('_', ' ')} (e.g. {names})")
    return (
        f"{path}: missing column for {'; '.join(parts)}. "
        f"Columns found: {_listing(headers)}. "
        + _mix_up_hint(headers, missing, label)
        + "Rename the column, or map it with --column ROLE=HEADER."
    )


# Roles only a staff extract has, and roles only a training extract has.
STAFF_ONLY_ROLES = ("ethnicity", "snapshot", "bank")
TRAINING_ONLY_ROLES = ("course", "type", "status")
# A header cell that is a number, id or date is a data row, not a header.
DATA_LIKE = re.compile(r"^[\s\d.,/:+-]+$")


def _has_role(headers: Sequence[str], role: str) -> bool:
    keys = {header_key(h) for h in headers}
    return any(header_key(alias) in keys for alias in ROLE_ALIASES[role])


def _mix_up_hint(headers: Sequence[str], missing: Sequence[str], label: str | None) -> str:
    """Say so when the file looks like the other extract, or like data without a header."""
    filled = [h for h in headers if h.strip()]
    if filled and sum(bool(DATA_LIKE.match(h)) for h in filled) * 2 >= len(filled):
        return (
            "The first row looks like data, not column names: the file seems to have no "
            "header row; add one. "
        )
    if len(filled) == 1 and len(headers) <= 2:
        return (
            "Only one column was found: if the file has title lines above its header row, "
            "delete them; if its columns are split by another character, save it as CSV "
            "again. "
        )
    label = label or ""
    if (
        "staff" in label
        and "ethnicity" in missing
        and any(_has_role(headers, r) for r in TRAINING_ONLY_ROLES)
    ):
        return (
            "This looks like a training extract: give the staff extract first and the "
            "training extract after --training. "
        )
    if "training" in label and any(_has_role(headers, r) for r in STAFF_ONLY_ROLES):
        return (
            "This looks like a staff extract, not a training extract: check the file given "
            "with --training. "
        )
    return ""


def _listing(headers: Sequence[str]) -> str:
    shown = ", ".join(f"'{clip(h, keep_spaces=True)}'" for h in headers[:20])
    return shown + (f" and {len(headers) - 20} more" if len(headers) > 20 else "") or "(none)"
