"""The scoped index (controls set aside by exporter, destination, end user, origin and date before
any item is tried) decides exactly as trying every control that names the item does."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import manifest
from mineralcheck.explain import explain
from mineralcheck.pipeline import Checker, Options
from packs import COUNTRIES, MINERALS, overlapping_pack


@pytest.fixture(scope="module")
def checkers(tmp_path_factory: pytest.TempPathFactory) -> tuple[Checker, Checker]:
    rules = tmp_path_factory.mktemp("overlap") / "rules"
    overlapping_pack(rules)
    options = Options(rule_paths=(rules,), bundled=True)
    return Checker(options), Checker(options)


ITEM = st.fixed_dictionaries(
    {
        "mineral": st.sampled_from(MINERALS),
        "form": st.sampled_from([None, "metal", "oxide", "ore"]),
        "origin": st.sampled_from([None, *COUNTRIES]),
    }
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    items=st.lists(ITEM, min_size=1, max_size=4),
    exporter=st.sampled_from(COUNTRIES),
    consignee=st.sampled_from(COUNTRIES),
    end_user=st.sampled_from(["Example End User", "Listed Example Corporation"]),
    military=st.booleans(),
    day=st.dates(min_value=dt.date(2023, 10, 1), max_value=dt.date(2026, 12, 31)),
)
def test_the_scoped_index_equals_trying_every_control(  # type: ignore[no-untyped-def]
    checkers, items, exporter, consignee, end_user, military, day
) -> None:
    text = "".join(
        f"  - description: Goods\n    mineral: {i['mineral']}\n    quantity: 1 kg\n"
        + (f"    form: {i['form']}\n" if i["form"] else "")
        + (f"    origin: {i['origin']}\n" if i["origin"] else "")
        for i in items
    )
    raw = manifest(
        text,
        ship_date=day.isoformat(),
        exporter=exporter,
        consignee=consignee,
        end_user=(
            f"end_user:\n  name: {end_user}\n  country: {consignee}\n"
            f"  military: {str(military).lower()}\n"
        ),
    ).encode()
    scoped, every = checkers
    fast = scoped.check_bytes("m.yaml", raw)  # the index sets controls aside first
    full = explain(every, "m.yaml", raw).result  # every control naming the item, traced
    assert fast.findings == full.findings
    assert fast.verdict == full.verdict
