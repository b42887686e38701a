"""The HTML report: one self-contained page (a board paper in one file) per kind of report.

A page is a packaged Jinja2 template and a context builder: a function that turns the
report into plain values, tables of display strings and inline SVG charts
(:mod:`wres4.output.charts`). :data:`PAGES` says which of each a kind uses, so a new kind
of report is one template, one builder and one line here (and one in the writer registry).

The page fetches nothing: styles are inline, charts are inline SVG with their text drawn
as paths, there are no scripts, and a Content-Security-Policy forbids loading anything.
Autoescaping is on, so text from the input (course titles, decline reasons, breakdown
values) is always text, never markup. The bytes are deterministic: no clock, only
``SOURCE_DATE_EPOCH`` when it is set. Jinja2 and matplotlib are imported when a page is drawn.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from wres4.findings import Finding
from wres4.output.cells import input_name
from wres4.output.writers import kind_of

# Versions named in the method section: the tool and what drew the numbers and the page.
VERSIONED = ("wres4", "pandas", "scipy", "statsmodels", "matplotlib", "jinja2")


@dataclass(frozen=True)
class Page:
    template: str  # under wres4/output/templates
    builder: str  # "module:function" taking the report, returning the template's context

    def context(self, report: Any) -> dict[str, Any]:
        module, _, name = self.builder.partition(":")
        build: Callable[[Any], dict[str, Any]] = getattr(importlib.import_module(module), name)
        return build(report)


PAGES: dict[str, Page] = {
    "compute": Page("compute.html.j2", "wres4.output.html_compute:context"),
    "funnel": Page("sections.html.j2", "wres4.output.html_funnel:context"),
    "progression": Page("sections.html.j2", "wres4.output.html_progression:context"),
}


@dataclass(frozen=True)
class Table:
    """A table as the page shows it: display strings, the first ``keys`` columns read as
    row headers and left-aligned, the rest right-aligned numbers unless ``text`` names them."""

    caption: str
    headers: Sequence[str]
    rows: Sequence[Sequence[str]]
    keys: int = 1
    text: frozenset[int] = field(default_factory=frozenset)  # left-aligned columns by index
    notes: Sequence[str] = ()

    def align(self, index: int) -> str:
        return "text" if index < self.keys or index in self.text else "num"


def render_html(report: Any, kind: str | None = None) -> str:
    """The report as one HTML page (the writer registry writes it atomically)."""
    page = PAGES[kind or kind_of(report).name]
    context = {"version": report.meta["version"], **page.context(report)}
    return str(environment().get_template(page.template).render(**context))


def environment() -> Any:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    return Environment(
        loader=PackageLoader("wres4.output", "templates"),
        autoescape=True,  # every template is HTML: input text is never markup
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


# ------------------------------------------------------- parts every page has (builders use them)


def produced() -> str | None:
    """The date the page names as its own: only from SOURCE_DATE_EPOCH, else none (the same
    inputs give the same bytes)."""
    if not os.environ.get("SOURCE_DATE_EPOCH", "").strip():
        return None
    from wres4.output.workbook import document_time

    return document_time().date().isoformat()


def versions() -> list[tuple[str, str]]:
    from wres4.output.workbook import installed_version

    return [(name, installed_version(name)) for name in VERSIONED]


def inputs_table(meta: Mapping[str, Any]) -> Table:
    rows = [[input_name(item), str(item["sha256"])] for item in meta["inputs"]]
    return Table("Inputs", ["Input", "SHA-256"], rows, text=frozenset({1}))


def settings_table(settings: Mapping[str, Any]) -> Table:
    from wres4.output.workbook import setting_text

    rows = [[name, _text(setting_text(value))] for name, value in settings.items()]
    return Table("Settings in force", ["Setting", "Value"], rows, text=frozenset({1}))


def about_table(caption: str, items: Iterable[tuple[str, Any]]) -> Table:
    rows = [[name, _text(value)] for name, value in items if value not in (None, "")]
    return Table(caption, ["Item", "Value"], rows, text=frozenset({1}))


def findings_table(findings: Sequence[Finding]) -> Table:
    """Every data-quality finding, problems first, with the values it names."""
    ordered = sorted(findings, key=lambda f: not f.problem)
    rows = [
        [
            "Problem" if f.problem else "Note",
            _sentence(f.message),
            f"{f.count:,}",
            f.file or "",
            f.column or "",
            ", ".join(map(str, f.rows)),
            "; ".join(f"{v} ({n:,})" if n else v for v, n in f.values[:20]),  # 0: an example
        ]
        for f in ordered
    ]
    heads = ["Severity", "Finding", "Count", "File", "Column", "Rows", "Values seen"]
    return Table("Data-quality findings", heads, rows, text=frozenset({1, 3, 4, 5, 6}))


def number(value: Any) -> float | None:
    """A cell's value for a chart: None for a blank or a count shown as ``*``."""
    from wres4.output.terminal import is_missing

    return None if is_missing(value) or isinstance(value, str) else float(value)


def group_name(report: Any, group: Any) -> str:
    """A group as the page names it: the run's BME label for "BME"."""
    return str(report.meta["groups"]["bme"]) if group == "BME" else str(group)


def common(report: Any) -> dict[str, Any]:
    """What every page shows besides its own sections: the date, data quality, settings,
    inputs, versions and the disclosure notice."""
    from wres4.output.terminal import DISCLOSURE_NOTE

    meta = report.meta
    return {
        "produced": produced(),
        "findings": findings_table(report.findings),
        "settings": settings_table(meta["settings"]),
        "inputs": inputs_table(meta),
        "versions": versions(),
        "disclosure": DISCLOSURE_NOTE if "disclosure" in meta else None,
    }


def _sentence(message: str) -> str:
    """A finding's message as the command line prints it after "Note:": a sentence."""
    text = message[:1].upper() + message[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
