"""``@plain`` classes compare, hash, show and refuse changes exactly as the frozen dataclasses
that ``dataclasses`` writes, on every twin of the bundled pack and of the example manifests."""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

import pytest

from conftest import EXAMPLES
from mineralcheck.manifest import model as manifest_schema
from mineralcheck.manifest.shipment import build
from mineralcheck.plain import plain
from mineralcheck.ruleset import model as rule_schema
from mineralcheck.ruleset.loader import load_pack
from mineralcheck.yamlread import read_yaml
from shipments import VOCABULARY

PLAIN = set(rule_schema._TWINS.values()) | set(manifest_schema._TWINS.values())


def _walk(value: Any, found: list[Any]) -> None:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if type(value) in PLAIN:
            found.append(value)
        for field in dataclasses.fields(value):
            _walk(getattr(value, field.name), found)
    elif isinstance(value, tuple | list | frozenset | set):
        for item in value:
            _walk(item, found)
    elif isinstance(value, dict):
        for item in value.values():
            _walk(item, found)


def _instances() -> list[Any]:
    found: list[Any] = []
    _walk(load_pack([], True), found)  # its rule files, coverage and pack descriptions
    for path in sorted((EXAMPLES / "pass").glob("*.yaml")) + sorted(
        (EXAMPLES / "fail").glob("*.yaml")
    ):
        manifest = build(read_yaml(path.read_bytes()).data, VOCABULARY)
        if manifest is not None:
            _walk(manifest, found)
    by_class: dict[type, list[Any]] = {}
    for value in found:
        by_class.setdefault(type(value), []).append(value)
    return [value for values in by_class.values() for value in values[:25]]


INSTANCES = _instances()


def _reference(cls: type) -> type:
    """``cls``'s fields in a class that ``dataclasses`` writes in full, as ``cls`` once was."""
    made = dataclasses.make_dataclass(
        cls.__name__,
        [(f.name, f.type, dataclasses.field(repr=f.repr, compare=f.compare, hash=f.hash))
         for f in dataclasses.fields(cls)],
        frozen=True,
        kw_only=True,
    )  # fmt: skip
    made.__qualname__ = cls.__qualname__
    return made


def _as_reference(value: Any) -> Any:
    values = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    return _reference(type(value))(**values)


def test_every_twin_class_is_plain_and_met_here() -> None:
    for cls in PLAIN:
        assert cls.__hash__.__module__ == "mineralcheck.plain", cls
    assert {type(value) for value in INSTANCES} == PLAIN  # each class is tried below


@pytest.mark.parametrize("value", INSTANCES, ids=lambda value: type(value).__name__)
def test_repr_hash_and_equality_are_the_dataclass_ones(value: Any) -> None:
    reference = _as_reference(value)
    assert repr(value) == repr(reference)
    try:
        expected: int | None = hash(reference)
    except TypeError:  # a field holds a list or a dict: neither hashes
        expected = None
    if expected is None:
        with pytest.raises(TypeError):
            hash(value)
    else:
        assert hash(value) == expected
    same = copy.copy(value)
    assert value == same
    assert (value != same) is False  # __ne__ follows __eq__
    assert value != reference and reference != value  # another class is never equal
    assert value.__eq__(reference) is NotImplemented
    for field in dataclasses.fields(value):
        changed = dataclasses.replace(value, **{field.name: _other(getattr(value, field.name))})
        changed_reference = dataclasses.replace(
            reference, **{field.name: getattr(changed, field.name)}
        )
        assert (value == changed) == (reference == changed_reference), field.name


def test_a_plain_object_refuses_changes() -> None:
    value = INSTANCES[0]
    name = dataclasses.fields(value)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(value, name, None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        delattr(value, name)


def _other(value: Any) -> Any:
    """A value unlike ``value``."""
    return ("something else", value)


@plain
class _One:
    a: float


@plain
class _None:
    pass


@plain
class _Options:
    a: int
    b: list[int] = dataclasses.field(default_factory=list, compare=False, repr=False)
    c: str = dataclasses.field(default="c", hash=False)


@pytest.mark.parametrize(
    "value",
    [_One(a=1.5), _One(a=float("nan")), _None(), _Options(a=1, b=[2], c="x")],
    ids=lambda value: type(value).__name__,
)
def test_one_field_none_and_field_options_as_dataclasses_does_them(value: Any) -> None:
    reference = _as_reference(value)
    assert repr(value) == repr(reference)
    assert hash(value) == hash(reference)
    assert (value == copy.copy(value)) == (reference == copy.copy(reference))
