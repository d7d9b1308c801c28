"""Headless Chromium from the Debian packages (chromium, chromium-driver), for the tests and for
``docs/screenshots.py``: no download, no network."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

CHROMIUM = os.environ.get("MINERALCHECK_CHROMIUM", "/usr/bin/chromium")
DRIVER = os.environ.get("MINERALCHECK_CHROMEDRIVER", "/usr/bin/chromedriver")


def missing() -> str | None:
    """Why the browser cannot start, or ``None`` when it can."""
    if shutil.which(CHROMIUM) and shutil.which(DRIVER):
        return None
    return (
        f"no Chromium at {CHROMIUM} or chromedriver at {DRIVER}: install the Debian packages "
        "chromium and chromium-driver (.ci/run does)"
    )


@contextmanager
def chromium(width: int = 1280, height: int = 900) -> Iterator[Any]:
    """A headless Chromium driven through chromedriver, logging the page's console."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    options.add_argument(f"--window-size={width},{height}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
