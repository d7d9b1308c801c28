"""Matching true to the law: HS codes as evidence, and a closed vocabulary of forms.

Every piece of evidence an item gives (mineral, form, HS code) can bring a control in; none can
take out one that another brings in. Each test tries to get a pass for an item the law covers.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from conftest import README, TESTS, check, manifest, permit
from mineralcheck.forms import FORMS, broader, canonical_form, markdown_table, meet
from mineralcheck.pipeline import Checker
from mineralcheck.results import Severity

FORM_RULES = TESTS / "data" / "forms-rules"


def item(description: str, **fields: str) -> str:
    lines = [f"  - description: {description}"]
    lines += [f"    {key}: {value}" for key, value in fields.items()]
    return "\n".join([*lines, "    quantity: 10 kg", ""])


def verdict_and_rules(
    checker: Checker, text: str, as_of: str | None = None
) -> tuple[str, set[str]]:
    result = check(checker, text, as_of)
    rules = {f"{f.severity}:{f.rule}" for f in result.findings if f.severity.rank > 0}
    return str(result.verdict), rules


# -- 1. the HS code is evidence and never a way out ---------------------------------------------


def test_a_natural_graphite_code_decides_an_undecided_graphite(bundled_checker: Checker) -> None:
    text = manifest(
        item("Graphite flakes", mineral="graphite", hs_code='"2504101000"'),
        consignee="KR",
        ship_date="2025-03-01",
    )
    verdict, rules = verdict_and_rules(bundled_checker, text)
    assert verdict == "fail"
    assert "fail:cn-mofcom-gac-2023-39/natural-graphite" in rules


def test_tungsten_declared_as_a_compound_under_the_apt_code_fails(bundled_checker: Checker) -> None:
    text = manifest(
        item("Tungsten compound", mineral="tungsten", form="compound", hs_code='"2841801000"'),
        consignee="US",
        ship_date="2025-02-05",
    )
    verdict, rules = verdict_and_rules(bundled_checker, text)
    assert verdict == "fail"
    assert "fail:cn-mofcom-gac-2025-10/tungsten-apt-oxides-carbide" in rules
    assert "warn:cn-mofcom-gac-2025-10/tungsten-apt-oxides-carbide" in rules  # names both


def test_an_item_known_only_by_a_listed_code_never_passes(bundled_checker: Checker) -> None:
    holmium = manifest(item("Holmium oxide", hs_code='"2846909990"'), ship_date="2026-11-20")
    assert verdict_and_rules(bundled_checker, holmium)[0] != "pass"
    magnet = manifest(
        item("Sintered magnets", hs_code='"8505111000"', origin="CN"),
        exporter="DE",
        consignee="US",
        ship_date="2026-11-20",
    )
    assert verdict_and_rules(bundled_checker, magnet)[0] != "pass"


def test_a_code_the_declared_mineral_contradicts_keeps_both(test_checker: Checker) -> None:
    text = manifest(item("Iron", mineral="iron", hs_code="8112929090"))
    result = check(test_checker, text)
    assert result.verdict is Severity.WARN  # a shorter prefix covers other goods too: warn
    (finding,) = [f for f in result.findings if f.severity is Severity.WARN]
    assert "iron" in finding.message and "8112929090" in finding.message


def test_a_shared_mixture_code_agrees_with_any_mineral_it_names(bundled_checker: Checker) -> None:
    text = manifest(
        item("Dy2O3", mineral="dysprosium", form="oxide", hs_code='"2846901993"', permits="[P-1]"),
        permits=permit(covers="[dysprosium]", valid_until="2025-12-31"),
    )
    assert verdict_and_rules(bundled_checker, text) == ("pass", set())


def test_a_code_listed_for_the_controlled_purity_overrides_a_lower_one(
    bundled_checker: Checker,
) -> None:
    oxide = dict(mineral="antimony", form="oxide", purity="99.98%")
    below = manifest(item("Sb2O3", **oxide), ship_date="2025-01-10")
    assert verdict_and_rules(bundled_checker, below)[0] == "pass"
    coded = manifest(item("Sb2O3", **oxide, hs_code='"2825800010"'), ship_date="2025-01-10")
    verdict, rules = verdict_and_rules(bundled_checker, coded)
    assert verdict == "warn" and "warn:cn-mofcom-gac-2024-33/antimony-oxides" in rules


def test_a_plain_ndfeb_magnet_is_clear_of_ore_and_technology_controls(
    bundled_checker: Checker,
) -> None:
    text = manifest(
        item("NdFeB magnets", mineral="NdFeB", form="magnet", hs_code='"8505111000"'),
        ship_date="2026-11-20",
    )
    _, rules = verdict_and_rules(bundled_checker, text)
    assert not any("2025-56" in r or "2025-62" in r for r in rules), rules


# -- 2. the form vocabulary decides both ways ---------------------------------------------------


@pytest.mark.parametrize(
    ("declared", "listed", "meets"),
    [
        ("oxide", ("oxide",), True),
        ("ingot", ("metal",), True),  # an ingot is metal
        ("oxide", ("compound",), True),  # an oxide is a compound
        ("compound", ("oxide",), None),  # a compound may be an oxide
        ("metal", ("ingot", "bar"), None),  # metal may be an ingot
        ("powder", ("oxide",), None),  # a powder says nothing of the chemistry
        ("powder", ("technology",), False),
        ("magnet", ("ore", "concentrate"), False),
        ("metal", ("oxide",), False),
        ("software", ("technology",), True),
    ],
)
def test_a_form_meets_rules_out_or_asks(
    declared: str, listed: tuple[str, ...], meets: bool | None
) -> None:
    assert meet(declared, listed).meets is meets


def test_every_form_has_its_place() -> None:
    spellings: dict[str, str] = {}
    for name, form in FORMS.items():
        assert name in broader(name) and set(form.within) <= set(FORMS)
        for spelling in (name, *form.synonyms):
            assert spellings.setdefault(spelling, name) == name, spelling  # no spelling twice
            assert canonical_form(spelling.upper()) == name


def test_the_readme_lists_the_vocabulary() -> None:
    block = re.search(r"<!-- forms:start[^>]*-->\n(.*?)\n<!-- forms:end -->", README, re.DOTALL)
    assert block is not None and block.group(1) == markdown_table()


def test_an_unknown_form_is_an_error_with_a_suggestion(test_checker: Checker) -> None:
    text = manifest(item("Gallium", mineral="gallium", form="oxyde"))
    result = check(test_checker, text)
    assert result.verdict is Severity.ERROR
    assert "unknown form 'oxyde'" in result.findings[0].message
    assert "did you mean 'oxide'" in result.findings[0].message


def test_carbon_is_not_graphite(bundled_checker: Checker) -> None:
    text = manifest(item("Carbon black", mineral="carbon"), consignee="KR")
    assert verdict_and_rules(bundled_checker, text)[0] == "pass"


# Every form of the vocabulary under a control that names metal, oxide, powder and technology,
# through the real CLI: fail when the form is one of them or a kind of one, warn when it may be
# one (broader, or silent on the chemistry), pass when it rules the control out.
FORM_VERDICTS = {
    "metal": "fail", "alloy": "pass", "compound": "warn", "oxide": "fail", "hydroxide": "pass",
    "salt": "pass", "carbide": "pass", "organic compound": "pass", "ore": "pass",
    "concentrate": "pass", "beneficiated ore": "pass", "intermediate": "warn",
    "raw material": "warn", "solid": "warn", "ingot": "fail",
    "block": "fail", "bar": "fail", "rod": "fail", "billet": "fail", "bead": "fail",
    "granule": "fail", "lump": "fail", "sheet": "fail", "plate": "fail", "wire": "fail",
    "slab": "fail", "tube": "fail", "cathode": "fail", "sponge": "fail", "scrap": "fail",
    "pellet": "warn", "mixture": "warn", "casting": "warn", "machine part": "warn",
    "powder": "fail", "micropowder": "fail",
    "particles": "fail", "flake": "fail", "crystal": "warn", "single crystal": "warn",
    "wafer": "warn", "window": "pass", "target": "pass", "phosphor": "pass", "catalyst": "pass",
    "rotor": "pass", "stator": "pass", "consumer product": "pass", "magnet": "pass",
    "anode material": "pass", "anode": "pass", "cathode material": "pass", "battery": "pass",
    "cell": "pass", "battery pack": "pass", "technology": "fail", "software": "fail",
    "drawings": "fail", "process specification": "fail", "equipment": "pass",
    "grinding wheel": "pass", "wire saw": "pass",
}  # fmt: skip


def test_the_verdict_table_covers_the_whole_vocabulary() -> None:
    assert set(FORM_VERDICTS) == set(FORMS)


@pytest.mark.parametrize("form", sorted(FORMS))
def test_every_form_of_the_vocabulary_decides_through_verify(cli: Any, form: str) -> None:
    text = manifest(
        item(
            "Antimony item",
            mineral="antimony",
            form=f'"{FORMS[form].synonyms[0] if FORMS[form].synonyms else form}"',
        )
    )
    run = cli(
        ["verify", "-", "-f", "json", "--no-bundled-rules", "--rules", str(FORM_RULES)],
        stdin=text.encode(),
    )
    (result,) = json.loads(run.out)["results"]
    assert result["verdict"] == FORM_VERDICTS[form], (form, result["findings"])
