"""The other tools ``compare.py`` times wres4 against, each run in its own child process.

- ``plain_duckdb``: the counts an analyst would write in DuckDB for clean extracts (ESR-coded
  ethnicity labels and ISO dates, ``generate.py --clean``): a first-letter code, ``TRY_CAST``
  for ids and dates, lists of the type and status words.
- ``plain_polars``: the same rules as a Polars lazy query (``scan_csv``).
- ``whole_job``: what a complete tool does besides counting: the SHA-256 of each input file
  and, from the counts, the relative likelihood with its Koopman score interval, the
  score-test p-value and Fisher's exact p-value, from the libraries an analyst would call
  (statsmodels' ``confint_proportions_2indep`` and ``test_proportions_2indep``, scipy's
  ``fisher_exact``). The hashing and the imports run in threads beside the query, as wres4
  does. ``lean=True`` computes the same statistics with ``math`` and numpy only (no scipy
  import): the cheapest whole job there is.

The rules are those of method.md (Groups to Accessed) for the files ``generate.py`` writes;
every count is checked against ``truth.json`` by ``compare.py``.
"""

from __future__ import annotations

import hashlib
import math
import threading
from pathlib import Path
from typing import Any

COUNT_KEYS = (
    "white_headcount",
    "white_accessed",
    "bme_headcount",
    "bme_accessed",
    "unknown_headcount",
    "unknown_accessed",
)
# The column names of the default ESR-style headers (generate.py without --vary-headers).
STAFF = {
    "id": "Employee Number",
    "ethnicity": "Ethnic Origin",
    "snapshot": "Snapshot Date",
    "category": "Assignment Category",
}
TRAINING = {
    "id": "Employee Number",
    "title": "Course Title",
    "type": "Course Type",
    "status": "Status",
    "date": "Start Date",
}
WHITE_CODES = ("A", "B", "C")
BME_CODES = ("D", "E", "F", "G", "H", "J", "K", "L", "M", "N", "P", "R", "S")
NON_MANDATORY_TYPES = ("non-mandatory", "non mandatory", "cpd", "optional", "elective")
ACCESSED = ("attended", "completed", "passed", "failed", "in progress", "started", "achieved")
CSTF_PATTERN = (
    "conflict resolution|equality,? diversity|fire safety|health,? safety|"
    "infection prevention|information governance|moving and handling|"
    "preventing radicalisation|resuscitation|safeguarding adults|safeguarding children"
)


# The last steps of both DuckDB queries, over their ``people`` (pid, snap, grp) and
# ``qualifying`` (pid, day) tables: who accessed in the 12 months ending on the snapshot
# date, both ends inclusive (R3), and the counts per year and group.
ACCESSED_AND_COUNTS = """accessed AS (
    SELECT DISTINCT p.pid, p.snap
    FROM people p JOIN qualifying q
      ON q.pid = p.pid AND q.day > p.snap - INTERVAL 12 MONTH AND q.day <= p.snap
)
SELECT
    year(p.snap) AS year,
    count(*) FILTER (WHERE p.grp = 'white') AS white_headcount,
    count(a.pid) FILTER (WHERE p.grp = 'white') AS white_accessed,
    count(*) FILTER (WHERE p.grp = 'bme') AS bme_headcount,
    count(a.pid) FILTER (WHERE p.grp = 'bme') AS bme_accessed,
    count(*) FILTER (WHERE p.grp = 'unknown') AS unknown_headcount,
    count(a.pid) FILTER (WHERE p.grp = 'unknown') AS unknown_accessed
FROM people p LEFT JOIN accessed a ON a.pid = p.pid AND a.snap = p.snap
GROUP BY ALL
ORDER BY year
"""


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def plain_duckdb_query(staff: Path, training: Path) -> str:
    """Counts per year and group: the plain query for clean extracts."""
    s, t = {k: _q(v) for k, v in STAFF.items()}, {k: _q(v) for k, v in TRAINING.items()}
    white = ", ".join(map(_sql_text, WHITE_CODES))
    bme = ", ".join(map(_sql_text, BME_CODES))
    types = ", ".join(map(_sql_text, NON_MANDATORY_TYPES))
    accessed = ", ".join(map(_sql_text, ACCESSED))
    return f"""
WITH staff AS (
    SELECT TRY_CAST(trim({s["id"]}) AS BIGINT) AS pid,
           TRY_CAST({s["snapshot"]} AS DATE) AS snap,
           CASE WHEN left({s["ethnicity"]}, 1) IN ({white}) THEN 'white'
                WHEN left({s["ethnicity"]}, 1) IN ({bme}) THEN 'bme'
                ELSE 'unknown' END AS grp,
           lower({s["category"]}) = 'bank' AS is_bank
    FROM read_csv({_sql_text(str(staff))}, all_varchar = true)
),
people AS (
    SELECT pid, snap, any_value(grp) AS grp FROM staff
    WHERE pid IS NOT NULL AND snap IS NOT NULL
    GROUP BY pid, snap HAVING NOT bool_and(is_bank)
),
qualifying AS (
    SELECT DISTINCT TRY_CAST(trim({t["id"]}) AS BIGINT) AS pid,
           TRY_CAST({t["date"]} AS DATE) AS day
    FROM read_csv({_sql_text(str(training))}, all_varchar = true)
    WHERE lower({t["status"]}) IN ({accessed})
      AND (lower({t["type"]}) IN ({types})
           OR (coalesce({t["type"]}, '') = ''
               AND NOT regexp_matches(lower({t["title"]}), {_sql_text(CSTF_PATTERN)})))
),
{ACCESSED_AND_COUNTS}"""


def duckdb_counts(sql: str) -> list[dict[str, int]]:
    import duckdb

    cursor = duckdb.sql(sql)
    assert cursor is not None, "a SELECT returns a relation"
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, (int(v) for v in row), strict=True)) for row in cursor.fetchall()]


def polars_counts(staff: Path, training: Path) -> list[dict[str, int]]:
    """The plain rules as one Polars lazy query."""
    import polars as pl

    def pid(name: str) -> pl.Expr:
        return pl.col(name).str.strip_chars().cast(pl.Int64, strict=False).alias("pid")

    code = pl.col(STAFF["ethnicity"]).str.slice(0, 1)
    people = (
        pl.scan_csv(staff, infer_schema=False)
        .select(
            pid(STAFF["id"]),
            pl.col(STAFF["snapshot"]).str.to_date("%Y-%m-%d", strict=False).alias("snap"),
            pl.when(code.is_in(WHITE_CODES))
            .then(pl.lit("white"))
            .when(code.is_in(BME_CODES))
            .then(pl.lit("bme"))
            .otherwise(pl.lit("unknown"))
            .alias("grp"),
            (pl.col(STAFF["category"]).str.to_lowercase() == "bank").alias("is_bank"),
        )
        .drop_nulls(["pid", "snap"])
        .group_by("pid", "snap")
        .agg(pl.col("grp").first(), pl.col("is_bank").all())
        .filter(~pl.col("is_bank"))
        .drop("is_bank")
    )
    kind = pl.col(TRAINING["type"]).fill_null("").str.to_lowercase()
    title = pl.col(TRAINING["title"]).fill_null("").str.to_lowercase()
    qualifying = (
        pl.scan_csv(training, infer_schema=False)
        .filter(
            pl.col(TRAINING["status"]).str.to_lowercase().is_in(ACCESSED)
            & (kind.is_in(NON_MANDATORY_TYPES) | ((kind == "") & ~title.str.contains(CSTF_PATTERN)))
        )
        .select(
            pid(TRAINING["id"]),
            pl.col(TRAINING["date"]).str.to_date("%Y-%m-%d", strict=False).alias("day"),
        )
        .drop_nulls()
        .unique()
    )
    accessed = (
        people.select("pid", "snap")
        .join(qualifying, on="pid")
        .filter(
            (pl.col("day") > pl.col("snap").dt.offset_by("-12mo"))
            & (pl.col("day") <= pl.col("snap"))
        )
        .select("pid", "snap")
        .unique()
        .with_columns(pl.lit(True).alias("accessed"))
    )
    counted = (
        people.join(accessed, on=["pid", "snap"], how="left")
        .with_columns(pl.col("accessed").fill_null(False), pl.col("snap").dt.year().alias("year"))
        .group_by("year")
        .agg(
            *(
                expr
                for g in ("white", "bme", "unknown")
                for expr in (
                    (pl.col("grp") == g).sum().alias(f"{g}_headcount"),
                    ((pl.col("grp") == g) & pl.col("accessed")).sum().alias(f"{g}_accessed"),
                )
            )
        )
        .sort("year")
        .collect()
    )
    return [{k: int(v) for k, v in row.items()} for row in counted.iter_rows(named=True)]


# ---------------------------------------------------------------------------------------------
# The rest of the whole job: hashes and statistics.
# ---------------------------------------------------------------------------------------------


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)  # hashlib releases the GIL on large blocks
    return digest.hexdigest()


class Hashing(threading.Thread):
    def __init__(self, paths: list[Path]) -> None:
        super().__init__(daemon=True)
        self.paths = paths
        self.digests: dict[str, str] = {}

    def run(self) -> None:
        self.digests = {str(p): sha256(p) for p in self.paths}


Z95 = 1.959963984540054  # the normal 97.5% point
CHI2_95 = Z95 * Z95


def _koopman_statistic(a: int, n1: int, c: int, n2: int, phi: float) -> float:
    """Koopman's score statistic for ratio ``phi``: Pearson chi-square at the restricted MLE."""
    big_a = phi * (n1 + n2)
    big_b = -(phi * (c + n1) + a + n2)
    big_c = a + c
    p2 = (-big_b - math.sqrt(max(big_b * big_b - 4 * big_a * big_c, 0.0))) / (2 * big_a)
    p1 = phi * p2
    total = 0.0
    for x, n, p in ((a, n1, p1), (c, n2, p2)):
        if 0 < p < 1:
            total += (x - n * p) ** 2 / (n * p * (1 - p))
    return total


def koopman(a: int, n1: int, c: int, n2: int) -> tuple[float | None, float | None]:
    """The 95% Koopman score interval for (a/n1)/(c/n2), by bisection on log(phi)."""
    if n1 == 0 or n2 == 0:
        return None, None
    centre = math.log(max(a, 0.5) / n1 / (c / n2))  # inside the interval

    def bound(direction: float) -> float | None:
        inside, outside = centre, centre + direction
        while _koopman_statistic(a, n1, c, n2, math.exp(outside)) < CHI2_95:
            inside, outside = outside, outside + direction * 2
            if abs(outside) > 50:
                return None
        for _ in range(100):
            mid = (inside + outside) / 2
            if _koopman_statistic(a, n1, c, n2, math.exp(mid)) < CHI2_95:
                inside = mid
            else:
                outside = mid
        return math.exp((inside + outside) / 2)

    return (bound(-1.0) if a else 0.0), (bound(1.0) if c else None)


def score_p(a: int, n1: int, c: int, n2: int) -> float | None:
    """The score test of ratio 1: Pearson chi-square of the 2x2 table, one degree of freedom."""
    stat = _koopman_statistic(a, n1, c, n2, 1.0) if n1 and n2 and (a + c) else None
    return None if stat is None else math.erfc(math.sqrt(stat / 2))


def fisher_p(a: int, n1: int, c: int, n2: int) -> float:
    """Fisher's exact two-sided p-value: the hypergeometric probability of tables no likelier
    than the one observed."""
    import numpy as np

    k = a + c
    low, high = max(0, k - n2), min(k, n1)
    x = np.arange(low, high + 1, dtype=np.float64)
    # log pmf up to a constant, from the ratio of successive terms
    steps = np.log((k - x[:-1]) * (n1 - x[:-1])) - np.log((x[:-1] + 1) * (n2 - k + x[:-1] + 1))
    log_pmf = np.concatenate([[0.0], np.cumsum(steps)])
    log_pmf -= log_pmf.max()
    pmf = np.exp(log_pmf)
    observed = pmf[a - low]
    return float(pmf[pmf <= observed * (1 + 1e-7)].sum() / pmf.sum())


def statistics(rows: list[dict[str, int]]) -> list[dict[str, Any]]:
    out = []
    for r in rows:
        a, n1 = r["white_accessed"], r["white_headcount"]
        c, n2 = r["bme_accessed"], r["bme_headcount"]
        ratio = (a / n1) / (c / n2) if n1 and n2 and c else None
        low, high = koopman(a, n1, c, n2) if ratio is not None else (None, None)
        out.append(
            {
                **r,
                "relative_likelihood": ratio,
                "ci_low": low,
                "ci_high": high,
                "p_value": score_p(a, n1, c, n2),
                "p_exact": fisher_p(a, n1, c, n2) if n1 and n2 else None,
            }
        )
    return out


def library_statistics(rows: list[dict[str, int]]) -> list[dict[str, Any]]:
    """The same statistics from statsmodels and scipy, as wres4 computes them."""
    from scipy.stats import fisher_exact
    from statsmodels.stats.proportion import (
        confint_proportions_2indep,
        test_proportions_2indep,
    )

    out = []
    for r in rows:
        a, n1 = r["white_accessed"], r["white_headcount"]
        c, n2 = r["bme_accessed"], r["bme_headcount"]
        ratio = (a * n2) / (c * n1) if n1 and n2 and c else None
        low = high = p = None
        if ratio is not None:
            options = {"compare": "ratio", "method": "score", "correction": False}
            # alpha as wres4 computes it from its 95% confidence: 1 - 0.95 is not 0.05 to the
            # last digit, and neither are the interval's bounds
            low, high = (
                float(x)
                for x in confint_proportions_2indep(a, n1, c, n2, alpha=1.0 - 0.95, **options)
            )
            p = float(test_proportions_2indep(a, n1, c, n2, **options).pvalue)
        exact = float(fisher_exact([[a, n1 - a], [c, n2 - c]]).pvalue) if n1 and n2 else None
        out.append(
            {
                **r,
                "relative_likelihood": ratio,
                "ci_low": low,
                "ci_high": high,
                "p_value": p,
                "p_exact": exact,
            }
        )
    return out


def _import_statistics() -> None:
    import scipy.stats  # noqa: F401
    import statsmodels.stats.proportion  # noqa: F401


def whole_job(count: Any, staff: Path, training: Path, *, lean: bool = False) -> dict[str, Any]:
    """Hash the inputs (and import the statistics libraries) beside ``count()``, then the
    statistics from its counts."""
    hashing = Hashing([staff, training])
    hashing.start()
    loading = threading.Thread(target=_import_statistics, daemon=True)
    if not lean:
        loading.start()
    rows = count()
    hashing.join()
    if not lean:
        loading.join()
    results = statistics(rows) if lean else library_statistics(rows)
    return {"results": results, "inputs": hashing.digests}
