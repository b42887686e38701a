"""Regenerate docs/html-report.png, the README's picture of the HTML report.

Writes the compute report for the bundled synthetic examples and has headless Chromium
screenshot its first screen, so the picture is of the page a user gets, never drawn by hand.

    python scripts/screenshot_docs.py          # needs chromium (Debian: apt-get install chromium)
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "docs" / "html-report.png"
COMMAND = [
    "compute",
    "examples/staff.csv",
    "--training",
    "examples/training.csv",
    "--by",
    "pay_band",
]


def main() -> int:
    from click.testing import CliRunner

    from wres4.cli import cli

    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        print("screenshot_docs: no chromium on PATH; install it first", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "report.html"
        done = CliRunner().invoke(cli, ["-q", *COMMAND, "-o", str(page)], catch_exceptions=False)
        if done.exit_code:
            print(done.output, file=sys.stderr)
            return done.exit_code
        subprocess.run(
            [
                binary,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--hide-scrollbars",
                f"--user-data-dir={Path(folder) / 'profile'}",
                f"--screenshot={TARGET}",
                "--window-size=1100,1500",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
        )
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
