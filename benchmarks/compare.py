"""Time wres4 against DuckDB and Polars on the same extracts, side by side
(method.md: Performance).

    python benchmarks/compare.py benchmarks/data/300k_5y --runs 5

Engines (``--engines``, default every one the files suit):

- ``wres4``: ``python -m wres4 compute STAFF --training TRAINING -f json -o OUT``;
- ``duckdb``: the project's own DuckDB query, every rule of method.md over messy extracts
  (header aliases, codes then labels, mixed date formats), counts only;
- ``duckdb-plain``: the query an analyst writes for clean extracts (``generate.py --clean``:
  ESR codes, ISO dates), counts only (benchmarks/peers.py);
- ``duckdb-job``: the whole job a complete tool does: the counts query (plain on clean
  extracts, the project's otherwise), the SHA-256 of both inputs, and the relative
  likelihood with its Koopman interval, score and Fisher p-values from statsmodels and scipy
  (hashing and imports in threads beside the query);
- ``duckdb-lean``: the same whole job with the statistics written in ``math`` and numpy, so
  no scipy import: the cheapest whole job;
- ``polars``: the plain rules as a Polars lazy query (``scan_csv``); clean extracts only.

Each engine runs in its own subprocess, alternating wres4, DuckDB, ..., wres4, DuckDB, ...;
wall time and the child's own peak RSS (``os.wait4``) are recorded. Every engine must report
the same counts per year, and the counts in ``truth.json`` when the directory has one.

Exit codes: 0 counts agree; 1 counts differ; 2 an engine failed or cannot read the files.
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from peers import ACCESSED_AND_COUNTS, COUNT_KEYS  # the peers' module: standard library only

ROOT = Path(__file__).resolve().parents[1]
ENGINES = ("wres4", "duckdb-job", "duckdb-lean", "duckdb-plain", "polars", "duckdb")
CLEAN_ONLY = ("duckdb-plain", "polars")
Counts = dict[int, dict[str, int]]

# ---------------------------------------------------------------------------------------------
# The DuckDB side: one SQL query over the raw files. It runs in a child process started as
# ``compare.py --child duckdb STAFF TRAINING OUT`` so only duckdb is imported there.
# ---------------------------------------------------------------------------------------------

# Header aliases (method.md: Inputs), compared after lower-casing and collapsing spaces.
STAFF_ROLES = {
    "person_id": (
        "employee number",
        "employee no",
        "staff number",
        "person number",
        "staff id",
        "id",
    ),
    "ethnicity": ("ethnic origin", "ethnicity", "ethnic group", "ethnic category"),
    "snapshot": ("snapshot date", "as at date", "report date", "effective date"),
    "category": (
        "assignment category",
        "employee category",
        "employment category",
        "contract type",
    ),
}
TRAINING_ROLES = {
    "person_id": STAFF_ROLES["person_id"],
    "course": ("course title", "course name", "competence name", "programme", "activity"),
    "course_type": ("course type", "training type", "category", "learning type"),
    "status": ("status", "outcome", "attendance status", "booking status", "decision"),
    "date": (
        "start date",
        "course date",
        "event date",
        "attended date",
        "completion date",
        "date",
    ),
}

# Codeless labels, lower-cased with punctuation runs turned into one space (method.md: Ethnicity).
WHITE_LABELS = (
    "white",
    "white british",
    "white irish",
    "white any other white background",
    "any other white background",
    "white other white",
    "white english welsh scottish northern irish or british",
    "white gypsy or irish traveller",
    "gypsy or irish traveller",
    "white roma",
    "roma",
    "british",
    "irish",
)
BME_LABELS = (
    "mixed white and black caribbean",
    "mixed white and black african",
    "mixed white and asian",
    "mixed white asian",
    "mixed any other mixed background",
    "asian or asian british indian",
    "asian or asian british pakistani",
    "asian or asian british bangladeshi",
    "asian or asian british any other asian background",
    "asian indian",
    "asian pakistani",
    "indian",
    "pakistani",
    "bangladeshi",
    "black or black british caribbean",
    "black or black british african",
    "black or black british any other black background",
    "black african",
    "black caribbean",
    "black british",
    "chinese",
    "arab",
    "other ethnic group arab",
    "any other ethnic group",
    "filipino",
)
ACCESSED_STATUSES = (
    "attended",
    "completed",
    "passed",
    "failed",
    "in progress",
    "started",
    "achieved",
)
CSTF_PATTERN = (
    "conflict resolution|equality,? diversity|fire safety|health,? safety|"
    "infection prevention|information governance|moving and handling|"
    "preventing radicalisation|resuscitation|safeguarding adults|safeguarding children"
)
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%b-%Y", "%d %B %Y")


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _sql_list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(_sql_text(v) for v in values) + "]"


def _source(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return f"read_parquet({_sql_text(str(path))})"
    if suffix in (".csv", ".tsv"):
        delim = "\\t" if suffix == ".tsv" else ","
        return (
            f"read_csv({_sql_text(str(path))}, all_varchar = true, header = true, "
            f"delim = E'{delim}', quote = '\"', escape = '\"')"
        )
    raise SystemExit(f"error: the DuckDB side reads CSV, TSV and Parquet, not {path.name}")


def _resolve(
    con: Any, source: str, roles: dict[str, tuple[str, ...]], path: Path
) -> dict[str, str]:
    names = [row[0] for row in con.sql(f"DESCRIBE SELECT * FROM {source}").fetchall()]
    folded = {" ".join(n.lower().split()): n for n in names}
    found: dict[str, str] = {}
    for role, aliases in roles.items():
        match = next((folded[a] for a in aliases if a in folded), None)
        if match is None:
            raise SystemExit(f"error: {path.name}: no {role} column among {names}")
        found[role] = '"' + match.replace('"', '""') + '"'
    return found


def _person_id(column: str) -> str:
    """Trimmed text; ids made only of digits compare as numbers (method.md: Inputs)."""
    text = f"trim(CAST({column} AS VARCHAR))"
    return (
        f"CASE WHEN regexp_full_match({text}, '[0-9]+') "
        f"THEN coalesce(nullif(ltrim({text}, '0'), ''), '0') ELSE {text} END"
    )


def _folded(column: str) -> str:
    return f"trim(regexp_replace(lower(coalesce({column}, '')), '[^a-z0-9]+', ' ', 'g'))"


def duckdb_query(staff: Path, training: Path) -> str:
    """The whole indicator (method.md: Groups to Accessed) as one SQL statement."""
    import duckdb

    con = duckdb.connect()
    s_src, t_src = _source(staff), _source(training)
    s = _resolve(con, s_src, STAFF_ROLES, staff)
    t = _resolve(con, t_src, TRAINING_ROLES, training)
    formats = _sql_list(DATE_FORMATS)
    eth = f"trim(coalesce({s['ethnicity']}, ''))"
    # A code is a leading 1-2 character token followed by a space, a dash or the end
    # (method.md: Ethnicity).
    code = f"upper(regexp_extract({eth}, '^([A-Za-z][A-Za-z0-9]?|99)(?:[ -]|$)', 1))"
    return f"""
WITH labels(label, grp) AS (
    SELECT unnest({_sql_list(WHITE_LABELS)}), 'white'
    UNION ALL SELECT unnest({_sql_list(BME_LABELS)}), 'bme'
),
staff_rows AS (
    SELECT
        {_person_id(s["person_id"])} AS pid,
        try_strptime(trim({s["snapshot"]}), {formats})::DATE AS snap,
        {code} AS code,
        {_folded(s["ethnicity"])} AS label,
        lower(trim(coalesce({s["category"]}, ''))) = 'bank' AS is_bank
    FROM {s_src}
),
staff AS (
    SELECT pid, snap, is_bank,
        CASE
            WHEN left(code, 1) IN ('A', 'B', 'C') THEN 'white'
            WHEN left(code, 1) IN ('D','E','F','G','H','J','K','L','M','N','P','R','S')
                THEN 'bme'
            WHEN left(code, 1) IN ('Z', 'X', '9') THEN 'unknown'
            ELSE coalesce(labels.grp, 'unknown')
        END AS grp
    FROM staff_rows LEFT JOIN labels USING (label)
),
people AS (  -- one row per person per snapshot; bank-only people are excluded (R2)
    SELECT pid, snap, mode(grp) AS grp
    FROM staff WHERE snap IS NOT NULL
    GROUP BY pid, snap
    HAVING NOT bool_and(is_bank)
),
training AS (
    SELECT
        {_person_id(t["person_id"])} AS pid,
        try_strptime(trim({t["date"]}), {formats})::DATE AS day,
        {_folded(t["course_type"])} AS kind,
        lower(coalesce({t["course"]}, '')) AS title,
        trim(regexp_replace(lower(coalesce({t["status"]}, '')), '\\s+', ' ', 'g')) AS status
    FROM {t_src}
),
qualifying AS (  -- accessed (R5) non-mandatory (R4) records, one per person and day
    SELECT DISTINCT pid, day FROM training
    WHERE day IS NOT NULL
      AND status IN {tuple(ACCESSED_STATUSES)}
      AND CASE
            WHEN regexp_matches(kind, '\\b(non ?mandatory|optional|cpd|elective)\\b') THEN true
            WHEN regexp_matches(kind, '\\b(mandatory|statutory|essential|core skills?)\\b')
                THEN false
            WHEN kind = '' THEN NOT regexp_matches(title, {_sql_text(CSTF_PATTERN)})
            ELSE true
          END
),
{ACCESSED_AND_COUNTS}"""


def child(engine: str, staff: Path, training: Path, out: Path, clean: bool) -> int:
    """One peer's run: only what that peer needs is imported here."""
    import peers

    def rules() -> list[dict[str, int]]:
        return peers.duckdb_counts(duckdb_query(staff, training))

    def plain() -> list[dict[str, int]]:
        return peers.duckdb_counts(peers.plain_duckdb_query(staff, training))

    if engine == "duckdb":
        result: dict[str, Any] = {"results": rules()}
    elif engine == "duckdb-plain":
        result = {"results": plain()}
    elif engine in ("duckdb-job", "duckdb-lean"):
        lean = engine == "duckdb-lean"
        result = peers.whole_job(plain if clean else rules, staff, training, lean=lean)
    elif engine == "polars":
        result = {"results": peers.polars_counts(staff, training)}
    else:
        raise SystemExit(f"error: no engine {engine!r}")
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


# ---------------------------------------------------------------------------------------------
# The harness.
# ---------------------------------------------------------------------------------------------


@dataclass
class Engine:
    name: str
    seconds: list[float] = field(default_factory=list)
    cpu_seconds: list[float] = field(default_factory=list)
    peak_mb: list[float] = field(default_factory=list)
    counts: Counts | None = None
    stats: dict[int, dict[str, Any]] | None = None  # the statistics, for engines that give them
    error: str | None = None


def _find(directory: Path, stem: str) -> Path:
    found = sorted(
        p
        for p in directory.glob(f"{stem}.*")
        if p.suffix.lower() in (".csv", ".tsv", ".parquet", ".xlsx")
    )
    if len(found) != 1:
        raise SystemExit(f"error: expected one {stem}.<csv|tsv|parquet|xlsx> in {directory}")
    return found[0]


def _command(engine: str, staff: Path, training: Path, out: Path, clean: bool) -> list[str]:
    if engine == "wres4":
        wres4 = [sys.executable, "-m", "wres4", "compute", str(staff)]
        return [*wres4, "--training", str(training), "-f", "json", "-o", str(out)]
    here = str(Path(__file__).resolve())
    flag = ["--clean"] if clean else []
    return [sys.executable, here, "--child", engine, str(staff), str(training), str(out), *flag]


@dataclass(frozen=True)
class Measured:
    seconds: float  # wall
    cpu_seconds: float  # user + system, less sensitive than wall time to a busy machine
    peak_mb: float  # the child's own peak RSS
    exit_code: int


def _measure(cmd: list[str], env: dict[str, str], log: Path) -> Measured:
    with log.open("wb") as err:
        began = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=err, stderr=err, env=env)
        # wait4 on this pid gives this child's rusage, not the sum over all children.
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - began
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code  # reaped by wait4; tell Popen so it does not wait again
    # ru_maxrss is in KiB on Linux.
    return Measured(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, code)


def _read_counts(path: Path) -> Counts:
    results = json.loads(path.read_text(encoding="utf-8"))["results"]
    return {int(r["year"]): {k: int(r[k]) for k in COUNT_KEYS} for r in results}


STAT_KEYS = ("relative_likelihood", "ci_low", "ci_high", "p_value", "p_exact")


def _read_stats(path: Path) -> dict[int, dict[str, Any]] | None:
    results = json.loads(path.read_text(encoding="utf-8"))["results"]
    if not all(k in r for r in results for k in STAT_KEYS):
        return None
    return {int(r["year"]): {k: r[k] for k in STAT_KEYS} for r in results}


def _read_counts_truth(path: Path) -> Counts:
    years = json.loads(path.read_text(encoding="utf-8"))["years"]
    return {int(r["year"]): {k: int(r[k]) for k in COUNT_KEYS} for r in years}


def _compile(source: Path) -> bool:
    """Compile wres4's modules once, as ``pip install`` does: with ``src/`` on the path and
    PYTHONDONTWRITEBYTECODE set, every run would otherwise compile them again (about 0.15 CPU
    s), while the peers' libraries come compiled from their wheels. False if one does not
    compile (what is wrong goes to stderr, away from the results)."""
    with contextlib.redirect_stdout(sys.stderr):
        return bool(compileall.compile_dir(str(source), quiet=1))


def _warm(paths: list[Path]) -> None:
    """Read the inputs once so neither engine pays for a cold page cache."""
    for path in paths:
        with path.open("rb") as f:
            while f.read(1 << 24):
                pass


def _differences(a_name: str, a: Counts, b_name: str, b: Counts) -> list[str]:
    out = []
    for year in sorted(set(a) | set(b)):
        if year not in a or year not in b:
            out.append(f"{year}: only in {a_name if year in a else b_name}")
            continue
        for key in COUNT_KEYS:
            if a[year][key] != b[year][key]:
                out.append(f"{year} {key}: {a_name} {a[year][key]} != {b_name} {b[year][key]}")
    return out


def _table(engines: list[Engine], runs: int) -> str:
    head = f"{'engine':<14}{'median s':>9}{'min s':>8}{'max s':>8}{'cpu s':>8}{'peak MB':>9}"
    lines = [head + "  runs", "-" * (len(head) + 6)]
    for e in engines:
        if e.seconds:
            lines.append(
                f"{e.name:<14}{statistics.median(e.seconds):>9.2f}{min(e.seconds):>8.2f}"
                f"{max(e.seconds):>8.2f}{statistics.median(e.cpu_seconds):>8.2f}"
                f"{max(e.peak_mb):>9.0f}  {len(e.seconds)}/{runs}"
            )
        else:
            lines.append(f"{e.name:<14}{'failed':>9}")
    done = {e.name: e for e in engines if e.seconds}
    w = done.get("wres4")
    for d in done.values():
        if w is None or d is w:
            continue
        wall = statistics.median(w.seconds) / statistics.median(d.seconds)
        cpu = statistics.median(w.cpu_seconds) / statistics.median(d.cpu_seconds)
        memory = max(w.peak_mb) / max(d.peak_mb)
        name = f"wres4/{d.name}"
        lines.append(f"{name:<22}{wall:>8.2f}x{'':>8}{cpu:>7.2f}x{memory:>8.2f}x")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Time wres4 against DuckDB and Polars queries on the same extracts.",
        epilog="example: python benchmarks/compare.py benchmarks/data/300k_5y --runs 5",
    )
    parser.add_argument("directory", type=Path, help="holds staff.*, training.*, truth.json")
    parser.add_argument("--runs", type=int, default=5, help="runs per engine (default 5)")
    parser.add_argument(
        "--engines",
        default=None,
        help=f"comma-separated subset of {','.join(ENGINES)} (default: all that suit the "
        "files; duckdb-plain and polars need clean extracts)",
    )
    args = parser.parse_args(argv)

    staff, training = _find(args.directory, "staff"), _find(args.directory, "training")
    truth_path = args.directory / "truth.json"
    truth = _read_counts_truth(truth_path) if truth_path.exists() else None
    clean = truth_path.exists() and bool(
        json.loads(truth_path.read_text(encoding="utf-8"))["params"].get("clean")
    )
    default = ENGINES if clean else tuple(e for e in ENGINES if e not in CLEAN_ONLY)
    names = [n.strip() for n in (args.engines or ",".join(default)).split(",") if n.strip()]
    if not names or set(names) - set(ENGINES) or args.runs < 1:
        parser.error(f"--engines takes some of {', '.join(ENGINES)}; --runs must be at least 1")
    engines = [Engine(n) for n in ENGINES if n in names]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT / "src"), env.get("PYTHONPATH", "")) if p
    )
    if any(e.name == "wres4" for e in engines) and not _compile(ROOT / "src"):
        print(f"error: wres4's modules under {ROOT / 'src'} do not compile", file=sys.stderr)
        return 2
    _warm([staff, training])
    print(
        f"{staff.name} {staff.stat().st_size / 1e6:.0f} MB, "
        f"{training.name} {training.stat().st_size / 1e6:.0f} MB; "
        f"{args.runs} runs each, alternating {', '.join(e.name for e in engines)}",
        file=sys.stderr,
    )

    with tempfile.TemporaryDirectory(prefix="wres4-compare-") as tmp:
        for run in range(args.runs):
            for e in engines:
                if e.error:
                    continue
                out = Path(tmp) / f"{e.name}-{run}.json"
                log = Path(tmp) / f"{e.name}-{run}.log"
                cmd = _command(e.name, staff, training, out, clean)
                m = _measure(cmd, env, log)
                if m.exit_code != 0 or not out.exists():
                    tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
                    e.error = f"exit {m.exit_code}: {' '.join(cmd)}\n{tail}"
                    continue
                counts = _read_counts(out)
                if e.counts is not None and counts != e.counts:
                    e.error = f"run {run + 1} gave different counts from run 1"
                    continue
                e.counts = counts
                e.stats = _read_stats(out)
                e.seconds.append(m.seconds)
                e.cpu_seconds.append(m.cpu_seconds)
                e.peak_mb.append(m.peak_mb)
                print(
                    f"  run {run + 1} {e.name}: {m.seconds:.2f} s wall, {m.cpu_seconds:.2f} s cpu, "
                    f"{m.peak_mb:.0f} MB",
                    file=sys.stderr,
                )

    print(_table(engines, args.runs))
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average at the end: {load} on {os.cpu_count()} CPUs")
    status = 0
    problems: list[str] = []
    done = [e for e in engines if e.counts is not None]
    for other in done[1:]:
        assert done[0].counts is not None and other.counts is not None
        problems += _differences(done[0].name, done[0].counts, other.name, other.counts)
    if truth is not None:
        for e in done:
            assert e.counts is not None
            problems += _differences(e.name, e.counts, "truth.json", truth)
    by_name = {e.name: e for e in done}
    wres4, job = by_name.get("wres4"), by_name.get("duckdb-job")
    if wres4 is not None and job is not None and wres4.stats and job.stats:
        # The same libraries on the same counts: the whole job's statistics must match wres4's.
        same = wres4.stats == job.stats
        print(f"statistics {'agree' if same else 'DIFFER'} (wres4 == duckdb-job): {STAT_KEYS}")
        if not same:
            problems.append(f"statistics differ: wres4 {wres4.stats} != duckdb-job {job.stats}")
    if problems:
        print("counts differ:\n  " + "\n  ".join(problems), file=sys.stderr)
        status = 1
    elif done:
        against = " and truth.json" if truth is not None else ""
        agree = " == ".join(e.name for e in done)
        years = ", ".join(map(str, done[0].counts or {}))
        print(f"counts agree ({agree}{against}) for years {years}")
    for e in engines:
        if e.error:
            print(f"{e.name} failed: {e.error}", file=sys.stderr)
            status = max(status, 2)
    return status


if __name__ == "__main__":
    if len(sys.argv) in (6, 7) and sys.argv[1] == "--child":
        files = (Path(sys.argv[3]), Path(sys.argv[4]), Path(sys.argv[5]))
        sys.exit(child(sys.argv[2], *files, clean=sys.argv[6:] == ["--clean"]))
    sys.exit(main())
