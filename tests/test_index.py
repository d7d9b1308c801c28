"""The scoped index (controls set aside by exporter, destination, end user, origin and date before
any item is tried) decides exactly as trying every control that names the item does."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import manifest
from mineralcheck.explain import explain
from mineralcheck.pipeline import Checker, Options

MINERALS = ["gallium", "germanium", "tungsten", "cobalt", "lithium"]
COUNTRIES = ["CN", "BR", "US", "DE", "JP"]


def overlapping_pack(directory: Path, files: int = 12, per_file: int = 25) -> None:
    """Controls that overlap in every way the index sets controls aside by."""
    rng = random.Random(5)
    directory.mkdir()
    for number in range(files):
        jurisdiction = rng.choice(["CN", "BR"])
        effective = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 700))
        lines = [
            f"id: overlap-{number:02d}",
            "title: Overlapping synthetic measure",
            f"reference: Synthetic No. {number}",
            "source: https://example.invalid/overlap",
            f"jurisdiction: {jurisdiction}",
            "announced: 2024-01-01",
            f"effective: {effective}",
        ]
        if rng.random() < 0.3:
            start = effective + dt.timedelta(days=rng.randint(0, 200))
            until = start + dt.timedelta(days=rng.randint(0, 120))
            lines += ["suspensions:", f"  - {{from: {start}, until: {until}, by: Synthetic}}"]
        lines.append("controls:")
        for index in range(per_file):
            lines += [
                f"  - id: c{index:02d}",
                "    title: Synthetic control",
                "    items:",
                f"      - minerals: [{rng.choice(MINERALS)}]",
            ]
            if rng.random() < 0.3:
                lines.append(f"        forms: [{rng.choice(['metal', 'oxide', 'ore'])}]")
            if rng.random() < 0.3:
                lines.append("    exporters: elsewhere")
            choice = rng.random()
            if choice < 0.3:
                lines.append(f"    destinations: {{only: [{rng.choice(COUNTRIES)}]}}")
            elif choice < 0.5:
                lines.append(f"    destinations: {{all_except: [{rng.choice(COUNTRIES)}]}}")
            if rng.random() < 0.2:
                lines.append("    end_users: military")
            if rng.random() < 0.3:
                lines.append(f"    origin: {{only: [{rng.choice(COUNTRIES)}]}}")
            if rng.random() < 0.1:
                lines.append("    parties: [{name: Listed Example Corporation}]")
            requires = rng.choice(["permit", "prohibited", "review", "info"])
            lines += [f"    requires: {requires}", '    message: "{item}: synthetic"']
        (directory / f"overlap-{number:02d}.yaml").write_text("\n".join(lines) + "\n")


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
