"""Beyond China: other exporting countries' measures, chosen packs, coverage and its horizon."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import EXAMPLES

ZW_CONCENTRATE = EXAMPLES / "fail" / "zw-2026-lithium-concentrate-2026-02-25.yaml"


def manifest(ship: str, exporter: str, items: str, permits: str = "") -> str:
    text = (
        f"id: J-1\nship_date: {ship}\nexporter: {{name: Exporter, country: {exporter}}}\n"
        f"consignee: {{name: Buyer Co., country: CN}}\nitems:\n{items}"
    )
    return text + (f"permits:\n{permits}" if permits else "")


def run_json(cli: Any, tmp_path: Path, text: str, *args: str) -> dict[str, Any]:
    path = tmp_path / "m.yaml"
    path.write_text(text)
    run = cli(["verify", "--no-cache", "-f", "json", str(path), *args])
    (result,) = json.loads(run.out)["results"]
    result["err"] = run.err
    return result  # type: ignore[no-any-return]


def codes(result: dict[str, Any]) -> set[tuple[str | None, str]]:
    return {(f["rule"], f["code"]) for f in result["findings"] if f["severity"] != "info"}


COBALT = "  - description: Cobalt hydroxide\n    form: hydroxide\n    quantity: 100 t\n"


def avq(quantity: str, issuer: str = "ARECOMS") -> str:
    return (
        f"  - number: Q-1\n    issued_by: {issuer}\n    valid_from: 2025-11-01\n"
        f"    valid_until: 2025-12-31\n    destination: CN\n    covers: [cobalt]\n"
        f"    quantity: {quantity}\n"
    )


def test_a_drc_quota_counts_metal_content(cli: Any, tmp_path: Path) -> None:
    items = COBALT + "    content: {cobalt: 32%}\n    permits: [Q-1]\n"
    assert (
        run_json(cli, tmp_path, manifest("2025-11-20", "CD", items, avq("32 t")))["verdict"]
        == "pass"
    )
    over = run_json(cli, tmp_path, manifest("2025-11-20", "CD", items, avq("31.9 t")))
    assert over["verdict"] == "fail"
    assert ("cd-arecoms-2025-004/cobalt-quota", "permit-quantity") in codes(over)


def test_content_alone_is_evidence_of_the_mineral(cli: Any, tmp_path: Path) -> None:
    # no mineral key: the content names cobalt, which brings the quota in
    result = run_json(
        cli, tmp_path, manifest("2025-11-20", "CD", COBALT + "    content: {Co: 30%}\n")
    )
    assert ("cd-arecoms-2025-004/cobalt-quota", "no-permit") in codes(result)


def test_only_an_arecoms_permit_counts_for_the_quota(cli: Any, tmp_path: Path) -> None:
    items = COBALT + "    mineral: cobalt\n    content: {cobalt: 32%}\n    permits: [Q-1]\n"
    for issuer in ("MOFCOM", None):
        permits = avq("40 t", issuer or "ARECOMS")
        if issuer is None:
            permits = permits.replace("    issued_by: ARECOMS\n", "")
        result = run_json(cli, tmp_path, manifest("2025-11-20", "CD", items, permits))
        assert result["verdict"] == "fail"
        (message,) = [f["message"] for f in result["findings"] if f["code"] == "no-permit"]
        expected = "is issued by MOFCOM, not ARECOMS" if issuer else "does not say who issued it"
        assert expected in message


def test_bad_content_is_an_error_with_its_place(cli: Any, tmp_path: Path) -> None:
    for content, needle in (
        ("{cobalt: 70%, nickel: 40%}", "more than 100 %"),
        ("{cobolt: 30%}", "did you mean 'cobalt'?"),
        ("30%", "expected a mapping"),
    ):
        result = run_json(
            cli, tmp_path, manifest("2025-11-20", "CD", COBALT + f"    content: {content}\n")
        )
        assert result["verdict"] == "error"
        (error,) = result["findings"]
        assert needle in error["message"] and error["field"].startswith("items[0].content")


def test_any_mineral_catches_the_ore_of_a_mineral_no_rule_names(cli: Any, tmp_path: Path) -> None:
    ore = "  - description: Chrome ore\n    mineral: chromium\n    form: ore\n    quantity: 1 t\n"
    result = run_json(cli, tmp_path, manifest("2026-03-02", "ZW", ore))
    assert ("zw-mines-2026-02-25/raw-minerals", "prohibited") in codes(result)
    # a lithium concentrate is the lithium control's, not also a review of "other concentrates"
    concentrate = run_json(cli, tmp_path, ZW_CONCENTRATE.read_text())
    assert {rule for rule, _ in codes(concentrate)} == {"zw-mines-2026-02-25/lithium-concentrates"}


def test_chosen_packs_and_the_count_of_uncovered_exporters(cli: Any, tmp_path: Path) -> None:
    only_cn = cli(["verify", "--no-cache", "--pack", "cn", str(ZW_CONCENTRATE)])
    assert only_cn.code == 0  # no measure of Zimbabwe loaded: nothing of its law was checked
    assert "1 manifest(s) exported from a country that no loaded rule pack covers" in only_cn.err
    data = json.loads(
        cli(["verify", "--no-cache", "--pack", "cn", "-f", "json", str(ZW_CONCENTRATE)]).out
    )
    (info,) = [f for f in data["results"][0]["findings"] if f["code"] == "no-jurisdiction"]
    assert "no measure of ZW" in info["message"] and info["field"] == "exporter.country"
    assert cli(["verify", "--no-cache", "--pack", "ZW,cn", str(ZW_CONCENTRATE)]).code == 1
    unknown = cli(["verify", "--pack", "cn,xx", str(ZW_CONCENTRATE)])
    assert unknown.code == 2 and "no bundled pack for xx" in unknown.err


def test_packs_from_the_configuration_and_the_environment(
    cli: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.yaml").write_text(ZW_CONCENTRATE.read_text())
    (tmp_path / "mineralcheck.toml").write_text('packs = ["cn"]\n')
    assert cli(["verify", "--no-cache", "m.yaml"]).code == 0
    monkeypatch.setenv("MINERALCHECK_PACKS", "zw")
    assert cli(["verify", "--no-cache", "m.yaml"]).code == 1  # the environment wins
    assert cli(["verify", "--no-cache", "--pack", "cn", "m.yaml"]).code == 0  # the CLI wins


def test_every_bundled_country_has_a_coverage_and_later_dates_warn(
    cli: Any, tmp_path: Path
) -> None:
    from mineralcheck.ruleset.loader import load_pack

    pack = load_pack((), bundled=True)
    assert pack.info is not None and set(pack.info.jurisdictions) == pack.jurisdictions()
    ore = "  - description: Chrome ore\n    mineral: chromium\n    form: ore\n    quantity: 1 t\n"
    inside = run_json(cli, tmp_path, manifest("2026-03-04", "ZW", ore))
    assert "horizon" not in {f["code"] for f in inside["findings"]}
    after = run_json(cli, tmp_path, manifest("2026-03-05", "ZW", ore))
    (warning,) = [f for f in after["findings"] if f["code"] == "horizon"]
    assert "knowledge of Zimbabwe (ZW) ends on 2026-03-04" in warning["message"]
    assert warning["severity"] == "warn" and warning["field"] == "ship_date"


def test_rules_list_groups_by_jurisdiction(cli: Any) -> None:
    text = cli(["rules", "list"]).out
    for code, name in (("CN", "China"), ("CD", "DR Congo"), ("ZW", "Zimbabwe"), ("GA", "Gabon")):
        assert f"\n{code}  {name}: sources reviewed" in text
    assert text.index("\nCN  China") < text.index("\nCD  DR Congo")
    data = json.loads(cli(["rules", "list", "--pack", "zw", "-f", "json"]).out)
    assert {m["jurisdiction"] for m in data["measures"]} == {"ZW"}
    listed = cli(["rules", "list", "--pack", "zw"]).out
    assert "in force (unconfirmed after 2026-03-04)" in listed


def test_an_announced_measure_shows_before_it_applies(cli: Any) -> None:
    args = ["query", "-m", "manganese", "--form", "ore", "-d", "CN", "--exporter", "GA"]
    answer = json.loads(
        cli([*args, "--date", "2026-06-01", "--civil", "--end-user", "X", "-f", "json"]).out
    )
    assert answer["requires"] == []
    (upcoming,) = answer["upcoming"]
    assert (
        upcoming["from"] == "2029-01-01"
        and upcoming["control"] == "ga-manganese-2029/raw-manganese"
    )
    timeline = cli(
        [
            "rules",
            "timeline",
            "--mineral",
            "manganese",
            "--from",
            "2026-01-01",
            "--to",
            "2029-12-31",
        ]
    ).out
    (row,) = [line for line in timeline.splitlines() if line.startswith("ga-manganese-2029")]
    assert row.rstrip().endswith("▒") and "█" not in row  # shown before, past what the pack knows


def test_notices_are_shown_from_their_day(cli: Any) -> None:
    before = cli(
        [
            "verify",
            "--no-cache",
            str(EXAMPLES / "pass" / "zw-levy-lithium-concentrate-day-before.yaml"),
        ]
    )
    on = cli(
        [
            "verify",
            "--no-cache",
            str(EXAMPLES / "pass" / "zw-levy-lithium-concentrate-levy-notice.yaml"),
        ]
    )
    assert "2 % levy" not in before.out
    assert "info [zw-finance-act-2025-lithium-levy/lithium-levy]" in on.out and on.code == 0


def test_any_mineral_needs_forms_in_a_rule_file(cli: Any, tmp_path: Path) -> None:
    rule = (Path(__file__).parent / "data" / "rules" / "test-measure.yaml").read_text()
    bad = rule.replace("      - minerals: [gallium]", "      - any_mineral: true", 1)
    assert bad != rule
    path = tmp_path / "bad.yaml"
    path.write_text(bad)
    run = cli(["rules", "lint", "--no-bundled-rules", str(path)])
    assert run.code == 1 and "any_mineral needs forms" in run.out


def test_another_countrys_list_makes_nothing_a_chinese_dual_use_item(
    cli: Any, tmp_path: Path
) -> None:
    """No. 46 of 2024 bars dual-use items to US military users: Zimbabwe's ban on lithium
    concentrate or ore does not make them Chinese dual-use items."""
    items = (
        "  - description: Spodumene concentrate\n    mineral: spodumene\n    form: concentrate\n"
        "    quantity: 100 t\n"
        "  - description: Chrome ore\n    mineral: chromium\n    form: ore\n    quantity: 100 t\n"
    )
    text = manifest("2026-06-01", "CN", items).replace(
        "consignee: {name: Buyer Co., country: CN}",
        "consignee: {name: Buyer Inc., country: US}\n"
        "end_user: {name: Buyer Inc., country: US, military: true}",
    )
    result = run_json(cli, tmp_path, text)
    assert result["verdict"] == "pass", result["findings"]
    # a Chinese dual-use item to the same end user is still barred
    gallium = "  - description: Gallium\n    mineral: gallium\n    quantity: 1 kg\n"
    barred = run_json(cli, tmp_path, text.replace(items, gallium))
    assert ("cn-mofcom-2024-46/us-military", "prohibited") in codes(barred)
