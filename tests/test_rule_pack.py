"""The bundled rule pack, measure by measure, through ``verify`` over the examples."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import EXAMPLES, ROOT
from mineralcheck.ruleset.files import bundled_pack_dir
from mineralcheck.ruleset.loader import load_pack

# measure -> [(example, expected verdict, severity the measure's own findings must reach)]
# A "pass" case expects no warn/fail finding from the measure; a warn/fail case expects the
# measure itself to produce a finding of that severity (so the verdict is the measure's doing).
CASES: dict[str, list[tuple[str, str, str]]] = {
    "cn-mofcom-costind-gac-2006-50": [
        ("warn/cn-2023-39-natural-graphite-day-before-effective", "warn", "warn"),
        ("pass/cn-2023-39-artificial-graphite-at-99.9", "pass", "pass"),
    ],
    "cn-mofcom-gac-2023-23": [
        ("pass/cn-2023-23-gallium-day-before-effective", "pass", "pass"),
        ("fail/cn-2023-23-gallium-day-effective-no-permit", "fail", "fail"),
        ("pass/cn-2023-23-germanium-dioxide-licensed", "pass", "pass"),
    ],
    "cn-mofcom-gac-2023-39": [
        ("pass/cn-2023-39-artificial-graphite-at-99.9", "pass", "pass"),
        ("fail/cn-2023-39-artificial-graphite-above-99.9", "fail", "fail"),
        ("warn/cn-2023-39-artificial-graphite-purity-missing", "warn", "warn"),
        ("warn/cn-2023-39-artificial-graphite-at-99.9-listed-code", "warn", "warn"),
        ("fail/cn-2023-39-artificial-graphite-purity-missing-listed-code", "fail", "fail"),
        ("warn/cn-2023-39-natural-graphite-day-before-effective", "warn", "pass"),
        ("fail/cn-2023-39-natural-graphite-day-effective", "fail", "fail"),
        ("fail/cn-2023-39-graphite-with-natural-flake-code", "fail", "fail"),
    ],
    "cn-mofcom-gac-2024-33": [
        ("pass/cn-2024-33-antimony-oxide-below-99.99", "pass", "pass"),
        ("warn/cn-2024-33-antimony-oxide-below-99.99-listed-code", "warn", "warn"),
        ("fail/cn-2024-33-antimony-oxide-at-99.99", "fail", "fail"),
        ("pass/cn-2024-33-antimony-ingots-day-before-effective", "pass", "pass"),
        ("fail/cn-2024-33-antimony-ingots-day-effective", "fail", "fail"),
        ("warn/cn-2024-33-antimony-compound-may-be-oxide", "warn", "warn"),
    ],
    "cn-mofcom-2024-46": [
        ("pass/cn-2024-46-gallium-us-day-before", "pass", "pass"),
        ("fail/cn-2024-46-gallium-us-day-effective", "fail", "fail"),
        ("pass/cn-2024-46-gallium-us-first-day-of-suspension", "pass", "pass"),
        ("pass/cn-2024-46-gallium-us-last-day-of-suspension", "pass", "pass"),
        ("fail/cn-2024-46-gallium-us-after-suspension", "fail", "fail"),
        ("warn/cn-2024-46-graphite-us-stricter-review", "warn", "warn"),
        ("pass/cn-2024-46-graphite-us-during-suspension", "pass", "pass"),
        ("pass/cn-2024-46-graphite-to-germany-not-reviewed", "pass", "pass"),
        ("fail/cn-2024-46-dual-use-to-us-military", "fail", "fail"),
        ("pass/cn-2024-46-non-dual-use-to-us-military", "pass", "pass"),
        ("warn/cn-2024-46-gallium-us-with-licence", "warn", "warn"),
        ("warn/cn-2024-46-gallium-us-after-suspension-with-licence", "warn", "warn"),
    ],
    "cn-mofcom-gac-2025-10": [
        ("pass/cn-2025-10-apt-day-before-effective", "pass", "pass"),
        ("fail/cn-2025-10-apt-day-effective", "fail", "fail"),
        ("pass/cn-2025-10-tungsten-bar-below-97", "pass", "pass"),
        ("fail/cn-2025-10-tungsten-bar-at-97", "fail", "fail"),
        ("pass/cn-2025-10-molybdenum-powder-below-97", "pass", "pass"),
        ("fail/cn-2025-10-molybdenum-powder-at-97", "fail", "fail"),
        ("pass/cn-2025-10-bismuth-ingots-licensed", "pass", "pass"),
        ("fail/cn-2025-10-indium-phosphide-no-permit", "fail", "fail"),
        ("warn/cn-2025-10-tellurium-form-missing", "warn", "warn"),
        ("fail/cn-2025-10-tellurium-form-missing-listed-code", "fail", "fail"),
        ("warn/cn-2025-10-tungsten-bar-below-97-listed-code", "warn", "warn"),
        ("warn/cn-2025-10-molybdenum-powder-below-97-listed-code", "warn", "warn"),
        ("fail/cn-2025-10-tungsten-compound-under-apt-code", "fail", "fail"),
        ("fail/cn-2025-10-apt-known-only-by-code", "fail", "fail"),
    ],
    "cn-mofcom-gac-2025-18": [
        ("pass/cn-2025-18-dysprosium-day-before-effective", "pass", "pass"),
        ("fail/cn-2025-18-dysprosium-day-effective", "fail", "fail"),
        ("fail/cn-2025-18-ndfeb-with-terbium-no-permit", "fail", "fail"),
        ("pass/ndfeb-magnets-without-dy-tb-no", "pass", "pass"),
        ("warn/magnets-declared-by-hs-code-only", "warn", "warn"),
        ("fail/dysprosium-no-permit-us-end-user", "fail", "fail"),
        ("pass/dysprosium-oxide-licensed-de", "pass", "pass"),
        ("warn/cn-2025-18-faq-rotor-assembly", "warn", "warn"),
        ("warn/cn-2025-18-faq-phosphor", "warn", "warn"),
        ("fail/cn-2025-18-dy-ndfeb-magnet-not-in-faq", "fail", "fail"),
        ("fail/cn-2025-18-copper-under-samarium-oxide-code", "fail", "fail"),
        ("warn/cn-2025-18-code-next-to-listed-ones", "warn", "warn"),
    ],
    "cn-mofcom-gac-2025-55": [
        ("pass/cn-2025-55-diamond-powder-day-before-effective", "pass", "pass"),
        ("pass/cn-2025-55-diamond-powder-during-suspension", "pass", "pass"),
        ("pass/cn-2025-55-diamond-powder-last-day-of-suspension", "pass", "pass"),
        ("fail/cn-2025-55-diamond-powder-after-suspension", "fail", "fail"),
    ],
    "cn-mofcom-gac-2025-56": [
        ("pass/cn-2025-56-rare-earth-ore-during-suspension", "pass", "pass"),
        ("fail/cn-2025-56-rare-earth-ore-after-suspension", "fail", "fail"),
        ("warn/cn-2025-56-equipment-needs-a-look", "warn", "warn"),
        ("pass/cn-2025-56-ndfeb-magnet-is-not-ore", "pass", "pass"),
    ],
    "cn-mofcom-gac-2025-57": [
        ("pass/cn-2025-57-holmium-day-before-effective", "pass", "pass"),
        ("pass/cn-2025-57-holmium-during-suspension", "pass", "pass"),
        ("fail/cn-2025-57-holmium-after-suspension", "fail", "fail"),
    ],
    "cn-mofcom-gac-2025-58": [
        ("pass/cn-2025-58-lfp-during-suspension", "pass", "pass"),
        ("warn/cn-2025-58-lfp-after-suspension", "warn", "warn"),
        ("fail/cn-2025-58-graphite-anode-after-suspension", "fail", "fail"),
    ],
    "cn-mofcom-2025-61": [
        ("pass/cn-2025-61-prc-origin-day-before", "pass", "pass"),
        ("fail/cn-2025-61-prc-origin-in-force", "fail", "fail"),
        ("pass/cn-2025-61-prc-origin-first-day-of-suspension", "pass", "pass"),
        ("warn/cn-2025-61-foreign-made-magnet-after-suspension", "warn", "warn"),
        ("fail/cn-2025-61-dysprosium-oxide-in-annex", "fail", "fail"),
        ("warn/cn-2025-61-samarium-oxide-outside-annex", "warn", "warn"),
        ("warn/cn-2025-61-magnet-known-only-by-code", "warn", "warn"),
        ("pass/cn-2025-61-plain-ndfeb-magnet-of-prc-origin", "pass", "pass"),
    ],
    "cn-mofcom-2025-62": [
        ("pass/cn-2025-62-technology-day-before", "pass", "pass"),
        ("fail/cn-2025-62-technology-in-force", "fail", "fail"),
    ],
    "cn-mofcom-2026-1": [
        ("pass/cn-2026-1-japan-military-day-before", "pass", "pass"),
        ("fail/cn-2026-1-japan-military-day-effective", "fail", "fail"),
        ("pass/cn-2026-1-korean-military-not-japan", "pass", "pass"),
    ],
    "cn-mofcom-2025-1-entities": [
        ("fail/cn-2025-1-listed-party", "fail", "fail"),
        ("warn/cn-2025-1-name-from-one-compilation", "warn", "warn"),
    ],
    "cn-mofcom-2025-13-entities": [
        ("fail/cn-2025-13-listed-party", "fail", "fail"),
    ],
    "cn-mofcom-2025-21-entities": [
        ("fail/cn-2025-21-listed-party", "fail", "fail"),
        ("pass/cn-2025-21-universal-logistics-2025-05-14", "pass", "pass"),
        ("pass/cn-2025-21-universal-logistics-2026-11-09", "pass", "pass"),
        ("fail/cn-2025-21-universal-logistics-2026-11-10", "fail", "fail"),
    ],
    "cn-mofcom-2025-22-entities": [
        ("fail/cn-2025-22-listed-party", "fail", "fail"),
    ],
    "cn-mofcom-2025-35-entities": [
        ("fail/cn-2025-35-listed-party", "fail", "fail"),
    ],
    "cn-mofcom-2025-51-entities": [
        ("pass/cn-2025-51-listed-party-day-before", "pass", "pass"),
        ("fail/cn-2025-51-listed-party", "fail", "fail"),
        ("fail/cn-2025-51-global-dimensions", "fail", "fail"),
        ("fail/cn-2025-51-name-normalised", "fail", "fail"),
        ("fail/cn-2025-51-chinese-name", "fail", "fail"),
        ("warn/cn-2025-51-near-miss", "warn", "warn"),
    ],
    "cn-mofcom-2026-11-entities": [
        ("fail/cn-2026-11-listed-party", "fail", "fail"),
    ],
    "cn-mofcom-2026-12-watch-list": [
        ("warn/cn-2026-12-watch-list", "warn", "warn"),
    ],
    "cn-mofcom-2026-20-entities": [
        ("fail/cn-2026-20-listed-party", "fail", "fail"),
    ],
    "cn-mofcom-2026-23-entities": [
        ("pass/cn-2026-listed-party-day-before", "pass", "pass"),
        ("fail/cn-2026-listed-party-through-german-consignee", "fail", "fail"),
        ("fail/cn-2026-23-re-transfer-from-germany", "fail", "fail"),
        ("pass/cn-2026-23-german-origin-to-listed-party", "pass", "pass"),
    ],
    "cn-mofcom-2026-27-entities": [
        ("fail/cn-2026-27-listed-party", "fail", "fail"),
        ("warn/cn-2026-27-name-from-one-compilation", "warn", "warn"),
    ],
    "cn-mofcom-2026-28-watch-list": [
        ("warn/cn-2026-28-watch-list", "warn", "warn"),
    ],
    "cn-mofcom-2026-30-entities": [
        ("warn/cn-2026-30-unconfirmed-listing", "warn", "warn"),
    ],
    "cn-uel-2023-02-16": [
        ("fail/cn-uel-2023-02-16-copper", "fail", "fail"),
    ],
    "cn-uel-2024-05-20": [
        ("fail/cn-uel-2024-05-20-copper", "fail", "fail"),
    ],
    "cn-uel-2025-1": [
        ("fail/cn-uel-2025-1-copper", "fail", "fail"),
    ],
    "cn-uel-2025-10": [
        ("fail/cn-uel-2025-10-copper", "fail", "fail"),
    ],
    "cn-uel-2025-2": [
        ("fail/cn-uel-2025-2-copper", "fail", "fail"),
    ],
    "cn-uel-2025-3": [
        ("fail/cn-uel-2025-3-copper", "fail", "fail"),
    ],
    "cn-uel-2025-5": [
        ("fail/cn-uel-2025-5-copper", "fail", "fail"),
        ("pass/cn-uel-2025-5-copper-after-stop", "pass", "pass"),
        ("fail/cn-uel-2025-5-huntington-ingalls-before-no-51", "fail", "fail"),
    ],
    "cn-uel-2025-7": [
        ("fail/cn-uel-2025-7-copper", "fail", "fail"),
    ],
    "cn-uel-2025-8": [
        ("fail/cn-uel-2025-8-copper", "fail", "fail"),
    ],
    "cn-uel-2025-9": [
        ("fail/cn-uel-2025-9-copper", "fail", "fail"),
    ],
    # --- other jurisdictions (research/licences-and-other-jurisdictions.md, Part B) ---------
    "cd-arecoms-2025-001": [
        ("pass/cd-2025-001-cobalt-day-before-suspension", "pass", "pass"),
        ("fail/cd-2025-001-cobalt-day-suspension-starts", "fail", "fail"),
        ("fail/cd-2025-001-cobalt-last-day-of-suspension", "fail", "fail"),
        ("fail/cd-2025-004-cobalt-quota-first-day-no-avq", "fail", "pass"),
    ],
    "cd-arecoms-2025-004": [
        ("fail/cd-2025-001-cobalt-last-day-of-suspension", "fail", "pass"),
        ("fail/cd-2025-004-cobalt-quota-first-day-no-avq", "fail", "fail"),
        ("pass/cd-2025-004-cobalt-hydroxide-with-arecoms-avq", "pass", "pass"),
        ("fail/cd-2025-004-cobalt-with-a-mofcom-licence", "fail", "fail"),
        ("warn/cd-2025-004-cobalt-content-not-declared", "warn", "warn"),
        ("pass/cd-2025-004-cobalt-royalty-notice", "pass", "pass"),
    ],
    "id-memr-2019-11": [
        ("pass/id-2019-11-nickel-ore-day-before-ban", "pass", "pass"),
        ("fail/id-2019-11-nickel-ore-day-ban-starts", "fail", "fail"),
        ("warn/id-2019-11-nickel-raw-material-may-be-ore", "warn", "warn"),
        ("pass/id-2019-11-nickel-cathode-not-ore", "pass", "pass"),
    ],
    "id-law-2020-3": [
        ("pass/id-2020-3-bauxite-ore-day-before-ban", "pass", "pass"),
        ("fail/id-2020-3-bauxite-ore-day-ban-starts", "fail", "fail"),
        ("fail/id-2020-3-copper-concentrate-2024-no-permit", "fail", "fail"),
        ("pass/id-2020-3-copper-concentrate-2024-with-permit", "pass", "pass"),
        ("pass/id-2020-3-copper-concentrate-2024-12-31-with-permit", "pass", "pass"),
        ("fail/id-2020-3-copper-concentrate-2025-day-ban-starts", "fail", "fail"),
        ("warn/id-2020-3-copper-concentrate-2025-freeport-style-permit", "warn", "warn"),
    ],
    "id-pmk-2023-71": [
        ("pass/id-pmk-2023-71-copper-concentrate-day-before-duty", "pass", "pass"),
        ("pass/id-pmk-2023-71-copper-concentrate-duty-notice", "pass", "pass"),
    ],
    "zw-si-2022-213": [
        ("pass/zw-2022-213-lithium-ore-day-before", "pass", "pass"),
        ("fail/zw-2022-213-lithium-ore-day-effective", "fail", "fail"),
        ("warn/zw-2022-213-lithium-ore-with-minister-permit", "warn", "warn"),
        ("pass/zw-2022-213-lithium-concentrate-allowed", "pass", "pass"),
    ],
    "zw-si-2023-5": [
        ("pass/zw-2023-5-chrome-ore-day-before", "pass", "pass"),
        ("fail/zw-2023-5-chrome-ore-day-effective", "fail", "fail"),
        ("pass/zw-2026-lithium-concentrate-2026-02-24", "pass", "pass"),
    ],
    "zw-mines-2026-02-25": [
        ("pass/zw-2026-lithium-concentrate-2026-02-24", "pass", "pass"),
        ("fail/zw-2026-lithium-concentrate-2026-02-25", "fail", "fail"),
        ("fail/zw-2026-raw-ore-with-minister-permit", "fail", "fail"),
        ("warn/zw-2026-copper-concentrate-to-review", "warn", "warn"),
    ],
    "zw-finance-act-2025-lithium-levy": [
        ("pass/zw-levy-lithium-concentrate-day-before", "pass", "pass"),
        ("pass/zw-levy-lithium-concentrate-levy-notice", "pass", "pass"),
    ],
    "na-cabinet-2023-06-06": [
        ("pass/na-2023-lithium-ore-day-before", "pass", "pass"),
        ("fail/na-2023-lithium-ore-day-effective", "fail", "fail"),
        ("warn/na-2023-cobalt-ore-sample-with-permit", "warn", "warn"),
        ("warn/na-2023-graphite-raw-material-may-be-ore", "warn", "warn"),
        ("pass/na-2023-lithium-concentrate-processed", "pass", "pass"),
    ],
    "my-nr-ree-moratorium-2024": [
        ("pass/my-2024-rare-earth-concentrate-day-before", "pass", "pass"),
        ("fail/my-2024-rare-earth-concentrate-day-effective", "fail", "fail"),
        ("pass/my-2024-neodymium-oxide-processed", "pass", "pass"),
    ],
    "vn-geology-minerals-law-2025": [
        ("pass/vn-2026-rare-earth-ore-day-before", "pass", "pass"),
        ("fail/vn-2026-rare-earth-ore-day-effective", "fail", "fail"),
        ("pass/vn-2026-cerium-oxide-processed", "pass", "pass"),
    ],
    "ga-manganese-2029": [
        ("pass/ga-2029-manganese-ore-2026", "pass", "pass"),
        ("warn/ga-2029-manganese-ore-2028-12-31", "warn", "pass"),
        ("fail/ga-2029-manganese-ore-2029-01-01", "fail", "fail"),
    ],
}

# The suspending measures act through the measures they suspend: their edges are these cases.
SUSPENSIONS: dict[str, dict[str, list[tuple[str, str, str]]]] = {
    "cn-mofcom-gac-2025-70": {
        "cn-mofcom-gac-2025-55": CASES["cn-mofcom-gac-2025-55"][1:],
        "cn-mofcom-2025-61": CASES["cn-mofcom-2025-61"][1:3],
    },
    "cn-mofcom-2025-72": {"cn-mofcom-2024-46": CASES["cn-mofcom-2024-46"][2:5]},
}

REFERENCES = {
    "cn-mofcom-gac-2025-70": "MOFCOM & GAC Announcement No. 70 of 2025",
    "cn-mofcom-2025-72": "MOFCOM Announcement No. 72 of 2025",
}
RANK = {"info": 0, "pass": 0, "warn": 1, "fail": 2, "error": 3}


def verify(cli: Any, example: str) -> dict[str, Any]:
    run = cli(["verify", str(EXAMPLES / f"{example}.yaml"), "--format", "json"])
    result: dict[str, Any] = json.loads(run.out)["results"][0]
    expected_code = {"pass": 0, "warn": 0, "fail": 1, "error": 2}[result["verdict"]]
    assert run.code == expected_code
    return result


def check_case(cli: Any, measure: str, example: str, verdict: str, own: str) -> None:
    result = verify(cli, example)
    assert result["verdict"] == verdict, (example, result["findings"])
    mine = [f for f in result["findings"] if (f["rule"] or "").startswith(measure + "/")]
    worst = max((RANK[f["severity"]] for f in mine), default=0)
    assert worst == RANK[own], (example, measure, mine)
    for finding in mine:
        assert finding["reference"] and finding["url"], finding


@pytest.mark.parametrize("measure", sorted(CASES))
def test_measure_on_both_sides_of_its_edges(cli: Any, measure: str) -> None:
    for example, verdict, own in CASES[measure]:
        check_case(cli, measure, example, verdict, own)


@pytest.mark.parametrize("suspending", sorted(SUSPENSIONS))
def test_suspending_measure_edges(cli: Any, suspending: str) -> None:
    for measure, cases in SUSPENSIONS[suspending].items():
        for example, verdict, own in cases:
            check_case(cli, measure, example, verdict, own)
            result = verify(cli, example)
            suspended = [f["message"] for f in result["findings"] if f["code"] == "suspended"]
            if verdict == "pass" and "day-before" not in example:
                reference = REFERENCES[suspending]
                assert any(f"by {reference}" in message for message in suspended), suspended


def test_every_measure_in_the_pack_is_tested() -> None:
    pack = load_pack((), bundled=True)
    assert {rule.id for _, rule in pack.rules} == set(CASES) | set(SUSPENSIONS)


def test_findings_after_an_unconfirmed_end_date_carry_a_horizon_warning(cli: Any) -> None:
    for example in (
        "fail/cn-2024-46-gallium-us-after-suspension",
        "fail/cn-2025-55-diamond-powder-after-suspension",
        "warn/cn-2025-61-foreign-made-magnet-after-suspension",
    ):
        codes = {f["code"]: f for f in verify(cli, example)["findings"]}
        assert "horizon" in codes and codes["horizon"]["severity"] == "warn"
        assert "not confirmed" in codes["horizon"]["message"]
    inside = verify(cli, "pass/cn-2024-46-gallium-us-last-day-of-suspension")
    assert not [f for f in inside["findings"] if f["code"] == "horizon"]


def test_rules_list_shows_every_measure_and_its_status(cli: Any) -> None:
    run = cli(["rules", "list", "--as-of", "2026-06-01"])
    assert run.code == 0
    pack = load_pack((), bundled=True)
    for _, rule in pack.rules:
        assert rule.id in run.out and rule.reference in run.out
    line = next(x for x in run.out.splitlines() if x.startswith("cn-mofcom-gac-2025-57 "))
    assert "suspended" in line
    later = cli(["rules", "list", "--as-of", "2026-11-29"]).out
    line = next(x for x in later.splitlines() if x.startswith("cn-mofcom-gac-2025-57 "))
    assert "unconfirmed after 2026-11-10" in line
    assert "reviewed 2026-11-29" in later


def test_rules_list_json(cli: Any) -> None:
    data = json.loads(cli(["rules", "list", "--format", "json", "--as-of", "2025-01-01"]).out)
    rows = {row["id"]: row for row in data["measures"]}
    assert rows["cn-mofcom-gac-2025-18"]["status"] == "not yet in force"
    assert rows["cn-mofcom-gac-2023-23"]["status"] == "in force"


def test_every_rule_file_cites_reference_and_source_and_rules_show_prints_them(cli: Any) -> None:
    pack = load_pack((), bundled=True)
    for _, rule in pack.rules:
        run = cli(["rules", "show", rule.id])
        assert run.code == 0
        assert f"reference:    {rule.reference}" in run.out
        assert rule.source and f"source:       {rule.source}" in run.out
        for control in rule.controls:
            assert f"{rule.id}/{control.id}" in run.out
            if control.unconfirmed:
                assert f"UNCONFIRMED: {control.unconfirmed}" in run.out


def test_rules_show_unknown_id_is_exit_2(cli: Any) -> None:
    run = cli(["rules", "show", "no-such-measure"])
    assert run.code == 2 and "no measure or control 'no-such-measure'" in run.err
    run = cli(["rules", "show", "cn-mofcom-2024-46/no-such-control"])
    assert run.code == 2 and "no measure or control" in run.err


def test_rules_show_takes_every_id_a_finding_prints(cli: Any) -> None:
    run = cli(["rules", "show", "cn-mofcom-2024-46/us-military"])
    assert run.code == 0 and "cn-mofcom-2024-46/us-military: Paragraph 1" in run.out
    assert "us-graphite-review" not in run.out  # only the control asked for
    tool = cli(["rules", "show", "mineralcheck/unreadable"])
    assert tool.code == 0 and tool.out == "mineralcheck/unreadable: The file could not be read.\n"


def test_sarif_help_says_what_to_do_for_bans_and_reviews() -> None:
    from mineralcheck.formats.sarif import _control_rule
    from mineralcheck.results import ControlInfo

    ban = _control_rule(ControlInfo("x/y", "t", "Ref", None, "prohibited"))
    review = _control_rule(ControlInfo("x/z", "t", "Ref", None, "review"))
    assert "do not ship" in ban["help"]["text"] and "Add a licence" not in ban["help"]["text"]
    assert "reviews file" in review["help"]["text"]


def test_bundled_pack_lints_clean(cli: Any) -> None:
    run = cli(["rules", "lint", str(ROOT / "rules")])
    assert run.code == 0, run.out
    assert "no problems" in run.err


def test_bundled_pack_is_the_repository_rules_directory() -> None:
    shipped = sorted(p.relative_to(bundled_pack_dir()) for p in bundled_pack_dir().rglob("*.yaml"))
    source = sorted(p.relative_to(ROOT / "rules") for p in (ROOT / "rules").rglob("*.yaml"))
    assert shipped == source


def test_unconfirmed_facts_are_marked_in_the_files() -> None:
    for path in (ROOT / "rules" / "cn").rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        assert text.startswith("# "), f"{path} has no header comment"
    no18 = (ROOT / "rules" / "cn" / "mofcom-gac-2025-18.yaml").read_text(encoding="utf-8")
    assert "1C905 to 1C908" in no18 and "UNCONFIRMED" in no18


# --- rules lint on broken files ----------------------------------------------------------------

GOOD = (ROOT / "tests" / "data" / "rules" / "test-measure.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "text", "line", "needle"),
    [
        ("bad-yaml", GOOD.replace("controls:\n", "controls: [\n", 1), 16, "not valid YAML"),
        (
            "unknown-key",
            GOOD.replace("  - id: gallium\n", "  - id: gallium\n    requires_permit: yes\n"),
            17,
            "unknown key 'requires_permit'",
        ),
        (
            "effective-after-end",
            GOOD.replace("ends: 2025-12-31", "ends: 2025-03-01"),
            9,
            "effective 2025-03-10 is after ends 2025-03-01",
        ),
        (
            "control-without-source",
            GOOD.replace("source: https://example.invalid/test-measure\n", ""),
            15,
            "control 'gallium' has no source",
        ),
        (
            "duplicate-control-id",
            GOOD.replace("  - id: antimony-oxide", "  - id: gallium"),
            24,
            "control id 'gallium' is used twice",
        ),
        (
            "unknown-mineral",
            GOOD.replace("minerals: [bismuth]", "minerals: [bismuthium]"),
            47,
            "unknown mineral 'bismuthium'",
        ),
        (
            "unknown-country",
            GOOD.replace("only: [US]", "only: [Atlantis]"),
            36,
            "unknown country 'Atlantis'",
        ),
    ],
)
def test_lint_finds_problems_with_file_and_line(
    cli: Any, tmp_path: Path, name: str, text: str, line: int, needle: str
) -> None:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    run = cli(["rules", "lint", str(tmp_path)])
    assert run.code == 1
    assert f"{path}:{line}:" in run.out and needle in run.out, run.out


def test_lint_finds_a_duplicate_rule_id_across_files(cli: Any, tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(GOOD, encoding="utf-8")
    run = cli(["rules", "lint", "--no-bundled-rules", str(tmp_path)])
    assert run.code == 1
    assert (
        f"{tmp_path / 'b.yaml'}:2:5:" in run.out
        and "rule id 'test-measure' is also used" in run.out
    )


def test_lint_finds_a_suspension_of_an_unknown_rule(cli: Any, tmp_path: Path) -> None:
    text = (ROOT / "rules" / "cn" / "mofcom-2025-72.yaml").read_text(encoding="utf-8")
    (tmp_path / "72.yaml").write_text(text, encoding="utf-8")
    run = cli(["rules", "lint", "--no-bundled-rules", str(tmp_path)])
    assert run.code == 1 and "suspends unknown rule 'cn-mofcom-2024-46'" in run.out


def test_lint_of_a_missing_path_is_exit_2(cli: Any, tmp_path: Path) -> None:
    assert cli(["rules", "lint", str(tmp_path / "nope")]).code == 2


DIAMOND_TO_US = """\
id: D-1
ship_date: {day}
exporter: {{name: Example Superhard Co Ltd, country: CN}}
consignee: {{name: Example Tools Inc, country: US}}
items:
  - description: Synthetic diamond micropowder, 0-2 um
    mineral: synthetic diamond
    form: micropowder
    quantity: 50 kg
"""


@pytest.mark.parametrize(
    ("day", "rules"),
    [
        # No. 55 does not exist yet: its items are not "superhard dual-use items" of No. 46
        ("2025-06-01", set()),
        # both suspensions have run out: No. 55 applies, and with it No. 46 para. 2
        (
            "2026-12-01",
            {
                "cn-mofcom-gac-2025-55/diamond-micropowder",
                "cn-mofcom-2024-46/us-gallium-germanium-antimony-superhard",
            },
        ),
    ],
)
def test_items_of_count_only_while_the_listing_control_is_in_force(
    bundled_checker: Any, day: str, rules: set[str]
) -> None:
    from conftest import check

    result = check(bundled_checker, DIAMOND_TO_US.format(day=day))
    assert result.verdict != "error", result.findings
    failing = {f.rule for f in result.findings if f.severity.rank == 2}
    assert failing == rules


# --- sources: official addresses where recorded, never a forum post -----------------------------

OFFICIAL = (
    "https://exportcontrol.mofcom.gov.cn/",
    "https://www.mofcom.gov.cn/",
    "https://xkzj.mofcom.gov.cn/",
)


RULE_FILES = sorted(p for p in (ROOT / "rules").rglob("*.yaml") if p.name != "pack.yaml")


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.stem)
def test_a_rule_links_its_official_text_and_no_forum(path: Path) -> None:
    from mineralcheck.yamlread import read_yaml

    text = path.read_text(encoding="utf-8")
    data = read_yaml(text).data
    urls = [data.get("source") or ""] + [s["url"] for s in data.get("sources") or []]
    urls += [c.get("source") or "" for c in data.get("controls") or []]
    assert not [u for u in urls if "bbs." in u or "/forum" in u], urls
    if not str(data["source"]).startswith(OFFICIAL):
        # only where research/ records no official address, and the file says so
        assert (
            "official MOFCOM address is not recorded" in text
            or "own page is not" in text
            or "No official address of the instrument is recorded" in text
        ), path


def test_rules_list_filters_by_mineral_and_destination_and_shows_titles(cli: Any) -> None:
    run = cli(["rules", "list", "--mineral", "Ga", "--format", "json"])
    ids = [m["id"] for m in json.loads(run.out)["measures"]]
    assert ids == ["cn-mofcom-gac-2023-23", "cn-mofcom-2024-46"]  # No. 46 names No. 23's items
    assert json.loads(run.out)["measures"][0]["title"].startswith("Export control on gallium")
    japan = cli(["rules", "list", "--destination", "Japan", "--format", "json"])
    to_japan = [m["id"] for m in json.loads(japan.out)["measures"]]
    assert "cn-mofcom-2026-1" in to_japan  # Japanese military users
    assert "cn-mofcom-2024-46" not in to_japan  # a measure on exports to the US only
    text = cli(["rules", "list", "--mineral", "gallium"])
    assert "No. 23 of 2023: Export control on gallium and germanium related items" in text.out
    assert cli(["rules", "list", "--mineral", "unobtainium"]).code == 2
