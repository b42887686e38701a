"""Decision and status values -> stages; decline reasons and programme names (method.md: Funnel).

Each distinct value is classified once and the answers mapped back to the rows.
"Approved" means an approval decision, or attendance, which implies one; attended/completed
follow the accessed statuses of method.md: Accessed (training.Rules).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from wres4.findings import Code, Finding
from wres4.indicator.training import Rules
from wres4.settings import Settings
from wres4.text import NO_WORDS, YES_WORDS, normalise_word

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

ROW_SAMPLE = 5

# What a decision or status value says about the stages (method.md: Funnel):
# accessed implies approved.
NEUTRAL, APPROVED, DECLINED, ACCESSED, UNRECOGNISED = 0, 1, 2, 3, -1
# Stems of the other answers. The one found earliest in the value wins, so "Pending approval"
# is pending, "Approved - awaiting start" is approved and "Not approved" is declined; at the
# same place a decline beats "not", which beats an approval.
OUTCOME_STEMS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (
        DECLINED,
        (
            "declin",
            "reject",
            "refus",
            "not approv",
            "not support",
            "not agreed",
            "not funded",
            "unsuccessful",
            "denied",
            "turned down",
        ),
    ),
    (
        NEUTRAL,
        (
            "not ",
            "no ",
            "did not",
            "dna",
            "withdr",
            "cancel",
            "pending",
            "await",
            "waiting",
            "wait list",
            "on hold",
            "under review",
            "applied",
            "application",
            "submitted",
            "requested",
            "deferr",
        ),
    ),
    (
        APPROVED,
        (
            "approv",
            "accept",
            "agreed",
            "support",
            "funded",
            "granted",
            "offered",
            "authoris",
            "authoriz",
            "confirmed",
            "booked",
            "enrolled",
            "successful",
        ),
    ),
)
# Yes/no columns (text.YES_WORDS): "Approved? Yes" is an approval; "Attended? Yes" is attendance.
YES_NO: dict[str, tuple[int, int]] = {
    "decision": (APPROVED, DECLINED),
    "status": (ACCESSED, NEUTRAL),
}


def distinct_texts(table: pa.Table, role: str) -> tuple[np.ndarray, list[str]]:
    import pyarrow.compute as pc

    from wres4.indicator.values import encode

    idx, values = encode(pc.fill_null(table.column(role), ""))
    return idx, [str(v) for v in values.to_pylist()]


def distinct_map(table: pa.Table, role: str, func: Callable[[str], object]) -> np.ndarray:
    """Apply ``func`` to each distinct value of a column and map the answers back to rows."""
    import numpy as np

    idx, texts = distinct_texts(table, role)
    mapped: np.ndarray = np.array([func(t) for t in texts], dtype=object)[idx]
    return mapped


def sample_rows(table: pa.Table, mask: np.ndarray) -> tuple[int, ...]:
    return tuple(int(r) for r in table.column("_row").to_numpy()[mask][:ROW_SAMPLE])


def outcome(text: str, role: str, rules: Rules) -> int:
    """What one decision or status value says: NEUTRAL, APPROVED, DECLINED, ACCESSED or
    UNRECOGNISED. Attended/completed (R5) means accessed, and so approved."""
    word = normalise_word(text)
    if not word:
        return NEUTRAL
    if word in YES_WORDS:
        return YES_NO[role][0]
    if word in NO_WORDS:
        return YES_NO[role][1]
    if rules.status(text) is True:
        return ACCESSED
    padded = word + " "
    hits = [
        (padded.find(stem), rank, answer)
        for rank, (answer, stems) in enumerate(OUTCOME_STEMS)
        for stem in stems
        if stem in padded
    ]
    if hits:
        return min(hits)[2]
    if rules.status(text) is False:
        return NEUTRAL
    return UNRECOGNISED


def stages(
    table: pa.Table,
    outcome_roles: Sequence[str],
    settings: Settings,
    where: str,
    roles: dict[str, str],
) -> tuple[dict[str, np.ndarray], list[Finding]]:
    """approved / declined / accessed per application, from the decision and status columns,
    with findings for values that are not recognised or that contradict each other."""
    import numpy as np

    if not outcome_roles:
        return {}, []
    rules = Rules.from_settings(settings)
    n = table.num_rows
    stage = {name: np.zeros(n, dtype=bool) for name in ("approved", "declined", "accessed")}
    out: list[Finding] = []
    for role in outcome_roles:
        idx, texts = distinct_texts(table, role)
        codes = np.array([outcome(t, role, rules) for t in texts], dtype=np.int8)
        per_row = codes[idx]
        stage["approved"] |= (per_row == APPROVED) | (per_row == ACCESSED)
        stage["declined"] |= per_row == DECLINED
        stage["accessed"] |= per_row == ACCESSED
        counts = np.bincount(idx, minlength=len(texts))
        unknown = Counter(
            {t: int(c) for t, c, k in zip(texts, counts, codes, strict=True) if k == UNRECOGNISED}
        )
        if unknown:
            total = sum(unknown.values())
            shown = ", ".join(f"'{k}' {v:,}" for k, v in unknown.most_common(3))
            out.append(
                Code.UNCLASSIFIED_STATUS.finding(
                    f"{total:,} applications have a {role} value wres4 does not recognise "
                    f"({shown}{', ...' if len(unknown) > 3 else ''}); they count as neither "
                    "approved, declined nor accessed. Add them to accessed_statuses or "
                    "not_accessed_statuses in wres4.toml",
                    total,
                    file=where,
                    column=roles[role],
                    values=tuple(unknown.most_common()),
                )
            )
    both = stage["declined"] & stage["accessed"]
    if both.any():
        rows = sample_rows(table, both)
        out.append(
            Code.DECLINED_BUT_ACCESSED.finding(
                f"{int(both.sum()):,} applications are marked declined and also attended or "
                f"completed (first rows {', '.join(map(str, rows))}); they count in both",
                int(both.sum()),
                file=where,
                rows=rows,
            )
        )
    return stage, out


def reason_text(text: str) -> str:
    """Decline reasons compared ignoring case and spacing only: no guessing at synonyms."""
    return " ".join(text.split())


def course_key(text: str) -> str:
    """Programme names compared case- and space-insensitively ("Ready  now" = "ReadyNow")."""
    return re.sub(r"\s+", "", text).casefold()
