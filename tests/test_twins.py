"""The schemas (Pydantic models) and their plain twins, which the engine and the compiled pack
use: the same fields, the same defaults, and nothing of Pydantic left in what a run keeps."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from mineralcheck.ruleset import model as rule_schema
from mineralcheck.ruleset.loader import load_pack

RULE_PAIRS = [(schema, twin) for schema, twin in rule_schema._TWINS.items()]


def _pair_id(pair: Any) -> str:
    return str(pair[0].__name__)


def _default(field: dataclasses.Field[Any]) -> Any:
    if field.default is not dataclasses.MISSING:
        return field.default
    if field.default_factory is not dataclasses.MISSING:
        return field.default_factory()
    return PydanticUndefined


@pytest.mark.parametrize("pair", RULE_PAIRS, ids=_pair_id)
def test_each_twin_has_its_schemas_fields_and_defaults(pair: Any) -> None:
    schema, twin = pair
    fields = {f.name: f for f in dataclasses.fields(twin)}
    assert list(fields) == list(schema.model_fields)
    for name, info in schema.model_fields.items():
        expected = info.get_default(call_default_factory=True)
        if isinstance(expected, BaseModel):
            expected = rule_schema.to_rules(expected)
        assert _default(fields[name]) == expected, name


def test_every_schema_model_of_a_rule_file_has_a_twin() -> None:
    models = {
        value
        for value in vars(rule_schema).values()
        if isinstance(value, type)
        and issubclass(value, BaseModel)
        and value.__module__ == rule_schema.__name__
    }
    assert models - {rule_schema._Strict} == set(rule_schema._TWINS)


def _reachable(value: Any, seen: set[int]) -> Any:
    if id(value) in seen:
        return
    seen.add(id(value))
    yield value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
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
