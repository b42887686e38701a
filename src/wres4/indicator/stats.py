"""Confidence intervals, tests, trends and disclosure control on the small count table.

The engine is general: group 1 has ``a`` events among ``n1`` people, group 2 has ``c`` events
among ``n2``, and the ratio is ``(a / n1) / (c / n2)``. For WRES indicator 4 group 1 is White
staff and group 2 BME staff. Tables are tiny (years x breakdown values), so plain loops are fine.
scipy, statsmodels and numpy are imported inside the functions that use them: ``wres4 --help``
must not load them.
"""

from __future__ import annotations

import math
import numbers
import sys
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import TYPE_CHECKING, Any, SupportsFloat

if TYPE_CHECKING:
    from wres4.settings import Settings

__all__ = [
    "CI_METHODS",
    "ChangeStats",
    "RatioStats",
    "TrendStats",
    "change_stats",
    "disclose",
    "holm",
    "log_ratio_variance",
    "ratio_stats",
    "round_half_up",
    "trend",
]

CI_METHODS = ("koopman", "katz")

# Reason codes for a ratio that is not calculable (method.md: Not calculable),
# in the order they are checked.
NO_GROUP2_STAFF = "no_bme_staff"
NO_GROUP1_STAFF = "no_white_staff"
NO_GROUP2_EVENTS = "no_bme_accessed"

# How far (in natural-log units of the ratio) the score-interval search may reach from its
# starting point before a bound is declared unbounded: e**64 is far beyond any real ratio.
_MAX_LOG_REACH = 64.0


def load_statistics() -> None:
    """Import scipy.stats and statsmodels' proportion tests, the first time with two costs
    wres4 has no use for left out (method.md: Performance):

    - scipy parses the docstring of each of about 600 functions to append a note on array
      API support (about 0.2 s of the 0.5 s import): the docstrings are left as they are;
    - statsmodels imports polars, when it is installed, only to recognise polars frames
      (about 0.1 s and 45 MB), and wres4 never hands it one.
    """
    if "statsmodels.stats.proportion" in sys.modules:
        return
    # One thread at a time: a second one would save the stand-in as scipy's parser, and
    # put that back for good.
    with _LOADING:
        if "statsmodels.stats.proportion" in sys.modules:
            return
        with _docstrings_as_they_are(), _without_polars():
            import scipy.stats  # noqa: F401
            import statsmodels.stats.proportion  # noqa: F401


_LOADING = threading.Lock()


class _DocAsIs:
    """Stands in for scipy's docstring parser while scipy.stats is first imported: the
    decorator that uses it gets each function's docstring back unchanged."""

    def __init__(self, func: object) -> None:
        self.doc = getattr(func, "__doc__", None) or ""

    def __getitem__(self, section: str) -> list[str]:
        return []  # the section a note is appended to, then dropped

    def __str__(self) -> str:
        return "\n" + self.doc  # the decorator drops the first line (the signature)


@contextmanager
def _docstrings_as_they_are() -> Iterator[None]:
    import importlib

    api: Any = None
    try:
        if "scipy.stats" not in sys.modules:
            api = importlib.import_module(_SCIPY_NOTES)
    except ImportError:  # another scipy layout: import it as it is
        api = None
    parser = getattr(api, "FunctionDoc", None)
    if api is None or parser is None:
        yield
        return
    api.FunctionDoc = _DocAsIs
    try:
        yield
    finally:
        api.FunctionDoc = parser


# The scipy module whose decorator appends the array API notes with FunctionDoc.
_SCIPY_NOTES = "scipy._lib._array_api"


@contextmanager
def _without_polars() -> Iterator[None]:
    blocked = "polars" not in sys.modules
    if blocked:
        sys.modules["polars"] = None  # type: ignore[assignment]  # "import polars" fails
    try:
        yield
    finally:
        if blocked and "polars" in sys.modules and sys.modules["polars"] is None:
            del sys.modules["polars"]


@dataclass(frozen=True)
class RatioStats:
    """Relative likelihood of group 1 over group 2 with its interval and tests."""

    ratio: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    p_exact: float | None
    small_numbers: bool
    not_calculable: str | None


@dataclass(frozen=True)
class ChangeStats:
    """This year's ratio over last year's, from the difference of log ratios."""

    change: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None


@dataclass(frozen=True)
class TrendStats:
    """Weighted linear trend of the log ratio, reported as a multiplicative change per year."""

    per_year: float
    ci_low: float
    ci_high: float
    p_value: float
    years: list[int]


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence numpy/scipy/statsmodels arithmetic warnings on zero cells (handled by callers)."""
    import numpy as np

    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def _is_count(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and int(value) >= 0


def _check_counts(a: int, n1: int, c: int, n2: int) -> tuple[int, int, int, int]:
    names = {"a": a, "n1": n1, "c": c, "n2": n2}
    for name, value in names.items():
        if not _is_count(value):
            raise ValueError(f"count {name}={value!r} must be a whole number >= 0")
    if a > n1:
        raise ValueError(f"events a={a} exceed population n1={n1}; a must be <= n1")
    if c > n2:
        raise ValueError(f"events c={c} exceed population n2={n2}; c must be <= n2")
    return int(a), int(n1), int(c), int(n2)


def _check_confidence(confidence: float) -> float:
    if isinstance(confidence, bool) or not isinstance(confidence, numbers.Real):
        raise ValueError(f"confidence={confidence!r} must be a number between 0 and 1")
    if not 0.0 < float(confidence) < 1.0:
        raise ValueError(f"confidence={confidence!r} must be strictly between 0 and 1 (e.g. 0.95)")
    return float(confidence)


def _finite(value: object) -> float | None:
    """float(value), or None for NaN, infinity, complex or missing values."""
    # numpy's complex128 subclasses complex; statsmodels returns it when its roots go complex
    if isinstance(value, complex) or not isinstance(value, SupportsFloat):
        return None
    result = float(value)
    return result if math.isfinite(result) else None


def _probability(value: object) -> float | None:
    p = _finite(value)
    return None if p is None else min(1.0, max(0.0, p))


def _is_small(a: int, n1: int, c: int, n2: int, threshold: int) -> bool:
    if min(a, n1 - a, c, n2 - c) < threshold:
        return True
    total = n1 + n2
    events = a + c
    # expected cell = row total * column total / N < 5, kept in integers
    return any(row * col < 5 * total for row in (n1, n2) for col in (events, total - events))


def _ratio(a: int, n1: int, c: int, n2: int) -> float:
    # one correctly rounded division of exact integers: 9/40 over 1/5 is exactly 1.125
    return a * n2 / (c * n1)


def _score_statistic(a: int, n1: int, c: int, n2: int) -> Callable[[float], float]:
    load_statistics()
    from statsmodels.stats.proportion import test_proportions_2indep

    def statistic(log_phi: float) -> float:
        result = test_proportions_2indep(
            a,
            n1,
            c,
            n2,
            value=math.exp(log_phi),
            compare="ratio",
            method="score",
            correction=False,
        )
        return float(result.statistic) ** 2

    return statistic


def _koopman_by_inversion(
    a: int, n1: int, c: int, n2: int, confidence: float
) -> tuple[float | None, float]:
    """Koopman interval as the set of ratios the statsmodels score test does not reject.

    Used where statsmodels' closed form (Nam's cubic) picks the wrong roots: when a whole
    group has the event (a == n1 or c == n2) it returns bounds that exclude the estimate or
    are complex, e.g. 5/10 vs 10/10 gives 0.75-0.79 around a ratio of 0.5.
    """
    load_statistics()
    from scipy.optimize import brentq
    from scipy.stats import chi2

    critical = float(chi2.ppf(confidence, 1))
    statistic = _score_statistic(a, n1, c, n2)
    if a > 0 and c > 0:
        inner = math.log(_ratio(a, n1, c, n2))
    elif a == 0:
        # the test accepts ratios near 0; start where a would be a millionth of an event
        inner = math.log(n2 / (c * n1)) - math.log(1e6)
    else:
        inner = math.log(a * n2 / n1) + math.log(1e6)

    def excess(log_phi: float) -> float:
        if log_phi == inner and a > 0 and c > 0:
            return -critical  # the statistic is 0 at the estimate (NaN there when a+c = N)
        value = statistic(log_phi)
        return value - critical if math.isfinite(value) else math.inf

    def bound(direction: float) -> float | None:
        if excess(inner) >= 0:
            return None
        step = 1.0
        while excess(inner + direction * step) <= 0:
            step *= 2.0
            if step > _MAX_LOG_REACH:
                return None
        lo, hi = sorted((inner, inner + direction * step))
        return math.exp(float(brentq(excess, lo, hi, xtol=1e-13)))

    low = 0.0 if a == 0 else bound(-1.0)
    high = math.inf if c == 0 else bound(1.0)
    return low, math.inf if high is None else high


def _koopman(
    a: int, n1: int, c: int, n2: int, confidence: float
) -> tuple[float | None, float | None]:
    load_statistics()
    from statsmodels.stats.proportion import confint_proportions_2indep

    if a + c == 0:
        return None, None
    if a < n1 and c < n2:
        low, high = confint_proportions_2indep(
            a,
            n1,
            c,
            n2,
            compare="ratio",
            method="score",
            correction=False,
            alpha=1.0 - confidence,
        )
        # the exact lower limit is 0 when a == 0; statsmodels' root lands a few ulps above
        low_f = 0.0 if a == 0 else _finite(low)
        high_f = math.inf if c == 0 else _finite(high)
        estimate = _ratio(a, n1, c, n2) if c > 0 else math.inf
        if low_f is not None and high_f is not None and low_f <= estimate <= high_f:
            return low_f, _finite(high_f)
    low_i, high_i = _koopman_by_inversion(a, n1, c, n2, confidence)
    return low_i, _finite(high_i)


def _katz(a: int, n1: int, c: int, n2: int, confidence: float) -> tuple[float | None, float | None]:
    load_statistics()
    from scipy.stats.contingency import relative_risk

    interval = relative_risk(a, n1, c, n2).confidence_interval(confidence_level=confidence)
    return _finite(interval.low), _finite(interval.high)


def _interval(
    a: int, n1: int, c: int, n2: int, method: str, confidence: float
) -> tuple[float | None, float | None]:
    if method == "koopman":
        return _koopman(a, n1, c, n2, confidence)
    return _katz(a, n1, c, n2, confidence)


def ratio_interval(
    a: int, n1: int, c: int, n2: int, *, method: str = "koopman", confidence: float = 0.95
) -> tuple[float | None, float | None]:
    """The confidence interval of :func:`ratio_stats` alone, without its tests."""
    a, n1, c, n2 = _check_counts(a, n1, c, n2)
    if n1 == 0 or n2 == 0:
        return None, None
    with _quiet():
        return _interval(a, n1, c, n2, method, _check_confidence(confidence))


def ratio_stats(
    a: int,
    n1: int,
    c: int,
    n2: int,
    *,
    method: str = "koopman",
    confidence: float = 0.95,
    small_threshold: int = 10,
) -> RatioStats:
    """Ratio (a/n1)/(c/n2) with its confidence interval, score and Fisher p-values.

    Never returns NaN or infinity: undefined values are None, and ``not_calculable`` names
    why the ratio itself is missing (method.md: Not calculable). Raises ValueError for
    impossible counts.
    """
    load_statistics()
    from scipy.stats import fisher_exact
    from statsmodels.stats.proportion import test_proportions_2indep

    a, n1, c, n2 = _check_counts(a, n1, c, n2)
    if method not in CI_METHODS:
        raise ValueError(f"method={method!r} is not one of {', '.join(CI_METHODS)}")
    confidence = _check_confidence(confidence)
    if not _is_count(small_threshold):
        raise ValueError(f"small_threshold={small_threshold!r} must be a whole number >= 0")
    small = _is_small(a, n1, c, n2, int(small_threshold))

    if n2 == 0 or n1 == 0:
        reason = NO_GROUP2_STAFF if n2 == 0 else NO_GROUP1_STAFF
        return RatioStats(None, None, None, None, None, small, reason)

    with _quiet():
        ci_low, ci_high = _interval(a, n1, c, n2, method, confidence)
        # the score test is undefined (NaN) when a + c is 0 or everyone has the event
        score = test_proportions_2indep(
            a, n1, c, n2, compare="ratio", method="score", correction=False
        )
        p_value = _probability(score.pvalue)
        p_exact = _probability(fisher_exact([[a, n1 - a], [c, n2 - c]]).pvalue)

    if c == 0:
        # ratio undefined; a Koopman lower bound may still be informative (method.md: Statistics)
        return RatioStats(None, ci_low, None, p_value, p_exact, small, NO_GROUP2_EVENTS)
    return RatioStats(_ratio(a, n1, c, n2), ci_low, ci_high, p_value, p_exact, small, None)


def ratio_stats_for(a: int, n1: int, c: int, n2: int, settings: Settings) -> RatioStats:
    """:func:`ratio_stats` with a run's interval method, confidence and small-number
    threshold."""
    return ratio_stats(
        a,
        n1,
        c,
        n2,
        method=settings.ci_method,
        confidence=settings.confidence,
        small_threshold=settings.small_threshold,
    )


def log_ratio_variance(a: int, n1: int, c: int, n2: int) -> float | None:
    """Katz variance of ln(ratio): 1/a - 1/n1 + 1/c - 1/n2; None when a, c, n1 or n2 is 0."""
    a, n1, c, n2 = _check_counts(a, n1, c, n2)
    if 0 in (a, n1, c, n2):
        return None
    return 1 / a - 1 / n1 + 1 / c - 1 / n2


def change_stats(
    prev: tuple[int, int, int, int],
    cur: tuple[int, int, int, int],
    *,
    confidence: float = 0.95,
) -> ChangeStats:
    """This year's ratio over last year's (Altman & Bland 2003, difference of log ratios).

    d = ln(R_cur) - ln(R_prev), se = sqrt(var_cur + var_prev), CI = exp(d +/- z*se).
    Any undefined ratio or variance gives all None.
    """
    load_statistics()
    from scipy.stats import norm

    confidence = _check_confidence(confidence)
    var_prev = log_ratio_variance(*prev)
    var_cur = log_ratio_variance(*cur)
    if var_prev is None or var_cur is None:
        return ChangeStats(None, None, None, None)
    ratio_prev = _ratio(*prev)
    ratio_cur = _ratio(*cur)
    d = math.log(ratio_cur) - math.log(ratio_prev)
    se = math.sqrt(var_cur + var_prev)
    z = float(norm.ppf(1 - (1 - confidence) / 2))
    ci_low = _finite(math.exp(d - z * se))
    ci_high = _finite(math.exp(d + z * se))
    # se is 0 only when everyone in both groups had the event both years: d is 0, p undefined
    p_value = _probability(2 * float(norm.sf(abs(d) / se))) if se > 0 else None
    return ChangeStats(_finite(ratio_cur / ratio_prev), ci_low, ci_high, p_value)


def trend(
    rows: Sequence[tuple[int, int, int, int, int]], *, confidence: float = 0.95
) -> TrendStats | None:
    """Inverse-variance weighted linear trend of ln(ratio) on year, rows (year, a, n1, c, n2).

    Years whose ratio or variance is undefined (or zero) are left out; fewer than three usable
    years gives None. The scale is fixed at 1, so the weights act as true inverse variances.
    """
    confidence = _check_confidence(confidence)
    years_seen: set[int] = set()
    usable: list[tuple[int, float, float]] = []
    for year, a, n1, c, n2 in rows:
        if not isinstance(year, numbers.Integral) or isinstance(year, bool):
            raise ValueError(f"year={year!r} must be a whole number")
        if year in years_seen:
            raise ValueError(f"year {year} appears more than once; trends never pool a year")
        years_seen.add(int(year))
        variance = log_ratio_variance(a, n1, c, n2)
        if variance is not None and variance > 0:
            usable.append((int(year), math.log(_ratio(a, n1, c, n2)), variance))
    usable.sort()
    if len(usable) < 3:
        return None

    import numpy as np

    load_statistics()
    from statsmodels.regression.linear_model import WLS

    first = usable[0][0]
    x = np.array([[1.0, float(year - first)] for year, _, _ in usable])
    y = np.array([log_ratio for _, log_ratio, _ in usable])
    weights = np.array([1.0 / variance for _, _, variance in usable])
    with _quiet():
        fit = WLS(y, x, weights=weights).fit(cov_type="fixed scale")
        low, high = fit.conf_int(alpha=1 - confidence)[1]
        values = [float(fit.params[1]), float(low), float(high), float(fit.pvalues[1])]
    if not all(math.isfinite(v) for v in values):
        return None
    slope, low, high, p_value = values
    return TrendStats(
        per_year=math.exp(slope),
        ci_low=math.exp(low),
        ci_high=math.exp(high),
        p_value=min(1.0, max(0.0, p_value)),
        years=[year for year, _, _ in usable],
    )


def holm(p_values: Sequence[float | None]) -> list[float | None]:
    """Holm-adjusted p-values; None or NaN entries are skipped and come back as None."""
    load_statistics()
    from statsmodels.stats.multitest import multipletests

    positions: list[int] = []
    raw: list[float] = []
    for i, p in enumerate(p_values):
        if p is None or math.isnan(p):
            continue
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"p-value {p!r} at position {i} is outside [0, 1]")
        positions.append(i)
        raw.append(float(p))
    adjusted: list[float | None] = [None] * len(p_values)
    if raw:
        corrected = multipletests(raw, method="holm")[1]
        for i, p in zip(positions, corrected, strict=True):
            adjusted[i] = min(1.0, float(p))
    return adjusted


def disclose(count: int) -> int | None:
    """NHS disclosure rule: 0 stays 0, 1-7 are suppressed (None), others go to the nearest 5."""
    if not _is_count(count):
        raise ValueError(f"count={count!r} must be a whole number >= 0")
    if count == 0:
        return 0
    if count <= 7:
        return None
    return (int(count) + 2) // 5 * 5


def round_half_up(x: float, dp: int = 2) -> float:
    """Round like Excel's ROUND: halves away from zero on the shortest decimal repr (1.125 -> 1.13).

    NaN and infinity are returned unchanged.
    """
    if not math.isfinite(x):
        return x
    with localcontext() as context:
        context.prec = 330 + max(dp, 0)  # room for every digit of any finite float
        rounded = Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-dp), rounding=ROUND_HALF_UP)
    return float(rounded) + 0.0  # + 0.0 turns -0.0 into 0.0
