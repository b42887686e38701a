"""The result table: statistics per row, trends, breakdowns, band, disclosure and rounding."""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.stats import fisher_exact
from scipy.stats.contingency import relative_risk
from statsmodels.stats.proportion import confint_proportions_2indep

from wres4 import Settings, compute
from wres4.cli import cli
from wres4.indicator.result import row_dicts

# The trend example of the statistics issue: White vs BME accessed/headcount.
TREND = """year,group,headcount,accessed
2022,White,3000,1200
2022,BME,1000,300
2023,White,3050,1250
2023,BME,1100,360
2024,White,3100,1260
2024,BME,1200,430
"""


def missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def aggregate(tmp_path: Path, text: str = TREND, **options: Any) -> Any:
    path = tmp_path / "returns.csv"
    path.write_text(text, encoding="utf-8")
    return compute([path], settings=Settings(**options))


def test_each_row_carries_the_library_statistics(tmp_path: Path) -> None:
    rows = row_dicts(aggregate(tmp_path).table)
    for row in rows:
        a, n1 = row["white_accessed"], row["white_headcount"]
        c, n2 = row["bme_accessed"], row["bme_headcount"]
        low, high = confint_proportions_2indep(
            a, n1, c, n2, compare="ratio", method="score", correction=False
        )
        assert row["ci_low"] == pytest.approx(low, abs=1e-6)
        assert row["ci_high"] == pytest.approx(high, abs=1e-6)
        assert row["p_exact"] == pytest.approx(fisher_exact([[a, n1 - a], [c, n2 - c]])[1])
        assert row["relative_likelihood"] == pytest.approx((a / n1) / (c / n2), rel=1e-12)


def test_katz_interval_and_confidence_option(tmp_path: Path) -> None:
    row = row_dicts(aggregate(tmp_path, ci_method="katz", confidence=0.9).table)[0]
    expected = relative_risk(1200, 3000, 300, 1000).confidence_interval(confidence_level=0.9)
    assert row["ci_low"] == pytest.approx(expected.low, abs=1e-6)
    assert row["ci_high"] == pytest.approx(expected.high, abs=1e-6)


def test_trend_example(tmp_path: Path) -> None:
    result = aggregate(tmp_path)
    rows = row_dicts(result.table)
    # Figures from the statistics issue (Altman & Bland difference of log ratios).
    for row, expected in zip(
        rows[1:], [(0.9392, 0.8157, 1.0814, 0.3833), (0.9058, 0.7965, 1.0301, 0.1314)], strict=True
    ):
        got = (
            row["change_vs_previous"],
            row["change_ci_low"],
            row["change_ci_high"],
            row["change_p_value"],
        )
        assert got == pytest.approx(expected, abs=5e-5)
    assert missing(rows[0]["change_vs_previous"])
    trend = result.trend
    assert trend is not None
    assert trend["years"] == [2022, 2023, 2024]
    got = (trend["per_year"], trend["ci_low"], trend["ci_high"], trend["p_value"])
    assert got == pytest.approx((0.9213, 0.8612, 0.9856, 0.0173), abs=5e-5)


def test_trend_in_json_and_under_the_table(tmp_path: Path) -> None:
    path = tmp_path / "returns.csv"
    path.write_text(TREND, encoding="utf-8")
    result = CliRunner().invoke(cli, ["compute", str(path), "-f", "table"])
    text = " ".join(result.stdout.split())
    assert "Trend 2022–2024: the relative likelihood changed by × 0.92 per year" in text
    assert "(95% CI 0.86–0.99, p = 0.017)" in text
    doc = CliRunner().invoke(cli, ["compute", str(path), "-f", "json"])
    assert '"trend": {' in doc.stdout


def test_zero_bme_accessed_keeps_the_lower_bound(tmp_path: Path) -> None:
    text = "year,group,headcount,accessed\n2024,White,100,10\n2024,BME,50,0\n"
    row = row_dicts(aggregate(tmp_path, text).table)[0]
    assert missing(row["relative_likelihood"])
    assert row["flags"].startswith("not_calculable:no_bme_accessed")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # statsmodels divides by zero here
        low, _ = confint_proportions_2indep(
            10, 100, 0, 50, compare="ratio", method="score", correction=False
        )
    assert row["ci_low"] == pytest.approx(low, abs=1e-6)
    assert missing(row["ci_high"])


@pytest.mark.parametrize(
    ("count", "shown"),
    [(0, 0), (1, "*"), (7, "*"), (8, 10), (12, 10), (13, 15), (22, 20), (23, 25)],
)
def test_disclosure_examples(tmp_path: Path, count: int, shown: object) -> None:
    text = f"year,group,headcount,accessed\n2024,White,400,100\n2024,BME,200,{count}\n"
    row = row_dicts(aggregate(tmp_path, text, disclosure="nhs").table)[0]
    assert row["bme_accessed"] == shown
    assert row["white_headcount"] == 400 and row["white_accessed"] == 100
    if shown == "*":
        # Everything that could reveal the hidden count is blanked and the row flagged.
        for column in ("bme_likelihood", "relative_likelihood", "ci_low", "p_value", "p_exact"):
            assert missing(row[column]), column
        assert "suppressed" in row["flags"]


def test_disclosure_publishes_numbers_derived_from_the_published_counts(tmp_path: Path) -> None:
    text = "year,group,headcount,accessed\n2024,White,400,100\n2024,BME,200,12\n"
    plain = row_dicts(aggregate(tmp_path, text).table)[0]
    published = row_dicts(aggregate(tmp_path, text, disclosure="nhs").table)[0]
    assert published["bme_accessed"] == 10
    # Without disclosure the true 100/400 over 12/200 = 4.1667; published, 100/400 over
    # 10/200 = 5.0, and to one place that would pin BME accessed (11 gives at most 4.71,
    # 9 at least 5.36), so the ratio is a whole number; the likelihoods are 100/400 and
    # 10/200 of the published counts, to two places or (half up) one.
    assert plain["relative_likelihood"] == pytest.approx(100 / 400 / (12 / 200))
    assert published["relative_likelihood"] == 5
    assert published["white_likelihood"] in (0.25, 0.3)
    assert published["bme_likelihood"] in (0.05, 0.1)
    assert missing(published["p_value"]) and "significant" in published["flags"].split(";")


def test_band_flags_ratios_inside(tmp_path: Path) -> None:
    rows = row_dicts(aggregate(tmp_path, band=(0.8, 1.25)).table)
    # Ratios: 1.3333, 1.2520 (1250/3050 over 360/1100), 1.1309 -> outside, outside, inside.
    assert [r["in_band"] for r in rows] == [False, False, True]


def test_malformed_band_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "returns.csv"
    path.write_text(TREND, encoding="utf-8")
    for value in ("1.2", "a:b", "1.25:0.8", "0:1"):
        result = CliRunner().invoke(cli, ["compute", str(path), "--band", value])
        assert result.exit_code == 2, value


def test_round_is_half_up(tmp_path: Path) -> None:
    # 9/40 over 1/5 is exactly 1.125: half-up gives 1.13 (Python's round would give 1.12).
    text = "year,group,headcount,accessed\n2024,White,40,9\n2024,BME,5,1\n"
    row = row_dicts(aggregate(tmp_path, text, round_ratios=True).table)[0]
    assert row["relative_likelihood"] == 1.13


STAFF_HEADER = "Employee Number,Ethnic Origin,Snapshot Date,Pay Band\n"
TRAINING_HEADER = "Employee Number,Course Type,Status,Start Date\n"
LABELS = ("A White - British", "White British", "Black African", "H Indian", "Not stated", "")
BANDS = ("Band 5", "Band 6", "Band 7", "", "  ")


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    people=st.lists(
        st.tuples(st.sampled_from(LABELS), st.sampled_from(BANDS), st.booleans()),
        min_size=1,
        max_size=40,
    )
)
def test_breakdown_headcounts_sum_to_the_overall_headcount(
    tmp_path: Path, people: list[tuple[str, str, bool]]
) -> None:
    staff = tmp_path / "staff.csv"
    training = tmp_path / "training.csv"
    staff.write_text(
        STAFF_HEADER
        + "".join(f"{i},{label},31/03/2024,{band}\n" for i, (label, band, _) in enumerate(people)),
        encoding="utf-8",
    )
    training.write_text(
        TRAINING_HEADER
        + "".join(f"{i},CPD,Attended,01/06/2023\n" for i, (_, _, went) in enumerate(people) if went)
        + "0,Mandatory,Attended,01/06/2023\n",
        encoding="utf-8",
    )
    result = compute([staff], training=[training], by=["pay_band"])
    rows = row_dicts(result.table)
    overall = [r for r in rows if r["pay_band"] is None or r["pay_band"] != r["pay_band"]]
    parts = [r for r in rows if r not in overall]
    assert len(overall) == 1
    for column in ("white_headcount", "bme_headcount", "unknown_headcount", "white_accessed"):
        assert sum(r[column] for r in parts) == overall[0][column], column
    # Holm-adjusted p-values never fall below the raw ones.
    for row in parts:
        if not missing(row["p_holm"]):
            assert row["p_holm"] >= row["p_value"] - 1e-12


def test_no_change_across_a_gap_in_the_years(tmp_path: Path) -> None:
    text = TREND.replace("2023,", "2021,")  # years 2021, 2022, 2024: 2024 has no previous year
    rows = {r["year"]: r for r in row_dicts(aggregate(tmp_path, text).table)}
    assert not missing(rows[2022]["change_vs_previous"])
    assert missing(rows[2024]["change_vs_previous"])


def test_year_option_takes_a_financial_year(tmp_path: Path) -> None:
    path = tmp_path / "returns.csv"
    path.write_text(TREND, encoding="utf-8")
    result = CliRunner().invoke(cli, ["compute", str(path), "--year", "2022/23", "-f", "csv"])
    assert result.exit_code == 0, result.output
    assert [line.split(",")[0] for line in result.stdout.splitlines()[1:]] == ["2023"]
    bad = CliRunner().invoke(cli, ["compute", str(path), "--year", "2022/25"])
    assert bad.exit_code == 2
