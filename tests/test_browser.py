"""The HTML reports in a real browser: headless Chromium prints each to PDF (A4, a sensible
page count) and takes a screenshot that is not blank.

`.ci/run` installs Debian's chromium when it is missing; only where none can be found is the
test skipped, and the reason is printed. Each report is made and opened once per module.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from wres4.cli import cli

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = (
    "--headless",
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)
A4_POINTS = (595, 842)  # 210 x 297 mm at 72 points an inch, to the nearest point


def browser() -> str | None:
    found = (shutil.which(name) for name in BROWSERS)
    return next((path for path in found if path), None)


def chromium(binary: str, page: Path, *args: str) -> None:
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [binary, *FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.fixture(scope="module")
def shown(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, tuple[Path, Path]]]:
    """{report: (pdf, screenshot)} for the compute report (with a breakdown), the funnel and
    progression."""
    binary = browser()
    if binary is None:
        # pytest prints the reason in its summary (-rs in pyproject's addopts)
        pytest.skip("no Chromium found (.ci/run installs Debian's chromium where apt-get works)")
    folder = tmp_path_factory.mktemp("browser")
    staff, training = EXAMPLES / "staff.csv", EXAMPLES / "training.csv"
    targets = ["--target", "Ready Now=5", "--target", "Mary Seacole=2"]
    commands = {
        "compute": ["compute", staff, "--training", training, "--by", "pay_band"],
        "funnel": ["funnel", EXAMPLES / "applications.csv", "--staff", staff, *targets],
        "progression": ["progression", staff, "--training", training],
    }
    out = {}
    for name, args in commands.items():
        page = folder / f"{name}.html"
        done = CliRunner().invoke(cli, ["-q", *map(str, args), "-o", str(page)])
        assert done.exit_code == 0, done.output
        pdf, png = folder / f"{name}.pdf", folder / f"{name}.png"
        chromium(binary, page, f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
        chromium(binary, page, f"--screenshot={png}", "--window-size=1200,1600")
        out[name] = (pdf, png)
    yield out


def pages(pdf: bytes) -> list[tuple[float, float]]:
    """The (width, height) in points of every page object ('/Type /Page', not '/Pages')."""
    sizes = []
    for body in re.findall(rb"\d+ 0 obj\s*(<<.*?)endobj", pdf, re.S):
        if re.search(rb"/Type\s*/Page(?![A-Za-z])", body):
            box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", body)
            sizes.append((float(box.group(1)), float(box.group(2))) if box else (0.0, 0.0))
    return sizes


@pytest.mark.parametrize(
    ("report", "fewest", "most"), [("compute", 3, 12), ("funnel", 3, 12), ("progression", 3, 12)]
)
def test_prints_to_a4_pages(
    shown: dict[str, tuple[Path, Path]], report: str, fewest: int, most: int
) -> None:
    pdf = shown[report][0].read_bytes()
    assert pdf.startswith(b"%PDF-")
    sizes = pages(pdf)
    # The charts, tables, data quality and method (on a page of its own) do not fit on two
    # pages, and a runaway layout (a chart a page) would pass a dozen.
    assert fewest <= len(sizes) <= most, sizes
    assert all((round(w), round(h)) == A4_POINTS for w, h in sizes), sizes


@pytest.mark.parametrize("report", ["compute", "funnel", "progression"])
def test_screenshot_is_not_blank(shown: dict[str, tuple[Path, Path]], report: str) -> None:
    from matplotlib.image import imread

    image = imread(shown[report][1])  # RGB(A) floats in 0..1
    assert image.shape[0] == 1600 and image.shape[1] == 1200
    rgb = image[..., :3]
    inked = (rgb.min(axis=2) < 0.9).mean()  # share of pixels that are not (near) white
    assert 0.02 < inked < 0.6, inked
    assert rgb.std() > 0.05
    # The charts' blue and the headings' accent are there, not only black text.
    blue = (rgb[..., 2] > 0.55) & (rgb[..., 0] < 0.3)
    assert blue.mean() > 0.001
