"""The HTML report, read back: every number as the JSON gives it (ratios 2 dp half up, as
Excel rounds), hand-checked ratios, text from the input escaped, nothing fetched from
anywhere, charts inline with unique ids, the same bytes every run, atomic writes, and
disclosure control exactly as in the other formats. The browser test is test_browser.py."""

from __future__ import annotations

import json
import re
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import BME, SNAPSHOT, STAFF_HEADER, TRAINING_HEADER, WHITE, cpd, write_rows

import wres4
from wres4.cli import cli
from wres4.errors import UsageError

# Aggregate returns (year, group, headcount, accessed). Ratios by hand, White ÷ BME:
# 2021: (45/100) / (40/100) = 1.125    -> 1.13 half up (Python's round would give 1.12)
# 2022: (1100/2900) / (260/950) = 0.37931 / 0.27368 = 1.38596 -> 1.39
# 2023: (1200/3000) / (300/1000) = 0.4 / 0.3 = 1.33333 -> 1.33
# 2024: (1300/3100) / (380/1100) = 0.41935 / 0.34545 = 1.21392 -> 1.21
AGGREGATE = """year,group,headcount,accessed
2021,White,100,45
2021,Black African,100,40
2022,White,2900,1100
2022,Black African,950,260
2023,White,3000,1200
2023,Black African,1000,300
2024,White,3100,1300
2024,Black African,1100,380
2024,Not stated,45,3
"""
BY_HAND = {"2020/21": "1.13", "2021/22": "1.39", "2022/23": "1.33", "2023/24": "1.21"}
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


class Page(HTMLParser):
    """Every tag with its attributes, the tables (caption, rows of cell text) and the text."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.tables: dict[str, list[list[str]]] = {}
        self.text: list[str] = []
        self._caption: str | None = None
        self._rows: list[list[str]] | None = None
        self._cell: list[str] | None = None
        self._in_caption = False
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "table":
            self._caption, self._rows = "", []
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("td", "th") and self._rows is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption":
            self._in_caption = False
        elif tag in ("td", "th") and self._cell is not None and self._rows is not None:
            self._rows[-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table" and self._rows is not None:
            self.tables[self._caption or ""] = self._rows
            self._rows = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._in_caption:
            self._caption = (self._caption or "") + data
        elif self._cell is not None:
            self._cell.append(data)

    def table(self, caption: str) -> list[dict[str, str]]:
        head, *rows = self.tables[caption]
        return [dict(zip(head, row, strict=True)) for row in rows]

    @property
    def all_text(self) -> str:
        return re.sub(r"\s+", " ", "".join(self.text))


def half_up(value: float, places: int = 2) -> str:
    return str(Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def invoke(*args: Any) -> Any:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def aggregate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Page, str, dict[str, Any]]:
    folder = tmp_path_factory.mktemp("aggregate")
    source = folder / "returns.csv"
    source.write_text(AGGREGATE, encoding="utf-8")
    invoke("-q", "compute", source, "-o", folder / "report.html")
    doc = json.loads(invoke("-q", "compute", source, "-f", "json").stdout)
    text = (folder / "report.html").read_text(encoding="utf-8")
    return Page(text), text, doc


def test_every_years_ratio_is_the_jsons_at_2dp_half_up(
    aggregate: tuple[Page, str, dict[str, Any]],
) -> None:
    page, _, doc = aggregate
    rows = page.table("Indicator 4 by reporting year")
    assert [r["Year"] for r in rows] == [r["period"] for r in doc["results"]]
    for shown, row in zip(rows, doc["results"], strict=True):
        ratio = half_up(row["relative_likelihood"])
        interval = f"({half_up(row['ci_low'])}–{half_up(row['ci_high'])})"
        assert shown["Relative likelihood (95% CI)"].startswith(f"{ratio} {interval}")
        assert shown["White likelihood"] == half_up(row["white_likelihood"] * 100, 1) + "%"
        assert shown["BME staff"] == f"{row['bme_headcount']:,}"
        assert shown["Relative likelihood (95% CI)"].split()[0] == BY_HAND[shown["Year"]]
        excludes = row["ci_low"] > 1 or row["ci_high"] < 1  # marked, as in every text view
        assert shown["Relative likelihood (95% CI)"].endswith(" *") == excludes
    assert "* the confidence interval excludes 1.00." in page.all_text


def test_headline_direction_and_change(aggregate: tuple[Page, str, dict[str, Any]]) -> None:
    page, _, doc = aggregate
    text = page.all_text
    latest, before = doc["results"][-1], doc["results"][-2]
    assert "Relative likelihood, 2023/24 1.21 (95% CI" in text
    assert doc["meta"]["direction"] in text
    change = half_up(latest["change_vs_previous"])  # 1.21392 / 1.33333 = 0.91044 -> 0.91
    assert change == "0.91"
    assert f"Compared with 2022/23, when it was {half_up(before['relative_likelihood'])}" in text
    assert f"the ratio changed by × {change}" in text
    assert "White: 41.9% (1,300 of 3,100)" in text  # 1300 / 3100 = 41.94%


def test_the_page_fetches_nothing_and_its_charts_are_inline(
    aggregate: tuple[Page, str, dict[str, Any]],
) -> None:
    page, text, _ = aggregate
    tags = [tag for tag, _ in page.tags]
    for banned in ("script", "link", "img", "iframe", "object", "embed", "image", "base"):
        assert banned not in tags
    for tag, attrs in page.tags:
        assert "src" not in attrs, tag
        for name in ("href", "xlink:href"):
            assert (attrs.get(name) or "#").startswith("#"), (tag, attrs)
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)
    assert re.findall(r"url\((?!#)", text) == [] and "@import" not in text
    assert re.findall(r"https?:", text) == []
    assert "default-src 'none'" in text  # the browser refuses to fetch even if asked
    svgs = [attrs for tag, attrs in page.tags if tag == "svg"]
    assert len(svgs) == 2  # the trend and both groups' likelihoods (no breakdown asked)
    assert tags.count("title") == 1 + len(svgs)  # the page's own, then one per chart
    assert all(a.get("role") == "img" and a.get("aria-labelledby") for a in svgs)
    ids = Counter(attrs["id"] for _, attrs in page.tags if attrs.get("id"))
    assert [i for i, n in ids.items() if n > 1] == []
    refs = re.findall(r'(?:href="#|url\(#)([^")]+)', text)
    assert refs and all(ref in ids for ref in refs)
    assert "<text" not in text  # glyphs are paths: no font is needed to read the charts


def test_text_from_the_input_is_never_markup(tmp_path: Path) -> None:
    staff = [
        [i, WHITE if i <= 6 else BME, SNAPSHOT, HOSTILE if i % 2 else "Band 5"]
        for i in range(1, 11)
    ]
    training = [cpd(i) for i in (1, 2, 3, 7)]
    training.append([4, HOSTILE, HOSTILE, "Attended", "2023-06-15"])  # an unknown course type
    write_rows(tmp_path / "s.csv", [*STAFF_HEADER, "Pay Band"], staff)
    write_rows(tmp_path / "t.csv", TRAINING_HEADER, training)
    args = ["-q", "compute", tmp_path / "s.csv", "--training", tmp_path / "t.csv"]
    invoke(*args, "--by", "pay_band", "-o", tmp_path / "r.html")
    text = (tmp_path / "r.html").read_text(encoding="utf-8")
    page = Page(text)
    assert "<script" not in text and "<img" not in text
    assert "&lt;script&gt;" in text
    assert HOSTILE in page.all_text  # shown as the text it is
    rows = page.table("By pay_band, every year")
    assert {r["pay_band"] for r in rows} == {HOSTILE, "Band 5"}
    assert [tag for tag, _ in page.tags if tag in ("script", "img")] == []


def test_funnel_page_escapes_programmes_and_reasons_and_equals_its_json(tmp_path: Path) -> None:
    header = ("Staff ID", "Ethnic Origin", "Programme", "Application Date", "Decision")
    log = [
        (1, "A White - British", HOSTILE, "2024-05-01", "Approved", "", "Attended"),
        (2, "A White - British", HOSTILE, "2024-05-01", "Declined", HOSTILE, ""),
        (3, "N Black African", HOSTILE, "2024-05-01", "Approved", "", "Attended"),
        (4, "N Black African", "Ready Now", "2024-05-01", "Declined", "Course full", ""),
    ]
    write_rows(tmp_path / "log.csv", [*header, "Decline Reason", "Attendance"], log)
    args = ["-q", "funnel", tmp_path / "log.csv", "--target", f"{HOSTILE}=1"]
    invoke(*args, "-o", tmp_path / "f.html")
    doc = json.loads(invoke(*args, "-f", "json").stdout)
    text = (tmp_path / "f.html").read_text(encoding="utf-8")
    page = Page(text)
    assert "<script" not in text and "<img" not in text
    targets = page.table("Programme targets: BME participants who accessed")
    assert [r["Programme"] for r in targets] == [HOSTILE]
    assert targets[0]["Met"] == "met"  # person 3 is BME and attended: 1 of a target of 1
    reasons = page.table("Decline reasons by group")
    assert {r["Reason"] for r in reasons} == {HOSTILE, "Course full"}
    # approval and access, White ÷ BME: (1/2) / (1/2) = 1.00 each
    shown = page.table("Relative likelihood, White ÷ BME, at each stage")
    for row, want in zip(shown, doc["relative_likelihoods"], strict=True):
        value = want["relative_likelihood"]
        if value is not None:
            assert row["Relative likelihood (95% CI)"].startswith(half_up(value))
    assert [r["Relative likelihood (95% CI)"][:6] for r in shown] == ["1.00 (", "1.00 ("]
    assert "Not in this report: it needs --staff" in page.all_text  # representation
    assert doc["meta"]["direction"] in page.all_text


def test_example_funnel_page_holds_every_section(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parent.parent / "examples"
    args = ["-q", "funnel", root / "applications.csv", "--staff", root / "staff.csv"]
    args += ["--target", "Ready Now=5"]
    invoke(*args, "-o", tmp_path / "f.html")
    doc = json.loads(invoke(*args, "-f", "json").stdout)
    page = Page((tmp_path / "f.html").read_text(encoding="utf-8"))
    results = page.table("Applications by group: distinct people at each stage")
    for row, want in zip(results, doc["results"], strict=True):
        assert row["Staff"] == f"{want['headcount']:,}"
        pct = half_up(want["application_rate"] * 100, 1)
        assert row["Applied (% of staff)"] == f"{want['applied']} ({pct}%)"
    shares = page.table("Representation: who accessed training against the workforce")
    for row, want in zip(shares, doc["representation"], strict=True):
        assert row["Share of the workforce"] == half_up(want["share_of_workforce"] * 100, 1) + "%"
    svgs = [a for tag, a in page.tags if tag == "svg"]
    assert len(svgs) == 4  # stages, relative likelihoods, decline reasons, representation


def test_disclosure_shows_the_published_numbers_only(tmp_path: Path) -> None:
    source = tmp_path / "returns.csv"
    source.write_text(AGGREGATE, encoding="utf-8")
    args = ["-q", "compute", source, "--disclosure", "nhs"]
    invoke(*args, "-o", tmp_path / "r.html")
    doc = json.loads(invoke(*args, "-f", "json").stdout)
    markdown = invoke(*args, "-f", "markdown").stdout
    page = Page((tmp_path / "r.html").read_text(encoding="utf-8"))
    rows = page.table("Indicator 4 by reporting year")
    for shown, row in zip(rows, doc["results"], strict=True):
        cells = list(shown.values())
        assert f"| {' | '.join(cells)} |" in markdown  # the same cells as markdown
        value = row["relative_likelihood"]
        if value is not None:  # published with its own places: 1.4, never 1.40
            assert shown["Relative likelihood (95% CI)"].split()[0] == (
                str(value) if isinstance(value, int) else repr(value)
            )
    assert "p (Holm)" not in rows[0] and "vs previous" not in rows[0]
    text = page.all_text
    assert "the year-on-year change is not published under disclosure control" in text
    assert "Trend 20" not in text  # the trend is withheld, as in every other format
    assert "Disclosure control." in text


def test_same_bytes_every_run_and_a_date_only_from_source_date_epoch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "returns.csv"
    source.write_text(AGGREGATE, encoding="utf-8")
    result = wres4.compute([source])
    first = wres4.render(result, "html")
    assert wres4.render(result, "html") == first
    invoke("-q", "compute", source, "-o", tmp_path / "cli.html")
    assert (tmp_path / "cli.html").read_text(encoding="utf-8") == first  # CLI = library
    assert "Produced" not in first
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1714521600")  # 2024-05-01 00:00 UTC
    assert "Produced 2024-05-01." in wres4.render(result, "html")


def test_a_failed_run_leaves_the_old_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "returns.csv"
    source.write_text(AGGREGATE, encoding="utf-8")
    target = tmp_path / "report.html"
    target.write_text("last year's report", encoding="utf-8")
    result = wres4.compute([source])

    def broken(points: Any, **kwargs: Any) -> str:
        raise RuntimeError("the chart failed")

    monkeypatch.setattr("wres4.output.charts.ratio_trend", broken)
    with pytest.raises(RuntimeError, match="the chart failed"):
        wres4.write(result, target)
    assert target.read_text(encoding="utf-8") == "last year's report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html", "returns.csv"]


def test_html_goes_to_stdout_or_a_file_and_holds_every_funnel_section(tmp_path: Path) -> None:
    source = tmp_path / "returns.csv"
    source.write_text(AGGREGATE, encoding="utf-8")
    out = invoke("-q", "compute", source, "-f", "html").stdout
    assert out.startswith("<!DOCTYPE html>") and out.rstrip().endswith("</html>")
    wres4.write(wres4.compute([source]), tmp_path / "board.htm")
    assert (tmp_path / "board.htm").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    from wres4.output.writers import check_request

    with pytest.raises(UsageError, match="-f html holds every section"):
        check_request("funnel", "html", tmp_path / "f.html", "targets")


def test_a_ratio_that_cannot_be_worked_out_says_why(tmp_path: Path) -> None:
    source = tmp_path / "returns.csv"  # no BME staff accessed in 2024: White 40/100, BME 0/30
    source.write_text(
        "year,group,headcount,accessed\n2024,White,100,40\n2024,Black African,30,0\n",
        encoding="utf-8",
    )
    page = Page(wres4.render(wres4.compute([source]), "html"))
    text = page.all_text
    assert "Relative likelihood, 2023/24 not calculable (≥ " in text
    assert "(no BME staff accessed)" in text
    assert "There is no earlier year in this report to compare with." in text
    assert page.table("Indicator 4 by reporting year")[0]["BME likelihood"] == "0.0%"


def test_a_funnel_with_no_declines_still_has_its_page(tmp_path: Path) -> None:
    header = ("Staff ID", "Ethnic Origin", "Programme", "Application Date", "Decision")
    log = [
        (1, "A White - British", "Ready Now", "2024-05-01", "Approved", "", "Attended"),
        (2, "N Black African", "Ready Now", "2024-05-01", "Approved", "", "Attended"),
    ]
    write_rows(tmp_path / "log.csv", [*header, "Decline Reason", "Attendance"], log)
    page = Page(wres4.render(wres4.funnel([tmp_path / "log.csv"]), "html"))
    assert "Decline reasons by group: none." in page.all_text
