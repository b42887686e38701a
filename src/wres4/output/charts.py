"""The HTML report's charts: matplotlib figures drawn as inline SVG.

Every chart is self-contained and byte-for-byte repeatable: text is drawn as paths (the page
needs no font), the SVG hash salt is fixed and the date left out, and every id is prefixed
with the chart's own name, so several charts share one page without clashing ids. Charts
are readable without colour: line styles, markers, hatching and printed values carry the
meaning as well as the colours do. Each figure is its own ``Figure`` (no pyplot, no global
state); matplotlib is imported only in the functions that draw.

Charts only draw what they are given: the labels and printed values come from the same
formatting as the tables, so a chart never shows a number the table does not.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeGuard

from markupsafe import Markup, escape

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

RC: dict[Any, Any] = {
    "svg.fonttype": "path",  # glyphs as paths: the page renders offline with no fonts
    "svg.hashsalt": "wres4",  # clip-path and marker ids from content, not from a random salt
    "text.parse_math": False,  # labels from the input are text, never mathtext ("$5")
    "font.family": "DejaVu Sans",  # ships with matplotlib
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "legend.frameon": False,
    "hatch.linewidth": 0.6,
}
# Colour-blind safe (Okabe and Ito) and told apart without colour by marker, line and hatch;
# printed values use a darker shade of the same hue, for 4.5:1 contrast on white.
STYLES = (
    {"color": "#0072B2", "text": "#005A8C", "marker": "o", "linestyle": "-", "hatch": ""},
    {"color": "#D55E00", "text": "#A34100", "marker": "s", "linestyle": "--", "hatch": "///"},
    {"color": "#7F7F7F", "text": "#4D4D4D", "marker": "^", "linestyle": ":", "hatch": "\\\\\\"},
    {"color": "#009E73", "text": "#006B4E", "marker": "D", "linestyle": "-.", "hatch": "xx"},
)
INK = "#1a1a1a"
EQUAL = "#555555"
WIDTH = 7.0  # inches: the text width of an A4 page with 15 mm margins, about 180 mm


@dataclass(frozen=True)
class Point:
    """One ratio with its interval and how the table prints it ("1.76 (0.96–3.46)")."""

    label: str
    value: float | None
    low: float | None = None
    high: float | None = None
    text: str = ""


@dataclass(frozen=True)
class Series:
    """One group's values across categories, and the text printed beside each."""

    name: str
    values: Sequence[float | None]
    texts: Sequence[str]


@dataclass(frozen=True)
class Panel:
    """One small chart of bars: categories along one axis, one bar per series."""

    title: str
    categories: Sequence[str]
    series: Sequence[Series]


@contextmanager
def _figure(height: float, width: float = WIDTH) -> Iterator[Figure]:
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(RC):
        yield Figure(figsize=(width, height), layout="constrained")


def svg(fig: Figure, prefix: str, title: str, desc: str = "") -> Markup:
    """The figure as an inline ``<svg>`` with a ``<title>`` (and ``<desc>``), ids prefixed."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context(RC):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)  # the drawn text again, as comments
    text = re.sub(r"\s*<metadata>.*?</metadata>", "", text, flags=re.S)
    text = re.sub(r"\s*<style[^>]*>.*?</style>", "", text, flags=re.S)  # the page styles it
    # Inline SVG in HTML needs no namespaces: the page names no address, not even one of these.
    text = re.sub(r'\s+xmlns(?::xlink)?="[^"]*"', "", text).replace("xlink:href=", "href=")
    text = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}-\1"', text)
    text = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", text)
    text = re.sub(r'href="#([^"]+)"', rf'href="#{prefix}-\1"', text)
    text = re.sub(r"\n\s*", "\n", text)
    text = re.sub(r' d="[^"]*"', _coarser, text)
    labels = f'role="img" aria-labelledby="{prefix}-title' + (f' {prefix}-desc"' if desc else '"')
    head, _, rest = text.partition(">")
    about = f'<title id="{prefix}-title">{escape(title)}</title>'
    if desc:
        about += f'<desc id="{prefix}-desc">{escape(desc)}</desc>'
    return Markup(f"{head} {labels}>{about}{rest}")  # only escaped text added


def _coarser(match: re.Match[str]) -> str:
    """A path's coordinates to a hundredth of a point (finer than print; half the bytes)."""
    return re.sub(r"(\.\d\d)\d+", r"\1", match.group(0))


def _finite(value: float | None) -> TypeGuard[float]:
    return value is not None and math.isfinite(value)


def _nan(value: float | None) -> float:
    return float(value) if value is not None and _finite(value) else math.nan


def ratio_trend(
    points: Sequence[Point], *, prefix: str, title: str, level: str, ylabel: str
) -> Markup:
    """The relative likelihood year by year, its interval as a band, and the 1.00 line."""
    with _figure(3.0) as fig:
        ax = fig.add_subplot()
        xs = list(range(len(points)))
        values = [_nan(p.value) for p in points]
        lows = [_nan(p.low) if _finite(p.value) else math.nan for p in points]
        highs = [_nan(p.high) if _finite(p.value) else math.nan for p in points]
        ax.fill_between(
            xs, lows, highs, color=STYLES[0]["color"], alpha=0.15, linewidth=0,
            label=f"{level} confidence interval",
        )  # fmt: skip
        for bound in (lows, highs):
            ax.plot(xs, bound, color=STYLES[0]["color"], linestyle=":", linewidth=0.9)
        ax.axhline(1.0, color=EQUAL, linestyle="--", linewidth=1, label="1.00: equal likelihood")
        ax.plot(
            xs, values, color=STYLES[0]["color"], marker="o", linestyle="-", linewidth=2,
            label="Relative likelihood",
        )  # fmt: skip
        for x, point in zip(xs, points, strict=True):
            if _finite(point.value):
                ax.annotate(
                    point.text, (x, point.value), textcoords="offset points", xytext=(0, 7),
                    ha="center", fontsize=8, color=INK,
                )  # fmt: skip
        _categories(ax, [p.label for p in points])
        ax.set_ylabel(ylabel)
        tops = [v for p in points for v in (p.value, p.high, p.low) if _finite(v)]
        top = max([1.0, *tops]) * 1.15
        ax.set_ylim(0, top)
        for x, point in zip(xs, points, strict=True):
            if _finite(point.value):
                continue
            at = point.low if _finite(point.low) else 1.0
            if _finite(point.low):  # not calculable, but at least this: an arrow upwards
                ax.annotate(
                    "", (x, top * 0.98), (x, at),
                    arrowprops={"arrowstyle": "->", "color": STYLES[1]["color"], "ls": "--"},
                )  # fmt: skip
            ax.annotate(
                point.text or "not calculable", (x, at), textcoords="offset points",
                xytext=(0, -14), ha="center", fontsize=7.5, color=INK, style="italic",
            )  # fmt: skip
        ax.legend(loc="upper left", bbox_to_anchor=(0, -0.14), ncols=3, fontsize=8)
        ax.set_title(title)
    desc = "; ".join(f"{p.label}: {p.text or 'not calculable'}" for p in points)
    return svg(fig, prefix, title, desc)


def group_lines(
    labels: Sequence[str], series: Sequence[Series], *, prefix: str, title: str, ylabel: str
) -> Markup:
    """Each group's likelihood (a share) over the periods, one line style per group."""
    from matplotlib.ticker import PercentFormatter

    with _figure(2.8) as fig:
        ax = fig.add_subplot()
        xs = list(range(len(labels)))
        for style, one in zip(STYLES, series, strict=False):
            values = [_nan(v) for v in one.values]
            ax.plot(
                xs, values, color=style["color"], marker=style["marker"],
                linestyle=style["linestyle"], linewidth=2, label=one.name,
            )  # fmt: skip
            for x, value, text in zip(xs, values, one.texts, strict=True):
                if math.isfinite(value):
                    ax.annotate(
                        text, (x, value), textcoords="offset points", xytext=(0, 7),
                        ha="center", fontsize=7.5, color=style["text"],
                    )  # fmt: skip
        _categories(ax, labels)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        tops = [v for one in series for v in one.values if _finite(v)]
        ax.set_ylim(0, min(max([0.1, *tops]) * 1.2, 1.1))
        ax.set_ylabel(ylabel)
        ax.legend(loc="upper left", bbox_to_anchor=(0, -0.14), ncols=len(series), fontsize=8)
        ax.set_title(title)
    desc = "; ".join(
        f"{one.name}: " + ", ".join(f"{lab} {t}" for lab, t in zip(labels, one.texts, strict=True))
        for one in series
    )
    return svg(fig, prefix, title, desc)


def forest(points: Sequence[Point], *, prefix: str, title: str, xlabel: str) -> Markup:
    """Ratios with intervals, one row each, on a log scale around the 1.00 line."""
    from matplotlib.ticker import FixedLocator, NullLocator, StrMethodFormatter

    with _figure(0.9 + 0.28 * max(len(points), 1)) as fig:
        ax = fig.add_subplot()
        ys = list(range(len(points)))[::-1]
        bounds = [b for p in points for b in (p.value, p.low, p.high) if _finite(b) and b]
        low = min([1.0, *bounds]) / 1.3
        high = max([1.0, *bounds]) * 1.3
        ax.axvline(1.0, color=EQUAL, linestyle="--", linewidth=1)
        for y, point in zip(ys, points, strict=True):
            if _finite(point.value):
                left = point.low if _finite(point.low) else point.value
                right = point.high if _finite(point.high) else high
                ax.plot([left, right], [y, y], color=STYLES[0]["color"], linewidth=1.4)
                ax.plot([point.value], [y], marker="s", color=STYLES[0]["color"], markersize=5)
            elif _finite(point.low) and point.low:  # not calculable: only a lower bound
                ax.annotate(
                    "", (high, y), (point.low, y),
                    arrowprops={"arrowstyle": "->", "color": STYLES[1]["color"], "ls": "--"},
                )  # fmt: skip
        ax.set_xscale("log")
        ax.set_xlim(low, high)
        ticks = [t for t in (0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50) if low <= t <= high]
        ax.xaxis.set_major_locator(FixedLocator(ticks))
        ax.xaxis.set_minor_locator(NullLocator())
        ax.xaxis.set_major_formatter(StrMethodFormatter("{x:g}"))
        ax.set_yticks(ys, [p.label for p in points])
        ax.set_ylim(-0.7, len(points) - 0.3)
        for y, point in zip(ys, points, strict=True):
            ax.annotate(
                point.text, (1.01, y), xycoords=("axes fraction", "data"), va="center",
                fontsize=8, color=INK,
            )  # fmt: skip
        ax.set_xlabel(xlabel)
        ax.set_title(title)
        ax.spines["left"].set_visible(False)
        ax.tick_params(axis="y", length=0)
        fig.get_layout_engine().set(rect=(0, 0, 0.78, 1))  # type: ignore[union-attr, call-arg]
    desc = "; ".join(f"{p.label}: {p.text}" for p in points)
    return svg(fig, prefix, title, desc)


def bars(
    panels: Sequence[Panel],
    *,
    prefix: str,
    title: str,
    ylabel: str,
    horizontal: bool = False,
    percent: bool = True,
) -> Markup:
    """Small multiples of grouped bars (one panel a period), hatched per series."""
    from matplotlib.ticker import PercentFormatter

    columns = 1 if horizontal else min(len(panels), 2)
    rows = math.ceil(len(panels) / columns)
    size = max((len(p.categories) for p in panels), default=1)
    series_count = max((len(p.series) for p in panels), default=1)
    tall = 0.6 + 0.17 * size * series_count if horizontal else 2.6
    names = list(dict.fromkeys(one.name for panel in panels for one in panel.series))
    styles = dict(zip(names, STYLES * (len(names) // len(STYLES) + 1), strict=False))
    with _figure(0.5 + rows * tall) as fig:
        axes = fig.subplots(rows, columns, squeeze=False, sharex=horizontal, sharey=not horizontal)
        for ax, panel in zip(axes.flat, panels, strict=False):
            _bar_panel(ax, panel, horizontal, styles)
            scale = ax.xaxis if horizontal else ax.yaxis
            if percent:
                scale.set_major_formatter(PercentFormatter(1.0, decimals=0))
            (ax.set_xlabel if horizontal else ax.set_ylabel)(ylabel)
        for ax in list(axes.flat)[len(panels) :]:
            ax.set_visible(False)
        handles: dict[str, Any] = {}
        for ax in axes.flat:
            for handle, name in zip(*ax.get_legend_handles_labels(), strict=True):
                handles.setdefault(name, handle)
        shown = [handles[name] for name in names if name in handles]
        fig.legend(shown, names, loc="outside lower left", ncols=len(names), fontsize=8)
        fig.suptitle(title, x=0.01, ha="left", fontweight="bold", fontsize=10)
    desc = " | ".join(
        f"{panel.title}: "
        + "; ".join(
            f"{one.name} "
            + ", ".join(f"{c} {t}" for c, t in zip(panel.categories, one.texts, strict=True))
            for one in panel.series
        )
        for panel in panels
    )
    return svg(fig, prefix, title, desc)


def _bar_panel(ax: Axes, panel: Panel, horizontal: bool, styles: dict[str, dict[str, str]]) -> None:
    count = max(len(panel.series), 1)
    width = 0.8 / count
    places = list(range(len(panel.categories)))
    for i, one in enumerate(panel.series):
        style = styles[one.name]
        at = [p - 0.4 + width * (i + 0.5) for p in places]
        values = [0.0 if not _finite(v) else float(v or 0) for v in one.values]
        draw = ax.barh if horizontal else ax.bar
        drawn = draw(
            at, values, width * 0.92, color=style["color"], alpha=0.85, hatch=style["hatch"],
            edgecolor=INK, linewidth=0.6, label=one.name,
        )  # fmt: skip
        ax.bar_label(drawn, labels=list(one.texts), padding=2, fontsize=6.5, color=INK)
    if horizontal:
        ax.set_yticks(places, [_wrap(c) for c in panel.categories])
        ax.invert_yaxis()
        ax.margins(x=0.18)
    else:
        ax.set_xticks(places, list(panel.categories))
        ax.margins(y=0.18)
    ax.set_title(panel.title, fontsize=9)


def _categories(ax: Axes, labels: Sequence[str]) -> None:
    ax.set_xticks(list(range(len(labels))), list(labels))
    ax.set_xlim(-0.5, len(labels) - 0.5)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)


def _wrap(text: str, width: int = 34) -> str:
    """A long label (a decline reason) on two lines, cut with an ellipsis past that."""
    if len(text) <= width:
        return text
    cut = text.rfind(" ", 0, width)
    cut = cut if cut > 0 else width
    rest = text[cut:].strip()
    return text[:cut] + "\n" + (rest if len(rest) <= width else rest[: width - 1] + "…")
