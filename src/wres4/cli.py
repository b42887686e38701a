"""The command line: commands, shared options and the one error boundary.

This is the only module that imports click. Commands parse options, call one library
function and hand the result to a renderer or writer.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from wres4 import __version__
from wres4.errors import QualityError, Wres4Error
from wres4.inputs.columns import KNOWN_ROLES
from wres4.output.export import FORMATS, format_for_path
from wres4.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])

EXIT_CODES = """\b
Exit codes:
  0  success
  1  input or data error (missing or unreadable file, missing column, nothing computable)
  2  usage error (bad or conflicting options, an invalid config file)
  3  data-quality problems (wres4 check, or any command with --strict)"""


class DataFailure(click.ClickException):
    """An input or data error: one ``Error:`` line, exit code 1."""

    exit_code = 1


class ConfigFailure(click.ClickException):
    """An invalid config file: a usage error, exit code 2."""

    exit_code = 2


class QualityFailure(click.ClickException):
    """Data-quality problems under ``check`` or ``--strict``: exit code 3."""

    exit_code = 3


FAILURES: dict[int, type[click.ClickException]] = {2: ConfigFailure, 3: QualityFailure}


class Wres4Group(click.Group):
    """Translates :class:`Wres4Error` once for every command (STYLE §3)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except Wres4Error as exc:
            if (ctx.obj or {}).get("debug"):
                raise
            raise FAILURES.get(exc.exit_code, DataFailure)(one_line(str(exc))) from None
        except BrokenPipeError:
            # The reader of stdout went away (| head): stop quietly, as Unix tools do.
            _silence_stdout()
            raise click.exceptions.Exit(1) from None
        except MemoryError:
            if (ctx.obj or {}).get("debug"):
                raise
            raise DataFailure(
                "not enough memory for these inputs. Give fewer or smaller files at once "
                "(e.g. one year), or run on a machine with more memory."
            ) from None
        except OSError as exc:
            # The machine's problem, not the data's or wres4's: unreadable input, full disk,
            # no permission to write the output.
            if (ctx.obj or {}).get("debug"):
                raise
            where = f"{exc.filename}: " if exc.filename else ""
            raise DataFailure(one_line(f"{where}{exc.strerror or exc}.")) from None


def one_line(message: str) -> str:
    """An error message as one printable line: values quoted from a file may hold line
    breaks or terminal control codes, which are shown escaped, never obeyed."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in message)


def _silence_stdout() -> None:
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass  # not a real file descriptor (tests), nothing to silence


def _err_console(ctx: click.Context) -> Any:
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def warn(ctx: click.Context, message: str) -> None:
    if not ctx.obj.get("quiet"):
        click.echo(f"Warning: {message}", err=True)


def note(ctx: click.Context, message: str) -> None:
    if not ctx.obj.get("quiet"):
        click.echo(f"Note: {message}", err=True)


# ------------------------------------------------------------------------------ option parsing


def parse_band(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    if value is None:
        return None
    try:
        low_text, high_text = value.split(":")
        low, high = float(low_text), float(high_text)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not LOW:HIGH, e.g. 0.8:1.25.") from None
    if not 0 < low < high:
        raise click.BadParameter(f"'{value}': need 0 < LOW < HIGH, e.g. 0.8:1.25.")
    return (low, high)


def parse_date_option(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    if value is None:
        return None
    from wres4.indicator.values import parse_dates

    parsed = parse_dates([value])
    if parsed.isna().iloc[0]:
        raise click.BadParameter(f"'{value}' is not a date; use 31/03/2024 or 2024-03-31.")
    return parsed.iloc[0].date()


def parse_years(ctx: click.Context, param: click.Parameter, value: Sequence[str]) -> Any:
    from wres4.indicator.values import parse_year

    years = []
    for item in value:
        year = parse_year(item)
        if year is None:
            raise click.BadParameter(f"'{item}' is not a reporting year; use 2024 or 2023/24.")
        years.append(year)
    return tuple(years)


def parse_mapping(ctx: click.Context, param: click.Parameter, value: Sequence[str]) -> Any:
    out: dict[str, str] = {}
    for item in value:
        role, sep, header = item.partition("=")
        if not sep or not role.strip() or not header.strip():
            raise click.BadParameter(f"'{item}' is not ROLE=HEADER, e.g. person_id='Emp No'.")
        name = role.strip().lower().replace(" ", "_")
        if name not in KNOWN_ROLES:
            raise click.BadParameter(
                f"'{role}' is not a role; roles: {', '.join(sorted(KNOWN_ROLES))}."
            )
        out[name] = header.strip()
    return out


# Options that set a field of Settings: option name -> (field, conversion).
SETTING_OPTIONS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "window_months": ("window_months", int),
    "ci_method": ("ci_method", str),
    "confidence": ("confidence", float),
    "band": ("band", tuple),
    "disclosure": ("disclosure", str),
    "round_ratios": ("round_ratios", bool),
    "sheet": ("sheet", str),
    "training_sheet": ("training_sheet", str),
    "encoding": ("encoding", str),
    "bme_label": ("bme_label", str),
    "month_first": ("day_first", lambda flag: not flag),
    "show_ids": ("show_ids", bool),
}
COLUMN_OPTIONS = {"columns": ("staff", "aggregate"), "training_columns": ("training",)}


def settings_for(ctx: click.Context, params: dict[str, Any]) -> tuple[Settings, str | None]:
    """The config file's settings, overridden by the options given on the command line."""
    from click.core import ParameterSource

    from wres4.config import apply_options, discover, load

    config = load(discover(ctx.obj.get("config")))
    given: dict[str, Any] = {}
    for name, value in params.items():
        source = ctx.get_parameter_source(name)
        if source not in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT):
            continue
        if name in SETTING_OPTIONS:
            field_name, convert = SETTING_OPTIONS[name]
            given[field_name] = convert(value)
        elif name in COLUMN_OPTIONS and value:
            columns = given.setdefault("columns", {})
            for kind in COLUMN_OPTIONS[name]:
                columns[kind] = dict(value)
    return apply_options(config.settings, given), config.output_format


def choose_format(fmt: str | None, output: Path | None, default: str | None = None) -> str:
    if fmt:
        return fmt
    if output is not None and str(output) != "-":
        inferred = format_for_path(output)
        if inferred is None:
            raise click.UsageError(
                f"cannot tell the format from '{output.name}'; add -f ({', '.join(FORMATS)})."
            )
        return inferred
    if sys.stdout.isatty():
        return "table"
    return default if default and default not in ("xlsx", "parquet", "table") else "csv"


# ------------------------------------------------------------------------------------ the group


@click.group(cls=Wres4Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="wres4")
@click.option(
    "--config",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Config file (default: $WRES4_CONFIG, else ./wres4.toml).",
)
@click.option("--quiet", "-q", is_flag=True, help="Print errors only (no warnings or notes).")
@click.option("--debug", is_flag=True, help="Show a traceback for errors.")
@click.pass_context
def cli(ctx: click.Context, config: Path | None, quiet: bool, debug: bool) -> None:
    """WRES indicator 4: the relative likelihood of White staff accessing
    non-mandatory training and CPD compared to BME staff.

    \b
    Example:
      wres4 compute staff.csv --training training.csv
    """
    ctx.ensure_object(dict)
    ctx.obj.update(config=config, quiet=quiet or bool(ctx.obj.get("quiet")), debug=debug)


def _compose(*decorators: Callable[[F], F]) -> Callable[[F], F]:
    def apply(func: F) -> F:
        for decorator in reversed(decorators):
            func = decorator(func)
        return func

    return apply


# Options shared by the commands that read extracts: one definition each.
window_options = _compose(
    click.option(
        "--as-at",
        callback=parse_date_option,
        help="Snapshot date: picks one snapshot, or dates a staff extract that has none.",
    ),
    click.option(
        "--window-months",
        type=click.IntRange(1, 120),
        default=12,
        show_default=True,
        help="Reporting window in months ending on the snapshot date.",
    ),
)
stats_options = _compose(
    click.option(
        "--ci-method",
        type=click.Choice(["koopman", "katz"]),
        default="koopman",
        show_default=True,
        help="Confidence interval for relative likelihoods.",
    ),
    click.option(
        "--confidence",
        type=click.FloatRange(0, 1, min_open=True, max_open=True),
        default=0.95,
        show_default=True,
        help="Confidence level.",
    ),
)
read_options = _compose(
    click.option("--sheet", help="Excel sheet to read (default: the first)."),
    click.option("--encoding", help="Text encoding of CSV/TSV inputs (default: detected)."),
    click.option("--month-first", is_flag=True, help="Read 03/04/2024 as 4 March (US order)."),
    click.option("--bme-label", help="Display label for the BME group (default: BME)."),
    click.option(
        "--show-ids",
        is_flag=True,
        help="Name example person ids in data-quality messages (personal data; off by default).",
    ),
)
extract_arguments = _compose(
    click.argument("data", nargs=-1, required=True, type=click.Path(path_type=Path)),
    click.option(
        "--training",
        "-t",
        multiple=True,
        type=click.Path(path_type=Path),
        help="Training/CPD extract (repeatable; a directory reads every file in it).",
    ),
)
column_options = _compose(
    click.option(
        "--column",
        "columns",
        multiple=True,
        callback=parse_mapping,
        help="Map a role to a header in DATA, e.g. --column person_id='Emp No'.",
    ),
    click.option(
        "--training-sheet", help="Excel sheet of the training extract (default: the first)."
    ),
    click.option(
        "--training-column",
        "training_columns",
        multiple=True,
        callback=parse_mapping,
        help="Map a role to a header in the training extract, e.g. status='Attendance'.",
    ),
)


def _set_flag(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value and param.name:
        ctx.ensure_object(dict)[param.name] = True


def _set_config(ctx: click.Context, param: click.Parameter, value: Path | None) -> None:
    if value is not None:
        ctx.ensure_object(dict)["config"] = value


def output_options(func: F) -> F:
    """-f/-o, and the global --quiet/--debug/--config, which also work after the command name."""
    func = click.option(
        "--config",
        type=click.Path(dir_okay=False, path_type=Path),
        expose_value=False,
        callback=_set_config,
        help="Config file (default: $WRES4_CONFIG, else ./wres4.toml).",
    )(func)
    func = click.option(
        "--quiet",
        "-q",
        is_flag=True,
        expose_value=False,
        callback=_set_flag,
        help="Print errors only (no warnings or notes).",
    )(func)
    func = click.option(
        "--debug",
        is_flag=True,
        expose_value=False,
        callback=_set_flag,
        help="Show a traceback for errors.",
    )(func)
    func = click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Write to FILE (format from its suffix unless -f is given); '-' is stdout.",
    )(func)
    func = click.option(
        "-f",
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        help="Output format. Default: table on a terminal, csv when piped.",
    )(func)
    return func


def emit(ctx: click.Context, result: Any, fmt: str, output: Path | None) -> None:
    """Send the result to stdout or a file in the chosen format."""
    from wres4.output import export

    to_stdout = output is None or str(output) == "-"
    if fmt in export.BINARY_FORMATS and to_stdout and (sys.stdout.isatty() or output is None):
        raise click.UsageError(f"-f {fmt} writes a binary file; give -o FILE.{fmt}.")
    if fmt == "table":
        if to_stdout:
            from rich.console import Console

            from wres4.output.terminal import print_table

            print_table(result, Console(highlight=False))
            return
        raise click.UsageError("-f table is for the terminal; use csv, json or xlsx with -o.")
    if to_stdout:
        if fmt in export.BINARY_FORMATS:
            import tempfile

            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / f"out.{fmt}"
                export.write_file(result, fmt, path)
                sys.stdout.buffer.write(path.read_bytes())
            return
        click.echo(export.render_text(result, fmt), nl=False)
        return
    assert output is not None
    export.write_file(result, fmt, output)
    note(ctx, f"wrote {output}")


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


# ------------------------------------------------------------------------------------- compute


COMPUTE_EPILOG = (
    """\b
Examples:
  wres4 compute staff.csv --training training.csv
  wres4 compute esr/ --training olm/ --year 2024 -f json -o wres4.json
  wres4 compute staff.xlsx --sheet Staff --training training.csv --by "Pay Band"
  wres4 compute history.csv                  # aggregate counts: year, group, headcount, accessed
  wres4 compute staff.csv --training t.csv --history returns.csv -o trend.csv

"""
    + EXIT_CODES
)


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
@click.option(
    "--disclosure",
    type=click.Choice(["nhs"]),
    help="Publication disclosure control: counts 1-7 hidden, others to the nearest 5.",
)
@click.option("--round", "round_ratios", is_flag=True, help="Round ratios half-up to 2 dp.")
@read_options
@column_options
@click.option("--strict", is_flag=True, help="Exit 3 without output if data problems are found.")
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

    settings, default_format = settings_for(ctx, params)
    fmt = choose_format(fmt, output, default_format)
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


INIT_EPILOG = """\b
Examples:
  wres4 init                      # writes ./wres4.toml
  wres4 init config/wres4.toml
  wres4 --config config/wres4.toml compute staff.csv --training training.csv
"""


@cli.command(epilog=INIT_EPILOG)
@click.argument("path", required=False, default="wres4.toml", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@click.option("--quiet", "-q", is_flag=True, expose_value=False, callback=_set_flag, hidden=True)
@click.pass_context
def init(ctx: click.Context, path: Path, force: bool) -> None:
    """Write a commented wres4.toml with this trust's settings to edit."""
    from wres4.config import write_template
    from wres4.output.export import atomic_path

    def write(target: Path, text: str) -> None:
        with atomic_path(target) as tmp:
            tmp.write_text(text, encoding="utf-8")

    write_template(path, force=force, write=write)
    if path.resolve() == (Path.cwd() / "wres4.toml").resolve():
        note(ctx, f"wrote {path}; edit it, then run wres4 as usual from this folder")
    else:
        note(ctx, f"wrote {path}; edit it, then run wres4 --config {path} ...")


# ----------------------------------------------------------------------------------- ethnicity


ETHNICITY_EPILOG = """\b
Examples:
  wres4 ethnicity "CP White Polish" "Mixed - White and Asian" "Not stated"
  wres4 ethnicity --from staff.csv --column "Ethnic Origin"
  wres4 ethnicity --from staff.csv --unmapped     # only labels that map to nothing
"""


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
    from wres4.indicator.ethnicity import classify

    if not labels and from_file is None:
        raise click.UsageError("give LABELs or --from FILE.")
    if column and from_file is None:
        raise click.UsageError("--column goes with --from FILE.")
    # The config file's overrides and column map apply here too: this is how an analyst
    # checks that an override works before running compute.
    settings, _ = settings_for(ctx, {})
    overrides = settings.label_overrides()
    counts: list[tuple[str, int]] = [(label, 1) for label in labels]
    if from_file is not None:
        from wres4.inputs.readers import label_counts

        mapped = column or settings.columns.get("staff", {}).get("ethnicity")
        counts += label_counts(from_file, mapped, sheet)
    rows = []
    for label, count in counts:
        eth = classify(label, overrides)
        if unmapped and eth.source != "unrecognised":
            continue
        rows.append(
            {
                "label": label,
                "code": eth.code or "",
                "category": eth.category,
                "group": eth.group,
                "count": count,
            }
        )
    fmt = choose_format(fmt, output)
    _emit_rows(ctx, rows, fmt, output, title="Ethnicity mapping")


def _emit_rows(
    ctx: click.Context, rows: list[dict[str, Any]], fmt: str, output: Path | None, title: str
) -> None:
    """Small tables without pandas: for commands that must start fast."""
    import csv
    import io
    import json

    if fmt == "table" and (output is None or str(output) == "-"):
        from rich.console import Console
        from rich.table import Table

        table = Table(title=title)
        for name in rows[0] if rows else ("label", "code", "category", "group", "count"):
            table.add_column(name, justify="right" if name == "count" else "left")
        for row in rows:
            table.add_row(*(str(v) for v in row.values()))
        Console(highlight=False).print(table)
        return
    buffer = io.StringIO()
    if fmt in ("csv", "tsv"):
        from wres4.output.cells import safe_text

        writer = csv.writer(buffer, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(["label", "code", "category", "group", "count"])
        for row in rows:
            writer.writerow([safe_text(str(v)) if isinstance(v, str) else v for v in row.values()])
    elif fmt == "json":
        json.dump({"results": rows}, buffer, indent=2, ensure_ascii=False)
        buffer.write("\n")
    elif fmt == "jsonl":
        for row in rows:
            buffer.write(json.dumps(row, ensure_ascii=False) + "\n")
    elif fmt == "markdown":
        buffer.write("| label | code | category | group | count |\n|---|---|---|---|---:|\n")
        for row in rows:
            buffer.write(
                "| " + " | ".join(str(v).replace("|", "\\|") for v in row.values()) + " |\n"
            )
    else:
        raise click.UsageError(f"-f {fmt} is not available for this command; use csv or json.")
    text = buffer.getvalue()
    if output is None or str(output) == "-":
        click.echo(text, nl=False)
    else:
        from wres4.output.export import atomic_path

        with atomic_path(output) as tmp:
            tmp.write_text(text, encoding="utf-8")
        note(ctx, f"wrote {output}")


# -------------------------------------------------------------------------------------- funnel


FUNNEL_SECTIONS = (  # wres4.funnel.model.SECTIONS (kept here so --help does not import it)
    "results",
    "relative_likelihoods",
    "decline_reasons",
    "representation",
    "targets",
)
FUNNEL_EPILOG = (
    """\b
Examples:
  wres4 funnel applications.csv
  wres4 funnel applications.csv --staff staff.csv --per quarter
  wres4 funnel applications.csv --staff staff.csv --target "Ready Now=5" --target "Stepping Up=5"
  wres4 funnel applications.csv --staff staff.csv -f json -o funnel.json
  wres4 funnel applications.csv -f csv --section decline_reasons > declines.csv

\b
Sections: results, relative_likelihoods, decline_reasons, representation (needs --staff)
and targets (needs --target, or [targets] in wres4.toml). The terminal view, json and xlsx
hold every section; csv, tsv, markdown and jsonl hold the one --section names (default:
results).

"""
    + EXIT_CODES
)


def parse_targets(ctx: click.Context, param: click.Parameter, value: Sequence[str]) -> Any:
    out: dict[str, int] = {}
    for item in value:
        name, sep, number = item.rpartition("=")
        if not sep or not name.strip() or not number.strip().isdigit():
            raise click.BadParameter(f"'{item}' is not NAME=N, e.g. \"Ready Now=5\".")
        out[name.strip()] = int(number)
    return out


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
@click.option("--strict", is_flag=True, help="Exit 3 without output if data problems are found.")
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

    settings, default_format = settings_for(ctx, params)
    columns = dict(settings.columns)
    for kind, mapping in (("applications", log_columns), ("staff", staff_columns)):
        if mapping:
            columns[kind] = {**columns.get(kind, {}), **mapping}
    settings = replace(settings, columns=columns)
    fmt = choose_format(fmt, output, default_format)
    _check_funnel_output(fmt, section, output)
    result = run(
        applications, staff=staff, per=per, targets=targets, settings=settings, as_at=as_at
    )
    report_findings(ctx, result.findings, strict)
    _emit_funnel(ctx, result, fmt, section, output)


def _check_funnel_output(fmt: str, section: str | None, output: Path | None) -> None:
    """Refuse impossible output requests before any work is done."""
    to_stdout = output is None or str(output) == "-"
    if fmt == "parquet":
        raise click.UsageError("-f parquet is not available for funnel; use csv, json or xlsx.")
    if fmt == "xlsx" and to_stdout:
        raise click.UsageError("-f xlsx writes a binary file; give -o FILE.xlsx.")
    if fmt == "table" and not to_stdout:
        raise click.UsageError("-f table is for the terminal; use csv, json or xlsx with -o.")
    if section and fmt in ("json", "xlsx"):
        raise click.UsageError(
            f"-f {fmt} holds every section; --section goes with csv, tsv, markdown, jsonl "
            "or the terminal view."
        )


def _emit_funnel(
    ctx: click.Context, result: Any, fmt: str, section: str | None, output: Path | None
) -> None:
    from wres4.output import funnel as funnel_output

    if fmt == "table":
        from rich.console import Console

        funnel_output.print_funnel(result, Console(highlight=False), section)
        return
    if fmt == "xlsx":
        assert output is not None
        funnel_output.write_workbook(result, output)
    else:
        text = funnel_output.render_text(result, fmt, section or "results")
        if output is None or str(output) == "-":
            click.echo(text, nl=False)
            return
        funnel_output.write_text(text, output)
    note(ctx, f"wrote {output}")


# --------------------------------------------------------------------------------------- check


CHECK_EPILOG = (
    """\b
Examples:
  wres4 check staff.csv --training training.csv
  wres4 check esr/ --training olm/ -f json -o audit.json
  wres4 check staff.xlsx --sheet Staff --training training.csv --as-at 2024-03-31

\b
The audit lists rows read per file, people in post per snapshot with the Unknown share
(flagged over 10%), and every problem the extracts have: unreadable or future dates,
unmapped ethnicity labels, conflicting ethnicity (and the value used), duplicate people,
training records of people in no snapshot or outside every window, unrecognised statuses
and course types, bank staff excluded, years with no White or BME staff.

"""
    + EXIT_CODES
)


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
@click.option("--quiet", "-q", is_flag=True, expose_value=False, callback=_set_flag, hidden=True)
@click.option("--debug", is_flag=True, expose_value=False, callback=_set_flag, hidden=True)
@click.option(
    "--config",
    type=click.Path(dir_okay=False, path_type=Path),
    expose_value=False,
    callback=_set_config,
    hidden=True,
)
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
    from wres4.check import audit, render_json, render_text

    settings, _ = settings_for(ctx, params)
    to_stdout = output is None or str(output) == "-"
    if fmt is None:
        fmt = "json" if not to_stdout and str(output).lower().endswith(".json") else "text"
    report = audit(data, training=training, as_at=as_at, settings=settings)
    text = render_json(report) if fmt == "json" else render_text(report)
    if to_stdout:
        click.echo(text, nl=False)
    else:
        from wres4.output.export import atomic_path

        assert output is not None
        with atomic_path(output) as tmp:
            tmp.write_text(text, encoding="utf-8")
        problems = len(report.problems)
        note(ctx, f"wrote {output} ({problems} problem{'s' if problems != 1 else ''} found)")
    if not report.clean:
        ctx.exit(3)


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Console entry point."""
    cli.main(args=argv, prog_name="wres4")
    raise SystemExit(0)  # pragma: no cover - click exits itself
