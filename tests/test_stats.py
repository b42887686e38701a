"""Statistics on the count table: the test vectors of method.md: Statistics,
the small-number and not-calculable rules, and invariants."""

from __future__ import annotations

import math
import subprocess
import sys
from dataclasses import astuple

import pytest
from conftest import fresh_python
from hypothesis import given, settings
from hypothesis import strategies as st

from wres4.indicator.stats import (
    ChangeStats,
    RatioStats,
    change_stats,
    disclose,
    holm,
    log_ratio_variance,
    ratio_stats,
    round_half_up,
    trend,
)

# The test vectors of method.md: Statistics: (a, n1, c, n2), ratio, Katz, Koopman,
# p score, p Fisher
VECTORS = [
    ((10, 75, 12, 225), 2.5, (1.126156, 5.549851), (1.139026, 5.400806), 0.021355, 0.037003),
    ((7, 34, 1, 34), 7.0, (0.909606, 53.869506), (1.220853, 42.575718), 0.023926, 0.0544),
]

TREND_ROWS = [
    (2022, 1200, 3000, 300, 1000),
    (2023, 1250, 3050, 360, 1100),
    (2024, 1260, 3100, 430, 1200),
]


@pytest.mark.parametrize(("counts", "ratio", "katz", "koopman", "p_score", "p_fisher"), VECTORS)
def test_spec_vectors(
    counts: tuple[int, int, int, int],
    ratio: float,
    katz: tuple[float, float],
    koopman: tuple[float, float],
    p_score: float,
    p_fisher: float,
) -> None:
    koop = ratio_stats(*counts)
    kz = ratio_stats(*counts, method="katz")
    assert koop.ratio == pytest.approx(ratio, abs=1e-12)
    assert (koop.ci_low, koop.ci_high) == pytest.approx(koopman, abs=1e-6)
    assert (kz.ci_low, kz.ci_high) == pytest.approx(katz, abs=1e-6)
    for result in (koop, kz):
        assert result.p_value == pytest.approx(p_score, abs=1e-6)
        # 0.0544 is given to 4 dp in method.md: Statistics
        assert result.p_exact == pytest.approx(p_fisher, abs=1e-6 if p_fisher != 0.0544 else 5e-5)
        assert result.not_calculable is None


def test_spec_vector_large_counts() -> None:
    koop = ratio_stats(1200, 3000, 300, 1000)
    kz = ratio_stats(1200, 3000, 300, 1000, method="katz")
    assert koop.ratio is not None
    assert round(koop.ratio, 4) == 1.3333
    assert (koop.ci_low, koop.ci_high) == pytest.approx((1.203081, 1.482017), abs=1e-6)
    assert (kz.ci_low, kz.ci_high) == pytest.approx((1.201241, 1.479951), abs=1e-6)
    assert koop.p_value is not None and koop.p_value < 1e-6
    assert koop.p_exact is not None and koop.p_exact < 1e-6
    assert koop.small_numbers is False


def test_score_p_value_equals_pearson_chi_square() -> None:
    from scipy.stats import chi2_contingency

    for a, n1, c, n2 in [v[0] for v in VECTORS] + [(1200, 3000, 300, 1000), (10, 100, 0, 50)]:
        pearson = chi2_contingency([[a, n1 - a], [c, n2 - c]], correction=False).pvalue
        assert ratio_stats(a, n1, c, n2).p_value == pytest.approx(float(pearson), rel=1e-9)


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ((1000, 4000, 300, 1500), 1.25),  # plain
        ((2, 10, 1, 10), 2.0),  # one count per person
        ((9, 40, 1, 5), 1.125),  # half-up case: exactly 1.125
        ((0, 100, 5, 50), 0.0),  # White none accessed
    ],
)
def test_indicator_vectors(counts: tuple[int, int, int, int], expected: float) -> None:
    assert ratio_stats(*counts).ratio == expected


def test_half_up_shown_value() -> None:
    ratio = ratio_stats(9, 40, 1, 5).ratio
    assert ratio is not None
    assert round_half_up(ratio) == 1.13


def test_no_bme_accessed_keeps_koopman_lower_bound() -> None:
    result = ratio_stats(10, 100, 0, 50)
    assert result.ratio is None
    assert result.not_calculable == "no_bme_accessed"
    assert result.ci_low is not None and result.ci_low > 1
    assert result.ci_high is None
    assert result.p_value is not None and result.p_exact is not None
    katz = ratio_stats(10, 100, 0, 50, method="katz")
    assert (katz.ratio, katz.ci_low, katz.ci_high) == (None, None, None)


@pytest.mark.parametrize(
    ("counts", "reason"),
    [
        ((3, 10, 0, 0), "no_bme_staff"),
        ((0, 10, 0, 0), "no_bme_staff"),
        ((0, 0, 2, 10), "no_white_staff"),
        ((4, 10, 0, 12), "no_bme_accessed"),
        ((0, 10, 0, 12), "no_bme_accessed"),
    ],
)
def test_not_calculable_reasons(counts: tuple[int, int, int, int], reason: str) -> None:
    result = ratio_stats(*counts)
    assert result.ratio is None
    assert result.not_calculable == reason


def test_empty_group_has_no_tests() -> None:
    result = ratio_stats(3, 10, 0, 0)
    assert astuple(result)[:5] == (None, None, None, None, None)
    assert result.small_numbers is True


def test_white_none_accessed() -> None:
    result = ratio_stats(0, 100, 5, 50)
    assert result.ratio == 0.0
    assert result.ci_low == 0.0
    assert result.ci_high is not None and result.ci_high < 1
    assert result.not_calculable is None


def test_nobody_or_everybody_accessed_has_no_score_p() -> None:
    assert ratio_stats(0, 10, 0, 12).p_value is None
    full = ratio_stats(10, 10, 12, 12)
    assert full.p_value is None
    assert full.p_exact == 1.0
    assert full.ratio == 1.0


# the direct statsmodels call below divides by zero computing an odds ratio it does not use
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("counts", [(5, 10, 10, 10), (10, 10, 5, 10), (1, 1, 1, 2), (2, 3, 1, 1)])
def test_koopman_when_a_whole_group_accessed(counts: tuple[int, int, int, int]) -> None:
    """statsmodels' closed form is wrong here; each bound must be where the score test hits 5%."""
    from statsmodels.stats.proportion import test_proportions_2indep

    result = ratio_stats(*counts)
    assert result.ratio is not None and result.ci_low is not None and result.ci_high is not None
    assert result.ci_low < result.ratio < result.ci_high
    for bound in (result.ci_low, result.ci_high):
        test = test_proportions_2indep(
            *counts, value=bound, compare="ratio", method="score", correction=False
        )
        assert float(test.pvalue) == pytest.approx(0.05, abs=1e-6)


def test_confidence_level_widens_interval() -> None:
    narrow = ratio_stats(10, 75, 12, 225, confidence=0.9)
    wide = ratio_stats(10, 75, 12, 225, confidence=0.99)
    assert narrow.ci_low is not None and wide.ci_low is not None
    assert narrow.ci_high is not None and wide.ci_high is not None
    assert wide.ci_low < narrow.ci_low and narrow.ci_high < wide.ci_high


@pytest.mark.parametrize(
    ("counts", "small"),
    [
        ((100, 200, 100, 200), False),
        ((9, 200, 100, 200), True),  # a below 10
        ((100, 109, 100, 200), True),  # n1 - a below 10
        ((100, 200, 100, 105), True),  # n2 - c below 10
        ((10, 1000, 10, 10000), True),  # expected count 10 * 1000 / 11000 < 5
    ],
)
def test_small_numbers(counts: tuple[int, int, int, int], small: bool) -> None:
    assert ratio_stats(*counts).small_numbers is small


def test_small_threshold_option() -> None:
    assert ratio_stats(12, 100, 15, 100, small_threshold=10).small_numbers is False
    assert ratio_stats(12, 100, 15, 100, small_threshold=20).small_numbers is True


@pytest.mark.parametrize(
    "counts",
    [(5, 4, 1, 10), (1, 10, 11, 10), (-1, 10, 1, 10), (1, 10, 1, -10), (1.0, 10, 1, 10)],
)
def test_invalid_counts(counts: tuple[int, int, int, int]) -> None:
    with pytest.raises(ValueError):
        ratio_stats(*counts)


def test_bool_is_not_a_count() -> None:
    with pytest.raises(ValueError):
        ratio_stats(True, 10, 1, 10)


@pytest.mark.parametrize(
    "kwargs", [{"method": "wald"}, {"confidence": 0.0}, {"confidence": 1.0}, {"confidence": 95}]
)
def test_invalid_options(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        ratio_stats(10, 75, 12, 225, **kwargs)  # type: ignore[arg-type]


def test_numpy_counts_are_accepted() -> None:
    import numpy as np

    result = ratio_stats(np.int64(10), np.int64(75), np.int64(12), np.int64(225))  # type: ignore[arg-type]
    assert result.ratio == 2.5


def test_log_ratio_variance() -> None:
    assert log_ratio_variance(10, 75, 12, 225) == pytest.approx(1 / 10 - 1 / 75 + 1 / 12 - 1 / 225)
    assert log_ratio_variance(0, 75, 12, 225) is None
    assert log_ratio_variance(10, 75, 0, 225) is None
    assert log_ratio_variance(0, 0, 12, 225) is None


def test_change_vs_previous() -> None:
    rows = [r[1:] for r in TREND_ROWS]
    first = change_stats(rows[0], rows[1])
    second = change_stats(rows[1], rows[2])
    expected = [(0.9392, 0.8157, 1.0814, 0.3833), (0.9058, 0.7965, 1.0301, 0.1314)]
    for result, values in zip([first, second], expected, strict=True):
        assert (result.change, result.ci_low, result.ci_high, result.p_value) == pytest.approx(
            values, abs=5e-5
        )


def test_change_with_undefined_year_is_all_none() -> None:
    assert change_stats((10, 100, 0, 50), (10, 100, 5, 50)) == ChangeStats(None, None, None, None)
    assert change_stats((10, 100, 5, 50), (0, 100, 5, 50)) == ChangeStats(None, None, None, None)


def test_change_of_identical_years_is_one() -> None:
    result = change_stats((10, 75, 12, 225), (10, 75, 12, 225))
    assert result.change == 1.0
    assert result.p_value == pytest.approx(1.0)


def test_trend() -> None:
    result = trend(TREND_ROWS)
    assert result is not None
    assert result.per_year == pytest.approx(0.9213, abs=5e-5)
    assert (result.ci_low, result.ci_high) == pytest.approx((0.8612, 0.9856), abs=5e-5)
    assert result.p_value == pytest.approx(0.0173, abs=5e-5)
    assert result.years == [2022, 2023, 2024]


def test_trend_ignores_row_order() -> None:
    forward = trend(TREND_ROWS)
    backward = trend(list(reversed(TREND_ROWS)))
    assert forward is not None and backward is not None
    assert backward.per_year == pytest.approx(forward.per_year, rel=1e-12)
    assert backward.years == forward.years


def test_trend_needs_three_usable_years() -> None:
    assert trend(TREND_ROWS[:2]) is None
    with_gap = [*TREND_ROWS[:2], (2024, 1260, 3100, 0, 1200)]
    assert trend(with_gap) is None
    longer = [*TREND_ROWS, (2025, 10, 100, 0, 50)]
    result = trend(longer)
    assert result is not None
    assert result.years == [2022, 2023, 2024]


def test_trend_rejects_repeated_year() -> None:
    with pytest.raises(ValueError, match="2023"):
        trend([*TREND_ROWS, (2023, 1, 2, 1, 2)])


def test_holm() -> None:
    adjusted = holm([0.01, None, 0.04, math.nan, 0.03])
    assert adjusted[1] is None and adjusted[3] is None
    assert adjusted[0] == pytest.approx(0.03)
    assert adjusted[2] == pytest.approx(0.06)
    assert adjusted[4] == pytest.approx(0.06)
    assert holm([]) == []
    assert holm([None]) == [None]
    with pytest.raises(ValueError):
        holm([1.5])


@pytest.mark.parametrize(
    ("count", "shown"),
    [
        (0, 0),
        (1, None),
        (7, None),
        (8, 10),
        (12, 10),
        (13, 15),
        (22, 20),
        (23, 25),
        (10, 10),
        (17, 15),
        (18, 20),
    ],
)
def test_disclose(count: int, shown: int | None) -> None:
    assert disclose(count) == shown


def test_disclose_rejects_negative() -> None:
    with pytest.raises(ValueError):
        disclose(-1)


@pytest.mark.parametrize(
    ("x", "dp", "expected"),
    [
        (1.125, 2, 1.13),
        (2.675, 2, 2.68),
        (0.005, 2, 0.01),
        (-1.125, 2, -1.13),
        (1.25, 1, 1.3),
        (1.2345, 3, 1.235),
        (1e300, 2, 1e300),
    ],
)
def test_round_half_up(x: float, dp: int, expected: float) -> None:
    assert round_half_up(x, dp) == expected


def test_round_half_up_no_negative_zero() -> None:
    assert math.copysign(1.0, round_half_up(-0.001)) == 1.0


def test_import_is_light() -> None:
    """stats.py itself must not pull in numpy/scipy/statsmodels at import time (--help)."""
    code = (
        "import sys, wres4; before = set(sys.modules); import wres4.indicator.stats; "
        "new = set(sys.modules) - before; "
        "print(sorted(m for m in new if m.split('.')[0] in ('numpy', 'scipy', 'statsmodels')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# ---- invariants ---------------------------------------------------------------------------


@st.composite
def tables(draw: st.DrawFn, max_n: int = 60) -> tuple[int, int, int, int]:
    n1 = draw(st.integers(0, max_n))
    n2 = draw(st.integers(0, max_n))
    return draw(st.integers(0, n1)), n1, draw(st.integers(0, n2)), n2


def _floats(result: RatioStats) -> list[float]:
    return [v for v in astuple(result) if isinstance(v, float)]


@settings(max_examples=60, deadline=None)
@given(tables())
def test_ratio_times_inverse_is_one(counts: tuple[int, int, int, int]) -> None:
    a, n1, c, n2 = counts
    forward = ratio_stats(a, n1, c, n2).ratio
    backward = ratio_stats(c, n2, a, n1).ratio
    if forward is not None and backward is not None and forward > 0:
        assert forward * backward == pytest.approx(1.0, rel=1e-12)


@settings(max_examples=120, deadline=None)
@given(tables(), st.sampled_from(["koopman", "katz"]))
def test_interval_and_probabilities(counts: tuple[int, int, int, int], method: str) -> None:
    result = ratio_stats(*counts, method=method)
    assert all(math.isfinite(v) for v in _floats(result))
    if result.ratio is not None:
        if result.ci_low is not None:
            assert result.ci_low <= result.ratio * (1 + 1e-9)
        if result.ci_high is not None:
            assert result.ratio <= result.ci_high * (1 + 1e-9)
    if result.ci_low is not None and result.ci_high is not None:
        assert result.ci_low <= result.ci_high
    for p in (result.p_value, result.p_exact):
        assert p is None or 0.0 <= p <= 1.0
    _, n1, _, n2 = counts
    if n1 > 0 and n2 > 0:
        assert result.p_exact is not None


@settings(max_examples=80, deadline=None)
@given(tables())
def test_koopman_agrees_with_score_test(counts: tuple[int, int, int, int]) -> None:
    """Same family: the interval excludes 1 exactly when the score test rejects at 5%."""
    result = ratio_stats(*counts)
    if result.p_value is None or result.ci_low is None:
        return
    high = math.inf if result.ci_high is None else result.ci_high
    if result.p_value < 0.0499:
        assert not result.ci_low <= 1.0 <= high
    elif result.p_value > 0.0501:
        assert result.ci_low <= 1.0 <= high


@settings(max_examples=30, deadline=None)
@given(tables(max_n=20), st.integers(1, 5))
def test_events_above_population_raise(counts: tuple[int, int, int, int], extra: int) -> None:
    _, n1, c, n2 = counts
    with pytest.raises(ValueError):
        ratio_stats(n1 + extra, n1, c, n2)


@settings(max_examples=60, deadline=None)
@given(tables(max_n=40), tables(max_n=40))
def test_change_never_returns_nan(
    prev: tuple[int, int, int, int], cur: tuple[int, int, int, int]
) -> None:
    result = change_stats(prev, cur)
    values = [v for v in astuple(result) if v is not None]
    assert all(math.isfinite(v) for v in values)
    if result.change is not None and result.ci_low is not None and result.ci_high is not None:
        assert result.ci_low <= result.change * (1 + 1e-9)
        assert result.change <= result.ci_high * (1 + 1e-9)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.none(), st.floats(0.0, 1.0)), max_size=12))
def test_holm_bounds(p_values: list[float | None]) -> None:
    adjusted = holm(p_values)
    assert len(adjusted) == len(p_values)
    for raw, adj in zip(p_values, adjusted, strict=True):
        if raw is None:
            assert adj is None
        else:
            assert adj is not None
            assert raw <= adj <= 1.0


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10**6))
def test_disclose_is_a_multiple_of_five_within_two(count: int) -> None:
    shown = disclose(count)
    if 1 <= count <= 7:
        assert shown is None
    else:
        assert shown is not None and shown % 5 == 0 and abs(shown - count) <= 2


def test_statsmodels_is_loaded_without_polars_and_polars_still_imports() -> None:
    """statsmodels imports polars, when installed, only to recognise its frames; wres4 keeps
    it out (0.1 s and 45 MB), and leaves ``import polars`` working afterwards."""
    code = (
        "import sys\n"
        "from wres4.indicator.stats import load_statistics, ratio_stats\n"
        "load_statistics()\n"
        "assert 'polars' not in sys.modules, 'polars was imported'\n"
        "assert ratio_stats(3, 5, 3, 3).ratio == 0.6\n"
        "try:\n"
        "    import polars\n"
        "except ImportError as exc:\n"
        "    assert 'No module named' in str(exc), exc  # not installed: fine\n"
    )
    fresh_python(code)


def test_scipy_is_loaded_without_its_docstring_notes_and_left_as_found() -> None:
    """scipy.stats parses about 600 docstrings at import to append array API notes; wres4
    imports it with each docstring left as it is, puts scipy's parser back afterwards, and
    the statistics are those of a plain import."""
    code = (
        "import importlib, sys\n"
        "from wres4.indicator.stats import _SCIPY_NOTES, load_statistics, ratio_stats\n"
        "api = importlib.import_module(_SCIPY_NOTES)\n"
        "parser = getattr(api, 'FunctionDoc', None)\n"
        "load_statistics()\n"
        "import scipy.stats\n"
        "assert getattr(api, 'FunctionDoc', None) is parser, 'the parser was not put back'\n"
        "doc = scipy.stats.fisher_exact.__doc__\n"
        "assert doc.startswith('Perform a Fisher exact test'), doc[:80]\n"
        "assert 'Array API Standard Support' not in doc, 'the notes were built'\n"
        "print(repr(ratio_stats(30, 100, 20, 100)))\n"
    )
    plain = (
        "import scipy.stats, statsmodels.stats.proportion\n"
        "from wres4.indicator.stats import ratio_stats\n"
        "print(repr(ratio_stats(30, 100, 20, 100)))\n"
    )
    assert fresh_python(code) == fresh_python(plain)


def test_two_threads_loading_the_statistics_at_once_leave_scipy_as_found() -> None:
    """Each thread saves scipy's parser and puts it back: were both let in at once, the
    second would save the stand-in and leave it for good. An import hook holds the first
    thread just before it imports scipy.stats, until a second thread gets there too (or a
    second has passed)."""
    code = (
        "import importlib, sys, threading\n"
        "from wres4.indicator.stats import _SCIPY_NOTES, load_statistics\n"
        "api = importlib.import_module(_SCIPY_NOTES)\n"
        "parser = api.FunctionDoc\n"
        "both = threading.Barrier(2)\n"
        "class Hold:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'scipy.stats':\n"
        "            try:\n"
        "                both.wait(timeout=1.0)\n"
        "            except threading.BrokenBarrierError:\n"
        "                pass\n"
        "        return None\n"
        "sys.meta_path.insert(0, Hold())\n"
        "threads = [threading.Thread(target=load_statistics) for _ in range(2)]\n"
        "for t in threads: t.start()\n"
        "for t in threads: t.join()\n"
        "print(api.FunctionDoc is parser)\n"
    )
    assert fresh_python(code).strip() == "True"
