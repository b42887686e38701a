"""Human output: number formatting shared by the terminal table and markdown, and the rich table.

Rich is imported inside the functions that draw, so importing this module stays cheap.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from numbers import Integral
from typing import TYPE_CHECKING, Any

from wres4.indicator.result import Result, row_dicts

if TYPE_CHECKING:
    from rich.console import Console

REASONS = {
    "no_bme_staff": "no {bme} staff",
    "no_white_staff": "no White staff",
    "no_bme_accessed": "no {bme} staff accessed",
}


DISCLOSURE_NOTE = (
    "Published under NHS disclosure control: counts of 1-7 are shown as *, others rounded "
    "to the nearest 5; likelihoods and ratios are worked out from the published counts, to "
    "as few places as keep the true counts hidden; p shows only whether the difference is "
    "significant, and only where every count the published ones allow agrees."
)


def is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(isinstance(value, float) and math.isnan(value))
    except TypeError:
        return False


def half_up(value: float, places: int) -> str:
    """Excel ROUND: 1.125 -> "1.13" (Python's round gives 1.12)."""
    quantum = Decimal(1).scaleb(-places)
    return str(Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP))


def fmt_ratio(value: Any, published: bool = False) -> str:
    """Two places; a number published under disclosure control with the places it kept
    (5, 1.3, 1.25), never more (method.md: Disclosure control)."""
    if is_missing(value):
        return ""
    if published:  # a whole number was published to 0 places; a float shows its own
        return str(int(value)) if isinstance(value, Integral) else repr(float(value))
    return half_up(float(value), 2)


def fmt_pct(value: Any, published: bool = False) -> str:
    if is_missing(value):
        return ""
    return half_up(float(value) * 100, 0 if published else 1) + "%"


def fmt_count(value: Any) -> str:
    if is_missing(value):
        return ""
    if isinstance(value, str):
        return value
    return f"{int(value):,}"


def fmt_p(value: Any) -> str:
    if is_missing(value):
        return ""
    p = float(value)
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def p_cell(row: dict[str, Any], column: str, published: bool, confidence: float) -> str:
    """A p-value; under disclosure control the significance flag instead ("<0.05")."""
    if not published:
        return fmt_p(row.get(column))
    flags = str(row.get("flags") or "").split(";")
    alpha = f"{1.0 - confidence:.10g}"
    if "significant" in flags:
        return f"<{alpha}"
    return f"≥{alpha}" if "not_significant" in flags else ""


def is_published(result: Result) -> bool:
    """Is the result published under disclosure control?"""
    return "disclosure" in result.meta


def reason_text(flags: str, bme: str) -> str | None:
    for flag in str(flags).split(";"):
        if flag.startswith("not_calculable:"):
            code = flag.split(":", 1)[1]
            return "not calculable: " + REASONS.get(code, code).format(bme=bme)
    return None


def ratio_cell(row: dict[str, Any], bme: str, published: bool = False) -> str:
    """ "1.15 (1.03–1.29)", starred when the interval excludes 1; "not calculable (≥ 0.53)"
    when it is not (the reason is a footnote)."""
    flags = str(row.get("flags") or "")
    low, high = row.get("ci_low"), row.get("ci_high")
    if is_missing(row.get("relative_likelihood")):
        if "suppressed" in flags.split(";"):
            return "suppressed"
        if reason_text(flags, bme) is None:
            return ""
        if "withheld" in flags.split(";"):
            return "withheld"
        bound = fmt_ratio(low, published)
        return "not calculable" + (f" (≥ {bound})" if bound else "")
    text = fmt_ratio(row["relative_likelihood"], published)
    if not is_missing(low) or not is_missing(high):
        text += f" ({fmt_ratio(low, published) or '…'}–{fmt_ratio(high, published) or '∞'})"
    return text + (" *" if excludes_one(row) else "")


def excludes_one(row: dict[str, Any]) -> bool:
    low, high = row.get("ci_low"), row.get("ci_high")
    above = low is not None and not is_missing(low) and float(low) > 1
    below = high is not None and not is_missing(high) and float(high) < 1
    return above or below


def group_cell(row: dict[str, Any], prefix: str, published: bool = False) -> str:
    """ "40.2% of 102" style: likelihood, accessed and headcount of one group."""
    acc, head = row[f"{prefix}_accessed"], row[f"{prefix}_headcount"]
    like = row.get(f"{prefix}_likelihood")
    text = f"{fmt_count(acc)}/{fmt_count(head)}"
    return f"{fmt_pct(like, published)} {text}" if not is_missing(like) else text


def breakdown_cells(row: dict[str, Any], by: tuple[str, ...]) -> list[str]:
    """Breakdown values of a row; the overall row reads "All staff"."""
    if by and all(is_missing(row[name]) for name in by):
        return ["All staff"] + [""] * (len(by) - 1)
    return ["" if is_missing(row[name]) else str(row[name]) for name in by]


def trend_sentence(result: Result) -> str | None:
    trend = result.trend
    if not trend:
        return None
    years = trend["years"]
    span = (
        f"{years[0]}–{years[-1]}"
        if years == list(range(years[0], years[-1] + 1))
        else ", ".join(map(str, years)) + " (years without a calculable ratio left out)"
    )
    return (
        f"Trend {span}: the relative likelihood changed by × "
        f"{fmt_ratio(trend['per_year'])} per year (95% CI {fmt_ratio(trend['ci_low'])}–"
        f"{fmt_ratio(trend['ci_high'])}, p = {fmt_p(trend['p_value'])})."
    ).replace("95%", f"{round(result.meta['settings']['confidence'] * 100):g}%")


def footnotes(result: Result) -> list[str]:
    """The sentences every human output carries under the table."""
    bme = result.meta["groups"]["bme"]
    notes = [result.meta["direction"]]
    overall = result.overall
    unknown = ", ".join(
        f"{int(r['year'])}: {fmt_count(r['unknown_headcount'])}" for r in row_dicts(overall)
    )
    notes.append(f"Staff with unknown ethnicity are excluded from both likelihoods ({unknown}).")
    rows = row_dicts(result.table)
    reasons: dict[str, list[str]] = {}
    for row in rows:
        reason = reason_text(str(row.get("flags") or ""), bme)
        if reason and is_missing(row.get("relative_likelihood")):
            where = " ".join([*breakdown_cells(row, result.by), str(row["period"])]).strip()
            reasons.setdefault(reason.removeprefix("not calculable: "), []).append(where)
    for reason, places in reasons.items():
        notes.append(f"Not calculable ({reason}): {', '.join(places)}.")
    if any(excludes_one(r) for r in rows):
        notes.append("* the confidence interval excludes 1.00.")
    sentence = trend_sentence(result)
    if sentence:
        notes.append(sentence)
    if is_published(result):
        notes.append(DISCLOSURE_NOTE)
    if "in_band" in result.table.columns and result.meta["settings"].get("band"):
        low, high = result.meta["settings"]["band"]
        notes.append(
            f"Band {low:g}–{high:g}: the four-fifths range NHS England uses for indicator 3; "
            "it is not an official indicator-4 threshold."
        )
    return notes


def print_table(result: Result, console: Console) -> None:
    """The result as a rich table, for a terminal."""
    from rich import box
    from rich.table import Table

    bme = result.meta["groups"]["bme"]
    level = f"{round(result.meta['settings']['confidence'] * 100):g}% CI"
    table = Table(
        title="WRES indicator 4: relative likelihood of accessing non-mandatory training/CPD",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
        collapse_padding=True,
        title_justify="left",
    )
    published = is_published(result)  # change and Holm p are withheld: no empty columns
    has_change = "change_vs_previous" in result.table.columns and not published
    has_band = "in_band" in result.table.columns
    for name in result.by:
        table.add_column(name, min_width=9, overflow="fold")
    # Minimum widths keep every column readable on an 80-column terminal: cells wrap
    # (the likelihood above its counts) rather than being cut off.
    table.add_column("Year", min_width=7, overflow="fold")
    table.add_column("White", justify="right", min_width=6, overflow="fold")
    table.add_column(bme, justify="right", min_width=6, overflow="fold")
    table.add_column("Unknown", justify="right", min_width=5, overflow="fold")
    table.add_column(f"Ratio ({level})", justify="right", min_width=11, overflow="fold")
    table.add_column("p", justify="right", min_width=6, overflow="fold")
    has_holm = "p_holm" in result.table.columns and not published
    if has_holm:
        table.add_column("p Holm", justify="right", min_width=6, overflow="fold")
    if has_change:
        table.add_column("vs prev", justify="right", min_width=5, overflow="fold")
    if has_band:
        table.add_column("in band", min_width=3, overflow="fold")
    confidence = result.meta["settings"]["confidence"]
    for row in row_dicts(result.table):
        cells = breakdown_cells(row, result.by)
        cells += [
            str(row["period"]),
            group_cell(row, "white", published),
            group_cell(row, "bme", published),
            fmt_count(row["unknown_headcount"]),
            ratio_cell(row, bme, published),
            p_cell(row, "p_value", published, confidence),
        ]
        if has_holm:
            cells.append(fmt_p(row["p_holm"]))
        if has_change:
            cells.append(fmt_ratio(row["change_vs_previous"]))
        if has_band:
            value = row["in_band"]
            cells.append("" if is_missing(value) else ("yes" if value else "no"))
        table.add_row(*cells)
    console.print(table)
    for note in footnotes(result):
        console.print(note, highlight=False)
