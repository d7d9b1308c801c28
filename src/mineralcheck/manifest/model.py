"""The shipment manifest, format version 1, as Pydantic models (spec/manifest.md)."""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache, cached_property
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    ValidationError,
    WithJsonSchema,
    model_validator,
)

from mineralcheck.fields import (
    Bool,
    Content,
    Countries,
    Country,
    Date,
    HsCode,
    Minerals,
    NonEmpty,
    Percent,
    PositiveInt,
    Text,
)
from mineralcheck.forms import FORMS, canonical_form, unknown_form
from mineralcheck.values import EXACT, memo, parse_decimal, parse_text

# Exact factors to kilograms; the pound is defined as exactly 0.45359237 kg.
KILOGRAMS_PER_UNIT: dict[str, Decimal] = {
    "mg": Decimal("0.000001"),
    "g": Decimal("0.001"),
    "kg": Decimal("1"),
    "t": Decimal("1000"),
    "lb": Decimal("0.45359237"),
}

_AMOUNT_AND_UNIT = re.compile(r"\s*(\S+)\s+(\S+)\s*")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _split_pair(value: Any, first: str, second: str) -> Any:
    """Turn ``"500 kg"`` into ``{first: "500", second: "kg"}``; pass mappings through."""
    if isinstance(value, str):
        match = _AMOUNT_AND_UNIT.fullmatch(value)
        if match is None:
            raise ValueError(f"{value!r} is not of the form '<number> <{second}>'")
        return {first: match.group(1), second: match.group(2)}
    if isinstance(value, dict):
        return value
    raise ValueError(f"expected '<number> <{second}>' or a mapping with {first} and {second}")


def _positive_decimal(value: Any) -> Decimal:
    number = parse_decimal(value)
    if number <= 0:
        raise ValueError(f"{value!r} must be greater than 0")
    return number


class Quantity(_Strict):
    """A mass: an exact decimal greater than 0 and one of mg, g, kg, t, lb."""

    value: Annotated[
        Decimal, BeforeValidator(_positive_decimal), WithJsonSchema({"type": ["string", "number"]})
    ]
    unit: Literal["mg", "g", "kg", "t", "lb"]

    def in_kg(self) -> Decimal:
        """The mass in kilograms, exactly."""
        return EXACT.multiply(self.value, KILOGRAMS_PER_UNIT[self.unit])

    def __str__(self) -> str:
        return f"{self.value} {self.unit}"


@cache
def _currencies() -> frozenset[str]:
    from mineralcheck.countries import iso_records  # pycountry's ISO 4217 data

    return frozenset(currency["alpha_3"] for currency in iso_records("4217"))


@memo
def _currency(value: Any) -> str:
    code = parse_text(value).upper()
    if code not in _currencies():
        raise ValueError(f"{value!r} is not an ISO 4217 currency code")
    return code


class Money(_Strict):
    """An amount of money: a decimal at least 0 and an ISO 4217 currency code."""

    amount: Annotated[
        Decimal, BeforeValidator(parse_decimal), WithJsonSchema({"type": ["string", "number"]})
    ]
    currency: Annotated[str, BeforeValidator(_currency), WithJsonSchema({"type": "string"})]


@memo
def _quantity(value: Any) -> Any:
    """A quantity written ``"500 kg"``, made once per distinct text; anything else (a mapping,
    or text that is not a valid quantity) is left for validation to judge and explain."""
    pair = _split_pair(value, "value", "unit")
    if isinstance(value, str):
        try:
            return Quantity.model_validate(pair)
        except ValidationError:
            pass
    return pair


QuantityField = Annotated[
    Quantity,
    BeforeValidator(_quantity),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": r"^\s*[0-9]+(\.[0-9]+)?\s+(mg|g|kg|t|lb)\s*$"},
                {
                    "type": "object",
                    "properties": {
                        "value": {"type": ["string", "number"]},
                        "unit": {"enum": list(KILOGRAMS_PER_UNIT)},
                    },
                    "required": ["value", "unit"],
                    "additionalProperties": False,
                },
            ]
        }
    ),
]
MoneyField = Annotated[
    Money,
    BeforeValidator(lambda v: _split_pair(v, "amount", "currency")),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string"},
                {
                    "type": "object",
                    "properties": {
                        "amount": {"type": ["string", "number"]},
                        "currency": {"type": "string"},
                    },
                    "required": ["amount", "currency"],
                    "additionalProperties": False,
                },
            ]
        }
    ),
]


class Party(_Strict):
    """An exporter or consignee: a name and a country."""

    name: Text
    country: Country


class EndUser(Party):
    """The end user of the goods; military covers a military end user or military end use."""

    military: Bool = False
    end_use: Text | None = None


@memo
def _form(value: Any) -> str:
    text = parse_text(value)
    name = canonical_form(text)
    if name is None:
        raise ValueError(unknown_form(text))
    return name


def _form_schema() -> dict[str, Any]:
    spellings = sorted({s for n, f in FORMS.items() for s in (n, *f.synonyms)})
    return {
        "type": "string",
        "description": "a form of the vocabulary (README: Forms), or a synonym; any case",
        "enum": sorted({v for s in spellings for v in (s, s.capitalize(), s.upper())}),
    }


_FORM_SCHEMA = _form_schema()


class Item(_Strict):
    """One line of the shipment."""

    line: PositiveInt | None = None
    description: Text
    hs_code: HsCode | None = None
    mineral: Minerals | None = None
    form: Annotated[str, BeforeValidator(_form), WithJsonSchema(_FORM_SCHEMA)] | None = None
    purity: Percent | None = None
    quantity: QuantityField
    value: MoneyField | None = None
    origin: Country | None = None
    permits: tuple[Text, ...] = ()
    # the share of each mineral by weight (metal content, as a quota counts it); optional
    content: Content | None = None

    @model_validator(mode="after")
    def _classifiable(self) -> Item:
        if self.content:  # a mineral whose content is given is a mineral of the item
            named = tuple(dict.fromkeys((*(self.mineral or ()), *(m for m, _ in self.content))))
            if named != self.mineral:
                object.__setattr__(self, "mineral", named)
        if self.hs_code is None and not self.mineral:
            raise ValueError(
                "an item needs an hs_code, a mineral, or both: it cannot be classified"
            )
        return self


class Permit(_Strict):
    """A licence the exporter holds, with the limits it sets."""

    number: Text
    issued_by: Text | None = None
    valid_from: Date
    valid_until: Date
    destination: Countries
    end_user: Text | None = None
    covers: Annotated[tuple[Text, ...], NonEmpty]
    quantity: QuantityField | None = None

    @model_validator(mode="after")
    def _dates_in_order(self) -> Permit:
        if self.valid_from > self.valid_until:
            raise ValueError(
                f"valid_from {self.valid_from} is after valid_until {self.valid_until}"
            )
        return self


class Manifest(_Strict):
    """One shipment: parties, items and the permits that cover them."""

    id: Text
    ship_date: Date
    exporter: Party
    consignee: Party
    end_user: EndUser | None = None
    destination: Country | None = None
    items: Annotated[tuple[Item, ...], NonEmpty]
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
