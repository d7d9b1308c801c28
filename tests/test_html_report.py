"""The HTML report, opened in a real browser: headless Chromium from the Debian package
(``.ci/run`` installs it when missing), driven through chromedriver."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser import chromium, missing
from conftest import EXAMPLES, ROOT, manifest
from mineralcheck.formats.html import link

RECORDS = EXAMPLES / "records"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    problem = missing()
    if problem is not None:
        pytest.fail(problem)
    with chromium() as driver:
        yield driver


def open_page(browser: Any, page: Path) -> list[dict[str, Any]]:
    """Load the page; the browser's console messages while loading."""
    browser.get_log("browser")  # drop what an earlier page logged
    browser.get(page.as_uri())
    return list(browser.get_log("browser"))


def report(cli: Any, tmp_path: Path, *args: str) -> tuple[Path, dict[str, Any]]:
    page = tmp_path / "report.html"
    data = tmp_path / "report.json"
    run = cli(["verify", "--no-cache", *args, "-o", f"html:{page}", "-o", f"json:{data}"])
    assert run.code in (0, 1, 2), run.err
    return page, json.loads(data.read_text())


def visible(browser: Any, selector: str) -> list[Any]:
    return [e for e in browser.find_elements("css selector", selector) if e.is_displayed()]


def choose(browser: Any, select_id: str, value: str) -> None:
    from selenium.webdriver.support.ui import Select

    Select(browser.find_element("id", select_id)).select_by_value(value)


def test_the_page_shows_counts_and_every_failing_manifest(
    cli: Any, tmp_path: Path, browser: Any
) -> None:
    page, data = report(cli, tmp_path, str(EXAMPLES))
    console = open_page(browser, page)
    assert [m for m in console if m["level"] in ("SEVERE", "WARNING")] == []
    summary = data["summary"]
    for verdict in ("pass", "warn", "fail", "error"):
        assert browser.find_element("id", f"count-{verdict}").text == str(summary[verdict])
    failing = [r["path"] for r in data["results"] if r["verdict"] == "fail"]
    shown = [
        e.get_attribute("textContent")
        for e in browser.find_elements("css selector", "details.fail summary code")
    ]
    assert sorted(shown) == sorted(failing) and failing
    # what needs attention comes before what passed
    order = browser.execute_script(
        "return Array.from(document.querySelectorAll('.row')).map(r => r.dataset.verdict)"
    )
    ranks = [{"fail": 0, "error": 1, "warn": 2, "pass": 3}[v] for v in order]
    assert ranks == sorted(ranks) and len(order) == summary["manifests"]
    # nothing was fetched: the page is self-contained
    fetched = browser.execute_script("return performance.getEntriesByType('resource').length")
    assert fetched == 0
    # every finding's legal reference links to the measure's source in the table of sources
    references = browser.find_elements("css selector", "details.fail td a")
    assert references
    for reference in references:
        anchor = reference.get_attribute("href").partition("#")[2]
        row = browser.find_element("id", anchor)
        assert row.text.startswith(reference.get_attribute("textContent"))
        source = row.find_element("css selector", "a").get_attribute("href")
        assert source.startswith(("https://", "http://"))
    shot = tmp_path / "report.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 20_000


def test_filters_by_verdict_measure_and_mineral(cli: Any, tmp_path: Path, browser: Any) -> None:
    page, data = report(cli, tmp_path, str(EXAMPLES))
    open_page(browser, page)
    results = data["results"]
    choose(browser, "f-verdict", "warn")
    rows = visible(browser, ".row")
    warn = [r for r in results if r["verdict"] == "warn"]
    assert len(rows) == len(warn) and all(r.get_attribute("data-verdict") == "warn" for r in rows)
    assert browser.find_element("id", "shown").text == f"showing {len(warn)} of {len(results)}"
    choose(browser, "f-verdict", "")
    choose(browser, "f-measure", "cn-mofcom-gac-2023-23")
    expected = {
        r["path"]
        for r in results
        if any(
            (f["rule"] or "").startswith("cn-mofcom-gac-2023-23/")
            for f in r["findings"]
            if f["severity"] != "info"
        )
    }
    shown = {
        e.find_element("css selector", "summary code").get_attribute("textContent")
        for e in visible(browser, "details.row")
    }
    assert shown == expected and expected
    choose(browser, "f-measure", "")
    choose(browser, "f-mineral", "dysprosium")
    rows = visible(browser, ".row")
    assert rows and all(" dysprosium " in r.get_attribute("data-minerals") for r in rows)
    # a count button is a filter too
    browser.find_element("css selector", 'button[data-show="pass"]').click()
    choose(browser, "f-mineral", "")
    rows = visible(browser, ".row")
    passed = [r for r in results if r["verdict"] == "pass"]
    assert len(rows) == len(passed)


def test_licences_drawn_and_reviews_applied_are_shown(
    cli: Any, tmp_path: Path, browser: Any
) -> None:
    page, data = report(
        cli,
        tmp_path,
        str(RECORDS),
        "--permits",
        str(RECORDS / ".register.yaml"),
        "--reviews",
        str(RECORDS / ".reviews.yaml"),
    )
    open_page(browser, page)
    licences = browser.find_element("id", "licences").text
    assert "GEN-2025-0001" in licences or "DU-ONE-2025-0011" in licences
    reviewed = [
        (r["manifest_id"], f["rule"])
        for r in data["results"]
        for f in r["findings"]
        if f["code"] == "reviewed"
    ]
    reviews = browser.find_element("id", "reviews").text
    assert reviewed and all(m in reviews and rule in reviews for m, rule in reviewed)


def test_no_value_from_a_manifest_becomes_markup(cli: Any, tmp_path: Path, browser: Any) -> None:
    hostile = '<script>document.title="owned"</script><img src=x onerror="document.title=1">'
    path = tmp_path / "m" / "evil.yaml"
    path.parent.mkdir()
    path.write_text(
        manifest(f"  - description: '{hostile}'\n    mineral: gallium\n    quantity: 10 kg\n")
    )
    page, _ = report(cli, tmp_path, str(path.parent))
    console = open_page(browser, page)
    assert browser.title == "mineralcheck report"
    assert browser.find_elements("css selector", "details img") == []
    assert len(browser.find_elements("css selector", "script")) == 1  # the page's own
    assert hostile in browser.find_element("css selector", "details").text
    assert [m for m in console if m["level"] == "SEVERE"] == []


def test_only_web_addresses_become_links() -> None:
    assert link("javascript:alert(1)", "x") == "x"
    assert link("data:text/html,hi", "x") == "x"
    assert link("https://example.org/a?b=1&c=2", "No. 1").startswith(
        '<a href="https://example.org/a?b=1&amp;c=2" rel="noopener noreferrer">'
    )


def test_the_committed_screenshots_exist() -> None:
    for name in ("html-report.png", "timeline.png"):
        shot = ROOT / "docs" / name
        assert shot.stat().st_size > 20_000, name
        assert f"docs/{name}" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_first_manifests_are_open_and_the_rest_open_on_a_click(
    cli: Any, tmp_path: Path, browser: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mineralcheck.formats import html

    monkeypatch.setattr(html, "OPEN", 3)
    page, _ = report(cli, tmp_path, str(EXAMPLES / "fail"))
    open_page(browser, page)
    details = browser.find_elements("css selector", "details.manifest")
    assert [d.get_attribute("open") is not None for d in details[:4]] == [True] * 3 + [False]
    table = details[3].find_element("css selector", "table")
    assert not table.is_displayed()
    details[3].find_element("css selector", "summary").click()
    assert table.is_displayed()
    browser.find_element("id", "open-all").click()
    assert all(d.get_attribute("open") is not None for d in details)
