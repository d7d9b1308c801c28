"""The schemas (Pydantic models) and their plain twins, which the engine and the compiled pack
use: the same fields, the same defaults, and nothing of Pydantic left in what a run keeps."""

from __future__ import annotations

import copy
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from conftest import EXAMPLES
from mineralcheck.manifest import model as manifest_schema
from mineralcheck.manifest.shipment import build
from mineralcheck.plain import MISSING, Field, fields, is_record
from mineralcheck.records import register_schema, reviews, reviews_schema
from mineralcheck.ruleset import model as rule_schema
from mineralcheck.ruleset.loader import load_pack
from mineralcheck.yamlread import YamlReadError, read_yaml
from shipments import VOCABULARY, assert_agrees, by_schema

RULE_PAIRS = [(schema, twin) for schema, twin in rule_schema._TWINS.items()]
MANIFEST_PAIRS = [(schema, twin) for schema, twin in manifest_schema._TWINS.items()]
REGISTER_PAIRS = [
    (register_schema.Licence, register_schema._TWINS[register_schema.Licence]),
    (reviews_schema.Review, reviews.Review),
]


def _pair_id(pair: Any) -> str:
    return str(pair[0].__name__)


def _default(field: Field) -> Any:
    if field.default is not MISSING:
        return field.default
    if field.default_factory is not MISSING:
        return field.default_factory()
    return PydanticUndefined


@pytest.mark.parametrize("pair", RULE_PAIRS + MANIFEST_PAIRS + REGISTER_PAIRS, ids=_pair_id)
def test_each_twin_has_its_schemas_fields_and_defaults(pair: Any) -> None:
    schema, twin = pair
    found = {f.name: f for f in fields(twin)}
    assert list(found) == list(schema.model_fields)
    for name, info in schema.model_fields.items():
        expected = info.get_default(call_default_factory=True)
        if isinstance(expected, BaseModel):
            expected = rule_schema.to_rules(expected)
        assert _default(found[name]) == expected, name


@pytest.mark.parametrize("schema", [rule_schema, manifest_schema], ids=lambda m: m.__name__)
def test_every_schema_model_has_a_twin(schema: Any) -> None:
    models = {
        value
        for value in vars(schema).values()
        if isinstance(value, type)
        and issubclass(value, BaseModel)
        and value.__module__ == schema.__name__
    }
    assert models - {schema._Strict} == set(schema._TWINS)


def _reachable(value: Any, seen: set[int]) -> Any:
    if id(value) in seen:
        return
    seen.add(id(value))
    yield value
    if is_record(value):
        for field in fields(value):
            yield from _reachable(getattr(value, field.name), seen)
    elif isinstance(value, tuple | list):
        for entry in value:
            yield from _reachable(entry, seen)
    elif isinstance(value, dict):
        for entry in value.values():
            yield from _reachable(entry, seen)


def test_a_loaded_pack_keeps_only_the_twins() -> None:
    pack = load_pack([])
    found = list(_reachable([rule for _, rule in pack.rules] + [pack.info], set()))
    assert not [value for value in found if isinstance(value, BaseModel)]
    kinds = {type(value) for value in found}
    # the bundled pack uses every kind of twin, so the walk above reached into each
    assert set(rule_schema._TWINS.values()) <= kinds


# --- a manifest read by ``build`` is one the schema accepts, as the same twins ----------------


MANIFESTS = sorted(p for p in EXAMPLES.rglob("*.yaml") if "records" not in p.parts)


def _data(path: Path) -> Any:
    try:
        return read_yaml(path.read_bytes()).data
    except YamlReadError:
        return None  # examples of bad YAML: no data for either


def test_build_reads_every_example_the_schema_accepts_as_it_does() -> None:
    accepted = [p for p in MANIFESTS if by_schema(_data(p)) is not None]
    built = [p for p in MANIFESTS if assert_agrees(_data(p))]
    assert len(accepted) > 150
    # The examples in unusual shapes, left to the schema (each still read the same, above).
    assert sorted(p.name for p in set(accepted) - set(built)) == LEFT_TO_THE_SCHEMA


LEFT_TO_THE_SCHEMA: list[str] = []


# Values a manifest's fields may hold, right or wrong for any of them: each mutation below puts
# one where another was, so that every parser and every shape meets texts it must refuse.
ODD_VALUES: list[Any] = [
    None,
    "",
    " ",
    " x",
    "x ",
    "\u00a0x",
    "x\u2028",
    "\x1cx",
    "~",
    "null",
    5,
    True,
    1.5,
    [],
    {},
    ["a"],
    [None],
    [""],
    ["gallium", "germanium"],
    ["DE", "FR"],
    [" DE"],
    "5 kg",
    "5 KG",
    "5kg",
    " 5 kg ",
    "0 kg",
    "-1 kg",
    "1e3 kg",
    "1_000 kg",
    "0.5 t",
    "5 lb x",
    "5 kg kg",
    "1." + "0" * 40 + " kg",
    "1.0 kg",
    "1200 USD",
    "1200 usd",
    "1200 XXX",
    "USD",
    {"value": "1", "unit": "kg"},
    {"value": "0.50", "unit": "t"},
    {"value": "1", "unit": ["kg"]},
    {"value": "1"},
    {"value": "1", "unit": "kg", "x": "1"},
    {"value": 0, "unit": "kg"},
    {"amount": "5", "currency": "EUR"},
    {"amount": "5", "currency": ["EUR"]},
    {"amount": "-5", "currency": "EUR"},
    "true",
    "True",
    "false",
    "yes",
    "2025-02-30",
    "2025-02-03",
    "2025-2-3",
    "20250203",
    "DE",
    "deu",
    "Germany",
    "de",
    "XX",
    "EU",
    "gallium",
    "Ga",
    "GALLIUM",
    "ndfeb",
    "unobtainium",
    "gallim",
    "99.99%",
    "99.99 %",
    "0%",
    "101",
    "100",
    "2805.30",
    "28",
    "2805 30",
    "abc",
    "powder",
    "Metal",
    "ore",
    "nonsense-form",
    {"gallium": "30%"},
    {"cobalt": "30%"},
    {"gallium": "60%", "germanium": "50%"},
    {"gallium": "x"},
    {"Ga": "10%", "gallium": "10%"},
    "P-1",
    "1",
    "01",
    "0",
    "-3",
    "3",
]
# the keys an item or a manifest may have besides its required ones, as the schema knows them
ITEM_KEYS = [n for n, f in manifest_schema.Item.model_fields.items() if not f.is_required()]
OPTIONAL_KEYS = ["end_user", "destination", "permits", "unknown_key", "military", "end_use"]
BASES = [
    "pass/dysprosium-oxide-licensed-de.yaml",
    "fail/permit-quantity-exceeded.yaml",
    "fail/cd-2025-004-cobalt-quota-first-day-no-avq.yaml",
    "fail/cn-2026-27-listed-party.yaml",
]


def _places(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in ``value`` a mutation can change: each key of a mapping, each entry."""
    found = [path]
    if isinstance(value, dict):
        for key, entry in value.items():
            found += _places(entry, (*path, key))
    elif isinstance(value, list):
        for index, entry in enumerate(value):
            found += _places(entry, (*path, index))
    return found


def _holder(data: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        data = data[step]
    return data


def single_changes(data: Any) -> Any:
    """Every manifest one change away from ``data``: each value replaced by each odd value,
    each key dropped, each key an item or manifest may have added with each odd value."""
    for place in _places(data)[1:]:
        *parents, last = place
        for value in ODD_VALUES:
            changed = copy.deepcopy(data)
            _holder(changed, tuple(parents))[last] = value
            yield changed
        if isinstance(_holder(data, tuple(parents)), dict):
            changed = copy.deepcopy(data)
            del _holder(changed, tuple(parents))[last]
            yield changed
    for place in _places(data):
        holder = _holder(data, place)
        if isinstance(holder, dict):
            for key in ITEM_KEYS if "description" in holder else OPTIONAL_KEYS:
                for value in ODD_VALUES:
                    changed = copy.deepcopy(data)
                    _holder(changed, place)[key] = value
                    yield changed


@pytest.mark.parametrize("base", BASES)
def test_every_single_change_is_read_as_the_schema_reads_it(base: str) -> None:
    read = sum(assert_agrees(changed) for changed in single_changes(_data(EXAMPLES / base)))
    assert read > 100  # and many of them are read without the schema


def mutate(data: Any, rng: random.Random) -> Any:
    """``data`` with one change: a value replaced, a key dropped, or a key added."""
    place = rng.choice(_places(data)[1:])
    *parents, last = place
    holder = data
    for step in parents:
        holder = holder[step]
    action = rng.randrange(4)
    if action == 0 and isinstance(holder, dict):
        del holder[last]
    elif action == 1 and isinstance(holder, dict):
        keys = ITEM_KEYS if "description" in holder else OPTIONAL_KEYS
        holder[rng.choice(keys)] = rng.choice(ODD_VALUES)
    else:
        holder[last] = rng.choice(ODD_VALUES)
    return data


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    base=st.sampled_from(BASES), rng=st.randoms(use_true_random=False), changes=st.integers(1, 3)
)
def test_mutated_manifests_are_read_as_the_schema_reads_them(
    base: str, rng: random.Random, changes: int
) -> None:
    data = _data(EXAMPLES / base)
    for _ in range(changes):
        data = mutate(data, rng)
    assert_agrees(data)


def test_mutations_reach_both_paths() -> None:
    """The mutations above are not all refused (or all read): both answers are exercised."""
    rng = random.Random(5)
    outcomes = set()
    for index in range(300):
        data = mutate(_data(EXAMPLES / BASES[index % len(BASES)]), rng)
        outcomes.add((build(data, VOCABULARY) is None, by_schema(data) is None))
    assert outcomes == {(False, False), (True, True), (True, False)}


# --- what a check that meets only usual manifests imports ------------------------------------

WATCH = """
import sys
from mineralcheck.cli import main
code = main(sys.argv[1:])
heavy = sorted(m for m in sys.modules if m in ("pydantic.main", "mineralcheck.manifest.model",
    "mineralcheck.ruleset.model", "mineralcheck.fields", "yaml"))
print("exit", code, "loaded", ",".join(heavy) or "-", file=sys.stderr)
"""


def _watched(tmp_path: Path, path: Path, *options: str) -> str:
    env = {**os.environ, "MINERALCHECK_CACHE_DIR": str(tmp_path / "cache")}
    run = subprocess.run(
        [sys.executable, "-c", WATCH, "verify", "--no-cache", "-f", "json", str(path), *options],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    return run.stderr.splitlines()[-1]


def test_a_never_seen_manifest_is_checked_without_pydantic_models(tmp_path: Path) -> None:
    failing = EXAMPLES / "fail" / "cn-2023-23-gallium-day-effective-no-permit.yaml"
    # the first run compiles the pack (with the schema) and keeps it
    assert _watched(tmp_path, failing).startswith("exit 1 loaded mineralcheck.fields")
    # then a manifest checked for the first time: read, validated, judged (it fails), all
    # without the schema's models, and without PyYAML (the line reader reads it)
    assert _watched(tmp_path, failing) == "exit 1 loaded -"
    # a manifest in an unusual shape (text with spaces around it) goes to the schema
    odd = tmp_path / "odd.yaml"
    odd.write_text(
        failing.read_text()
        .replace("ingots, 99.99 %", 'ingots, 99.99 % "')
        .replace(": Gallium", ': " Gallium')
    )
    assert _watched(tmp_path, odd) == "exit 1 loaded " + ",".join(
        ["mineralcheck.fields", "mineralcheck.manifest.model", "pydantic.main"]
    )


def test_a_check_with_a_register_read_before_needs_no_pydantic_models(tmp_path: Path) -> None:
    records = EXAMPLES / "records"
    register = ("--permits", str(records / ".register.yaml"))
    first = records / "rec-a-general-licence-600-kg.yaml"
    # the first run validates the register (with its schema) and keeps it, sealed
    assert "pydantic.main" in _watched(tmp_path, first, *register)
    assert list((tmp_path / "cache").glob("register-*.bin"))
    # then a check with the same register reads it back: no schema, no Pydantic models
    assert _watched(tmp_path, first, *register) == "exit 0 loaded -"
