"""``rules timeline``: the law over time, per mineral, in the terminal and as SVG."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from syrupy.assertion import SnapshotAssertion

GALLIUM = [
    "rules",
    "timeline",
    "--mineral",
    "gallium",
    "--from",
    "2023-01-01",
    "--to",
    "2027-06-30",
]


def bar(out: str, measure: str) -> str:
    """The bar of ``measure``: one character per month from the first month shown."""
    (line,) = [line for line in out.splitlines() if line.startswith(measure + " ")]
    scale = next(line for line in out.splitlines() if line.startswith("measure"))
    return line[scale.index("│") :]


def test_gallium_timeline_snapshot(cli, snapshot: SnapshotAssertion) -> None:  # type: ignore[no-untyped-def]
    run = cli(GALLIUM)
    assert run.code == 0
    assert run.out == snapshot


def test_each_month_shows_the_state_the_pack_gives(cli) -> None:  # type: ignore[no-untyped-def]
    out = cli(GALLIUM).out
    gallium = bar(out, "cn-mofcom-gac-2023-23")
    us = bar(out, "cn-mofcom-2024-46")
    month = lambda year, m: (year - 2023) * 12 + m - 1  # noqa: E731
    assert gallium[month(2023, 7)] == " "  # effective 2023-08-01
    assert gallium[month(2023, 8)] == "█"
    assert gallium[month(2026, 11)] == "█"  # reviewed 2026-11-29: most of November confirmed
    assert gallium[month(2026, 12)] == "▒"  # past the pack's review date: the horizon
    assert us[month(2024, 11)] == " " and us[month(2024, 12)] == "█"  # from 2024-12-03
    assert us[month(2025, 11)] == "░" and us[month(2026, 10)] == "░"  # No. 70 of 2025
    assert us[month(2027, 1)] == "▒"
    assert len(gallium) == month(2027, 6) + 1


def test_svg_is_an_image_that_parses_as_xml(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "memo" / "gallium.svg"
    run = cli([*GALLIUM, "--svg", str(target)])
    assert run.code == 0 and f"wrote {target}" in run.err
    root = ET.parse(target).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    text = "".join(root.itertext())
    assert "gallium" in text and "cn-mofcom-gac-2023-23" in text.replace("\xa0", " ")


def test_all_minerals_are_drawn_with_listed_parties_apart(cli) -> None:  # type: ignore[no-untyped-def]
    out = cli(["rules", "timeline", "--from", "2023-01-01", "--to", "2026-12-31"]).out
    for name in ("gallium", "germanium", "graphite", "tungsten", "dysprosium", "every item"):
        assert any(line.startswith(name) or f", {name}" in line for line in out.splitlines()), name
    assert "suspended" in out and "unconfirmed" in out  # the legend


def test_bad_options_are_usage_errors(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli(["rules", "timeline", "--mineral", "unobtainium"]).code == 2
    run = cli(["rules", "timeline", "--from", "2026-01-01", "--to", "2025-01-01"])
    assert run.code == 2 and "before --from" in run.err
