"""The scoped index (controls set aside by exporter, destination, end user, origin and date before
any item is tried) decides exactly as trying every control that names the item does."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

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


PROPERTY = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@settings(PROPERTY, max_examples=150)
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


GOODS = st.fixed_dictionaries(
    {
        "mineral": st.sampled_from([None, *MINERALS]),
        "hs_code": st.sampled_from([None, "2805301300", "8112929090", "2846901993", "8505111000"]),
        "form": st.sampled_from([None, "metal", "oxide", "ore", "powder"]),
        "purity": st.sampled_from([None, "90%", "99.99%"]),
        "origin": st.sampled_from([None, *COUNTRIES]),
    }
).filter(lambda g: g["mineral"] or g["hs_code"])


@settings(PROPERTY, max_examples=100)
@given(
    batch=st.lists(
        st.tuples(st.lists(GOODS, min_size=1, max_size=3), st.sampled_from(COUNTRIES)),
        min_size=2,
        max_size=5,
    )
)
def test_a_judge_that_remembers_items_decides_as_a_fresh_one(  # type: ignore[no-untyped-def]
    checkers, batch
) -> None:
    """Outcomes are remembered per control and distinct goods: a manifest judged after others
    gets the findings it gets from a judge that has seen nothing (every fact in the key)."""
    remembering, fresh = checkers
    for goods, exporter in batch:
        text = "".join(
            "  - description: Goods\n    quantity: 1 kg\n"
            + "".join(f"    {k}: {v}\n" for k, v in g.items() if v is not None)
            for g in goods
        )
        raw = manifest(text, ship_date="2025-06-01", exporter=exporter).encode()
        fresh.judge._outcomes.clear()
        fresh.pack.vocabulary.parsed.clear()
        assert (
            remembering.check_bytes("m.yaml", raw).findings
            == fresh.check_bytes("m.yaml", raw).findings
        )


GOODS_PAIRS = {  # the same goods but for one fact that changes the outcome of a control
    "purity": ("mineral: tungsten\n    form: metal\n    purity: 99.99%", "CN", "purity: 90%"),
    "form": ("mineral: dysprosium\n    form: oxide", "CN", "form: ore"),
    "hs_code": ("hs_code: 8112929090", "CN", "hs_code: 8112929000"),  # listed, and beside it
    "mineral": ("mineral: gallium\n    hs_code: 8112929090", "CN", "mineral: copper"),
    "origin": ("mineral: dysprosium\n    form: metal\n    origin: CN", "DE", "origin: BR"),
}


@pytest.mark.parametrize("fact", list(GOODS_PAIRS))
def test_each_fact_of_the_goods_keeps_remembered_outcomes_apart(fact: str) -> None:
    goods, exporter, changed = GOODS_PAIRS[fact]
    key = changed.split(":")[0]
    lines = goods.split("\n    ")
    other = "\n    ".join(changed if line.startswith(key) else line for line in lines)
    texts = [
        manifest(
            f"  - description: Goods\n    quantity: 1 kg\n    {g}\n",
            ship_date="2025-12-01",
            exporter=exporter,
        ).encode()
        for g in (goods, other)
    ]
    fresh = [Checker(Options()).check_bytes("m.yaml", raw) for raw in texts]
    assert fresh[0].findings != fresh[1].findings  # the fact decides something
    remembering = Checker(Options())
    for order in (texts, texts[::-1]):
        for raw in order:
            result = remembering.check_bytes("m.yaml", raw)
            assert result.findings == fresh[texts.index(raw)].findings


LISTING_PACK = """\
id: listing
title: Synthetic measure on listed parties
reference: Synthetic No. L
source: https://example.invalid/listing
jurisdiction: CN
announced: 2024-01-01
effective: 2024-06-01
controls:
  - id: listed
    title: Gallium to listed parties
    items:
      - minerals: [gallium]
    parties: [{name: Listed Example Corporation}]
    requires: prohibited
    message: "{item}: listed party"
"""


@pytest.mark.parametrize("who", ["consignee", "end_user"])
def test_remembered_screening_keeps_the_parties_apart(tmp_path: Path, who: str) -> None:
    (tmp_path / "listing.yaml").write_text(LISTING_PACK, encoding="utf-8")
    options = Options(rule_paths=(tmp_path / "listing.yaml",), bundled=True)

    def text(name: str) -> bytes:
        named = name if who == "end_user" else "Example End User"  # the same for both
        end_user = f"end_user:\n  name: {named}\n  country: US\n"
        raw = manifest(ship_date="2025-06-01", consignee="US", end_user=end_user)
        if who == "consignee":
            raw = raw.replace("name: Example Consignee GmbH", f"name: {name}", 1)
        return raw.encode()

    texts = [text("Example Buyer Inc"), text("Listed Example Corporation")]
    fresh = [Checker(options).check_bytes("m.yaml", raw) for raw in texts]
    assert [f.code for f in fresh[1].findings if f.rule == "listing/listed"] == ["prohibited"]
    assert not [f for f in fresh[0].findings if f.rule == "listing/listed"]
    remembering = Checker(options)
    for raw in [*texts, *texts[::-1]]:
        assert remembering.check_bytes("m.yaml", raw).findings == fresh[texts.index(raw)].findings
