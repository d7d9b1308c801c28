"""``explain``: the decision trace, recorded by the checker that decides verdicts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES, manifest, permit
from mineralcheck.explain import explain
from mineralcheck.pipeline import Checker, Options

MANIFESTS = sorted(
    p for kind in ("pass", "warn", "fail", "error") for p in (EXAMPLES / kind).glob("*.yaml")
)
RECORDS = EXAMPLES / "records"
WITH_RECORDS = [
    "--permits",
    str(RECORDS / ".register.yaml"),
    "--reviews",
    str(RECORDS / ".reviews.yaml"),
]


def verdict_of_verify(cli, args: list[str]) -> tuple[str, list[dict[str, object]]]:  # type: ignore[no-untyped-def]
    run = cli(["verify", "--no-cache", "-f", "json", *args])
    (entry,) = json.loads(run.out)["results"]
    return entry["verdict"], entry["findings"]


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_explain_gives_the_verdict_and_findings_verify_gives(cli, path: Path) -> None:  # type: ignore[no-untyped-def]
    verdict, findings = verdict_of_verify(cli, [str(path)])
    run = cli(["explain", str(path), "-f", "json"])
    explained = json.loads(run.out)
    assert explained["verdict"] == verdict == path.parent.name
    assert explained["findings"] == findings
    assert run.code == {"pass": 0, "warn": 0, "fail": 1, "error": 2}[verdict]


@pytest.mark.parametrize("path", sorted(RECORDS.glob("rec-*.yaml")), ids=lambda p: p.name)
def test_explain_applies_the_register_and_reviews_as_verify_does(cli, path: Path) -> None:  # type: ignore[no-untyped-def]
    verdict, findings = verdict_of_verify(cli, [str(path), *WITH_RECORDS])
    explained = json.loads(cli(["explain", str(path), "-f", "json", *WITH_RECORDS]).out)
    assert (explained["verdict"], explained["findings"]) == (verdict, findings)


BUNDLED = Checker(Options(rule_paths=(), bundled=True))
TRACED = Checker(Options(rule_paths=(), bundled=True))

ITEM = st.fixed_dictionaries(
    {
        "mineral": st.sampled_from(
            [
                "gallium",
                "germanium",
                "antimony",
                "graphite",
                "tungsten",
                "dysprosium",
                "terbium",
                "indium",
                "copper",
                "lithium",
                None,
            ]
        ),
        "form": st.sampled_from(["metal", "oxide", "powder", "ore", "magnet", None]),
        "hs": st.sampled_from(["8112929090", "2825600001", "8101", "2846901", "7403", None]),
        "quantity": st.integers(min_value=1, max_value=5000),
    }
)


def item_text(values: dict[str, object]) -> str:
    text = f"  - description: Goods\n    quantity: {values['quantity']} kg\n"
    for key, name in (("mineral", "mineral"), ("form", "form"), ("hs", "hs_code")):
        if values[key] is not None:
            text += f"    {name}: '{values[key]}'\n"
    return text


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    items=st.lists(ITEM, min_size=1, max_size=3),
    day=st.dates(
        min_value=__import__("datetime").date(2023, 6, 1),
        max_value=__import__("datetime").date(2027, 6, 1),
    ),
    destination=st.sampled_from(["DE", "US", "JP", "NL"]),
    exporter=st.sampled_from(["CN", "CN", "DE"]),
    military=st.booleans(),
    end_user=st.sampled_from(["Example End User", "Lockheed Martin Corporation", "Skydio"]),
    with_permit=st.booleans(),
)
def test_explain_and_verify_agree_on_generated_manifests(  # type: ignore[no-untyped-def]
    items, day, destination, exporter, military, end_user, with_permit
) -> None:
    text = manifest(
        "".join(item_text(i) for i in items),
        ship_date=day.isoformat(),
        exporter=exporter,
        consignee=destination,
        end_user=(
            f"end_user:\n  name: {end_user}\n  country: {destination}\n"
            f"  military: {str(military).lower()}\n"
        ),
        permits=permit(
            valid_from="2023-01-01",
            valid_until="2027-12-31",
            destination=destination,
            covers="[gallium, germanium, tungsten]",
        )
        if with_permit
        else "",
    ).encode()
    plain = BUNDLED.check_bytes("m.yaml", text)
    explained = explain(TRACED, "m.yaml", text)
    assert explained.result.verdict == plain.verdict
    assert explained.result.findings == plain.findings
    if explained.trace is None:  # not read: an error, as verify says
        assert str(plain.verdict) == "error"
        return
    # every control the findings name was considered for the item they name
    for finding in plain.findings:
        if finding.rule and finding.item is not None and "/" in finding.rule:
            (entry,) = [i for i in explained.trace.items if i.item == finding.item]
            assert finding.rule in {step.control for step in entry.steps}


def test_a_permit_that_expired_is_shown_tried_and_why(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "m.yaml"
    path.write_text(
        manifest(
            ship_date="2025-06-01",
            permits=permit("OLD-1", valid_from="2024-01-01", valid_until="2025-05-31"),
        )
    )
    run = cli(["explain", str(path), "-f", "json"])
    data = json.loads(run.out)
    assert data["verdict"] == "fail" and run.code == 1
    (entry,) = data["items"]
    (step,) = [s for s in entry["steps"] if s["control"] == "cn-mofcom-gac-2023-23/gallium"]
    assert step["decision"] == "needs a permit"
    assert "mineral gallium is listed" in step["reasons"]
    assert step["permits"] == [
        {
            "number": "OLD-1",
            "source": "manifest",
            "covers": True,
            "problem": "expired on 2025-05-31",
            "chosen": False,
        }
    ]
    text = cli(["explain", str(path)]).out
    assert "permit OLD-1 (manifest): expired on 2025-05-31" in text
    assert "cn-mofcom-gac-2023-23/gallium: needs a permit" in text


def test_scope_date_and_form_reasons_are_given(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "m.yaml"
    path.write_text(
        manifest(
            "  - description: Gallium metal\n    mineral: gallium\n    quantity: 10 kg\n"
            "  - description: Terbium metal\n    mineral: terbium\n    form: metal\n"
            "    quantity: 1 kg\n",
            ship_date="2025-03-01",
        )
    )
    data = json.loads(cli(["explain", str(path), "-f", "json"]).out)
    steps = {s["control"]: s for s in data["items"][1]["steps"]}
    terbium = steps["cn-mofcom-gac-2025-18/terbium"]
    assert terbium["decision"] == "not in force"
    assert terbium["status"] == "effective only from 2025-04-04"
    military = {s["control"]: s for s in data["items"][0]["steps"]}["cn-mofcom-2024-46/us-military"]
    assert military["decision"] == "out of scope"
    assert military["reasons"] == ["its destinations are US; the shipment goes to DE"]


def test_item_option_keeps_one_item(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "m.yaml"
    path.write_text(
        manifest(
            "  - description: Gallium metal\n    mineral: gallium\n    quantity: 10 kg\n"
            "  - description: Copper cathode\n    mineral: copper\n    quantity: 1 kg\n"
        )
    )
    data = json.loads(cli(["explain", str(path), "--item", "2", "-f", "json"]).out)
    assert [i["item"] for i in data["items"]] == [2]
    assert data["findings"] == []  # the gallium finding is on item 1
    assert data["verdict"] == "fail"  # the manifest's verdict, whatever item is shown
    text = cli(["explain", str(path), "--item", "2"]).out
    assert "Copper cathode" in text and "Gallium metal" not in text


def test_an_unreadable_manifest_is_an_error_never_a_pass(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run = cli(["explain", str(tmp_path / "missing.yaml"), "-f", "json"])
    assert run.code == 2 and json.loads(run.out)["verdict"] == "error"
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: [unclosed\n")
    run = cli(["explain", str(broken)])
    assert run.code == 2 and "error" in run.out
    assert cli(["explain", str(tmp_path)]).code == 2  # a directory is a usage error


def test_explain_reads_stdin(cli) -> None:  # type: ignore[no-untyped-def]
    run = cli(["explain", "-", "-f", "json"], stdin=manifest().encode())
    assert json.loads(run.out)["verdict"] == "fail" and run.code == 1


def test_no_markup_or_control_character_from_a_manifest_reaches_the_terminal(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path
) -> None:
    path = tmp_path / "m.yaml"
    description = "Ga [bold red]PASS[/] \\x1b[2J\\n::error::forged"
    path.write_text(
        manifest(f'  - description: "{description}"\n    mineral: gallium\n    quantity: 10 kg\n')
    )
    out = cli(["explain", str(path)]).out
    assert "\x1b" not in out and "::error::forged" in out  # shown, escaped, inside a line
    assert "[bold red]PASS[/]" in out  # markup shown as written, never interpreted
    assert all(not line.startswith("::") for line in out.splitlines())


def test_explain_as_of_and_pack_options(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "m.yaml"
    path.write_text(manifest(ship_date="2023-07-01"))  # gallium before No. 23 of 2023
    before = json.loads(cli(["explain", str(path), "-f", "json"]).out)
    assert before["verdict"] == "pass" and before["date"] == "2023-07-01"
    after = json.loads(cli(["explain", str(path), "--as-of", "2023-08-01", "-f", "json"]).out)
    assert after["verdict"] == "fail" and after["date"] == "2023-08-01"
    # without China's pack, nothing of China's law is checked, and the trace says so
    other = json.loads(
        cli(["explain", str(path), "--as-of", "2023-08-01", "--pack", "zw", "-f", "json"]).out
    )
    assert other["verdict"] == "pass"
    assert [f["code"] for f in other["findings"]] == ["no-jurisdiction"]


def test_the_html_format_writes_to_standard_output(cli) -> None:  # type: ignore[no-untyped-def]
    run = cli(["verify", "--no-cache", "-f", "html", str(EXAMPLES / "pass")])
    assert run.code == 0 and run.out.startswith("<!DOCTYPE html>")
    assert run.out.rstrip().endswith("</html>") and 'id="count-pass"' in run.out
