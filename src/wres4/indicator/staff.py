"""Staff extract -> one row per person per reporting year (method.md: Denominator).

Reads the extract, classifies each row's ethnicity, bank flag and snapshot, and reduces the
rows to people (:mod:`wres4.indicator.person_years`) in post at each year's snapshot
(:mod:`wres4.indicator.snapshots`). Bank-only people are excluded and counted.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from wres4.errors import ColumnError, DataError
from wres4.findings import Code, Finding
from wres4.indicator.person_years import CONFLICT_RULE, IdNames, collapse, in_post_findings
from wres4.indicator.snapshots import (
    latest_snapshots,
    reporting_years,
    snapshot_dates,
    superseded,
    superseded_note,
    windows_of,
)
from wres4.inputs.source import long_field_findings, rows_read_finding
from wres4.periods import Windows
from wres4.settings import GROUP_CODES, GROUPS, Settings
from wres4.text import clip, normalise_word

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    from wres4.indicator.values import KeyIndex, PersonKeys
    from wres4.inputs.columns import Columns
    from wres4.inputs.source import Source

# Kept importable from here, where callers have always found them.
GROUP_NAMES = GROUPS
__all__ = [
    "CONFLICT_RULE",
    "GROUP_CODES",
    "GROUP_NAMES",
    "Staff",
    "is_bank",
    "load_staff",
]


@dataclass
class Staff:
    """People in post per reporting year, after de-duplication and bank exclusion."""

    people: pd.DataFrame  # year, pos, group (0/1/2), bank_only, [accessed], [by columns]
    keys: KeyIndex  # int64 person key (values.PersonKeys) of each position
    maker: PersonKeys
    windows: Windows
    snapshots: dict[int, dt.date]
    findings: tuple[Finding, ...] = ()
    bank_excluded: dict[int, int] = field(default_factory=dict)
    # With ``band_rank``: the pay band values on non-bank rows that are not a band, by rows.
    unbanded_values: Counter[str] = field(default_factory=Counter)

    def positions(self, raw: pa.Array | pa.ChunkedArray, *, assignment: bool = False) -> np.ndarray:
        """Position of each row's person in ``keys`` (-1 when in no snapshot)."""
        return self.keys.positions(self.maker.of(raw, assignment=assignment, grow=False))


def load_staff(
    source: Source,
    columns: Mapping[Path, Columns],
    settings: Settings,
    *,
    as_at: dt.date | None = None,
    by: Sequence[str] = (),
    today: dt.date | None = None,
    progress: Callable[[str, int], None] | None = None,
    band_rank: Callable[[list[str]], list[int]] | None = None,
    parsed: Callable[[], None] | None = None,
) -> Staff:
    """Read a staff extract (or a person-level table) and reduce it to person-years.

    With ``band_rank`` (distinct pay band values -> their rank, -1 for none) each person-year
    also gets ``band``, the highest rank over the person's non-bank rows (method.md: Bands).
    ``parsed``, when given, is called once the file is parsed, before the reduction.
    """
    import numpy as np
    import pyarrow as pa

    from wres4.indicator.values import NO_PERSON, PersonKeys, encode, number_keys
    from wres4.inputs.readers import STAFF_BATCH_BYTES, iter_tables

    parts = []
    key_parts = []
    maker = PersonKeys()
    tables = iter_tables(
        source, columns, dictionary=True, batch_bytes=STAFF_BATCH_BYTES, chunk_bytes=None
    )
    for table in tables:
        if not len(table):
            continue
        parts.append(table)
        if progress is not None:
            progress(source.label, table.num_rows)
    # Told before the keys are made: what comes next shares the GIL with the statistics
    # import, and the training parse need not wait for it.
    if parsed is not None:
        parsed()
    for table in parts:
        cols = columns[source.paths[int(table.column("_file")[0].as_py())]]
        key_parts.append(maker.of(table.column("person_id"), assignment=cols.assignment_ids))
    if not parts:
        raise DataError(f"{source.names[0]}: the {source.label} has a header but no rows.")
    # pandas is imported here, after the parse, while a background thread may be loading it.
    import pandas as pd

    first = next(iter(columns.values()))
    _same_roles(source, columns)
    table = pa.concat_tables(parts)
    where = source.where
    findings = [
        rows_read_finding(source),
        *first.choice_notes(source.label, ("person_id", "ethnicity", "snapshot")),
        *long_field_findings(source, columns),
    ]

    keys = key_parts[0] if len(key_parts) == 1 else np.concatenate(key_parts)
    blank = keys == NO_PERSON
    if blank.all():
        raise DataError(
            f"{where}: column '{first.roles['person_id']}' is empty on every row; "
            "wres4 needs a person id to count people once."
        )
    if blank.any():
        rows = table.column("_row").to_numpy()[blank][:5]
        findings.append(
            Code.BLANK_PERSON_ID.finding(
                f"{int(blank.sum()):,} staff rows have no person id (first rows "
                f"{', '.join(map(str, rows))}); they are left out",
                int(blank.sum()),
                file=where,
                column=first.roles["person_id"],
                rows=tuple(int(r) for r in rows),
            )
        )
        table = table.filter(pa.array(~blank))
        keys = keys[~blank]

    snap_codes, days, more = snapshot_dates(table, first, settings, as_at, where, today)
    findings.extend(more)
    # A handful of distinct snapshot dates: their years, and which is the latest of each
    # year, are worked out once (only dates some row still has count).
    rows_per_day = np.bincount(snap_codes, minlength=len(days))
    days = np.where(rows_per_day > 0, days, np.datetime64("NaT", "D"))
    unread = np.isnat(days)
    day_years = np.where(unread, 0, reporting_years(days, settings))
    # Each reporting year is computed on its own snapshot: the latest one inside that year.
    older = superseded(days, day_years)
    findings.extend(superseded_note(days, older, rows_per_day, where))
    snapshots = latest_snapshots(days, day_years)
    n = table.num_rows
    # Each row's columns, in the smallest types that hold them: fresh memory costs time.
    per_row: dict[str, np.ndarray] = {
        "year": day_years.astype(np.int16)[snap_codes],
        "_order": np.arange(n, dtype=np.int32 if n < (1 << 31) else np.int64),
    }
    keep = ~(unread | older)[snap_codes]
    unmapped, per_row["group"], per_row["_label"], label_texts = _groups(table, settings)
    per_row["bank"] = _bank(table, settings)
    unbanded: Counter[str] = Counter()
    if band_rank is not None and "pay_band" in table.column_names:
        readable = ~unread[snap_codes]
        per_row["band"], unbanded = _bands(table, per_row["bank"], readable, band_rank)
    if "accessed" in table.column_names:
        per_row["accessed"] = _accessed(table, first, where)
    for name in by:
        idx, values = encode(table.column(name))
        per_row[name] = np.asarray(values.to_pylist(), dtype=object)[idx]
    # About one person a row and snapshot, plus leavers and joiners: a table that size
    # rather than one for every row (fresh memory costs time; it grows if short).
    index, codes = number_keys(keys, len(keys) * 5 // (4 * max(len(snapshots), 1)))
    names = IdNames(index.uniques, maker)
    per_row["pos"] = codes.astype(np.int32) if len(index) < (1 << 31) else codes
    # The rows are all in per_row now: let the parsed text go before the reduction.
    del table, parts, key_parts, keys, codes
    pa.default_memory_pool().release_unused()
    if not keep.any():
        raise DataError(f"{where}: no row has a readable snapshot date.")
    if not keep.all():
        per_row = {name: values[keep] for name, values in per_row.items()}
    frame = pd.DataFrame(per_row, copy=False)
    people, more = collapse(frame, by, names, label_texts, snapshots, settings, where, first.roles)
    findings.extend(more)
    bank_excluded: dict[int, int] = {}
    if "bank" in first.roles:
        counts = people.loc[people["bank_only"]].groupby("year").size()
        bank_excluded = {int(str(y)): int(n) for y, n in counts.items()}
        total = sum(bank_excluded.values())
        if total:
            findings.append(
                Code.BANK_EXCLUDED.finding(
                    f"{total:,} bank-only {'person is' if total == 1 else 'people are'} excluded "
                    "from the headcount "
                    f"({first.roles['bank']} is Bank on all their rows)",
                    total,
                    file=where,
                    column=first.roles["bank"],
                )
            )
    if unmapped:
        total = sum(unmapped.values())
        findings.append(
            Code.UNMAPPED_LABEL.finding(
                f"{total:,} staff rows have an ethnicity wres4 does not recognise "
                f"({', '.join(repr(clip(k)) for k, _ in unmapped.most_common(3))}"
                f"{', ...' if len(unmapped) > 3 else ''}); they count as Unknown. "
                "Add an override under [ethnicity] in wres4.toml",
                total,
                file=where,
                column=first.roles["ethnicity"],
                values=tuple((clip(k, 200), n) for k, n in unmapped.most_common()),
            )
        )
    findings.extend(in_post_findings(people, snapshots, where, settings))
    return Staff(
        people=people,
        keys=index,
        maker=maker,
        windows=windows_of(snapshots, settings),
        snapshots=snapshots,
        findings=tuple(findings),
        bank_excluded=bank_excluded,
        unbanded_values=unbanded,
    )


def _bands(
    table: pa.Table,
    bank: np.ndarray,
    keep: np.ndarray,
    band_rank: Callable[[list[str]], list[int]],
) -> tuple[np.ndarray, Counter[str]]:
    """Each row's band rank (-1 on bank rows and rows with no band), each distinct value
    ranked once; and the rows of each value that is not a band, on the rows that count."""
    import numpy as np

    from wres4.indicator.values import encode

    idx, values = encode(table.column("pay_band"))
    texts = values.to_pylist()
    ranks = np.asarray(band_rank(texts), dtype=np.int16)
    per_row = ranks[idx] if len(texts) else np.full(len(idx), -1, np.int16)
    per_row = np.where(bank, np.int16(-1), per_row)
    counted = np.bincount(idx[keep & ~bank], minlength=len(texts)) if len(texts) else ranks
    unbanded: Counter[str] = Counter()
    for text, rank, count in zip(texts, ranks, counted, strict=True):
        if rank < 0 and count:
            unbanded[text] += int(count)
    return per_row, unbanded


def _groups(
    table: pa.Table, settings: Settings
) -> tuple[Counter[str], np.ndarray, np.ndarray, list[str]]:
    """Ethnic group code per row (0 White, 1 BME, 2 Unknown), classifying each label once.

    Also returns the rows of each unrecognised label, each row's index into the distinct
    labels, and those labels.
    """
    import numpy as np

    from wres4.indicator.ethnicity import classify_many
    from wres4.indicator.values import encode

    idx, values = encode(table.column("ethnicity"))
    texts = values.to_pylist()
    mapped = classify_many(texts, settings.label_overrides())
    codes = np.array([GROUP_CODES[mapped[t].group] for t in texts], dtype=np.int8)
    counts = np.bincount(idx, minlength=len(texts))
    unmapped: Counter[str] = Counter()
    for text, count in zip(texts, counts, strict=True):
        if mapped[text].source == "unrecognised":
            unmapped[text] += int(count)
    per_row = codes[idx] if len(texts) else np.full(len(idx), GROUP_CODES["Unknown"], np.int8)
    return unmapped, per_row, idx, texts


def is_bank(value: str, bank_words: Sequence[str]) -> bool:
    """A bank category: "Bank", "Bank Staff", "Bank - Nursing"; not "Non-Bank" (method.md:
    Denominator)."""
    word = f" {normalise_word(value)} "
    if " non bank " in word or " not bank " in word:
        return False
    return any(f" {bank} " in word for bank in bank_words if bank)


def _bank(table: pa.Table, settings: Settings) -> np.ndarray:
    import numpy as np

    from wres4.indicator.values import encode

    if "bank" not in table.column_names:
        return np.zeros(table.num_rows, dtype=bool)
    bank_words = [normalise_word(v) for v in settings.bank_values]
    idx, values = encode(table.column("bank"))
    flags = np.array([is_bank(t, bank_words) for t in values.to_pylist()], dtype=bool)
    per_row: np.ndarray = flags[idx]
    return per_row


def _accessed(table: pa.Table, cols: Columns, where: str) -> np.ndarray:
    import numpy as np

    from wres4.indicator.values import encode, truth_values

    idx, values = encode(table.column("accessed"))
    answers, unknown = truth_values(values.to_pylist())
    if unknown:
        bad = np.array([a is None for a in answers], dtype=bool)[idx]
        row = int(table.column("_row").to_numpy()[bad][0])
        raise DataError(
            f"{where}: column '{cols.roles['accessed']}', row {row}: values that are not "
            f"yes/no, true/false, 1/0 or a count "
            f"({', '.join(repr(clip(u, 30)) for u in unknown[:3])}). "
            "Use yes/no or a count of activities."
        )
    per_row: np.ndarray = np.array([bool(a) for a in answers], dtype=bool)[idx]
    return per_row


def _same_roles(source: Source, columns: Mapping[Path, Columns]) -> None:
    """Files of one extract must carry the same columns, or their rows cannot be stacked."""
    first_path = source.paths[0]
    first = set(columns[first_path].roles)
    for path in source.paths[1:]:
        roles = set(columns[path].roles)
        if roles != first:
            odd = sorted(first ^ roles)[0]
            has, lacks = (first_path, path) if odd in first else (path, first_path)
            raise ColumnError(
                f"{lacks}: no {odd.replace('_', ' ')} column, but {has} has one "
                f"('{columns[has].roles[odd]}'). Files of one extract need the same columns; "
                "export them from the same report."
            )
