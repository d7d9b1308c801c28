"""A shipment as the engine reads it: plain frozen dataclasses, without Pydantic, and ``build``,
which makes one from a manifest's data when it can be sure of it.

``manifest.model`` is the schema (Pydantic) that validates manifests, explains every error with
its place, and writes the JSON Schema; each of its classes has a twin here with the same fields.
``build`` reads the usual manifest (every value the text the YAML reader gives, each parsed by
the same parser the schema calls) without Pydantic; on anything else (a missing or unknown key, a
value in another shape, any value a parser refuses) it answers ``None`` and the schema decides,
with its errors. So a manifest ``build`` reads is one the schema accepts, as the same twins
(``tests/test_twins.py`` checks both on every example and on fuzzed manifests), and a check that
never meets an unusual manifest never imports Pydantic's model machinery.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any

from mineralcheck.plain import plain
from mineralcheck.values import (
    EXACT,
    memo,
    parse_bool,
    parse_content,
    parse_countries,
    parse_country,
    parse_currency,
    parse_date,
    parse_decimal,
    parse_form,
    parse_hs_code,
    parse_minerals,
    parse_percent,
    parse_positive_int,
    positive_decimal,
)

if TYPE_CHECKING:
    import datetime as dt

    from mineralcheck.minerals import Vocabulary

# Exact factors to kilograms; the pound is defined as exactly 0.45359237 kg.
KILOGRAMS_PER_UNIT: dict[str, Decimal] = {
    "mg": Decimal("0.000001"),
    "g": Decimal("0.001"),
    "kg": Decimal("1"),
    "t": Decimal("1000"),
    "lb": Decimal("0.45359237"),
}

AMOUNT_AND_UNIT = re.compile(r"\s*(\S+)\s+(\S+)\s*")


class Mass:
    """What a mass (``value`` in ``unit``) is worth, for this twin and the schema's."""

    value: Decimal
    unit: str

    def in_kg(self) -> Decimal:
        """The mass in kilograms, exactly."""
        return EXACT.multiply(self.value, KILOGRAMS_PER_UNIT[self.unit])

    def __str__(self) -> str:
        return f"{self.value} {self.unit}"


@plain
class Quantity(Mass):
    """A mass: an exact decimal greater than 0 and one of mg, g, kg, t, lb."""

    value: Decimal
    unit: str


@plain
class Money:
    """An amount of money: a decimal at least 0 and an ISO 4217 currency code."""

    amount: Decimal
    currency: str


@plain
class Party:
    """An exporter or consignee: a name and a country."""

    name: str
    country: str


@plain
class EndUser(Party):
    """The end user of the goods; military covers a military end user or military end use."""

    military: bool = False
    end_use: str | None = None


@plain
class Item:
    """One line of the shipment."""

    line: int | None = None
    description: str
    hs_code: str | None = None
    mineral: tuple[str, ...] | None = None
    form: str | None = None
    purity: Decimal | None = None
    quantity: Quantity
    value: Money | None = None
    origin: str | None = None
    permits: tuple[str, ...] = ()
    # the share of each mineral by weight (metal content, as a quota counts it); optional
    content: tuple[tuple[str, Decimal], ...] | None = None


@plain
class Permit:
    """A licence the exporter holds, with the limits it sets."""

    number: str
    issued_by: str | None = None
    valid_from: dt.date
    valid_until: dt.date
    destination: tuple[str, ...]
    end_user: str | None = None
    covers: tuple[str, ...]
    quantity: Quantity | None = None


@plain
class Manifest:
    """One shipment: parties, items and the permits that cover them."""

    id: str
    ship_date: dt.date
    exporter: Party
    consignee: Party
    end_user: EndUser | None = None
    destination: str | None = None
    items: tuple[Item, ...]
    permits: tuple[Permit, ...] = ()

    @cached_property
    def final_end_user(self) -> EndUser:
        """The end user; the consignee when the manifest names none."""
        if self.end_user is not None:
            return self.end_user
        return EndUser(name=self.consignee.name, country=self.consignee.country)

    @cached_property
    def final_destination(self) -> str:
        """The final destination country: ``destination``, else the end user's country."""
        return self.destination or self.final_end_user.country

    @cached_property
    def destinations(self) -> frozenset[str]:
        """Every country the shipment goes to as far as a country-specific control goes."""
        return frozenset(
            {self.final_destination, self.consignee.country, self.final_end_user.country}
        )

    def line_of(self, index: int) -> int:
        """The line number of the item at ``index`` (its ``line``, else its 1-based position)."""
        line = self.items[index].line
        return line if line is not None else index + 1

    def permit(self, number: str) -> Permit | None:
        """The permit with ``number``, if the manifest defines it."""
        for permit in self.permits:
            if permit.number == number:
                return permit
        return None


# Checks across the fields of one item or permit, made by the schema's validators and ``build``.


def classified(
    mineral: tuple[str, ...] | None,
    content: tuple[tuple[str, Decimal], ...] | None,
    hs_code: str | None,
) -> tuple[str, ...] | None:
    """An item's minerals, with those its content names; an item with no mineral and no HS code
    cannot be classified (ValueError)."""
    if content:  # a mineral whose content is given is a mineral of the item
        mineral = tuple(dict.fromkeys((*(mineral or ()), *(m for m, _ in content))))
    if hs_code is None and not mineral:
        raise ValueError("an item needs an hs_code, a mineral, or both: it cannot be classified")
    return mineral


def dates_in_order(valid_from: dt.date, valid_until: dt.date) -> None:
    """A permit's validity must not end before it starts (ValueError)."""
    if valid_from > valid_until:
        raise ValueError(f"valid_from {valid_from} is after valid_until {valid_until}")


# ``build``: the usual manifest without Pydantic, or ``None`` for the schema to decide.


class _UnsureError(Exception):
    """A value ``build`` leaves to the schema."""


def _keys(data: Any, required: frozenset[str], known: frozenset[str]) -> dict[str, Any]:
    """``data``, a mapping with the ``required`` keys and no key but the ``known`` ones, and no
    empty value (a key written without a value: what that means, the schema says). So a key
    that ``get`` does not find is a key the manifest does not have."""
    if type(data) is not dict or not required <= data.keys() <= known or None in data.values():
        raise _UnsureError
    return data


def _text(value: Any) -> str:
    # Only text with nothing to strip: which characters the schema strips is its own business.
    if type(value) is not str or not value or value[0].isspace() or value[-1].isspace():
        raise _UnsureError
    return value


def _texts(value: Any) -> tuple[str, ...]:
    if type(value) is not list:
        raise _UnsureError
    return tuple(_text(entry) for entry in value)


def _pair(value: Any, first: str, second: str) -> tuple[Any, Any]:
    """The two parts of ``"500 kg"``, or of a mapping with exactly the keys ``first`` and
    ``second`` (``{value: 0.5, unit: t}``)."""
    if type(value) is str:
        match = AMOUNT_AND_UNIT.fullmatch(value)
        if match is None:
            raise _UnsureError
        return match[1], match[2]
    names = frozenset((first, second))
    data = _keys(value, names, names)
    return data[first], data[second]


@memo
def _mass(value: Any) -> Quantity:
    amount, unit = _pair(value, "value", "unit")
    if type(unit) is not str or unit not in KILOGRAMS_PER_UNIT:
        raise _UnsureError
    return Quantity(value=positive_decimal(amount), unit=unit)


def _money(value: Any) -> Money:
    amount, currency = _pair(value, "amount", "currency")
    return Money(amount=parse_decimal(amount), currency=parse_currency(currency))


_PARTY = frozenset({"name", "country"})
_END_USER = frozenset({"name", "country", "military", "end_use"})


def _party(value: Any) -> Party:
    data = _keys(value, _PARTY, _PARTY)
    return Party(name=_text(data["name"]), country=parse_country(data["country"]))


def _end_user(value: Any) -> EndUser:
    data = _keys(value, _PARTY, _END_USER)
    military, end_use = data.get("military"), data.get("end_use")
    return EndUser(
        name=_text(data["name"]),
        country=parse_country(data["country"]),
        military=False if military is None else parse_bool(_text(military)),
        end_use=None if end_use is None else _text(end_use),
    )


_ITEM_NEEDS = frozenset({"description", "quantity"})
_ITEM = _ITEM_NEEDS | {
    "line",
    "hs_code",
    "mineral",
    "form",
    "purity",
    "value",
    "origin",
    "permits",
    "content",
}


def _item(value: Any, vocabulary: Vocabulary) -> Item:
    data = _keys(value, _ITEM_NEEDS, _ITEM)
    get = data.get
    line, code, named, form, purity = (
        get("line"),
        get("hs_code"),
        get("mineral"),
        get("form"),
        get("purity"),
    )
    money, origin, permits, shares = get("value"), get("origin"), get("permits"), get("content")
    hs_code = None if code is None else parse_hs_code(code)
    content = None if shares is None else parse_content(shares, vocabulary)
    minerals = None if named is None else parse_minerals(named, vocabulary)
    return Item(
        line=None if line is None else parse_positive_int(_text(line)),
        description=_text(data["description"]),
        hs_code=hs_code,
        mineral=classified(minerals, content, hs_code),
        form=None if form is None else parse_form(form),
        purity=None if purity is None else parse_percent(purity),
        quantity=_mass(data["quantity"]),
        value=None if money is None else _money(money),
        origin=None if origin is None else parse_country(origin),
        permits=() if permits is None else _texts(permits),
        content=content,
    )


_PERMIT_NEEDS = frozenset({"number", "valid_from", "valid_until", "destination", "covers"})
_PERMIT = _PERMIT_NEEDS | {"issued_by", "end_user", "quantity"}


def _permit(value: Any) -> Permit:
    data = _keys(value, _PERMIT_NEEDS, _PERMIT)
    covers = _texts(data["covers"])
    if not covers:
        raise _UnsureError
    valid_from, valid_until = parse_date(data["valid_from"]), parse_date(data["valid_until"])
    dates_in_order(valid_from, valid_until)
    issued_by, end_user, quantity = (
        data.get("issued_by"),
        data.get("end_user"),
        data.get("quantity"),
    )
    return Permit(
        number=_text(data["number"]),
        issued_by=None if issued_by is None else _text(issued_by),
        valid_from=valid_from,
        valid_until=valid_until,
        destination=parse_countries(data["destination"]),
        end_user=None if end_user is None else _text(end_user),
        covers=covers,
        quantity=None if quantity is None else _mass(quantity),
    )


_MANIFEST_NEEDS = frozenset({"id", "ship_date", "exporter", "consignee", "items"})
_MANIFEST = _MANIFEST_NEEDS | {"end_user", "destination", "permits"}


def build(data: Any, vocabulary: Vocabulary) -> Manifest | None:
    """The manifest ``data`` describes, when every value is in its usual shape and valid;
    ``None`` leaves it to the schema (``manifest.model``), which accepts it or says why not."""
    try:
        fields = _keys(data, _MANIFEST_NEEDS, _MANIFEST)
        items, permits = fields["items"], fields.get("permits", [])
        end_user, destination = fields.get("end_user"), fields.get("destination")
        if type(items) is not list or not items or type(permits) is not list:
            raise _UnsureError
        return Manifest(
            id=_text(fields["id"]),
            ship_date=parse_date(fields["ship_date"]),
            exporter=_party(fields["exporter"]),
            consignee=_party(fields["consignee"]),
            end_user=None if end_user is None else _end_user(end_user),
            destination=None if destination is None else parse_country(destination),
            items=tuple(_item(item, vocabulary) for item in items),
            permits=tuple(_permit(permit) for permit in permits),
        )
    except (_UnsureError, ValueError, ArithmeticError):  # the parsers refuse with ValueError
        return None
