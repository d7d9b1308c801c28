"""``@plain``: a frozen, keyword-only dataclass that costs less to create.

``dataclasses.dataclass(frozen=True)`` writes each class's ``__init__``, ``__setattr__``,
``__delattr__``, ``__eq__``, ``__hash__`` and ``__repr__`` as source and compiles it when the
class is made: about 0.6 ms a class, and the twins of the rule pack and of the shipment (19
classes) were a tenth of a pre-commit hook's check of one manifest. ``@plain`` lets dataclasses
write only what is particular to a class (``__init__`` and the frozen ``__setattr__`` and
``__delattr__``) and gives every class the same ``__eq__``, ``__hash__`` and ``__repr__``, which
compute what the written ones would: the fields compared, hashed and shown are the same, in the
same order, and a class is only ever equal to its own kind (``tests/test_plain.py``).
"""

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import Any, TypeVar, dataclass_transform

T = TypeVar("T")

_Getter = Callable[[Any], tuple[Any, ...]]
# class -> (the values compared, the values hashed, the names shown)
_FIELDS: dict[type, tuple[_Getter, _Getter, tuple[str, ...]]] = {}


def _getter(names: tuple[str, ...]) -> _Getter:
    """A function giving an object's values of ``names``, always as a tuple."""
    if len(names) == 1:
        name = names[0]
        return lambda obj: (getattr(obj, name),)
    if not names:
        return lambda obj: ()
    getter: _Getter = attrgetter(*names)
    return getter


def _fields_of(cls: type) -> tuple[_Getter, _Getter, tuple[str, ...]]:
    found = _FIELDS.get(cls)
    if found is None:
        every = fields(cls)
        compared = tuple(f.name for f in every if f.compare)
        hashed = tuple(f.name for f in every if (f.compare if f.hash is None else f.hash))
        shown = tuple(f.name for f in every if f.repr)
        found = _FIELDS[cls] = (_getter(compared), _getter(hashed), shown)
    return found


def _eq(self: Any, other: object) -> object:  # a bool, or NotImplemented
    if other.__class__ is not self.__class__:
        return NotImplemented
    values = _fields_of(self.__class__)[0]
    return values(self) == values(other)


def _hash(self: Any) -> int:
    return hash(_fields_of(self.__class__)[1](self))


def _repr(self: Any) -> str:
    shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in _fields_of(self.__class__)[2])
    return f"{self.__class__.__qualname__}({shown})"


@dataclass_transform(frozen_default=True, kw_only_default=True, field_specifiers=(field,))
def plain(cls: type[T]) -> type[T]:
    """``cls`` as ``dataclass(frozen=True, kw_only=True)`` makes it, for less."""
    made = dataclass(frozen=True, kw_only=True, eq=False, repr=False)(cls)
    for name, method in (("__eq__", _eq), ("__hash__", _hash), ("__repr__", _repr)):
        if name not in cls.__dict__:  # a class's own method stays
            setattr(made, name, method)
    return made
