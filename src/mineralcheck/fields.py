"""The Pydantic field types of the schemas (manifest, rule files, register, reviews): the
parsers of ``values``, each with its JSON Schema."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, StringConstraints, ValidationInfo, WithJsonSchema

from mineralcheck.values import (
    non_empty_list,
    parse_bool,
    parse_content,
    parse_countries,
    parse_country,
    parse_date,
    parse_hs_code,
    parse_hs_prefix,
    parse_minerals,
    parse_percent,
    parse_positive_int,
)

NonEmpty = BeforeValidator(non_empty_list)


def to_twins(value: Any, twins: dict[type, type]) -> Any:
    """``value`` with every schema model in ``twins`` turned into its plain twin (the dataclass
    with the same fields that the engine reads), through tuples and dicts."""
    twin = twins.get(type(value))
    if twin is not None:
        names = type(value).model_fields
        return twin(**{name: to_twins(getattr(value, name), twins) for name in names})
    if type(value) is tuple:
        return tuple(to_twins(entry, twins) for entry in value)
    if type(value) is dict:
        return {key: to_twins(entry, twins) for key, entry in value.items()}
    return value


def vocabulary_of(info: ValidationInfo) -> Any:
    """The mineral vocabulary handed to validation as context, if any."""
    context = info.context
    return context.get("vocabulary") if isinstance(context, dict) else None


def _minerals(value: Any, info: ValidationInfo) -> tuple[str, ...]:
    return parse_minerals(value, vocabulary_of(info))


def _content(value: Any, info: ValidationInfo) -> tuple[tuple[str, Decimal], ...]:
    return parse_content(value, vocabulary_of(info))


_STRING_OR_NUMBER = {"type": ["string", "number"]}
_ONE_OR_MORE_STRINGS = {
    "anyOf": [
        {"type": "string"},
        {"type": "array", "items": {"type": "string"}, "minItems": 1},
    ]
}

# Checked by pydantic-core itself (no Python call per field): stripped, not empty.
Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1),
    WithJsonSchema({"type": "string", "minLength": 1}),
]
Date = Annotated[
    dt.date,
    BeforeValidator(parse_date),
    WithJsonSchema({"type": "string", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}),
]
Country = Annotated[
    str,
    BeforeValidator(parse_country),
    WithJsonSchema({"type": "string", "description": "ISO 3166-1 alpha-2, alpha-3 or name"}),
]
Countries = Annotated[
    tuple[str, ...],
    BeforeValidator(parse_countries),
    WithJsonSchema(_ONE_OR_MORE_STRINGS),
]
HsCode = Annotated[
    str,
    BeforeValidator(parse_hs_code),
    WithJsonSchema({"type": ["string", "integer"], "description": "4 to 10 digits"}),
]
HsPrefix = Annotated[
    str,
    BeforeValidator(parse_hs_prefix),
    WithJsonSchema({"type": ["string", "integer"], "description": "2 to 10 digits"}),
]
PositiveInt = Annotated[
    int, BeforeValidator(parse_positive_int), WithJsonSchema({"type": ["integer", "string"]})
]
Bool = Annotated[bool, BeforeValidator(parse_bool), WithJsonSchema({"type": ["boolean", "string"]})]
Percent = Annotated[Decimal, BeforeValidator(parse_percent), WithJsonSchema(_STRING_OR_NUMBER)]
Minerals = Annotated[
    tuple[str, ...],
    BeforeValidator(_minerals),
    WithJsonSchema(_ONE_OR_MORE_STRINGS),
]


Content = Annotated[
    tuple[tuple[str, Decimal], ...],
    BeforeValidator(_content),
    WithJsonSchema(
        {
            "type": "object",
            "description": "mineral -> its share of the goods by weight, e.g. {cobalt: 30%}",
            "minProperties": 1,
            "additionalProperties": _STRING_OR_NUMBER,
        }
    ),
]
