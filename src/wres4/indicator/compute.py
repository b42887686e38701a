"""The one library call: read -> normalise -> classify -> reduce -> count -> statistics.

``compute`` detects which of the three input forms it was given (staff + training extracts,
a person-level table, or aggregate counts), counts people per reporting year and group, and
returns a :class:`~wres4.indicator.result.Result` that every output format renders.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from wres4 import __version__
from wres4.errors import ColumnError, DataError, Wres4Error
from wres4.findings import Code, Finding
from wres4.indicator.result import COUNT_COLUMNS, DIRECTION_SENTENCE, Result
from wres4.indicator.table import build_table
from wres4.inputs.columns import DATA_LIKE, ROLE_ALIASES, header_key, resolve_columns
from wres4.inputs.readahead import ReadAhead
from wres4.inputs.readers import (
    FileHashes,
    check_sheet,
    describe_inputs,
    input_items,
    iter_tables,
    open_source,
)
from wres4.inputs.source import Source
from wres4.settings import Settings
from wres4.text import clip

if TYPE_CHECKING:
    from pathlib import Path

    import numpy as np
    import pandas as pd

    from wres4.indicator.staff import Staff
    from wres4.inputs.columns import Columns
    from wres4.inputs.source import Input, Inputs

STAFF_ROLES = ("person_id", "ethnicity", "snapshot", "year", "bank")
TRAINING_ROLES = ("person_id", "type", "mandatory", "course", "status", "date")
AGGREGATE_ROLES = ("year", "snapshot", "ethnicity", "headcount", "accessed_count")
# Training tables parsed ahead while the staff side is reduced: about 7 MB each (a 16 MB
# chunk of CSV), so the read-ahead holds about 60 MB however long the file. The parse
# starts when the staff file is parsed and, on one pyarrow thread, takes longer per chunk
# than the reduction: with fewer ahead it stops while the staff side is reduced, and the
# reduction then waits for it (method.md: Performance).
TRAINING_READ_AHEAD = 8

DEFINITION = (
    "WRES indicator 4: relative likelihood of White staff accessing non-mandatory training "
    "and CPD compared to BME staff. likelihood = people who accessed at least one "
    "non-mandatory activity in the reporting window / headcount at the snapshot; "
    "relative likelihood = White likelihood / BME likelihood."
)

FORM_HELP = (
    "wres4 understands three forms: (1) a staff extract with --training (needs person id and "
    "ethnicity); (2) a person-level table (person id, ethnicity, snapshot date or year, and "
    "an accessed yes/no or count column); (3) aggregate counts (year, group or ethnicity, "
    "headcount, accessed)."
)


def compute(
    data: Inputs,
    *,
    training: Inputs = (),
    history: Input | None = None,
    years: Sequence[int] = (),
    by: Sequence[str] = (),
    as_at: dt.date | None = None,
    settings: Settings | None = None,
    today: dt.date | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> Result:
    """Compute WRES indicator 4 for every reporting year in the inputs.

    ``data``, ``training`` and ``history`` each take file paths or in-memory tables (a pandas
    DataFrame or a pyarrow Table, or a list of them), read by the same rules.

    >>> result = compute(["staff.csv"], training=["training.csv"])  # doctest: +SKIP
    >>> result.table[["year", "relative_likelihood"]]  # doctest: +SKIP

    ``progress``, when given, is called as ``progress(stage, rows)`` after each batch read.
    """
    settings = settings or Settings()
    trained = input_items(training)
    source = open_source(data, "staff extract", sheet=settings.sheet, encoding=settings.encoding)
    check_sheet([source], settings.sheet, "--sheet")
    form = detect_form(source, bool(trained))
    files: list[str | os.PathLike[str]] = [] if source.in_memory else [*source.paths]
    files += [item for item in [*trained, history] if isinstance(item, (str, os.PathLike))]
    # The statistics libraries take over half a second to import: load them while the
    # extracts are parsed (pyarrow parses without holding the GIL), then hash the input
    # files, which is only needed at the end: started at once, the hashing would take CPU
    # from the import and the parse, the two things the reduction waits for. The thread
    # starts once the inputs are open and is joined on every way out of the call.
    with Background(lambda stop: preload_then_hash(files, stop)) as hashing:
        return _compute(
            source, form, trained, history, years, by, as_at, settings, today, progress, hashing
        )


def preload_then_hash(
    files: Sequence[str | os.PathLike[str]], stop: Callable[[], bool]
) -> FileHashes:
    """The work of :class:`Background` beside the reading: the statistics import, then the
    SHA-256 of the input ``files``, at a lower priority than the reading and reducing they
    are not needed for (method.md: Performance); whatever ``stop()`` leaves the caller
    finishes with :meth:`FileHashes.finish`. The import is only a head start: should it
    fail here, the statistics import the libraries themselves when they need them, and
    any error comes from there, in the caller's thread."""
    with contextlib.suppress(Exception):  # a head start only (see above)
        preload_statistics()
    give_way()
    return FileHashes(files).run(stop)


# How much the hashing thread's nice value is raised: beside a thread of the nice value
# it had, its share of a CPU is then about a tenth, so the reading and reducing go first
# and the hashing takes the time they leave.
HASH_NICE = 10


def give_way() -> bool:
    """Lower this thread's priority (on Linux, where each thread has its own nice value),
    unless the machine is busy with other work: a 1-minute load average of more than one
    over the CPUs this process may use (wres4's own runs, one after another, add under
    two). There, a thread of low priority would wait behind the other work for time that
    work does not leave, and the caller would be left to do it all at the end. True when
    lowered. Only for a thread's last work: an unprivileged process cannot raise it again."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        if os.getloadavg()[0] >= len(os.sched_getaffinity(0)) + 1:
            return False
        me = threading.get_native_id()
        now = os.getpriority(os.PRIO_PROCESS, me)
        os.setpriority(os.PRIO_PROCESS, me, min(19, now + HASH_NICE))
    except OSError:
        return False
    return True


def _compute(
    source: Source,
    form: str,
    training: Sequence[Input],
    history: Input | None,
    years: Sequence[int],
    by: Sequence[str],
    as_at: dt.date | None,
    settings: Settings,
    today: dt.date | None,
    progress: Callable[[str, int], None] | None,
    hashing: Background,
) -> Result:
    findings: list[Finding] = []
    sources = [source]
    if form == "aggregate":
        if by:
            raise ColumnError(
                f"{source.names[0]}: --by needs staff records; aggregate counts have no "
                "breakdown columns."
            )
        counts, agg_findings = read_aggregate(source, settings)
        findings.extend(agg_findings)
        snapshots: dict[int, dt.date] = {}
        bank_excluded: dict[int, int] = {}
    else:
        staff, people, more, tsource = person_years(
            source, form, training, by, as_at, settings, today, progress
        )
        counts = count_groups(people, by)
        snapshots, bank_excluded = staff.snapshots, staff.bank_excluded
        findings.extend(more)
        sources.extend([tsource] if tsource is not None else [])
    if history is not None:
        hist_source = open_source(
            history, "history file", sheet=settings.sheet, encoding=settings.encoding
        )
        hist, hist_findings = read_aggregate(hist_source, settings)
        findings.extend(hist_findings)
        sources.append(hist_source)
        name = hist_source.names[0] if hist_source.in_memory else str(history)
        counts = _prepend_history(counts, hist, findings, name)
    if years:
        wanted = set(years)
        present = set(counts["year"].unique())
        missing = sorted(wanted - present)
        if missing:
            raise DataError(
                f"no rows for year {', '.join(map(str, missing))} (--year); years found: "
                f"{', '.join(map(str, sorted(present)))}."
            )
        counts = counts[counts["year"].isin(wanted)]
    if counts.empty:
        raise DataError(f"{source.names[0]}: nothing to compute: no reporting year has staff.")
    table, trend, published = build_table(counts, snapshots, tuple(by), settings)
    inputs = describe_inputs(sources, hashing.result(stop=True).finish())
    meta = run_meta(form, settings, inputs, by, snapshots, bank_excluded, findings, as_at)
    if published is not None:
        meta["disclosure"] = published
    return Result(table=table, meta=meta, findings=tuple(findings), trend=trend, by=tuple(by))


def detect_form(source: Source, has_training: bool) -> str:
    """'extracts', 'person' or 'aggregate', from the columns of the first file."""
    headers = source.headers[source.paths[0]]
    keys = {header_key(h) for h in headers}

    def has(role: str) -> bool:
        return any(header_key(a) in keys for a in ROLE_ALIASES[role])

    if has_training:
        return "extracts"
    if has("headcount"):
        return "aggregate"
    if has("person_id") and has("accessed"):
        return "person"
    if any(DATA_LIKE.match(str(h).strip()) for h in headers):
        raise ColumnError(
            f"{source.names[0]}: the first row looks like data (numbers or dates), not column "
            "names; the file needs its header row. Export the extract again with headers."
        )
    shown = ", ".join(f"'{h}'" for h in headers[:20]) or "(none)"
    raise ColumnError(
        f"{source.names[0]}: cannot tell what kind of input this is; columns found: {shown}. "
        f"{FORM_HELP} For a staff extract, add --training TRAINING_FILE."
    )


def _explicit(settings: Settings, kind: str) -> dict[str, str]:
    return dict(settings.columns.get(kind, {}))


def person_years(
    source: Source,
    form: str,
    training: Sequence[Input],
    by: Sequence[str],
    as_at: dt.date | None,
    settings: Settings,
    today: dt.date | None,
    progress: Callable[[str, int], None] | None,
    *,
    roles: Sequence[str] = (),
    band_rank: Callable[[list[str]], list[int]] | None = None,
) -> tuple[Staff, pd.DataFrame, list[Finding], Source | None]:
    """The staff extract reduced to one row per person and snapshot, with ``accessed`` from
    the training extract (form "extracts") or the table itself (form "person"); bank-only
    people are still in, flagged. ``roles`` are further required staff roles, ``band_rank``
    as :func:`~wres4.indicator.staff.load_staff` takes it."""
    from wres4.indicator.staff import load_staff
    from wres4.indicator.training import reduce_training

    person = ("accessed",) if form == "person" else ()
    columns = resolve_columns(
        source,
        (*STAFF_ROLES, *person, *roles),
        required=("person_id", "ethnicity", *person, *roles),
        explicit=_explicit(settings, "staff"),
        extra=by,
    )
    tsource, tcols, deferred = None, None, None
    if form == "extracts":
        # Open the training extract first, so that it is parsed while the staff side is
        # reduced (from the moment the staff file is parsed: both parses share pyarrow's
        # threads, and the staff side comes first); a problem with it is still reported
        # after any problem with the staff.
        try:
            tsource, tcols = _open_training(training, settings)
        except Wres4Error as exc:
            deferred = exc
    with ReadAhead(
        lambda: iter_tables(tsource, tcols, dictionary=True) if tsource and tcols else iter(()),
        TRAINING_READ_AHEAD,
    ) as ahead:
        staff = load_staff(
            source,
            columns,
            settings,
            as_at=as_at,
            by=by,
            today=today,
            progress=progress,
            band_rank=band_rank,
            parsed=ahead.begin,
        )
        findings = list(staff.findings)
        people = staff.people
        if deferred is not None:
            raise deferred
        if tsource is None or tcols is None:
            ahead.stopping.set()
            return staff, people, findings, None
        reduction = reduce_training(
            tsource, tcols, staff, staff.windows, settings, progress=progress, tables=ahead
        )
    findings.extend(reduction.findings("training"))
    if reduction.records == 0:
        raise DataError(f"{tsource.names[0]}: the training extract has a header but no rows.")
    people = people.assign(
        accessed=reduction.accessed(people["pos"].to_numpy(), people["year"].to_numpy())
    )
    return staff, people, findings, tsource


def _open_training(
    training: Sequence[Input], settings: Settings
) -> tuple[Source, dict[Path, Columns]]:
    tsource = open_source(
        training,
        "training extract",
        sheet=settings.training_sheet,
        encoding=settings.encoding,
    )
    check_sheet([tsource], settings.training_sheet, "--training-sheet")
    tcols = resolve_columns(
        tsource,
        TRAINING_ROLES,
        required=("person_id", "date"),
        explicit=_explicit(settings, "training"),
    )
    return tsource, tcols


def count_groups(people: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """People -> counts per year (and breakdown value) in the wide count columns; bank-only
    people are left out."""
    import pandas as pd

    from wres4.indicator.staff import GROUP_NAMES

    counted = ~people["bank_only"].to_numpy(bool)
    frames = [
        _year_counts(
            people["year"].to_numpy()[counted],
            people["group"].to_numpy()[counted],
            people["accessed"].to_numpy(bool)[counted],
        )
    ]
    for dim in by:
        keys = [dim, "year", "group"]
        frame = people.loc[counted, [*keys, "accessed"]]
        values = frame[dim].astype("string").str.strip().fillna("")
        frame = frame.assign(**{dim: values.where(values != "", "Unknown")})
        grouped = frame.groupby(keys, sort=True, observed=True)["accessed"].agg(["size", "sum"])
        wide = grouped.unstack("group", fill_value=0)
        out = pd.DataFrame(index=wide.index)
        for code, name in enumerate(GROUP_NAMES):
            prefix = name.lower()
            out[f"{prefix}_headcount"] = (
                wide[("size", code)] if ("size", code) in wide.columns else 0
            )
            out[f"{prefix}_accessed"] = wide[("sum", code)] if ("sum", code) in wide.columns else 0
        frames.append(out.reset_index())
    counts = pd.concat(frames, ignore_index=True) if by else frames[0]
    for col in COUNT_COLUMNS:
        counts[col] = counts[col].astype("int64")
    return counts


def _year_counts(year: np.ndarray, group: np.ndarray, accessed: np.ndarray) -> pd.DataFrame:
    """Headcount and accessed of each group (0 White, 1 BME, 2 Unknown) in each year, years
    in order: a few bincounts over year x group cells, not a groupby."""
    import numpy as np
    import pandas as pd

    from wres4.indicator.staff import GROUP_NAMES

    codes, years = pd.factorize(year, sort=True)
    cell = codes.astype(np.int64) * len(GROUP_NAMES) + group
    size = len(years) * len(GROUP_NAMES)
    heads = np.bincount(cell, minlength=size).reshape(-1, len(GROUP_NAMES))
    took = np.bincount(cell[accessed], minlength=size).reshape(-1, len(GROUP_NAMES))
    columns: dict[str, np.ndarray] = {"year": np.asarray(years, dtype=np.int64)}
    for code, name in enumerate(GROUP_NAMES):
        columns[f"{name.lower()}_headcount"] = heads[:, code].astype(np.int64)
        columns[f"{name.lower()}_accessed"] = took[:, code].astype(np.int64)
    return pd.DataFrame(columns)


def read_aggregate(source: Source, settings: Settings) -> tuple[pd.DataFrame, list[Finding]]:
    """Aggregate counts (year, group or ethnicity label, headcount, accessed) -> counts."""
    import numpy as np
    import pandas as pd

    from wres4.indicator.ethnicity import classify_many
    from wres4.indicator.values import parse_dates, parse_year
    from wres4.inputs.readers import read_all
    from wres4.periods import reporting_year

    columns = resolve_columns(
        source,
        AGGREGATE_ROLES,
        required=("ethnicity", "headcount", "accessed_count"),
        explicit=_explicit(settings, "aggregate"),
    )
    first = next(iter(columns.values()))
    if "year" not in first.roles and "snapshot" not in first.roles:
        raise ColumnError(
            f"{source.names[0]}: aggregate counts need a year column (e.g. 'Year' with 2024 or "
            f"2023/24) or a snapshot date; columns found: "
            f"{', '.join(repr(h) for h in first.headers)}."
        )
    table = read_all(source, columns)
    frame = table.to_pandas()
    where = source.where
    if "year" in frame.columns:
        years = frame["year"].map(parse_year)
        year_col = first.roles["year"]
    else:
        dates = parse_dates(frame["snapshot"].tolist(), day_first=settings.day_first)
        years = pd.Series(
            [
                reporting_year(d.date(), settings.snapshot_month, settings.snapshot_day)
                if not pd.isna(d)
                else None
                for d in dates
            ],
            index=frame.index,
        )
        year_col = first.roles["snapshot"]
    bad = years.isna()
    if bad.any():
        row = int(frame.loc[bad, "_row"].iloc[0])
        value = frame.loc[bad, "year" if "year" in frame.columns else "snapshot"].iloc[0]
        raise DataError(
            f"{where}: column '{year_col}', row {row}: '{value}' is not a year. "
            "Use 2024, 2023/24 or a snapshot date."
        )
    for role in ("headcount", "accessed_count"):
        frame[role] = _whole_numbers(frame, role, first.roles[role], where)
    over = frame["accessed_count"] > frame["headcount"]
    if over.any():
        row = int(frame.loc[over, "_row"].iloc[0])
        raise DataError(
            f"{where}: row {row}: accessed ({int(frame.loc[over, 'accessed_count'].iloc[0])}) "
            f"is more than headcount ({int(frame.loc[over, 'headcount'].iloc[0])}). "
            "Check the two columns."
        )
    labels = frame["ethnicity"].tolist()
    distinct = set(labels)
    mapped = classify_many(distinct, settings.label_overrides())
    groups = {label: mapped[label].group for label in distinct}
    frame["group"] = [groups[label].lower() for label in labels]
    findings: list[Finding] = []
    unmapped = {label for label in distinct if mapped[label].source == "unrecognised"}
    if unmapped:
        findings.append(
            Code.UNMAPPED_LABEL.finding(
                f"{where}: groups wres4 does not recognise "
                f"({', '.join(sorted(repr(u) for u in unmapped)[:3])}) are counted as Unknown",
                int(frame["ethnicity"].isin(unmapped).sum()),
                file=where,
                column=first.roles["ethnicity"],
                values=tuple((u, int((frame["ethnicity"] == u).sum())) for u in sorted(unmapped)),
            )
        )
    frame["year"] = years.astype("int64")
    wide = frame.pivot_table(
        index="year",
        columns="group",
        values=["headcount", "accessed_count"],
        aggfunc="sum",
        fill_value=0,
    )
    out = pd.DataFrame(index=wide.index)
    for group in ("white", "bme", "unknown"):
        for src, dst in (("headcount", "headcount"), ("accessed_count", "accessed")):
            out[f"{group}_{dst}"] = (
                wide[(src, group)].astype(np.int64) if (src, group) in wide.columns else 0
            )
    out = out.reset_index()
    for col in COUNT_COLUMNS:
        out[col] = out[col].astype("int64")
    return out, findings


def _whole_numbers(frame: pd.DataFrame, role: str, header: str, where: str) -> pd.Series:
    """Counts of people: whole, non-negative and sane (each distinct text parsed once)."""
    import pandas as pd

    from wres4.indicator.values import count_value

    texts = frame[role].astype("string").fillna("")
    parsed = {text: count_value(text) for text in texts.unique()}
    numbers = texts.map(parsed)
    bad = numbers.isna()
    if bad.any():
        row = int(frame.loc[bad, "_row"].iloc[0])
        value = clip(str(frame.loc[bad, role].iloc[0]), 40)
        raise DataError(
            f"{where}: column '{header}', row {row}: {value!r} is not a whole number of people "
            "(counts must be 0, 1, 2, ...)."
        )
    return pd.Series(numbers.astype("int64"), index=frame.index)


def _prepend_history(
    counts: pd.DataFrame, hist: pd.DataFrame, findings: list[Finding], name: str
) -> pd.DataFrame:
    import pandas as pd

    overall = counts
    if len(counts.columns) > len(hist.columns):
        dims = [c for c in counts.columns if c not in hist.columns]
        overall = counts[counts[dims].isna().all(axis=1)]
    clash = sorted(set(hist["year"]) & set(overall["year"]))
    if clash:
        findings.append(
            Code.HISTORY_OVERLAP.finding(
                f"{name}: years {', '.join(map(str, clash))} are also computed from the "
                "extracts; the computed figures are used",
                len(clash),
                file=name,
            )
        )
        hist = hist[~hist["year"].isin(clash)]
    return pd.concat([hist, counts], ignore_index=True)


class Background(threading.Thread):
    """Work overlapped with reading the extracts, used as a context: started on entry and
    joined on every way out, so no thread outlives the call. (A thread still importing C
    extensions or reading a file when the interpreter exits can crash it: exit 139, not 1.)
    On an error the work is asked to stop: ``work`` gets a ``stop()`` to poll."""

    def __init__(self, work: Callable[[Callable[[], bool]], Any]) -> None:
        super().__init__(daemon=True, name="wres4-background")
        self.work = work
        self.value: Any = None
        self.error: BaseException | None = None
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            self.value = self.work(self.stopping.is_set)
        except BaseException as exc:  # re-raised in the caller's thread by result()
            self.error = exc

    def result(self, *, stop: bool = False) -> Any:
        """The work's value, once it is done; with ``stop``, once it has stopped."""
        if stop:
            self.stopping.set()
        self.join()
        if self.error is not None:
            raise self.error
        return self.value

    def __enter__(self) -> Background:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is not None:
            self.stopping.set()
        self.join()


def preload_statistics() -> None:
    # pandas first: statsmodels needs it, and so does the staff reduction as soon as the
    # staff file is parsed (pyarrow itself imports it when an array is first turned into
    # numpy); imported after scipy, it would hold up the reduction for a third of a second.
    import pandas  # noqa: F401

    # Not statsmodels' regression models (with formulaic, about 0.1 s): only a trend over
    # three or more years needs them, and it imports them itself.
    from wres4.indicator.stats import load_statistics

    load_statistics()


def run_meta(
    form: str,
    settings: Settings,
    inputs: list[dict[str, Any]],
    by: Sequence[str],
    snapshots: dict[int, dt.date],
    bank_excluded: dict[int, int],
    findings: Sequence[Finding],
    as_at: dt.date | None,
) -> dict[str, Any]:
    return {
        "tool": "wres4",
        "version": __version__,
        "indicator": "WRES indicator 4",
        "definition": DEFINITION,
        "direction": DIRECTION_SENTENCE.format(bme=settings.bme_label),
        "form": form,
        "groups": {"white": "White", "bme": settings.bme_label, "unknown": "Unknown"},
        "snapshots": {str(y): d.isoformat() for y, d in sorted(snapshots.items())},
        "window_months": settings.window_months,
        "as_at": as_at.isoformat() if as_at else None,
        "by": list(by),
        "bank_excluded": {str(y): n for y, n in sorted(bank_excluded.items())},
        "settings": settings.as_meta(),
        "inputs": inputs,
        "findings": [f.as_dict() for f in findings],
    }
