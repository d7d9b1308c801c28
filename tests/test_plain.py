"""Record classes (``@record``, ``@plain``) are made as ``dataclasses`` would make them: the same
``__init__`` signature, and records that compare, hash, show, copy, pickle and refuse changes as
the dataclass's do. Held against ``dataclasses`` itself for every record class of the package
and every record of the bundled pack, its compiled controls and the example manifests."""

from __future__ import annotations

import copy
import dataclasses
import importlib
import inspect
import pickle
import pkgutil
from typing import Any, ClassVar

import pytest

import mineralcheck
from conftest import EXAMPLES
from mineralcheck import plain as records
from mineralcheck.engine.match import compile_pack
from mineralcheck.manifest import model as manifest_schema
from mineralcheck.manifest.reader import read_manifest
from mineralcheck.plain import FrozenInstanceError, field, fields, is_record, plain, record
from mineralcheck.ruleset import model as rule_schema
from mineralcheck.ruleset.loader import load_pack
from shipments import VOCABULARY


def _record_classes() -> list[type]:
    found = []
    for module in pkgutil.walk_packages(mineralcheck.__path__, "mineralcheck."):
        if module.name.endswith("__main__"):
            continue
        for value in vars(importlib.import_module(module.name)).values():
            if isinstance(value, type) and "__record_fields__" in vars(value):
                found.append(value)
    return sorted(set(found), key=lambda cls: (cls.__module__, cls.__qualname__))


CLASSES = _record_classes()
TWINS = set(rule_schema._TWINS.values()) | set(manifest_schema._TWINS.values())


def _walk(value: Any, found: list[Any], seen: set[int]) -> None:
    if id(value) in seen:
        return
    seen.add(id(value))
    if is_record(value):
        found.append(value)
        for spec in fields(value):
            _walk(getattr(value, spec.name), found, seen)
    elif isinstance(value, tuple | list | frozenset | set):
        for item in value:
            _walk(item, found, seen)
    elif isinstance(value, dict):
        for item in value.values():
            _walk(item, found, seen)


def _instances() -> list[Any]:
    found: list[Any] = []
    seen: set[int] = set()
    pack = load_pack([], True)
    _walk(pack, found, seen)  # its rule files, coverage and pack descriptions
    _walk(compile_pack(pack), found, seen)
    for path in sorted((EXAMPLES / "pass").glob("*.yaml")) + sorted(
        (EXAMPLES / "fail").glob("*.yaml")
    ):
        _walk(read_manifest(path.read_bytes(), VOCABULARY), found, seen)
    by_class: dict[type, list[Any]] = {}
    for value in found:
        by_class.setdefault(type(value), []).append(value)
    return [value for values in by_class.values() for value in values[:25]]


INSTANCES = _instances()


def _options(spec: records.Field) -> dict[str, Any]:
    given: dict[str, Any] = {
        "init": spec.init,
        "repr": spec.repr,
        "compare": spec.compare,
        "hash": spec.hash,
    }
    if spec.default is not records.MISSING:
        given["default"] = spec.default
    if spec.default_factory is not records.MISSING:
        given["default_factory"] = spec.default_factory
    return given


def _reference(cls: type) -> type:
    """The class ``dataclasses`` makes of ``cls``'s fields and options."""
    namespace = {"__post_init__": cls.__post_init__} if hasattr(cls, "__post_init__") else {}
    made = dataclasses.make_dataclass(
        cls.__name__,
        [(spec.name, spec.type, dataclasses.field(**_options(spec))) for spec in fields(cls)],
        namespace=namespace,
        **vars(cls)["__record_options__"],
    )
    made.__qualname__ = cls.__qualname__
    return made


def _as_reference(value: Any) -> Any:
    reference = _reference(type(value))
    made = reference.__new__(reference)
    for spec in fields(value):  # every field as the record holds it, __post_init__ not run again
        object.__setattr__(made, spec.name, getattr(value, spec.name))
    return made


def _signature(function: Any) -> list[tuple[str, Any, Any]]:
    """Parameter names, kinds and defaults (a default factory shown as such)."""
    factory = {records.MISSING, dataclasses._HAS_DEFAULT_FACTORY}  # type: ignore[attr-defined]
    return [
        (p.name, p.kind, "<factory>" if p.default in factory else p.default)
        for p in inspect.signature(function).parameters.values()
    ]


def test_the_package_makes_its_records_without_dataclasses() -> None:
    assert len(CLASSES) > 40
    assert set(CLASSES) >= TWINS
    for module in {cls.__module__ for cls in CLASSES}:
        assert "dataclasses" not in vars(importlib.import_module(module)), module
    reached = {type(value) for value in INSTANCES}
    assert reached >= TWINS  # the instance tests below try every twin, and more
    assert len(reached) > len(TWINS) + 5


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: f"{cls.__module__}.{cls.__qualname__}")
def test_each_record_class_is_the_class_dataclasses_makes(cls: type) -> None:
    reference = _reference(cls)
    if "__init__" not in vars(cls) or vars(cls)["__init__"].__module__ == "mineralcheck.plain":
        assert _signature(cls.__init__) == _signature(reference.__init__)
    assert (cls.__hash__ is None) == (reference.__hash__ is None)  # type: ignore[comparison-overlap]
    assert cls.__match_args__ == reference.__match_args__  # type: ignore[attr-defined]
    assert [spec.name for spec in fields(cls)] == [f.name for f in dataclasses.fields(reference)]
    assert hasattr(cls, "__dict__") is hasattr(reference, "__dict__")  # slots as asked


@pytest.mark.parametrize("value", INSTANCES, ids=lambda value: type(value).__name__)
def test_repr_hash_equality_and_copies_are_the_dataclass_ones(value: Any) -> None:
    reference = _as_reference(value)
    if "__repr__" not in vars(type(value)) or type(value).__repr__ is records._repr:
        assert repr(value) == repr(reference)
    try:
        expected: int | None = hash(reference)
    except TypeError:  # a field holds a list or a dict, or the record is mutable
        expected = None
    if expected is None:
        with pytest.raises(TypeError):
            hash(value)
    else:
        assert hash(value) == expected
    same = copy.copy(value)
    compared = [spec.name for spec in fields(value) if spec.compare]
    assert type(same) is type(value)
    assert (value == same) is (
        [getattr(same, n) for n in compared] == [getattr(value, n) for n in compared]
    )
    assert (value != same) is not (value == same)  # __ne__ follows __eq__
    if vars(type(value)).get("__getstate__", records._getstate) is records._getstate:
        assert value == same  # a copy holds the very same values
        again = pickle.loads(pickle.dumps(value))
        assert type(again) is type(value)  # each field as well kept as pickled alone
        assert [getattr(again, n) == getattr(value, n) for n in compared] == [
            _survives(getattr(value, n)) for n in compared
        ]
    assert value != reference and reference != value  # another class is never equal
    assert value.__eq__(reference) is NotImplemented
    for spec in fields(value):
        if not spec.init:
            continue
        changed = _replace(value, **{spec.name: _other(getattr(value, spec.name))})
        changed_reference = dataclasses.replace(
            reference, **{spec.name: getattr(changed, spec.name)}
        )
        assert (value == changed) == (reference == changed_reference), spec.name


def test_a_frozen_record_refuses_changes() -> None:
    frozen = [value for value in INSTANCES if vars(type(value))["__record_options__"]["frozen"]]
    assert {type(value) for value in frozen} >= TWINS
    for value in frozen:
        name = fields(value)[0].name
        with pytest.raises(FrozenInstanceError):
            setattr(value, name, None)
        with pytest.raises(FrozenInstanceError):
            delattr(value, name)
        with pytest.raises(AttributeError):  # as dataclasses: no new attribute either
            value.something_new = 1


def _replace(value: Any, /, **changes: Any) -> Any:
    """A copy of the record ``value`` with ``changes`` (as ``dataclasses.replace``)."""
    for spec in fields(value):
        if spec.init and spec.name not in changes:
            changes[spec.name] = getattr(value, spec.name)
    return type(value)(**changes)


def _survives(value: Any) -> bool:
    return bool(pickle.loads(pickle.dumps(value)) == value)


def _other(value: Any) -> Any:
    """A value unlike ``value``."""
    return ("something else", value)


# --- the builder on classes that use each option ----------------------------------------------


@plain
class _One:
    a: float


@plain
class _None:
    pass


@plain
class _Options:
    a: int
    b: list[int] = field(default_factory=list, compare=False, repr=False)
    c: str = field(default="c", hash=False)


@record
class _Mutable:
    a: int
    b: list[int] = field(default_factory=list)
    limit: ClassVar[int] = 3  # not a field
    c: int | None = field(init=False)
    d: int = field(default=7, init=False)

    def __post_init__(self) -> None:
        self.c = self.a * 2


@record(frozen=True, slots=True)
class _Slotted:
    a: int
    b: tuple[int, ...] = ()


@record(frozen=True)
class _Base:
    a: int


@record(frozen=True)
class _Derived(_Base):
    b: int = 2

    def __eq__(self, other: object) -> bool:  # its own: kept
        return isinstance(other, _Derived) and other.a == self.a

    __hash__ = None  # type: ignore[assignment]


@pytest.mark.parametrize(
    "value",
    [
        _One(a=1.5),
        _One(a=float("nan")),
        _None(),
        _Options(a=1, b=[2], c="x"),
        _Mutable(1, [2]),
        _Slotted(1, (2,)),
        _Base(1),
        _Derived(1, 3),
    ],
    ids=lambda value: type(value).__name__,
)
def test_each_option_as_dataclasses_does_it(value: Any) -> None:
    cls = type(value)
    reference = _reference(cls)
    if "__init__" not in vars(cls) or vars(cls)["__init__"].__module__ == "mineralcheck.plain":
        assert _signature(cls.__init__) == _signature(reference.__init__)
    if "__repr__" not in vars(cls) or cls.__repr__ is records._repr:
        assert repr(value) == repr(_as_reference(value))
    assert (cls.__hash__ is None) == (reference.__hash__ is None)  # type: ignore[comparison-overlap]
    if cls.__hash__ is not None:
        assert hash(value) == hash(_as_reference(value))
    reference_value = _as_reference(value)
    assert (value == copy.copy(value)) == (reference_value == copy.copy(reference_value))
    assert repr(pickle.loads(pickle.dumps(value))) == repr(value)


def test_init_defaults_factories_post_init_and_class_variables() -> None:
    first, second = _Mutable(1), _Mutable(2)
    assert first.b == [] and first.b is not second.b  # a new list each time
    assert (first.c, first.d) == (2, 7)  # __post_init__ ran; an init=False default is set
    assert [spec.name for spec in fields(_Mutable)] == ["a", "b", "c", "d"]
    assert _Mutable.limit == 3
    first.a = 5  # mutable: allowed
    assert first.a == 5
    with pytest.raises(TypeError):
        _Mutable(1, [], 3)  # c is not a parameter
    with pytest.raises(TypeError):
        _One(1.5)  # type: ignore[misc]  # keyword-only
    assert _Options(a=1) == _Options(a=1, b=[9])  # b is not compared
    assert "b=" not in repr(_Options(a=1))


def test_slots_and_inheritance() -> None:
    value = _Slotted(1)
    assert not hasattr(value, "__dict__") and _Slotted.__slots__ == ("a", "b")
    with pytest.raises(FrozenInstanceError):
        value.a = 2  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(value)) == value
    derived = _Derived(1, 3)
    assert [spec.name for spec in fields(derived)] == ["a", "b"]
    assert derived == _Derived(1, 4)  # its own __eq__ kept
    assert _Base(1).__eq__(derived) is NotImplemented  # a subclass is another class
    assert _Base(1) != derived
    assert hash(derived) == hash((1, 3))  # "__hash__ = None" beside its own __eq__ is not its own


def test_mistakes_are_refused_as_dataclasses_refuses_them() -> None:
    with pytest.raises(ValueError, match="mutable default"):

        @record
        class _Shared:
            a: list[int] = []  # noqa: RUF012

    with pytest.raises(TypeError, match="non-default argument"):

        @record
        class _Order:
            a: int = 1
            b: int  # type: ignore[misc]

    with pytest.raises(ValueError, match="both"):
        field(default=1, default_factory=int)
    with pytest.raises(TypeError):
        fields(object())


def test_as_data_is_asdict() -> None:
    value = _Mutable(1, [2])
    reference = _as_reference(value)
    assert records.as_data(value) == dataclasses.asdict(reference)
    nested = _Slotted(1, (2,))
    assert records.as_data({"k": [nested]}) == {"k": [{"a": 1, "b": (2,)}]}
