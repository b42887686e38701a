"""The one writer registry: every kind of report, every format, one rule for destinations.

``compute``, ``funnel``, ``progression``, ``check`` and ``ethnicity`` each return a report (see
:mod:`wres4.report`); this table says which formats each offers and which function draws
each, and :func:`deliver` (the command line) and :func:`write` / :func:`render` (the
library) are the only ways out. Writers only format; they compute nothing. Every file is
written atomically (method.md: Outputs).

Cheap to import: the writers themselves, and pandas, rich and openpyxl behind them, load
only when a report is written, so ``wres4 --help`` and ``wres4 ethnicity`` start fast.
"""

from __future__ import annotations

import importlib
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from wres4.errors import UsageError
from wres4.output.atomic import atomic_path

FORMATS = ("table", "csv", "tsv", "json", "jsonl", "markdown", "xlsx", "parquet", "html")
SUFFIX_FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".md": "markdown",
    ".markdown": "markdown",
    ".xlsx": "xlsx",
    ".parquet": "parquet",
    ".html": "html",
    ".htm": "html",
}

# Where a format's writer draws: "text" returns a str (stdout or a UTF-8 file), "file" writes
# a binary file at a path, "console" prints to a terminal.
Medium = Literal["text", "file", "console"]


@dataclass(frozen=True)
class Writer:
    medium: Medium
    target: str  # "module:function", imported when first used
    args: tuple[Any, ...] = ()  # passed after the report, e.g. the text format's name

    def load(self) -> Callable[..., Any]:
        module, _, name = self.target.partition(":")
        return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Kind:
    """One kind of report and how it may be written."""

    name: str  # as messages name it: the command
    writers: Mapping[str, Writer]
    terminal: str = "table"  # the format on a terminal when none is asked for
    piped: str = "csv"  # ... and when stdout is a pipe or file
    by_suffix: bool = True  # -o FILE picks the format from the suffix (else: json or piped)
    whole: frozenset[str] = field(default_factory=frozenset)  # formats holding every section
    hint: str = "csv or json"  # what to use instead of a format this kind lacks

    @property
    def formats(self) -> tuple[str, ...]:
        return tuple(self.writers)


def _text_formats(target: str, names: tuple[str, ...] = ()) -> dict[str, Writer]:
    return {fmt: Writer("text", target, (fmt,)) for fmt in names}


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            "compute",
            {
                "table": Writer("console", "wres4.output.terminal:print_table"),
                **_text_formats(
                    "wres4.output.text:render_text", ("csv", "tsv", "json", "jsonl", "markdown")
                ),
                "xlsx": Writer("file", "wres4.output.workbook:write_workbook"),
                "parquet": Writer("file", "wres4.output.parquet:write_parquet"),
                "html": Writer("text", "wres4.output.html:render_html", ("compute",)),
            },
        ),
        Kind(
            "funnel",
            {
                "table": Writer("console", "wres4.output.funnel:print_funnel"),
                **_text_formats(
                    "wres4.output.funnel:render_text", ("csv", "tsv", "json", "jsonl", "markdown")
                ),
                "xlsx": Writer("file", "wres4.output.funnel:write_workbook"),
                "html": Writer("text", "wres4.output.html:render_html", ("funnel",)),
            },
            whole=frozenset({"json", "xlsx", "html"}),
            hint="csv, json or xlsx",
        ),
        Kind(
            "progression",
            {
                "table": Writer("console", "wres4.output.progression:print_progression"),
                **_text_formats(
                    "wres4.output.progression:render_text",
                    ("csv", "tsv", "json", "jsonl", "markdown"),
                ),
                "xlsx": Writer("file", "wres4.output.progression:write_workbook"),
                "parquet": Writer("file", "wres4.output.progression:write_parquet"),
                "html": Writer("text", "wres4.output.html:render_html", ("progression",)),
            },
            whole=frozenset({"json", "xlsx", "html"}),
            hint="csv, json or xlsx",
        ),
        Kind(
            "check",
            {
                "text": Writer("text", "wres4.check:render_text"),
                "table": Writer("text", "wres4.check:render_text"),
                "json": Writer("text", "wres4.check:render_json"),
            },
            terminal="text",
            piped="text",
            by_suffix=False,
            hint="text or json",
        ),
        Kind(
            "ethnicity",
            {
                "table": Writer("console", "wres4.output.rows:print_rows"),
                "csv": Writer("text", "wres4.output.rows:render", ("csv",)),
                "tsv": Writer("text", "wres4.output.rows:render", ("tsv",)),
                "json": Writer("text", "wres4.output.rows:render", ("json",)),
                "jsonl": Writer("text", "wres4.output.rows:render", ("jsonl",)),
                "markdown": Writer("text", "wres4.output.rows:render", ("markdown",)),
            },
        ),
    )
}
# Reports are known by their type's name, so this module imports none of them.
KIND_OF_TYPE = {
    "Result": "compute",
    "FunnelResult": "funnel",
    "ProgressionResult": "progression",
    "Audit": "check",
    "LabelMapping": "ethnicity",
}


def kind_of(report: Any) -> Kind:
    name = type(report).__name__
    if name not in KIND_OF_TYPE:
        raise TypeError(f"wres4 cannot write a {name}; give the result of a wres4 call.")
    return KINDS[KIND_OF_TYPE[name]]


def format_for_path(path: Path) -> str | None:
    return SUFFIX_FORMATS.get(path.suffix.lower())


def _to_stdout(output: Path | None) -> bool:
    return output is None or str(output) == "-"


def choose_format(
    kind: str,
    fmt: str | None,
    output: Path | None,
    default: str | None = None,
    *,
    terminal: bool | None = None,
) -> str:
    """The format asked for; else the one ``-o FILE``'s suffix names; else the kind's
    terminal view on a terminal; else ``default`` (a config file's) if it can be piped."""
    spec = KINDS[kind]
    if fmt:
        return fmt
    if not _to_stdout(output):
        assert output is not None
        inferred = format_for_path(output)
        if not spec.by_suffix:
            return "json" if inferred == "json" else spec.piped
        if inferred is None:
            raise UsageError(
                f"cannot tell the format from '{output.name}'; add -f ({', '.join(FORMATS)})."
            )
        return inferred
    if sys.stdout.isatty() if terminal is None else terminal:
        return spec.terminal
    if default and default in spec.writers and spec.writers[default].medium == "text":
        return default
    return spec.piped


def check_request(
    kind: str,
    fmt: str,
    output: Path | None,
    section: str | None = None,
    *,
    terminal: bool | None = None,
) -> None:
    """Refuse, before any work is done, a format the report lacks or a destination the
    format cannot go to."""
    spec = KINDS[kind]
    writer = spec.writers.get(fmt)
    if writer is None:
        raise UsageError(f"-f {fmt} is not available for {kind}; use {spec.hint}.")
    to_stdout = _to_stdout(output)
    tty = sys.stdout.isatty() if terminal is None else terminal
    if writer.medium == "file" and to_stdout and (tty or output is None):
        raise UsageError(f"-f {fmt} writes a binary file; give -o FILE.{fmt}.")
    if writer.medium == "console" and not to_stdout:
        raise UsageError("-f table is for the terminal; use csv, json or xlsx with -o.")
    if section and fmt in spec.whole:
        raise UsageError(
            f"-f {fmt} holds every section; --section goes with csv, tsv, markdown, jsonl "
            "or the terminal view."
        )


def _text(writer: Writer, report: Any, section: str | None) -> str:
    return str(writer.load()(report, *writer.args, **_section(section)))


def _section(section: str | None) -> dict[str, str]:
    return {"section": section} if section else {}


def _write_file(writer: Writer, report: Any, target: Path, section: str | None) -> None:
    with atomic_path(target) as tmp:
        if writer.medium == "text":
            tmp.write_text(_text(writer, report, section), encoding="utf-8", newline="")
        else:
            writer.load()(report, tmp, *writer.args, **_section(section))


def deliver(
    report: Any,
    fmt: str,
    output: Path | None,
    section: str | None = None,
    *,
    echo: Callable[[str], Any] = sys.stdout.write,
) -> Path | None:
    """Send ``report`` to stdout (``output`` None or ``-``) or to the file ``output`` in
    ``fmt``; returns the file written, if any."""
    spec = kind_of(report)
    check_request(spec.name, fmt, output, section)
    writer = spec.writers[fmt]
    if not _to_stdout(output):
        assert output is not None
        _write_file(writer, report, output, section)
        return output
    if writer.medium == "console":
        from rich.console import Console

        writer.load()(report, Console(highlight=False), *writer.args, **_section(section))
    elif writer.medium == "text":
        echo(_text(writer, report, section))
    else:  # a binary format piped on: write it whole, then copy it out
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"out.{fmt}"
            _write_file(writer, report, path, section)
            sys.stdout.buffer.write(path.read_bytes())
            sys.stdout.flush()
    return None


def write(
    report: Any, target: str | Path, fmt: str | None = None, *, section: str | None = None
) -> Path:
    """Write a report to a file, atomically, in ``fmt`` or the format its suffix names.

    >>> wres4.write(wres4.compute(staff, training=training), "wres4.xlsx")  # doctest: +SKIP
    """
    spec = kind_of(report)
    path = Path(target)
    chosen = choose_format(spec.name, fmt, path)
    check_request(spec.name, chosen, path, section, terminal=False)
    _write_file(spec.writers[chosen], report, path, section)
    return path


def render(report: Any, fmt: str = "csv", *, section: str | None = None) -> str:
    """A report in a text format (csv, tsv, json, jsonl, markdown, html; ``text`` for the
    audit).

    >>> print(wres4.render(wres4.compute(staff, training=training), "markdown"))  # doctest: +SKIP
    """
    spec = kind_of(report)
    check_request(spec.name, fmt, Path("-"), section, terminal=False)
    writer = spec.writers[fmt]
    if writer.medium != "text":
        raise UsageError(f"-f {fmt} is not text; write it to a file with wres4.write.")
    return _text(writer, report, section)


__all__ = ["FORMATS", "KINDS", "choose_format", "deliver", "render", "write"]
