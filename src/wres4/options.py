"""The command line's shared options, each declared once, and how they become Settings.

Option callbacks parse values (bands, dates, years, ROLE=HEADER maps, targets) into what the
library takes; :func:`settings_for` lays the options given over the config file's settings.
Only click and the standard library are imported here, so ``--help`` stays fast.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from wres4.inputs.columns import KNOWN_ROLES
from wres4.output.writers import FORMATS
from wres4.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])


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


def parse_targets(ctx: click.Context, param: click.Parameter, value: Sequence[str]) -> Any:
    out: dict[str, int] = {}
    for item in value:
        name, sep, number = item.rpartition("=")
        if not sep or not name.strip() or not number.strip().isdigit():
            raise click.BadParameter(f"'{item}' is not NAME=N, e.g. \"Ready Now=5\".")
        out[name.strip()] = int(number)
    return out


# ------------------------------------------------------------------------------ shared options


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


def global_options(*, hidden: bool = False) -> Callable[[F], F]:
    """--config, --quiet and --debug: on the group, and again after a command's name."""
    return _compose(
        click.option(
            "--config",
            type=click.Path(dir_okay=False, path_type=Path),
            expose_value=False,
            callback=_set_config,
            hidden=hidden,
            help="Config file (default: $WRES4_CONFIG, else ./wres4.toml).",
        ),
        click.option(
            "--quiet",
            "-q",
            is_flag=True,
            expose_value=False,
            callback=_set_flag,
            hidden=hidden,
            help="Print errors only (no warnings or notes).",
        ),
        click.option(
            "--debug",
            is_flag=True,
            expose_value=False,
            callback=_set_flag,
            hidden=hidden,
            help="Show a traceback for errors.",
        ),
    )


def disclosure_option(func: F) -> F:
    """``--disclosure nhs``, the same for every command that publishes counts."""
    return click.option(
        "--disclosure",
        type=click.Choice(["nhs"]),
        help="Publish under NHS disclosure control: counts 1-7 as *, others to the nearest 5, "
        "and nothing beside them that gives a true count away.",
    )(func)


def output_options(func: F) -> F:
    """-f/-o, and the global --quiet/--debug/--config, which also work after the command name."""
    return _compose(
        click.option(
            "-f",
            "--format",
            "fmt",
            type=click.Choice(FORMATS),
            help="Output format. Default: table on a terminal, csv when piped.",
        ),
        click.option(
            "-o",
            "--output",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Write to FILE (format from its suffix unless -f is given); '-' is stdout.",
        ),
        global_options(),
    )(func)


strict_option = click.option(
    "--strict", is_flag=True, help="Exit 3 without output if data problems are found."
)
