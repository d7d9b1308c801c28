"""Invariants of the reader and the engine, over generated input."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import TEST_RULES, check, manifest, permit
from mineralcheck.pipeline import Checker, Options
from mineralcheck.results import VERDICTS, Severity

CHECKER = Checker(Options(rule_paths=(TEST_RULES,), bundled=False))
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

VALID = manifest(permits=permit())


def assert_well_formed(raw: bytes) -> None:
    result = CHECKER.check_bytes("x.yaml", raw)
    assert result.verdict in VERDICTS
    for finding in result.findings:
        if finding.severity is Severity.ERROR:
            assert finding.line is not None and finding.line >= 1
            assert finding.column is not None and finding.column >= 1


@SETTINGS
@given(st.binary(max_size=400))
def test_any_bytes_give_a_verdict_never_an_exception(raw: bytes) -> None:
    assert_well_formed(raw)


@SETTINGS
@given(st.integers(min_value=0, max_value=len(VALID) - 1), st.text(max_size=12))
def test_any_edit_of_a_valid_manifest_gives_a_located_verdict(position: int, insert: str) -> None:
    assert_well_formed((VALID[:position] + insert + VALID[position:]).encode())


@SETTINGS
@given(st.integers(min_value=0, max_value=len(VALID) - 1), st.integers(min_value=1, max_value=40))
def test_any_cut_of_a_valid_manifest_gives_a_located_verdict(position: int, length: int) -> None:
    assert_well_formed((VALID[:position] + VALID[position + length :]).encode())


COVERS = ["gallium", "Ga", "8112", "test-measure", "test-measure/gallium", "germanium", "2846"]
DESTINATIONS = ["DE", "FR", "US", "NO"]


@SETTINGS
@given(
    covers=st.lists(st.sampled_from(COVERS), min_size=1, max_size=3, unique=True),
    more_covers=st.lists(st.sampled_from(COVERS), max_size=3, unique=True),
    destinations=st.lists(st.sampled_from(DESTINATIONS), min_size=1, max_size=2, unique=True),
    more_destinations=st.lists(st.sampled_from(DESTINATIONS), max_size=2, unique=True),
    start=st.dates(dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
    days=st.integers(0, 200),
    earlier=st.integers(0, 60),
    later=st.integers(0, 60),
)
def test_a_permit_that_covers_more_never_turns_a_pass_into_a_fail(
    covers: list[str],
    more_covers: list[str],
    destinations: list[str],
    more_destinations: list[str],
    start: dt.date,
    days: int,
    earlier: int,
    later: int,
) -> None:
    items = (
        "  - description: Gallium\n    mineral: gallium\n    hs_code: 8112929090\n"
        "    quantity: 1 kg\n"
    )

    def verdict(cov: list[str], dest: list[str], first: dt.date, last: dt.date) -> Severity:
        p = permit(
            valid_from=first.isoformat(),
            valid_until=last.isoformat(),
            destination="[" + ", ".join(dest) + "]",
            covers="[" + ", ".join(f"'{c}'" for c in cov) + "]",
        )
        return check(CHECKER, manifest(items=items, permits=p, ship_date="2025-04-15")).verdict

    end = start + dt.timedelta(days=days)
    narrow = verdict(covers, destinations, start, end)
    wide = verdict(
        covers + [c for c in more_covers if c not in covers],
        destinations + [d for d in more_destinations if d not in destinations],
        start - dt.timedelta(days=earlier),
        end + dt.timedelta(days=later),
    )
    assert wide.rank <= narrow.rank


OUTSIDE = st.one_of(
    st.dates(dt.date(2020, 1, 1), dt.date(2025, 3, 9)),  # before it takes effect
    st.dates(dt.date(2025, 6, 1), dt.date(2025, 6, 30)),  # suspended
    st.dates(dt.date(2026, 1, 1), dt.date(2030, 12, 31)),  # after it ends
)


@SETTINGS
@given(OUTSIDE)
def test_a_date_outside_a_controls_window_never_triggers_it(day: dt.date) -> None:
    result = check(CHECKER, manifest(ship_date=day.isoformat()))
    triggered = [f for f in result.findings if f.rule == "test-measure/gallium" and f.severity.rank]
    assert not triggered and result.verdict is Severity.PASS


@SETTINGS
@given(
    st.dates(dt.date(2025, 3, 10), dt.date(2025, 12, 31)).filter(
        lambda d: not dt.date(2025, 6, 1) <= d <= dt.date(2025, 6, 30)
    )
)
def test_a_date_inside_the_window_always_triggers_it(day: dt.date) -> None:
    assert check(CHECKER, manifest(ship_date=day.isoformat())).verdict is Severity.FAIL
