"""The command line: the group, its commands and the one error boundary.

Commands parse options (declared once in :mod:`wres4.options`), call one library function
and hand the report to the writer registry (:mod:`wres4.output.writers`). Help text lives in
:mod:`wres4.helptext`; exit codes in :class:`wres4.errors.ExitCode`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from wres4 import __version__
from wres4.errors import ExitCode, QualityError, UsageError, Wres4Error
from wres4.helptext import (
    CHECK_EPILOG,
    COMPUTE_EPILOG,
    ETHNICITY_EPILOG,
    FUNNEL_EPILOG,
    FUNNEL_SECTIONS,
    INIT_EPILOG,
    PROGRESSION_EPILOG,
    PROGRESSION_SECTIONS,
)
from wres4.options import (
    column_options,
    disclosure_option,
    extract_arguments,
    global_options,
    output_options,
    parse_band,
    parse_date_option,
    parse_mapping,
    parse_targets,
    parse_years,
    read_options,
    settings_for,
    stats_options,
    strict_option,
    window_options,
)
from wres4.output.writers import check_request, choose_format, deliver

if TYPE_CHECKING:
    from wres4.settings import Settings

# A Wres4Error as click shows it: one ``Error:`` line, and the exit code of its ExitCode.
FAILURES: dict[ExitCode, type[click.ClickException]] = {
    code: type(f"{code.name.title()}Failure", (click.ClickException,), {"exit_code": int(code)})
    for code in ExitCode
}


def failure(message: str, code: ExitCode) -> click.ClickException:
    return FAILURES[code](one_line(message))


class Wres4Command(click.Command):
    """Shows a library :class:`UsageError` as click shows a bad option: with the command's
    usage line, exit code 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except UsageError as exc:
            if (ctx.obj or {}).get("debug"):
                raise
            raise click.UsageError(one_line(str(exc)), ctx=ctx) from None


class Wres4Group(click.Group):
    """Translates :class:`Wres4Error` once for every command, and the machine's own failures
    (a closed pipe, no memory, a full disk) into one line each."""

    command_class = Wres4Command

    def invoke(self, ctx: click.Context) -> Any:
        debug = bool((ctx.obj or {}).get("debug"))
        try:
            return super().invoke(ctx)
        except QualityError as exc:
            if exc.reported:  # the report itself says what was found (wres4 check)
                raise click.exceptions.Exit(exc.exit_code) from None
            if debug:
                raise
            raise failure(str(exc), exc.exit_code) from None
        except Wres4Error as exc:
            if debug:
                raise
            raise failure(str(exc), exc.exit_code) from None
        except BrokenPipeError:
            # The reader of stdout went away (| head): stop quietly, as Unix tools do.
            _silence_stdout()
            raise click.exceptions.Exit(ExitCode.INPUT) from None
        except MemoryError:
            if debug:
                raise
            raise failure(
                "not enough memory for these inputs. Give fewer or smaller files at once "
                "(e.g. one year), or run on a machine with more memory.",
                ExitCode.INPUT,
            ) from None
        except OSError as exc:
            # The machine's problem, not the data's or wres4's: unreadable input, full disk,
            # no permission to write the output.
            if debug:
                raise
            where = f"{exc.filename}: " if exc.filename else ""
            raise failure(f"{where}{exc.strerror or exc}.", ExitCode.INPUT) from None


def one_line(message: str) -> str:
    """An error message as one printable line: values quoted from a file may hold line
    breaks or terminal control codes, which are shown escaped, never obeyed."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in message)


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass  # not a real file descriptor (tests), nothing to silence


def warn(ctx: click.Context, message: str) -> None:
    if not ctx.obj.get("quiet"):
        click.echo(f"Warning: {message}", err=True)


def note(ctx: click.Context, message: str) -> None:
    if not ctx.obj.get("quiet"):
        click.echo(f"Note: {message}", err=True)


def emit(
    ctx: click.Context,
    report: Any,
    fmt: str,
    output: Path | None,
    section: str | None = None,
    *,
    detail: str = "",
) -> None:
    """Hand the report to the writer registry; say which file was written."""
    written = deliver(report, fmt, output, section, echo=lambda text: click.echo(text, nl=False))
    if written is not None:
        note(ctx, f"wrote {written}{detail}")


@contextlib.contextmanager
def progress_bar(ctx: click.Context) -> Iterator[Callable[[str, int], None] | None]:
    """Rows read so far, on stderr, only when stderr is a terminal and --quiet is off."""
    if ctx.obj.get("quiet") or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (
        SpinnerColumn(),
        TextColumn("Reading the {task.description}"),
        TextColumn("{task.completed:,.0f} rows"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        tasks: dict[str, Any] = {}

        def report(stage: str, rows: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=None)
            bar.advance(tasks[stage], rows)

        yield report


def begin(
    ctx: click.Context,
    params: dict[str, Any],
    kind: str,
    fmt: str | None,
    output: Path | None,
    section: str | None = None,
) -> tuple[Settings, str]:
    """What a command that reads extracts does first: its settings (the config file, then
    the options given), pyarrow's threads sized before anything is parsed, and the output
    format, checked against its destination before any work is done."""
    settings, default_format = settings_for(ctx, params)
    share_cpus()
    fmt = choose_format(kind, fmt, output, default_format)
    check_request(kind, fmt, output, section)
    return settings, fmt


def share_cpus() -> None:
    """pyarrow's threads leave a CPU to wres4's own (the command owns its process;
    method.md: Performance)."""
    from wres4.inputs.readers import share_cpus as leave_a_cpu

    leave_a_cpu()


def no_blas_threads() -> None:
    """OpenBLAS starts no threads of its own, unless OPENBLAS_NUM_THREADS is set (to
    something: OpenBLAS reads an empty value as unset)."""
    # Read by numpy's and scipy's OpenBLAS when they load, so set before anything imports
    # numpy (an option's callback may: --as-at parses its date with pyarrow). wres4's only
    # linear algebra is the trend's fit over a few years.
    if not os.environ.get("OPENBLAS_NUM_THREADS"):
        os.environ["OPENBLAS_NUM_THREADS"] = "1"


def no_formulaic() -> bool:
    """statsmodels' models are imported with patsy as their formula engine rather than
    formulaic, when patsy is installed; True when formulaic was left out.

    statsmodels loads a formula engine with its regression models, which the trend fits;
    formulaic takes about 65 ms of that, on the command's last stretch, and wres4 writes no
    formulas (method.md: Performance). The command owns its process, so it may; the
    library leaves imports as they are.
    """
    import importlib.util

    if os.environ.get("SM_FORMULA_ENGINE", "patsy") != "patsy":
        return False  # statsmodels is told to use formulaic: it must find it
    if "formulaic" in sys.modules or importlib.util.find_spec("patsy") is None:
        return False
    sys.modules["formulaic"] = None  # type: ignore[assignment]  # "import formulaic" fails
    return True


# glibc's mallopt parameters (malloc.h) and the values the command sets.
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 << 20  # glibc's largest on 64-bit: bigger values are refused
TRIM_THRESHOLD = 1 << 30


def keep_freed_memory() -> bool:
    """glibc's malloc keeps the memory the command frees, for its next arrays, instead of
    handing each block back to the system at once; True when it was asked to.

    By default glibc maps every block over a few MB on its own and unmaps it when freed, so
    each new column of a million rows starts on fresh pages, which the system must find and
    zero first (method.md: Performance). Left alone when GLIBC_TUNABLES sets malloc's own
    tunables, and on other C libraries and systems.
    """
    if not sys.platform.startswith("linux") or "glibc.malloc." in os.environ.get(
        "GLIBC_TUNABLES", ""
    ):
        return False
    try:
        if not (os.confstr("CS_GNU_LIBC_VERSION") or "").startswith("glibc"):
            return False
        import ctypes

        mallopt = ctypes.CDLL(None).mallopt
    except (AttributeError, OSError, ValueError):
        return False
    mapped = mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1  # mallopt gives 0 on a refusal
    return bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1 and mapped)


def report_findings(ctx: click.Context, findings: Sequence[Any], strict: bool) -> None:
    from wres4.check import AUDIT_FACTS

    problems = [f for f in findings if f.problem]
    for finding in findings:
        if finding.code in AUDIT_FACTS:
            continue  # rows read, people in post: for wres4 check, not every run
        if finding.problem:
            warn(ctx, finding.message + ".")
        else:
            note(ctx, finding.message + ".")
    if strict and problems:
        raise QualityError(
            f"{len(problems)} data-quality problem{'s' if len(problems) != 1 else ''} found "
            "(--strict); nothing was written. Run 'wres4 check' for the full audit."
        )


# ------------------------------------------------------------------------------------ the group


@click.group(cls=Wres4Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="wres4")
@global_options()
@click.pass_context
def cli(ctx: click.Context) -> None:
    """WRES indicator 4: the relative likelihood of White staff accessing
    non-mandatory training and CPD compared to BME staff.

    \b
    Example:
      wres4 compute staff.csv --training training.csv
    """
    # Before the command's own options are parsed (their callbacks may import numpy).
    no_blas_threads()
    keep_freed_memory()
    no_formulaic()
    ctx.ensure_object(dict)


# ------------------------------------------------------------------------------------- compute


@cli.command(epilog=COMPUTE_EPILOG)
@extract_arguments
@click.option(
    "--history",
    type=click.Path(path_type=Path),
    help="Aggregate counts of earlier years to put in front of the computed trend.",
)
@click.option(
    "--year",
    "years",
    multiple=True,
    callback=parse_years,
    help="Only this reporting year: 2024 or 2023/24 (repeatable).",
)
@click.option("--by", multiple=True, help="Break down by a staff column (repeatable).")
@window_options
@stats_options
@click.option("--band", callback=parse_band, help="Flag ratios inside LOW:HIGH, e.g. 0.8:1.25.")
@disclosure_option
@click.option("--round", "round_ratios", is_flag=True, help="Round ratios half-up to 2 dp.")
@read_options
@column_options
@strict_option
@output_options
@click.pass_context
def compute(
    ctx: click.Context,
    /,
    data: tuple[Path, ...],
    training: tuple[Path, ...],
    history: Path | None,
    years: tuple[int, ...],
    by: tuple[str, ...],
    as_at: dt.date | None,
    strict: bool,
    fmt: str | None,
    output: Path | None,
    **params: Any,
) -> None:
    """Compute indicator 4 for every reporting year in the inputs."""
    from wres4.indicator.compute import compute as run

    settings, fmt = begin(ctx, params, "compute", fmt, output)
    with progress_bar(ctx) as progress:
        result = run(
            data,
            training=training,
            history=history,
            years=years,
            by=by,
            as_at=as_at,
            settings=settings,
            progress=progress,
        )
    report_findings(ctx, result.findings, strict)
    emit(ctx, result, fmt, output)


# ---------------------------------------------------------------------------------------- init


@cli.command(epilog=INIT_EPILOG)
@click.argument("path", required=False, default="wres4.toml", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@global_options(hidden=True)
@click.pass_context
def init(ctx: click.Context, path: Path, force: bool) -> None:
    """Write a commented wres4.toml with this trust's settings to edit."""
    from wres4.config import write_template
    from wres4.output.atomic import write_text

    write_template(path, force=force, write=lambda target, text: write_text(text, target))
    if path.resolve() == (Path.cwd() / "wres4.toml").resolve():
        note(ctx, f"wrote {path}; edit it, then run wres4 as usual from this folder")
    else:
        note(ctx, f"wrote {path}; edit it, then run wres4 --config {path} ...")


# ----------------------------------------------------------------------------------- ethnicity


@cli.command(epilog=ETHNICITY_EPILOG)
@click.argument("labels", nargs=-1)
@click.option(
    "--from",
    "from_file",
    type=click.Path(path_type=Path),
    help="Read the distinct labels of a file's ethnicity column.",
)
@click.option("--column", help="The ethnicity column in --from (default: found by name).")
@click.option("--unmapped", is_flag=True, help="Show only labels that map to nothing.")
@click.option("--sheet", help="Excel sheet to read with --from.")
@output_options
@click.pass_context
def ethnicity(
    ctx: click.Context,
    labels: tuple[str, ...],
    from_file: Path | None,
    column: str | None,
    unmapped: bool,
    sheet: str | None,
    fmt: str | None,
    output: Path | None,
) -> None:
    """Show how ethnicity labels map to White, BME or Unknown."""
    from wres4.indicator.ethnicity import map_labels

    if not labels and from_file is None:
        raise click.UsageError("give LABELs or --from FILE.")
    if column and from_file is None:
        raise click.UsageError("--column goes with --from FILE.")
    fmt = choose_format("ethnicity", fmt, output)
    check_request("ethnicity", fmt, output)
    # The config file's overrides and column map apply here too: this is how an analyst
    # checks that an override works before running compute.
    settings, _ = settings_for(ctx, {})
    counts: list[tuple[str, int]] = [(label, 1) for label in labels]
    if from_file is not None:
        # One parse and nothing beside it: pyarrow keeps every CPU (no share_cpus).
        from wres4.inputs.readers import label_counts

        mapped = column or settings.columns.get("staff", {}).get("ethnicity")
        counts += label_counts(from_file, mapped, sheet)
    report = map_labels(counts, settings.label_overrides(), unmapped_only=unmapped)
    emit(ctx, report, fmt, output)


# -------------------------------------------------------------------------------------- funnel


@cli.command(epilog=FUNNEL_EPILOG)
@click.argument("applications", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--staff",
    "-s",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Staff extract: headcounts, application rates, representation, and ethnicity when "
    "the log has only person ids (repeatable; a directory reads every file in it).",
)
@click.option(
    "--per",
    type=click.Choice(["year", "quarter"]),
    default="year",
    show_default=True,
    help="Financial years (1 April-31 March), or quarters (Q1 = April-June).",
)
@click.option(
    "--target",
    "targets",
    multiple=True,
    callback=parse_targets,
    help='BME participants wanted per programme and period, e.g. "Ready Now=5" (repeatable).',
)
@click.option(
    "--section",
    type=click.Choice(FUNNEL_SECTIONS),
    help="The table csv, tsv, markdown, jsonl (or the terminal) shows. Default: results.",
)
@stats_options
@disclosure_option
@read_options
@click.option(
    "--column",
    "log_columns",
    multiple=True,
    callback=parse_mapping,
    help="Map a role to a header in the log, e.g. --column decision='Panel Outcome'.",
)
@click.option(
    "--staff-column",
    "staff_columns",
    multiple=True,
    callback=parse_mapping,
    help="Map a role to a header in the staff extract, e.g. person_id='Emp No'.",
)
@click.option(
    "--as-at",
    callback=parse_date_option,
    help="Snapshot date of a staff extract that has no snapshot column.",
)
@strict_option
@output_options
@click.pass_context
def funnel(
    ctx: click.Context,
    /,
    applications: tuple[Path, ...],
    staff: tuple[Path, ...],
    per: str,
    targets: dict[str, int],
    section: str | None,
    log_columns: dict[str, str],
    staff_columns: dict[str, str],
    as_at: dt.date | None,
    strict: bool,
    fmt: str | None,
    output: Path | None,
    **params: Any,
) -> None:
    """Monitor CPD applications by ethnic group: applied, approved, declined, accessed."""
    from dataclasses import replace

    from wres4.funnel.compute import funnel as run

    settings, fmt = begin(ctx, params, "funnel", fmt, output, section)
    columns = dict(settings.columns)
    for kind, mapping in (("applications", log_columns), ("staff", staff_columns)):
        if mapping:
            columns[kind] = {**columns.get(kind, {}), **mapping}
    settings = replace(settings, columns=columns)
    result = run(
        applications, staff=staff, per=per, targets=targets, settings=settings, as_at=as_at
    )
    report_findings(ctx, result.findings, strict)
    emit(ctx, result, fmt, output, section)


# --------------------------------------------------------------------------------- progression


@cli.command(epilog=PROGRESSION_EPILOG)
@extract_arguments
@click.option(
    "--by",
    multiple=True,
    help="Break down by a staff column, as at each cohort's snapshot (repeatable).",
)
@window_options
@stats_options
@disclosure_option
@click.option("--round", "round_ratios", is_flag=True, help="Round ratios half-up to 2 dp.")
@click.option(
    "--section",
    type=click.Choice(PROGRESSION_SECTIONS),
    help="The table csv, tsv, markdown, jsonl, parquet (or the terminal) shows.",
)
@read_options
@column_options
@strict_option
@output_options
@click.pass_context
def progression(
    ctx: click.Context,
    /,
    data: tuple[Path, ...],
    training: tuple[Path, ...],
    by: tuple[str, ...],
    as_at: dt.date | None,
    section: str | None,
    strict: bool,
    fmt: str | None,
    output: Path | None,
    **params: Any,
) -> None:
    """Follow staff from snapshot to snapshot: retention, promotion and senior staff by group."""
    from wres4.progression.compute import progression as run

    settings, fmt = begin(ctx, params, "progression", fmt, output, section)
    with progress_bar(ctx) as progress:
        result = run(
            data, training=training, by=by, as_at=as_at, settings=settings, progress=progress
        )
    report_findings(ctx, result.findings, strict)
    emit(ctx, result, fmt, output, section)


# --------------------------------------------------------------------------------------- check


@cli.command(epilog=CHECK_EPILOG)
@extract_arguments
@window_options
@read_options
@column_options
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["text", "table", "json"]),
    help="text (default; 'table' is the same) for people, json for programs (the same facts).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the audit to FILE (json when it ends in .json); '-' is stdout.",
)
@global_options(hidden=True)
@click.pass_context
def check(
    ctx: click.Context,
    /,
    data: tuple[Path, ...],
    training: tuple[Path, ...],
    as_at: dt.date | None,
    fmt: str | None,
    output: Path | None,
    **params: Any,
) -> None:
    """Audit the extracts' data quality before you submit; exit 3 when problems are found."""
    from wres4.check import audit

    settings, _ = settings_for(ctx, params)  # check keeps its own default format, text
    share_cpus()
    fmt = choose_format("check", fmt, output)
    report = audit(data, training=training, as_at=as_at, settings=settings)
    problems = len(report.problems)
    emit(
        ctx,
        report,
        fmt,
        output,
        detail=f" ({problems} problem{'s' if problems != 1 else ''} found)",
    )
    if not report.clean:
        raise QualityError(f"{len(report.problems)} data-quality problems", reported=True)


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """The command line, ending in SystemExit with its exit code (for callers in Python).
    Like the command, it sets up the process for itself first: OpenBLAS's threads, glibc's
    malloc and statsmodels' formula engine (see the group's callback)."""
    cli.main(args=argv, prog_name="wres4")
    raise SystemExit(ExitCode.SUCCESS)  # pragma: no cover - click exits itself


def _watched() -> bool:
    """Is a profiler, debugger or coverage tool following this process?"""
    if sys.gettrace() is not None or sys.getprofile() is not None:
        return True
    monitoring = getattr(sys, "monitoring", None)  # Python 3.12 and later
    return monitoring is not None and any(monitoring.get_tool(i) for i in range(6))


def run() -> NoReturn:
    """Console entry point (``wres4``, ``python -m wres4``): :func:`main`, then the process
    ends without tearing the interpreter down.

    By then every output is written and closed and every thread wres4 started is joined;
    what is left is freeing each object of a large run one by one, and unloading pandas,
    scipy and pyarrow: about 0.15 s after a regional extract (method.md: Performance).
    Under a profiler, debugger or coverage tool the interpreter exits as usual, so that
    they can save what they saw.
    """
    try:
        main()
    except SystemExit as exc:
        code = exc.code
    if _watched():
        raise SystemExit(code)  # a profiler or coverage saves its data at exit
    if isinstance(code, str):  # SystemExit("message"): Python prints it and exits 1
        print(code, file=sys.stderr)
        code = ExitCode.INPUT
    status = int(code or 0)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (| head) or a closed stream
            if stream is sys.stdout:
                status = status or ExitCode.INPUT
    os._exit(status)
