"""Record classes made without ``dataclasses``: ``@record`` and ``@plain``.

``@record`` takes the arguments of ``dataclasses.dataclass`` that mineralcheck uses (``frozen``,
``kw_only``, ``slots``) and makes the class that ``dataclass`` would make; ``@plain`` is
``@record(frozen=True, kw_only=True)``, for the twins of the rule pack and of the shipment.

Why not ``dataclasses`` itself: importing it costs about 7 ms (it imports ``inspect``, ``ast``,
``dis`` and ``tokenize``), and it spends 0.3-1 ms on each class it makes, 38 of them on the path
of one manifest's check: together a fifth of what a pre-commit hook waits for. Here each class
gets one small compiled ``__init__``, written as ``dataclasses`` writes it, and shares
``__eq__``, ``__hash__``, ``__repr__`` and, when frozen, ``__setattr__`` and ``__delattr__``,
which compute what the written ones would: the same fields compared, hashed and shown, in the
same order, and a record is only ever equal to one of its own class. ``tests/test_plain.py``
holds every record class of the package against the class ``dataclasses`` makes of it.
"""

from collections.abc import Callable
from operator import attrgetter
from typing import Any, TypeVar, dataclass_transform, overload

T = TypeVar("T")

_FIELDS = "__record_fields__"  # the class attribute holding a record class's fields


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()  # no default given


class FrozenInstanceError(AttributeError):
    """An attempt to change or delete a field of a frozen record."""


class Field:
    """One field of a record class, as ``field()`` declares it (``dataclasses.Field``'s
    attributes, those mineralcheck uses)."""

    __slots__ = ("compare", "default", "default_factory", "hash", "init", "name", "repr", "type")

    def __init__(
        self,
        default: Any = MISSING,
        default_factory: Any = MISSING,
        init: bool = True,
        repr: bool = True,
        compare: bool = True,
        hash: bool | None = None,
    ) -> None:
        if default is not MISSING and default_factory is not MISSING:
            raise ValueError("cannot give both default and default_factory")
        self.name = ""
        self.type: Any = None
        self.default = default
        self.default_factory = default_factory
        self.init = init
        self.repr = repr
        self.compare = compare
        self.hash = hash

    def __repr__(self) -> str:
        return f"Field(name={self.name!r}, default={self.default!r})"


def field(
    *,
    default: Any = MISSING,
    default_factory: Callable[[], Any] | Any = MISSING,
    init: bool = True,
    repr: bool = True,
    compare: bool = True,
    hash: bool | None = None,
) -> Any:
    """A field with options, as ``dataclasses.field`` declares one."""
    return Field(default, default_factory, init, repr, compare, hash)


def fields(value: object) -> tuple[Field, ...]:
    """The fields of a record class or record, in order."""
    cls = value if isinstance(value, type) else type(value)
    found: tuple[Field, ...] | None = getattr(cls, _FIELDS, None)
    if found is None:
        raise TypeError(f"{cls.__qualname__} is not a record class")
    return found


def is_record(value: object) -> bool:
    """Whether ``value`` is a record (not a record class)."""
    return not isinstance(value, type) and hasattr(type(value), _FIELDS)


def as_data(value: Any) -> Any:
    """``value`` with its records turned into dicts, all the way down (``dataclasses.asdict``)."""
    if is_record(value):
        return {spec.name: as_data(getattr(value, spec.name)) for spec in fields(value)}
    if isinstance(value, list | tuple):
        return type(value)(as_data(item) for item in value)
    if isinstance(value, dict):
        return {as_data(key): as_data(item) for key, item in value.items()}
    return value


def _getter(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """A function giving an object's values of ``names``, always as a tuple."""
    if len(names) == 1:
        name = names[0]
        return lambda obj: (getattr(obj, name),)
    if not names:
        return lambda obj: ()
    getter: Callable[[Any], tuple[Any, ...]] = attrgetter(*names)
    return getter


def _is_class_var(annotation: object) -> bool:
    text = annotation if isinstance(annotation, str) else repr(annotation)
    return text.startswith(("ClassVar", "typing.ClassVar"))


def _collect(cls: type) -> dict[str, Field]:
    """The fields of ``cls``: its bases' first, then its own annotations, in order."""
    found: dict[str, Field] = {}
    for base in reversed(cls.__mro__[1:]):
        for spec in base.__dict__.get(_FIELDS, ()):
            found[spec.name] = spec
    own = cls.__dict__.get("__annotations__", {})  # noqa: RUF063 - inspect costs 7 ms to import
    for name, annotation in own.items():
        if _is_class_var(annotation):
            continue
        value = cls.__dict__.get(name, MISSING)
        spec = value if isinstance(value, Field) else Field(default=value)
        spec.name, spec.type = name, annotation
        if isinstance(spec.default, list | dict | set):
            raise ValueError(f"mutable default for field {name}: use default_factory")
        if isinstance(value, Field):  # as dataclasses leaves it: the default, or nothing
            if spec.default is MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, spec.default)
        found[name] = spec
    return found


def _init(cls: type, specs: list[Field], kw_only: bool, frozen: bool) -> Callable[..., None]:
    """``__init__`` for ``specs``, compiled from source as ``dataclasses`` writes it."""
    namespace: dict[str, Any] = {"_record_missing": MISSING, "_record_set": object.__setattr__}
    positional: list[str] = []
    keyword: list[str] = []
    body: list[str] = []
    for spec in specs:
        name = spec.name
        default = f"_record_default_{name}"
        factory = f"_record_factory_{name}"
        if spec.default is not MISSING:
            namespace[default] = spec.default
            parameter, value = f"{name}={default}", name if spec.init else default
        elif spec.default_factory is not MISSING:
            namespace[factory] = spec.default_factory
            parameter = f"{name}=_record_missing"
            value = f"{factory}() if {name} is _record_missing else {name}"
            value = value if spec.init else f"{factory}()"
        elif spec.init:
            parameter, value = name, name
            if not kw_only and positional and "=" in positional[-1]:
                raise TypeError(f"non-default argument {name!r} follows default argument")
        else:
            continue  # neither given nor defaulted: __post_init__ sets it, if anything does
        if spec.init:
            (keyword if kw_only else positional).append(parameter)
        body.append(f"_record_set(self, {name!r}, {value})" if frozen else f"self.{name} = {value}")
    if hasattr(cls, "__post_init__"):
        body.append("self.__post_init__()")
    parameters = ["self", *positional, *(["*", *keyword] if keyword else [])]
    source = f"def __init__({', '.join(parameters)}):\n    " + ("\n    ".join(body) or "pass")
    exec(source, namespace)
    init: Callable[..., None] = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init


def _eq(self: Any, other: object) -> object:  # a bool, or NotImplemented
    values = self.__class__.__record_compared__
    if other.__class__ is not self.__class__:
        return NotImplemented
    return values(self) == values(other)


def _hash(self: Any) -> int:
    return hash(self.__class__.__record_hashed__(self))


def _repr(self: Any) -> str:
    shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__class__.__record_shown__)
    return f"{self.__class__.__qualname__}({shown})"


def _setattr(self: Any, name: str, value: object) -> None:
    cls = self.__class__
    if cls.__record_frozen__ is cls or name in cls.__record_names__:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")
    object.__setattr__(self, name, value)


def _delattr(self: Any, name: str) -> None:
    cls = self.__class__
    if cls.__record_frozen__ is cls or name in cls.__record_names__:
        raise FrozenInstanceError(f"cannot delete field {name!r}")
    object.__delattr__(self, name)


def _getstate(self: Any) -> list[Any]:
    return [getattr(self, spec.name) for spec in fields(self)]


def _setstate(self: Any, state: list[Any]) -> None:
    for spec, value in zip(fields(self), state, strict=True):
        object.__setattr__(self, spec.name, value)


def _with_slots(cls: type, names: tuple[str, ...]) -> type:
    """``cls`` made again with ``__slots__`` for its fields (as ``dataclass(slots=True)``)."""
    body = dict(cls.__dict__)
    for name in (*names, "__dict__", "__weakref__"):
        body.pop(name, None)
    body["__slots__"] = names
    made = type(cls)(cls.__name__, cls.__bases__, body)
    made.__qualname__ = cls.__qualname__
    return made


def _make(cls: type, frozen: bool, kw_only: bool, slots: bool) -> type:
    specs = _collect(cls)
    every = list(specs.values())
    if slots:
        cls = _with_slots(cls, tuple(specs))
    own = cls.__dict__
    made: dict[str, Any] = {
        _FIELDS: tuple(every),
        "__record_names__": frozenset(specs),
        "__record_compared__": _getter(tuple(s.name for s in every if s.compare)),
        "__record_hashed__": _getter(
            tuple(s.name for s in every if (s.compare if s.hash is None else s.hash))
        ),
        "__record_shown__": tuple(s.name for s in every if s.repr),
        "__match_args__": () if kw_only else tuple(s.name for s in every if s.init),
        "__record_options__": {"frozen": frozen, "kw_only": kw_only, "slots": slots},
    }
    if "__init__" not in own:
        made["__init__"] = _init(cls, every, kw_only, frozen)
    if "__repr__" not in own:
        made["__repr__"] = _repr
    if "__eq__" not in own:
        made["__eq__"] = _eq
    if "__hash__" not in own or (own["__hash__"] is None and "__eq__" in own):  # not its own
        made["__hash__"] = _hash if frozen else None
    if frozen:
        if "__setattr__" in own or "__delattr__" in own:
            raise TypeError(f"frozen record {cls.__qualname__} defines __setattr__ or __delattr__")
        made.update(__record_frozen__=cls, __setattr__=_setattr, __delattr__=_delattr)
        if slots:
            made.update(__getstate__=_getstate, __setstate__=_setstate)
    for name, value in made.items():
        setattr(cls, name, value)
    return cls


@overload
def record(cls: type[T], /) -> type[T]: ...


@overload
def record(
    *, frozen: bool = False, kw_only: bool = False, slots: bool = False
) -> Callable[[type[T]], type[T]]: ...


@dataclass_transform(field_specifiers=(Field, field))
def record(
    cls: type[T] | None = None,
    /,
    *,
    frozen: bool = False,
    kw_only: bool = False,
    slots: bool = False,
) -> type[T] | Callable[[type[T]], type[T]]:
    """``cls`` as ``dataclasses.dataclass`` with these arguments makes it."""

    def make(cls: type[T]) -> type[T]:
        made: type[T] = _make(cls, frozen, kw_only, slots)
        return made

    return make if cls is None else make(cls)


@dataclass_transform(frozen_default=True, kw_only_default=True, field_specifiers=(Field, field))
def plain(cls: type[T]) -> type[T]:
    """``cls`` as ``dataclass(frozen=True, kw_only=True)`` makes it."""
    made: type[T] = _make(cls, frozen=True, kw_only=True, slots=False)
    return made
