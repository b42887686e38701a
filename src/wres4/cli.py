"""The command line: commands, shared options and the one error boundary.

This is the only module that imports click. Commands parse options, call one library
function and hand the result to a renderer or writer.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from wres4 import __version__
from wres4.errors import QualityError, Wres4Error
from wres4.export import FORMATS, format_for_path
from wres4.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])

EXIT_CODES = """\b
Exit codes:
  0  success
  1  input or data error (missing or unreadable file, missing column, nothing computable)
  2  usage error (bad or conflicting options)
  3  data-quality problems (wres4 check, or any command with --strict)"""


class DataFailure(click.ClickException):
    """An input or data error: one ``Error:`` line, exit code 1."""

    exit_code = 1


class QualityFailure(click.ClickException):
    """Data-quality problems under ``check`` or ``--strict``: exit code 3."""

    exit_code = 3


class Wres4Group(click.Group):
    """Translates :class:`Wres4Error` once for every command (STYLE §3)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except Wres4Error as exc:
            if (ctx.obj or {}).get("debug"):
                raise
            failure = QualityFailure if exc.exit_code == 3 else DataFailure
            raise failure(str(exc)) from None


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
    from wres4.values import parse_dates

    parsed = parse_dates([value])
    if parsed.isna().iloc[0]:
        raise click.BadParameter(f"'{value}' is not a date; use 31/03/2024 or 2024-03-31.")
    return parsed.iloc[0].date()


def parse_mapping(ctx: click.Context, param: click.Parameter, value: Sequence[str]) -> Any:
    out: dict[str, str] = {}
    for item in value:
        role, sep, header = item.partition("=")
        if not sep or not role.strip() or not header.strip():
            raise click.BadParameter(f"'{item}' is not ROLE=HEADER, e.g. person_id='Emp No'.")
        out[role.strip().lower().replace(" ", "_")] = header.strip()
    return out


def choose_format(fmt: str | None, output: Path | None) -> str:
    if fmt:
        return fmt
    if output is not None and str(output) != "-":
        inferred = format_for_path(output)
        if inferred is None:
            raise click.UsageError(
                f"cannot tell the format from '{output.name}'; add -f ({', '.join(FORMATS)})."
            )
        return inferred
    return "table" if sys.stdout.isatty() else "csv"


# ------------------------------------------------------------------------------------ the group


@click.group(cls=Wres4Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="wres4")
@click.option("--quiet", "-q", is_flag=True, help="Print errors only (no warnings or notes).")
@click.option("--debug", is_flag=True, help="Show a traceback for errors.")
@click.pass_context
def cli(ctx: click.Context, quiet: bool, debug: bool) -> None:
    """WRES indicator 4: the relative likelihood of White staff accessing
    non-mandatory training and CPD compared to BME staff.

    \b
    Example:
      wres4 compute staff.csv --training training.csv
    """
    ctx.ensure_object(dict)
    ctx.obj.update(quiet=quiet, debug=debug)


def _set_flag(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value and param.name:
        ctx.ensure_object(dict)[param.name] = True


def output_options(func: F) -> F:
    """-f/-o, and the global --quiet/--debug, which also work after the command name."""
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
    from wres4 import export

    to_stdout = output is None or str(output) == "-"
    if fmt in export.BINARY_FORMATS and to_stdout and (sys.stdout.isatty() or output is None):
        raise click.UsageError(f"-f {fmt} writes a binary file; give -o FILE.{fmt}.")
    if fmt == "table":
        if to_stdout:
            from rich.console import Console

            from wres4.render import print_table

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


def report_findings(ctx: click.Context, findings: Sequence[Any], strict: bool) -> None:
    problems = [f for f in findings if f.problem]
    for finding in findings:
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
@click.argument("data", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--training",
    "-t",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Training/CPD extract (repeatable; a directory reads every file in it).",
)
@click.option(
    "--history",
    type=click.Path(path_type=Path),
    help="Aggregate counts of earlier years to put in front of the computed trend.",
)
@click.option("--year", "years", multiple=True, type=int, help="Only this reporting year.")
@click.option("--by", multiple=True, help="Break down by a staff column (repeatable).")
@click.option(
    "--as-at",
    callback=parse_date_option,
    help="Snapshot date: picks one snapshot, or dates a staff extract that has none.",
)
@click.option(
    "--window-months",
    type=click.IntRange(1, 120),
    default=12,
    show_default=True,
    help="Reporting window in months ending on the snapshot date.",
)
@click.option(
    "--ci-method",
    type=click.Choice(["koopman", "katz"]),
    default="koopman",
    show_default=True,
    help="Confidence interval for the relative likelihood.",
)
@click.option(
    "--confidence",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    default=0.95,
    show_default=True,
    help="Confidence level.",
)
@click.option("--band", callback=parse_band, help="Flag ratios inside LOW:HIGH, e.g. 0.8:1.25.")
@click.option(
    "--disclosure",
    type=click.Choice(["nhs"]),
    help="Publication disclosure control: counts 1-7 hidden, others to the nearest 5.",
)
@click.option("--round", "round_ratios", is_flag=True, help="Round ratios half-up to 2 dp.")
@click.option("--sheet", help="Excel sheet to read (default: the first).")
@click.option("--encoding", help="Text encoding of CSV/TSV inputs (default: detected).")
@click.option(
    "--column",
    "columns",
    multiple=True,
    callback=parse_mapping,
    help="Map a role to a header in DATA, e.g. --column person_id='Emp No'.",
)
@click.option(
    "--training-column",
    "training_columns",
    multiple=True,
    callback=parse_mapping,
    help="Map a role to a header in the training extract, e.g. status='Attendance'.",
)
@click.option("--month-first", is_flag=True, help="Read 03/04/2024 as 4 March (US order).")
@click.option("--bme-label", default="BME", show_default=True, help="Display label for BME.")
@click.option("--strict", is_flag=True, help="Exit 3 without output if data problems are found.")
@output_options
@click.pass_context
def compute(
    ctx: click.Context,
    data: tuple[Path, ...],
    training: tuple[Path, ...],
    history: Path | None,
    years: tuple[int, ...],
    by: tuple[str, ...],
    as_at: dt.date | None,
    window_months: int,
    ci_method: str,
    confidence: float,
    band: tuple[float, float] | None,
    disclosure: str | None,
    round_ratios: bool,
    sheet: str | None,
    encoding: str | None,
    columns: dict[str, str],
    training_columns: dict[str, str],
    month_first: bool,
    bme_label: str,
    strict: bool,
    fmt: str | None,
    output: Path | None,
) -> None:
    """Compute indicator 4 for every reporting year in the inputs."""
    from wres4.indicator import compute as run

    fmt = choose_format(fmt, output)
    settings = Settings(
        window_months=window_months,
        day_first=not month_first,
        bme_label=bme_label,
        columns={
            kind: mapping
            for kind, mapping in (
                ("staff", columns),
                ("training", training_columns),
                ("aggregate", columns),
            )
            if mapping
        },
        sheet=sheet,
        encoding=encoding,
        ci_method=ci_method,
        confidence=confidence,
        band=band,
        disclosure=disclosure,
        round_ratios=round_ratios,
    )
    result = run(
        data,
        training=training,
        history=history,
        years=years,
        by=by,
        as_at=as_at,
        settings=settings,
    )
    report_findings(ctx, result.findings, strict)
    emit(ctx, result, fmt, output)


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
    from wres4.ethnicity import classify

    if not labels and from_file is None:
        raise click.UsageError("give LABELs or --from FILE.")
    if column and from_file is None:
        raise click.UsageError("--column goes with --from FILE.")
    counts: list[tuple[str, int]] = [(label, 1) for label in labels]
    if from_file is not None:
        from wres4.readers import label_counts

        counts += label_counts(from_file, column, sheet)
    rows = []
    for label, count in counts:
        eth = classify(label)
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
        from wres4.export import safe_text

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
        from wres4.export import atomic_path

        with atomic_path(output) as tmp:
            tmp.write_text(text, encoding="utf-8")
        note(ctx, f"wrote {output}")


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Console entry point."""
    cli.main(args=argv, prog_name="wres4")
    raise SystemExit(0)  # pragma: no cover - click exits itself
