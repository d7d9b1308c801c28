"""The engine's edges: dates, suspensions, thresholds, destinations, end users and permits."""

from __future__ import annotations

import pytest

from conftest import check, manifest, permit
from mineralcheck.pipeline import Checker
from mineralcheck.results import ManifestResult, Severity

GALLIUM = "test-measure/gallium"
GALLIUM_WITH_CODE = (
    "  - description: Gallium\n    mineral: gallium\n    hs_code: 8112929090\n    quantity: 1 kg\n"
)


def rules_hit(result: ManifestResult, severity: Severity) -> list[str | None]:
    return [f.rule for f in result.findings if f.severity is severity]


# --- when a control is in force --------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "verdict"),
    [
        ("2025-03-09", Severity.PASS),  # the day before it takes effect
        ("2025-03-10", Severity.FAIL),  # the day it takes effect
        ("2025-05-31", Severity.FAIL),  # the day before the suspension
        ("2025-06-01", Severity.PASS),  # first day of the suspension
        ("2025-06-30", Severity.PASS),  # last day of the suspension
        ("2025-07-01", Severity.FAIL),  # the day after: in force again
        ("2025-12-31", Severity.FAIL),  # last day in force
        ("2026-01-01", Severity.PASS),  # ended
    ],
)
def test_control_dates_by_ship_date(test_checker: Checker, day: str, verdict: Severity) -> None:
    result = check(test_checker, manifest(ship_date=day))
    assert result.verdict is verdict
    if verdict is Severity.FAIL:
        assert rules_hit(result, Severity.FAIL) == [GALLIUM]


def test_suspended_control_leaves_an_info_finding(test_checker: Checker) -> None:
    result = check(test_checker, manifest(ship_date="2025-06-15"))
    info = [f for f in result.findings if f.code == "suspended"]
    assert len(info) == 1 and info[0].rule == GALLIUM
    assert "2025-06-01 to 2025-06-30" in info[0].message


def test_as_of_overrides_the_ship_date(test_checker: Checker) -> None:
    text = manifest(ship_date="2025-03-09")
    assert check(test_checker, text).verdict is Severity.PASS
    assert check(test_checker, text, as_of="2025-03-10").verdict is Severity.FAIL


def test_exports_from_another_country_are_not_governed(test_checker: Checker) -> None:
    result = check(test_checker, manifest(exporter="DE"))
    assert result.verdict is Severity.PASS
    assert [f.code for f in result.findings] == ["no-jurisdiction"]


# --- what a failing finding carries ----------------------------------------------------------


def test_failing_finding_is_traceable(test_checker: Checker) -> None:
    result = check(test_checker, manifest())
    (finding,) = result.findings
    assert finding.rule == GALLIUM and finding.item == 1
    assert (finding.line, finding.column, finding.field) == (10, 5, "items[0]")
    assert finding.reference == "Test Announcement No. 1 of 2025"
    assert finding.url == "https://example.invalid/test-measure"
    assert finding.message == (
        "Gallium metal to DE needs a licence (9Z001) since 2025-03-10; no permit covers item 1"
    )


def test_hs_code_alone_classifies_an_item(test_checker: Checker) -> None:
    items = "  - description: Unwrought gallium\n    hs_code: 8112929090\n    quantity: 1 kg\n"
    assert rules_hit(check(test_checker, manifest(items=items)), Severity.FAIL) == [GALLIUM]


def test_a_declared_mineral_never_takes_out_what_a_listed_code_brings_in(
    test_checker: Checker,
) -> None:
    items = (
        "  - description: Iron\n    hs_code: 8112929090\n    mineral: iron\n    quantity: 1 kg\n"
    )
    result = check(test_checker, manifest(items=items))
    assert result.verdict is Severity.WARN  # under a shorter prefix: a person checks
    assert "iron" in result.findings[0].message and "8112929090" in result.findings[0].message


# --- purity thresholds -----------------------------------------------------------------------

ANTIMONY = (
    "  - description: Antimony trioxide\n    mineral: antimony\n    form: oxide\n"
    "    quantity: 5 kg\n"
)


@pytest.mark.parametrize(
    ("purity", "verdict"),
    [("99.98%", Severity.PASS), ("99.99%", Severity.FAIL), ("99.999%", Severity.FAIL)],
)
def test_purity_threshold_both_sides(test_checker: Checker, purity: str, verdict: Severity) -> None:
    items = ANTIMONY + f"    purity: {purity}\n"
    assert check(test_checker, manifest(items=items)).verdict is verdict


def test_missing_purity_under_a_threshold_is_a_warning_naming_it(test_checker: Checker) -> None:
    result = check(test_checker, manifest(items=ANTIMONY))
    assert result.verdict is Severity.WARN
    (finding,) = result.findings
    assert (
        finding.code == "undecided" and "purity" in finding.message and "99.99" in finding.message
    )


def test_form_outside_the_control_does_not_match(test_checker: Checker) -> None:
    items = ANTIMONY.replace("form: oxide", "form: metal") + "    purity: 99.999%\n"
    # "metal" is a form of the vocabulary, and not an oxide: the control is ruled out
    assert check(test_checker, manifest(items=items)).verdict is Severity.PASS


def test_a_broader_form_than_the_control_names_is_a_warning(test_checker: Checker) -> None:
    items = ANTIMONY.replace("form: oxide", "form: compound") + "    purity: 99.999%\n"
    result = check(test_checker, manifest(items=items))
    assert result.verdict is Severity.WARN
    assert "'compound' may be oxide" in result.findings[0].message


def test_missing_form_under_a_form_condition_is_a_warning(test_checker: Checker) -> None:
    items = ANTIMONY.replace("    form: oxide\n", "") + "    purity: 99.999%\n"
    result = check(test_checker, manifest(items=items))
    assert result.verdict is Severity.WARN and "form" in result.findings[0].message


# --- destinations and end users --------------------------------------------------------------

GRAPHITE = "  - description: Flake graphite\n    mineral: natural graphite\n    quantity: 5 t\n"


def test_country_control_applies_through_the_end_user(test_checker: Checker) -> None:
    end_user = "end_user:\n  name: Example Batteries Inc.\n  country: US\n"
    result = check(test_checker, manifest(items=GRAPHITE, consignee="DE", end_user=end_user))
    assert result.verdict is Severity.WARN
    assert rules_hit(result, Severity.WARN) == ["test-measure/graphite-us-review"]


def test_country_control_applies_through_the_destination(test_checker: Checker) -> None:
    text = manifest(items=GRAPHITE, consignee="DE").replace("items:", "destination: US\nitems:")
    assert check(test_checker, text).verdict is Severity.WARN


def test_country_control_does_not_apply_elsewhere(test_checker: Checker) -> None:
    assert check(test_checker, manifest(items=GRAPHITE, consignee="DE")).verdict is Severity.PASS


@pytest.mark.parametrize(
    ("consignee", "verdict"), [("DE", Severity.PASS), ("FR", Severity.PASS), ("JP", Severity.FAIL)]
)
def test_all_but_listed_destinations(
    test_checker: Checker, consignee: str, verdict: Severity
) -> None:
    items = "  - description: Bismuth ingots\n    mineral: Bi\n    quantity: 1 t\n"
    assert check(test_checker, manifest(items=items, consignee=consignee)).verdict is verdict


def test_military_end_user_is_prohibited_whatever_the_permit(test_checker: Checker) -> None:
    end_user = "end_user:\n  name: Example Army\n  country: DE\n  military: true\n"
    items = "  - description: Iron bars\n    mineral: iron\n    quantity: 1 t\n"
    result = check(
        test_checker, manifest(items=items, end_user=end_user, permits=permit(covers="[iron]"))
    )
    assert result.verdict is Severity.FAIL
    assert rules_hit(result, Severity.FAIL) == ["test-measure/military"]


def test_civil_end_user_is_not_caught_by_the_military_control(test_checker: Checker) -> None:
    end_user = "end_user:\n  name: Example Works\n  country: DE\n  military: false\n"
    items = "  - description: Iron bars\n    mineral: iron\n    quantity: 1 t\n"
    assert check(test_checker, manifest(items=items, end_user=end_user)).verdict is Severity.PASS


# --- permits ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "verdict"),
    [
        ("2025-03-31", Severity.FAIL),
        ("2025-04-01", Severity.PASS),
        ("2025-04-30", Severity.PASS),
        ("2025-05-01", Severity.FAIL),
    ],
)
def test_permit_validity_is_inclusive(test_checker: Checker, day: str, verdict: Severity) -> None:
    text = manifest(
        ship_date=day, permits=permit(valid_from="2025-04-01", valid_until="2025-04-30")
    )
    result = check(test_checker, text)
    assert result.verdict is verdict
    if verdict is Severity.FAIL:
        assert "P-1" in result.findings[0].message


def test_permit_for_another_destination_does_not_cover(test_checker: Checker) -> None:
    result = check(test_checker, manifest(permits=permit(destination="FR")))
    assert result.verdict is Severity.FAIL
    assert "is for FR, not the final destination DE" in result.findings[0].message


def test_permit_for_another_end_user_does_not_cover(test_checker: Checker) -> None:
    end_user = "end_user:\n  name: Example Motors AG\n  country: DE\n"
    extra = "    end_user: Other Motors AG\n"
    result = check(test_checker, manifest(end_user=end_user, permits=permit(extra=extra)))
    assert result.verdict is Severity.FAIL
    assert "end user 'Other Motors AG'" in result.findings[0].message


def test_permit_end_user_ignores_case_and_surrounding_space(test_checker: Checker) -> None:
    end_user = "end_user:\n  name: Example Motors AG\n  country: DE\n"
    extra = "    end_user: '  example MOTORS ag '\n"
    assert check(
        test_checker, manifest(end_user=end_user, permits=permit(extra=extra))
    ).verdict is (Severity.PASS)


TWO_LINES = (
    "  - description: Gallium ingots\n    mineral: gallium\n    quantity: 600 kg\n"
    "  - description: Gallium pellets\n    mineral: gallium\n    quantity: {second}\n"
)


@pytest.mark.parametrize(
    ("second", "verdict"),
    [
        ("400 kg", Severity.PASS),
        ("0.4 t", Severity.PASS),
        ("400001 g", Severity.FAIL),
        ("0.401 t", Severity.FAIL),
    ],
)
def test_permit_quantity_is_summed_over_lines(
    test_checker: Checker, second: str, verdict: Severity
) -> None:
    text = manifest(
        items=TWO_LINES.format(second=second), permits=permit(extra="    quantity: 1 t\n")
    )
    result = check(test_checker, text)
    assert result.verdict is verdict
    if verdict is Severity.FAIL:
        failing = [f for f in result.findings if f.severity is Severity.FAIL]
        assert [f.item for f in failing] == [1, 2]
        assert all("items 1, 2" in f.message for f in failing)


@pytest.mark.parametrize(
    "covers", ["[gallium]", "[Ga]", "['8112']", "[test-measure]", f"[{GALLIUM}]"]
)
def test_permit_covers_by_mineral_hs_prefix_rule_or_control(
    test_checker: Checker, covers: str
) -> None:
    items = GALLIUM_WITH_CODE
    assert check(test_checker, manifest(items=items, permits=permit(covers=covers))).verdict is (
        Severity.PASS
    )


@pytest.mark.parametrize("covers", ["[germanium]", "['2846']", "[test-measure/antimony-oxide]"])
def test_permit_covering_something_else_does_not_cover(test_checker: Checker, covers: str) -> None:
    items = GALLIUM_WITH_CODE
    assert check(test_checker, manifest(items=items, permits=permit(covers=covers))).verdict is (
        Severity.FAIL
    )


def test_item_naming_a_permit_uses_only_that_permit(test_checker: Checker) -> None:
    permits = permit("P-1", destination="FR") + permit("P-2")
    items = (
        "  - description: Gallium\n    mineral: gallium\n    quantity: 1 kg\n    permits: [P-1]\n"
    )
    result = check(test_checker, manifest(items=items, permits=permits))
    assert result.verdict is Severity.FAIL
    assert "permit P-1 is for FR" in result.findings[0].message


def test_item_naming_no_permit_may_use_any_that_covers_it(test_checker: Checker) -> None:
    permits = permit("P-1", destination="FR") + permit("P-2")
    result = check(test_checker, manifest(permits=permits))
    assert result.verdict is Severity.PASS
    assert "P-2" in result.findings[0].message and result.findings[0].code == "covered"
