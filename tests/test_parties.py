"""Every listed party by name: exact, normalised, Chinese, contained and close matches, and
precision against thousands of ordinary company names that must not match."""

from __future__ import annotations

from typing import Any

import pytest

from mineralcheck.engine.parties import Kind, Screen, normalise
from mineralcheck.pipeline import Checker
from mineralcheck.ruleset.rules import Party

LISTED = (
    Party(name="Huntington Ingalls Industries, Inc.", aliases=("亨廷顿·英格尔斯工业公司",)),
    Party(name="Lockheed Martin Corporation", aliases=("洛克希德·马丁公司",)),
    Party(name="Mitsubishi Heavy Industries Shipbuilding Co."),
    Party(name="Group W"),
)
SCREEN = Screen(LISTED)


@pytest.mark.parametrize(
    ("written", "kind", "listed"),
    [
        ("Huntington Ingalls Industries, Inc.", Kind.EXACT, 0),
        ("HUNTINGTON-INGALLS INDUSTRIES INC", Kind.EXACT, 0),  # case, punctuation, legal form
        ("Ingalls Industries Huntington", Kind.EXACT, 0),  # word order
        ("亨廷顿·英格尔斯工业公司", Kind.EXACT, 0),  # the annex's Chinese name
        ("亨廷顿英格尔斯工业", Kind.EXACT, 0),  # without 公司 and the middle dot
        ("Lockheed Martin Corp.", Kind.EXACT, 1),
        ("Lockheed Martin Space", Kind.CONTAINED, 1),  # an affiliate: a person confirms
        ("Huntington Ingals Industries", Kind.CLOSE, 0),  # one letter off
        ("Mitsubishi Heavy Industries Shipbuilding Co., Ltd.", Kind.EXACT, 2),
        ("Group W", Kind.EXACT, 3),
    ],
)
def test_a_listed_name_is_found_however_written(written: str, kind: Kind, listed: int) -> None:
    hit = SCREEN.match(written)
    assert hit is not None and hit.kind is kind and hit.party is LISTED[listed]


@pytest.mark.parametrize(
    "written",
    ["Huntington Bank", "Martin Marietta Materials", "Mitsubishi Corporation", "W Group Holdings",
     "Ingalls Shipbuilding Museum", "洛克菲勒公司", "Example Consignee GmbH", ""],
)  # fmt: skip
def test_other_names_do_not_match(written: str) -> None:
    assert SCREEN.match(written) is None


def test_thousands_of_ordinary_company_names_match_no_listed_party(
    bundled_checker: Checker,
) -> None:
    from faker import Faker

    screens = [c.parties for c in bundled_checker.judge.controls if c.parties is not None]
    listed = sum(len(s.exact) for s in screens)
    assert len(screens) >= 20 and listed >= 400  # every listing of the pack, with aliases
    names: set[str] = set()
    for locale in ("en_US", "de_DE", "ja_JP", "zh_CN", "fr_FR"):
        fake = Faker(locale)
        fake.seed_instance(2026)
        names.update(fake.company() for _ in range(800))
    hits = [(name, hit) for name in sorted(names) for s in screens if (hit := s.match(name))]
    assert len(names) > 3000
    assert hits == []


def test_normalised_names_drop_forms_case_punctuation_and_order() -> None:
    assert normalise("Gibbs&Cox, Inc.") == normalise("gibbs & cox")
    assert normalise("CSBC Corporation,Taiwan") == normalise("Taiwan CSBC Corp")
    assert normalise("三菱造船株式会社") == "三菱造船"


def test_rules_show_marks_names_known_from_one_compilation(cli: Any) -> None:
    run = cli(["rules", "show", "cn-mofcom-2026-23-entities"])
    assert "listed party: MP Materials Corp. (also 芒廷帕斯材料公司)\n" in run.out
    assert (
        "Red Cat Holdings, Inc. (also 红猫控股公司) [UNCONFIRMED: a match is a warning]" in run.out
    )
    assert "items of origin CN" in run.out  # the re-transfer control
