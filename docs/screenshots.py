"""Make the README's screenshots: the HTML report of examples/ and the gallium timeline.

Run from the repository root with the test extras installed and Debian's chromium and
chromium-driver: ``python docs/screenshots.py``. Writes docs/html-report.png and
docs/timeline.png (look at them before committing).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser import chromium  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        page = Path(scratch) / "report.html"
        svg = Path(scratch) / "timeline.svg"
        run = [sys.executable, "-m", "mineralcheck"]
        subprocess.run(
            [
                *run,
                "verify",
                "--no-cache",
                "examples",
                "-o",
                f"html:{page}",
                "-o",
                f"{Path(scratch) / 'report.txt'}",
            ],
            cwd=ROOT,
            check=False,
        )
        subprocess.run(
            [
                *run,
                "rules",
                "timeline",
                "--mineral",
                "gallium",
                "--from",
                "2023-01-01",
                "--to",
                "2027-06-30",
                "--svg",
                str(svg),
            ],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        with chromium(1280, 900) as browser:
            browser.get(page.as_uri())
            browser.save_screenshot(str(ROOT / "docs" / "html-report.png"))
        with chromium(1220, 330) as browser:
            browser.get(svg.as_uri())
            browser.save_screenshot(str(ROOT / "docs" / "timeline.png"))
    print("wrote docs/html-report.png and docs/timeline.png")


if __name__ == "__main__":
    main()
