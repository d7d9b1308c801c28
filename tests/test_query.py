"""``query``: what a shipment would need, answered by the checker verify runs."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import manifest

Fact = tuple[str, str | None, str | None, str, bool, str, str]


def item_yaml(mineral: str, form: str | None, hs: str | None) -> str:
    text = f"  - description: Goods\n    mineral: {mineral}\n    quantity: 1 kg\n"
    if form:
        text += f"    form: {form}\n"
    if hs:
        text += f"    hs_code: '{hs}'\n"
    return text


def answer_and_verify(cli, tmp_path: Path, fact: Fact) -> tuple[dict, list[dict]]:  # type: ignore[no-untyped-def,type-arg]
    mineral, form, hs, destination, military, end_user, day = fact
    args = ["query", "-m", mineral, "-d", destination, "--date", day, "--end-user", end_user]
    args += ["--military" if military else "--civil", "-f", "json"]
    if form:
        args += ["--form", form]
    if hs:
        args += ["--hs-code", hs]
    run = cli(args)
    assert run.code == 0, run.err
    path = tmp_path / "one.yaml"
    path.write_text(
        manifest(
            item_yaml(mineral, form, hs),
            ship_date=day,
            consignee=destination,
            end_user=(
                f"end_user:\n  name: {end_user}\n  country: {destination}\n"
                f"  military: {str(military).lower()}\n"
            ),
        )
    )
    report = json.loads(cli(["verify", "--no-cache", "-f", "json", str(path)]).out)
    return json.loads(run.out), report["results"][0]["findings"]


def assert_same(answer: dict, findings: list[dict]) -> None:  # type: ignore[type-arg]
    needed = {(f["rule"], f["code"]) for f in findings if f["severity"] in ("fail", "warn")}
    undecided = {(rule, code) for rule, code in needed if code == "undecided"}
    assert {(r["control"], r["code"]) for r in answer["requires"]} == needed - undecided
    asked = [t for t in answer["cannot_decide"] if "cannot decide whether" in t]
    assert len(asked) == len(undecided)
    assert all(any(rule in t for t in asked) for rule, _ in undecided)
    suspended = {f["rule"] for f in findings if f["code"] == "suspended"}
    assert {s["control"] for s in answer["suspended"]} == suspended


CASES: list[Fact] = [
    ("gallium", None, None, "US", False, "Example Corp", "2025-06-01"),
    ("gallium", None, None, "US", False, "Example Corp", "2024-06-01"),
    ("gallium", "metal", "8112929090", "US", True, "Example Corp", "2025-06-01"),
    ("gallium", None, None, "US", False, "Lockheed Martin Corporation", "2025-06-01"),
    ("dysprosium", "oxide", None, "DE", False, "Example AG", "2025-06-01"),
    ("dysprosium", None, None, "DE", False, "Example AG", "2025-03-01"),
    ("graphite", None, None, "JP", False, "Example KK", "2026-02-01"),
    ("tungsten", "bar", None, "NL", False, "Example BV", "2025-06-01"),
    ("antimony", "ingot", None, "DE", False, "Example AG", "2025-12-01"),
    ("copper", None, None, "DE", False, "Example AG", "2025-06-01"),
]


@pytest.mark.parametrize("fact", CASES, ids=lambda f: "-".join(str(x) for x in f))
def test_query_answers_what_verify_says_of_the_same_one_item_manifest(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, fact: Fact
) -> None:
    answer, findings = answer_and_verify(cli, tmp_path, fact)
    assert_same(answer, findings)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    mineral=st.sampled_from(
        ["gallium", "germanium", "antimony", "graphite", "tungsten", "terbium", "indium", "copper"]
    ),
    form=st.sampled_from([None, "metal", "oxide", "powder", "ore"]),
    destination=st.sampled_from(["DE", "US", "JP"]),
    military=st.booleans(),
    day=st.dates(min_value=dt.date(2023, 6, 1), max_value=dt.date(2027, 1, 1)),
)
def test_query_and_verify_agree_on_generated_facts(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, mineral, form, destination, military, day
) -> None:
    fact = (mineral, form, None, destination, military, "Example Co", day.isoformat())
    answer, findings = answer_and_verify(cli, tmp_path, fact)
    assert_same(answer, findings)


def test_facts_left_out_are_named_never_assumed(cli) -> None:  # type: ignore[no-untyped-def]
    run = cli(["query", "-m", "gallium", "-d", "US", "--date", "2025-06-01", "-f", "json"])
    answer = json.loads(run.out)
    undecided = " ".join(answer["cannot_decide"])
    # no --military/--civil: the ban on US military users is named, not dropped
    assert (
        "cn-mofcom-2024-46/us-military applies if the end user or end use is military" in undecided
    )
    # no --end-user: the party lists in force were not screened, and the answer says so
    assert "were not screened: give --end-user" in undecided
    text = cli(["query", "-m", "gallium", "-d", "US", "--date", "2025-06-01"]).out
    assert (
        "cannot decide from these facts:" in text
        and "a licence: cn-mofcom-gac-2023-23/gallium" in text
    )


def test_a_listed_end_user_is_found_by_query(cli) -> None:  # type: ignore[no-untyped-def]
    args = ["query", "-m", "gallium", "-d", "US", "--date", "2025-06-01", "--civil", "-f", "json"]
    answer = json.loads(cli([*args, "--end-user", "Lockheed Martin Corp."]).out)
    assert ("cn-mofcom-2025-1-entities/listed-parties", "prohibited") in {
        (r["control"], r["code"]) for r in answer["requires"]
    }


def test_bad_facts_are_refused_with_a_suggestion(cli) -> None:  # type: ignore[no-untyped-def]
    run = cli(["query", "-m", "tungstan", "-d", "DE"])
    assert run.code == 2 and "did you mean 'tungsten'?" in run.out
    assert cli(["query", "-m", "gallium"]).code == 2  # no destination
    run = cli(["query", "-m", "gallium", "-d", "Atlantis"])
    assert run.code == 2 and "unknown country 'Atlantis'" in run.err
    assert cli(["query", "-d", "DE"]).code == 2  # neither mineral nor code


def test_country_names_are_accepted(cli) -> None:  # type: ignore[no-untyped-def]
    run = cli(["query", "-m", "gallium", "-d", "UK", "--date", "2025-06-01", "-f", "json"])
    assert run.code == 0 and json.loads(run.out)["facts"]["destination"] == "GB"


def ask(cli, *args: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    base = ["query", "-d", "DE", "--date", "2025-06-01", "--civil", "--end-user", "X", "-f", "json"]
    run = cli([*base, *args])
    assert run.code == 0, run.err
    return json.loads(run.out)  # type: ignore[no-any-return]


def controls(answer: dict) -> set[str]:  # type: ignore[type-arg]
    return {r["control"] for r in answer["requires"]}


def test_a_code_alone_a_purity_and_an_origin_are_facts_too(cli) -> None:  # type: ignore[no-untyped-def]
    assert controls(ask(cli, "--hs-code", "8112929090")) == {"cn-mofcom-gac-2023-23/gallium"}
    oxide = ["-m", "antimony", "--form", "oxide"]
    assert "cn-mofcom-gac-2024-33/antimony-oxides" in controls(
        ask(cli, *oxide, "--purity", "99.995%")
    )
    low = ask(cli, *oxide, "--purity", "99.5%")
    assert controls(low) == set() and low["facts"]["purity"] == "99.5%"
    # the origin does not take a Chinese export out of China's controls
    assert controls(ask(cli, "-m", "gallium", "--origin", "US")) == {
        "cn-mofcom-gac-2023-23/gallium"
    }
    # exported from elsewhere: China's licence requirement for its own exports does not apply
    abroad = ask(cli, "-m", "gallium", "--exporter", "DE")
    assert abroad["facts"]["exporter"] == "DE" and controls(abroad) == set()
