"""Disclosure control of the funnel (method.md: Disclosure control): every rate, share and
ratio is derived from the published counts, and the attack a reader would run, written out
here independently, narrows no true count to one value."""

from __future__ import annotations

import itertools
import json
from decimal import Decimal
from typing import Any

import pandas as pd
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import wres4
from wres4.cli import cli
from wres4.indicator.stats import ratio_stats

NHS = wres4.Settings(disclosure="nhs")


def inputs(hw: int, pw: int, hb: int, pb: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Staff at 31 March 2024 (White and Black African) and who of them applied in 2023/24."""
    staff, apps = [], []
    for n, (heads, applied, label) in enumerate(
        ((hw, pw, "A White - British"), (hb, pb, "Black African"))
    ):
        for i in range(heads):
            person = f"{n}{i:05d}"
            staff.append({"Employee Number": person, "Ethnic Origin": label})
            if i < applied:
                apps.append(
                    {"Employee Number": person, "Ethnicity": label, "Date Applied": "2023-06-01"}
                )
    staff_frame = pd.DataFrame(staff, columns=["Employee Number", "Ethnic Origin"])
    staff_frame["Snapshot Date"] = "2024-03-31"
    columns = ["Employee Number", "Ethnicity", "Date Applied"]
    return pd.DataFrame(apps, columns=columns), staff_frame


def published(hw: int, pw: int, hb: int, pb: int) -> dict[str, Any]:
    apps, staff = inputs(hw, pw, hb, pb)
    result = wres4.funnel(apps, staff=[staff], settings=NHS)
    return dict(json.loads(wres4.render(result, "json")))


def allowed(shown: Any) -> range:
    if shown == "*":
        return range(1, 8)
    return range(0, 1) if shown == 0 else range(int(shown) - 2, int(shown) + 3)


def agrees(value: float | None, shown: Any) -> bool:
    if shown is None:
        return True
    if value is None:
        return False
    places = max(0, -Decimal(repr(shown)).as_tuple().exponent)  # type: ignore[operator]
    return abs(value - float(shown)) <= 0.5 * 10**-places + 1e-12


def survivors(doc: dict[str, Any]) -> list[tuple[int, int, int, int]]:
    rows = {r["group"]: r for r in doc["results"]}
    white, bme = rows["White"], rows["BME"]
    (ratio,) = doc["relative_likelihoods"]
    kept = []
    for hw, pw, hb, pb in itertools.product(
        allowed(white["headcount"]),
        allowed(white["applied"]),
        allowed(bme["headcount"]),
        allowed(bme["applied"]),
    ):
        if not agrees(pw / hw if hw else None, white["application_rate"]):
            continue
        if not agrees(pb / hb if hb else None, bme["application_rate"]):
            continue
        if ratio["relative_likelihood"] is not None:
            if pw > hw or pb > hb or not hw or not hb:
                continue
            st_ = ratio_stats(pw, hw, pb, hb)
            if not (
                agrees(st_.ratio, ratio["relative_likelihood"])
                and agrees(st_.ci_low, ratio["ci_low"])
                and agrees(st_.ci_high, ratio["ci_high"])
            ):
                continue
        kept.append((hw, pw, hb, pb))
    return kept


def pinned(doc: dict[str, Any]) -> list[str]:
    rows = {r["group"]: r for r in doc["results"]}
    shown = [
        rows["White"]["headcount"],
        rows["White"]["applied"],
        rows["BME"]["headcount"],
        rows["BME"]["applied"],
    ]
    kept = survivors(doc)
    names = ("white headcount", "white applied", "bme headcount", "bme applied")
    return [n for i, n in enumerate(names) if shown[i] != 0 and len({t[i] for t in kept}) < 2]


def test_rates_and_ratio_come_from_the_published_counts() -> None:
    doc = published(103, 22, 41, 12)
    rows = {r["group"]: r for r in doc["results"]}
    assert (rows["White"]["headcount"], rows["White"]["applied"]) == (105, 20)
    assert (rows["BME"]["headcount"], rows["BME"]["applied"]) == (40, 10)
    assert agrees(20 / 105, rows["White"]["application_rate"])
    assert agrees(10 / 40, rows["BME"]["application_rate"])
    (ratio,) = doc["relative_likelihoods"]
    assert ratio["p_value"] is None and ratio["p_exact"] is None
    assert agrees((20 / 105) / (10 / 40), ratio["relative_likelihood"])
    assert doc["meta"]["disclosure"]["rule"] == "nhs"
    assert pinned(doc) == []


sizes = st.integers(min_value=0, max_value=60).flatmap(
    lambda n: st.tuples(st.just(n), st.integers(min_value=0, max_value=n))
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sizes, sizes)
def test_no_published_period_pins_a_count(white: tuple[int, int], bme: tuple[int, int]) -> None:
    if white[1] + bme[1] == 0:
        return  # nobody applied: the log has no rows, and wres4 says so
    doc = published(white[0], white[1], bme[0], bme[1])
    assert pinned(doc) == [], doc


def test_every_section_is_published_from_published_counts_and_says_so() -> None:
    result = wres4.funnel(
        ["examples/applications.csv"],
        staff=["examples/staff.csv"],
        targets={"Ready Now": 5, "Mary Seacole": 2},
        settings=NHS,
    )
    doc = json.loads(wres4.render(result, "json"))
    counts = ("headcount", "applied", "approved", "declined", "accessed")
    for row in doc["results"]:
        assert all(row[c] == "*" or row[c] == 0 or row[c] % 5 == 0 for c in counts)
        for rate, (events, population) in {
            "application_rate": ("applied", "headcount"),
            "approval_rate": ("approved", "applied"),
            "access_rate": ("accessed", "applied"),
        }.items():
            if "*" in (row[events], row[population]) or not row[population]:
                assert row[rate] is None
            else:
                assert agrees(row[events] / row[population], row[rate])
    for row in doc["relative_likelihoods"]:
        assert row["p_value"] is None and row["p_exact"] is None
    by_period: dict[str, list[dict[str, Any]]] = {}
    for row in doc["results"]:
        by_period.setdefault(row["period"], []).append(row)
    for row in doc["representation"]:
        heads = [r["headcount"] for r in by_period[row["period"]]]
        mine = next(r for r in by_period[row["period"]] if r["group"] == row["group"])
        if "*" not in heads:
            assert agrees(mine["headcount"] / sum(heads), row["share_of_workforce"])
    for row in doc["targets"]:
        possible = {n >= row["target"] for n in allowed(row["bme_participants"])}
        assert row["met"] == (possible.pop() if len(possible) == 1 else None)
    runner = CliRunner()
    out = runner.invoke(
        cli,
        [
            *("funnel", "examples/applications.csv", "--staff", "examples/staff.csv"),
            *("--disclosure", "nhs", "-f", "markdown", "-q"),
        ],
    )
    assert out.exit_code == 0, out.output
    assert "Published under NHS disclosure control" in out.output
    assert "100.0%" not in out.output  # rates show only the places published
