"""The shipment manifest, format version 1: the schema, as Pydantic models (spec/manifest.md).

These validate a manifest that ``shipment.build`` leaves to them, explain each error with its
place, and write the JSON Schema. What they accept is turned into the plain twins of
``shipment`` (``to_shipment``), which the engine reads.
"""

from __future__ import annotations

from decimal import Decimal
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
    to_twins,
)
from mineralcheck.forms import FORMS
from mineralcheck.manifest import shipment
from mineralcheck.manifest.shipment import (
    AMOUNT_AND_UNIT,
    KILOGRAMS_PER_UNIT,
    Mass,
    classified,
    dates_in_order,
)
from mineralcheck.values import (
    memo,
    parse_currency,
    parse_decimal,
    parse_form,
    positive_decimal,
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _split_pair(value: Any, first: str, second: str) -> Any:
    """Turn ``"500 kg"`` into ``{first: "500", second: "kg"}``; pass mappings through."""
    if isinstance(value, str):
        match = AMOUNT_AND_UNIT.fullmatch(value)
        if match is None:
            raise ValueError(f"{value!r} is not of the form '<number> <{second}>'")
        return {first: match.group(1), second: match.group(2)}
    if isinstance(value, dict):
        return value
    raise ValueError(f"expected '<number> <{second}>' or a mapping with {first} and {second}")


class Quantity(Mass, _Strict):
    """A mass: an exact decimal greater than 0 and one of mg, g, kg, t, lb."""

    value: Annotated[
        Decimal, BeforeValidator(positive_decimal), WithJsonSchema({"type": ["string", "number"]})
    ]
    unit: Literal["mg", "g", "kg", "t", "lb"]


class Money(_Strict):
    """An amount of money: a decimal at least 0 and an ISO 4217 currency code."""

    amount: Annotated[
        Decimal, BeforeValidator(parse_decimal), WithJsonSchema({"type": ["string", "number"]})
    ]
    currency: Annotated[str, BeforeValidator(parse_currency), WithJsonSchema({"type": "string"})]


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
    form: Annotated[str, BeforeValidator(parse_form), WithJsonSchema(_FORM_SCHEMA)] | None = None
    purity: Percent | None = None
    quantity: QuantityField
    value: MoneyField | None = None
    origin: Country | None = None
    permits: tuple[Text, ...] = ()
    # the share of each mineral by weight (metal content, as a quota counts it); optional
    content: Content | None = None

    @model_validator(mode="after")
    def _classifiable(self) -> Item:
        mineral = classified(self.mineral, self.content, self.hs_code)
        if mineral != self.mineral:
            object.__setattr__(self, "mineral", mineral)
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
        dates_in_order(self.valid_from, self.valid_until)
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


_TWINS: dict[type[BaseModel], type] = {
    model: getattr(shipment, model.__name__)
    for model in (Quantity, Money, Party, EndUser, Item, Permit, Manifest)
}


def to_shipment(manifest: Manifest) -> shipment.Manifest:
    """The validated ``manifest`` as its twin of plain dataclasses (``shipment``)."""
    result: shipment.Manifest = to_twins(manifest, _TWINS)
    return result
