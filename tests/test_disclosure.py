"""Disclosure control that holds (method.md: Disclosure control): the attack a reader would
run on a published table, written out here independently of wres4's own check, finds no
true count."""

from __future__ import annotations

import csv
import io
import itertools
import json
from decimal import Decimal
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import wres4
from wres4.indicator.stats import ratio_interval


def aggregate(rows: list[tuple[int, int, int, int, int]]) -> pd.DataFrame:
    """(year, white accessed, white staff, BME accessed, BME staff) -> aggregate counts."""
    records = []
    for year, a, n1, c, n2 in rows:
        records.append({"year": year, "group": "White", "headcount": n1, "accessed": a})
        records.append({"year": year, "group": "BME", "headcount": n2, "accessed": c})
    return pd.DataFrame(records).astype(str)


def published(rows: list[tuple[int, int, int, int, int]], fmt: str = "csv") -> list[dict[str, str]]:
    result = wres4.compute(aggregate(rows), settings=wres4.Settings(disclosure="nhs"))
    text = wres4.render(result, fmt)
    if fmt == "json":
        return [
            {k: "" if v is None else str(v) for k, v in r.items()}
            for r in json.loads(text)["results"]
        ]
    return list(csv.DictReader(io.StringIO(text)))


def allowed(shown: str) -> range:
    if shown == "*":
        return range(1, 8)
    value = int(shown)
    return range(0, 1) if value == 0 else range(value - 2, value + 3)


def places(text: str) -> int:
    """The precision a reader sees: the digits printed after the point."""
    return max(0, -Decimal(text).as_tuple().exponent)  # type: ignore[operator]


def agrees(value: float | None, shown: str) -> bool:
    if shown == "":
        return True
    if value is None:
        return False
    return abs(value - float(shown)) <= 0.5 * 10 ** -places(shown) + 1e-12


def survivors(row: dict[str, str]) -> list[tuple[int, int, int, int]]:
    shown = [row[k] for k in ("white_accessed", "white_headcount", "bme_accessed", "bme_headcount")]
    kept = []
    for a, n1, c, n2 in itertools.product(*(allowed(s) for s in shown)):
        if a > n1 or c > n2:
            continue
        # The cheap tests first; the interval only for tuples that pass them.
        if not agrees(a / n1 if n1 else None, row["white_likelihood"]):
            continue
        if not agrees(c / n2 if n2 else None, row["bme_likelihood"]):
            continue
        if not agrees(a * n2 / (c * n1) if c and n1 and n2 else None, row["relative_likelihood"]):
            continue
        if row["ci_low"] or row["ci_high"]:
            if not (n1 and n2):
                continue
            low, high = ratio_interval(a, n1, c, n2)
            if not (agrees(low, row["ci_low"]) and agrees(high, row["ci_high"])):
                continue
        kept.append((a, n1, c, n2))
    return kept


def pinned(row: dict[str, str]) -> list[str]:
    names = ("white_accessed", "white_headcount", "bme_accessed", "bme_headcount")
    kept = survivors(row)
    return [
        name for i, name in enumerate(names) if row[name] != "0" and len({t[i] for t in kept}) < 2
    ]


def test_the_issue_example_no_longer_gives_its_counts_away() -> None:
    (row,) = published([(2024, 22, 103, 12, 41)])
    assert (row["white_headcount"], row["white_accessed"]) == ("105", "20")
    assert (row["bme_headcount"], row["bme_accessed"]) == ("40", "10")
    assert row["white_likelihood"] != str(22 / 103)
    assert row["p_value"] == row["p_exact"] == ""
    assert pinned(row) == []
    # Derived from the published counts: 20/105 and 10/40 to the published precision.
    assert agrees(20 / 105, row["white_likelihood"]) and agrees(10 / 40, row["bme_likelihood"])


def test_hidden_counts_blank_what_depends_on_them_and_large_counts_keep_two_places() -> None:
    rows = published([(2023, 3, 60, 2, 5), (2024, 1200, 3000, 300, 1000)], "json")
    small, large = rows
    assert small["white_accessed"] == "*" and small["bme_headcount"] == "*"
    assert small["white_likelihood"] == small["relative_likelihood"] == small["ci_low"] == ""
    assert "suppressed" in small["flags"].split(";")
    assert large["relative_likelihood"] == "1.33" and large["white_likelihood"] == "0.4"
    assert "significant" in large["flags"].split(";")
    assert large["change_vs_previous"] == large["change_p_value"] == ""
    result = wres4.compute(
        aggregate([(2022, 30, 100, 10, 50), (2023, 40, 100, 10, 50), (2024, 50, 100, 12, 50)]),
        settings=wres4.Settings(disclosure="nhs"),
    )
    assert result.trend is None
    assert result.meta["disclosure"]["rule"] == "nhs"


def test_the_significance_flag_is_shown_only_when_every_allowed_count_agrees() -> None:
    from statsmodels.stats.proportion import test_proportions_2indep

    for row in published([(2022, 30, 100, 10, 50), (2023, 40, 100, 12, 50), (2024, 12, 40, 9, 30)]):
        flags = row["flags"].split(";")
        shown = [
            row[k] for k in ("white_accessed", "white_headcount", "bme_accessed", "bme_headcount")
        ]
        ps = [
            test_proportions_2indep(*t, compare="ratio", method="score", correction=False).pvalue
            for t in itertools.product(*(allowed(s) for s in shown))
            if t[0] <= t[1] and t[2] <= t[3]
        ]
        if "significant" in flags:
            assert all(p < 0.05 for p in ps)
        if "not_significant" in flags:
            assert all(p >= 0.05 for p in ps)
        if all(p < 0.05 for p in ps) or all(p >= 0.05 for p in ps):
            assert {"significant", "not_significant"} & set(flags)


counts = st.integers(min_value=0, max_value=80).flatmap(
    lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(counts, counts), min_size=1, max_size=3), st.sampled_from(["csv", "json"])
)
def test_no_published_row_pins_a_count(
    years: list[tuple[tuple[int, int], tuple[int, int]]], fmt: str
) -> None:
    rows = [(2020 + i, a, n1, c, n2) for i, ((a, n1), (c, n2)) in enumerate(years)]
    if not any(n1 + n2 for _, _, n1, _, n2 in rows):
        return  # nothing to compute: wres4 says so instead of publishing
    for row in published(rows, fmt):
        assert pinned(row) == [], row


def test_human_views_show_only_the_places_published_and_significance_for_p(tmp_path: Path) -> None:
    result = wres4.compute(
        aggregate([(2023, 100, 400, 12, 200), (2024, 100, 400, 12, 200)]),
        settings=wres4.Settings(disclosure="nhs"),
    )
    text = wres4.render(result, "markdown")
    row = text.splitlines()[2].strip("| ").split(" | ")
    (data, _) = json.loads(wres4.render(result, "json"))["results"]
    # 100/400 over 10/200 = 5.0; to one place that pins BME accessed (11 gives at most
    # 4.71, 9 at least 5.36), so the ratio is published as a whole number, 5, and the text
    # shows it so, beside the likelihoods and interval as the data holds them.
    assert data["relative_likelihood"] == 5 and isinstance(data["relative_likelihood"], int)
    assert row[3] == f"{round(data['white_likelihood'] * 100)}%"
    assert row[6] == f"{round(data['bme_likelihood'] * 100)}%"
    star = " *" if data["ci_low"] > 1 else ""
    assert row[8] == f"5 ({data['ci_low']}–{data['ci_high']}){star}"
    # p is the significance flag; no empty change column.
    assert "significant" in data["flags"].split(";") and row[9] == "<0.05"
    assert "vs previous" not in text.splitlines()[0]
    assert "Published under NHS disclosure control" in text
    from openpyxl import load_workbook

    wres4.write(result, tmp_path / "out.xlsx")
    book = load_workbook(tmp_path / "out.xlsx")
    sheet = book["Indicator 4"]
    header = [c.value for c in sheet[4]]
    ratio = sheet.cell(5, header.index("relative_likelihood") + 1)
    assert ratio.value == 5 and ratio.number_format == "General"
    method = {r[0]: r[1] for r in book["Method"].iter_rows(values_only=True) if r[0]}
    assert "counts of 1-7 are shown as *" in method["Disclosure control"]
    # No total or share of rounded counts beside them, which read as true would pin one.
    quality = list(book["Data quality"].iter_rows(min_row=2, max_row=4, values_only=True))
    assert quality[0][2:5] == ("unknown_headcount", "total_headcount", "unknown_share")
    assert all(r[3] is None and r[4] is None for r in quality[1:])
