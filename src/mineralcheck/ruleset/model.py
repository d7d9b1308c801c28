"""The rule file format: one legal measure, its dates, and the controls it sets.

The schema: these models validate rule files and write their JSON Schema. A validated file is
turned into its twin of plain dataclasses (``to_rules``), which is what the engine reads and the
compiled pack keeps.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from mineralcheck.fields import (
    Countries,
    Country,
    HsPrefix,
    NonEmpty,
    Text,
    to_twins,
)
from mineralcheck.ruleset import rules
from mineralcheck.ruleset.rules import Requirement
from mineralcheck.values import parse_date, parse_decimal

_ID = re.compile(r"[a-z0-9][a-z0-9.-]*")
LAST_DAY = dt.date(2999, 12, 31)
# The names a control's message may use, as {name} with no format spec, conversion or attribute.
PLACEHOLDERS = (
    "party",
    "item",
    "line",
    "destination",
    "control_code",
    "effective",
    "reference",
)


def _rule_date(value: Any) -> dt.date:
    day = parse_date(value)
    if day > LAST_DAY:
        raise ValueError(
            f"{day} is after {LAST_DAY}: leave ends/until out for a measure with no end date"
        )
    return day


Date = Annotated[
    dt.date,
    BeforeValidator(_rule_date),
    WithJsonSchema({"type": "string", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}),
]


def _message(value: Any) -> str:
    """A control's message: text whose placeholders are names from ``PLACEHOLDERS`` only."""
    import string

    text = value.strip() if isinstance(value, str) else value
    if not isinstance(text, str) or not text:
        raise ValueError("expected a message text")
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise ValueError(
            f"the message is not a valid template: {exc} (write {{{{ for a brace)"
        ) from None
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conversion:
            shown = (
                "{"
                + name
                + (f"!{conversion}" if conversion else "")
                + (f":{spec}" if spec else "")
                + "}"
            )
            raise ValueError(
                f"placeholder {shown} is not allowed: use {{name}} with a name from "
                + ", ".join(PLACEHOLDERS)
            )
    return text


Message = Annotated[str, BeforeValidator(_message), WithJsonSchema({"type": "string"})]
_URL = re.compile(r"https?://\S+")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


def _identifier(value: Any) -> str:
    text = str(value).strip() if isinstance(value, str) else value
    if not isinstance(text, str) or not _ID.fullmatch(text):
        raise ValueError(f"{value!r} is not an id: lower-case letters, digits, '-' and '.'")
    return text


def _url(value: Any) -> str:
    if not isinstance(value, str) or not _URL.fullmatch(value.strip()):
        raise ValueError(f"{value!r} is not an http(s) address")
    return value.strip()


Identifier = Annotated[
    str, BeforeValidator(_identifier), WithJsonSchema({"type": "string", "pattern": _ID.pattern})
]
Url = Annotated[
    str, BeforeValidator(_url), WithJsonSchema({"type": "string", "pattern": r"^https?://\S+$"})
]
Threshold = Annotated[
    Decimal,
    BeforeValidator(lambda v: parse_decimal(v, "a percentage number")),
    WithJsonSchema({"type": ["string", "number"]}),
]


class Source(_Strict):
    """A further source for the facts in a rule file."""

    url: Url
    note: Text | None = None


class Suspension(_Strict):
    """A period, first and last day inclusive, in which a measure (or some controls) is paused."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)

    from_: Date = Field(alias="from")
    until: Date
    by: Text
    source: Url | None = None
    controls: tuple[Identifier, ...] | None = None
    outcome_confirmed: bool = True


class Suspends(_Strict):
    """A suspension that this measure puts on another measure (or some of its controls)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)

    rule: Identifier
    controls: tuple[Identifier, ...] | None = None
    from_: Date = Field(alias="from")
    until: Date
    outcome_confirmed: bool = True


class Purity(_Strict):
    """A purity threshold: the item is controlled at or above ``at_least``, or above ``above``."""

    at_least: Threshold | None = None
    above: Threshold | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> Purity:
        if (self.at_least is None) == (self.above is None):
            raise ValueError("give exactly one of at_least or above")
        return self


_COUNTRY_LIST = {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}
_COUNTRY_SCOPE = {
    "anyOf": [
        {"enum": ["any", "all"]},
        {
            "type": "object",
            "properties": {"only": _COUNTRY_LIST, "all_except": _COUNTRY_LIST},
            "additionalProperties": False,
        },
    ]
}


class CountrySet(_Strict):
    """A set of countries: all of them, only the listed ones, or all but the listed ones."""

    only: Countries | None = None
    all_except: Countries | None = None

    @model_validator(mode="after")
    def _one_choice(self) -> CountrySet:
        if self.only is not None and self.all_except is not None:
            raise ValueError("give only or all_except, not both")
        return self


def _country_scope(value: Any) -> Any:
    return {} if value in ("any", "all", None) else value


CountryScope = Annotated[
    CountrySet, BeforeValidator(_country_scope), WithJsonSchema(_COUNTRY_SCOPE)
]


class ItemMatch(_Strict):
    """Which items a control covers: by mineral, form, purity, origin or reference HS code."""

    minerals: tuple[Text, ...] = ()
    all_of: tuple[Text, ...] = ()
    forms: tuple[Text, ...] = ()
    except_forms: tuple[Text, ...] = ()
    purity: Purity | None = None
    origin: CountryScope | None = None
    hs_codes: tuple[HsPrefix, ...] = ()
    # every mineral, in the forms listed ("all raw minerals": ores of whatever mineral)
    any_mineral: bool = False
    # with any_mineral: minerals left to another control of the measure (lithium, say)
    except_minerals: tuple[Text, ...] = ()
    on_hs_code_alone: Literal["applies", "undecided"] = "applies"
    undecided: Text | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _something_to_match(self) -> ItemMatch:
        if self.except_minerals and not self.any_mineral:
            raise ValueError("except_minerals goes with any_mineral")
        if self.any_mineral:
            if not self.forms or self.minerals or self.all_of:
                raise ValueError("any_mineral needs forms, and no minerals or all_of")
            return self
        if not (self.minerals or self.all_of or self.hs_codes):
            raise ValueError("an item match needs minerals, all_of, hs_codes or any_mineral")
        return self

    @field_validator("minerals", "all_of", "except_minerals")
    @classmethod
    def _lower(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(v.casefold() for v in values)

    @field_validator("forms", "except_forms")
    @classmethod
    def _forms(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        from mineralcheck.forms import canonical_form, unknown_form

        found = []
        for value in values:
            name = canonical_form(value)
            if name is None:
                raise ValueError(unknown_form(value))
            found.append(name)
        return tuple(found)


class Party(_Strict):
    """A listed foreign party (an entity on a control list), matched by name.

    ``confirmed`` is false for a name known from one compilation only: a match then gives a
    warning to confirm against the official annex, never the listing's outcome.
    """

    name: Text
    aliases: tuple[Text, ...] = ()
    country: Country | None = None
    confirmed: bool = True
    note: Text | None = None


def _items(value: Any) -> Any:
    return None if value in ("all", None) else value


class Control(_Strict):
    """One requirement of a measure: these items, to these destinations and end users."""

    id: Identifier
    title: Text
    control_code: Text | None = None
    items: Annotated[
        Literal["dual-use"] | Annotated[tuple[ItemMatch, ...], NonEmpty] | None,
        BeforeValidator(_items),
    ] = None
    items_of: Annotated[tuple[Text, ...], NonEmpty] | None = None
    exporters: Literal["in-jurisdiction", "elsewhere"] = "in-jurisdiction"
    destinations: CountryScope = CountrySet()
    end_users: Literal["any", "military"] = "any"
    origin: CountryScope | None = None  # of every item it covers (default: the exporter's)
    parties: Annotated[tuple[Party, ...], NonEmpty] | None = None
    requires: Requirement
    # who must have issued a permit for it to count (ARECOMS for a DRC quota); any issuer if unset
    permit_issuers: Annotated[tuple[Text, ...], NonEmpty] | None = None
    # what a permit's quantity counts: the goods' weight, or the content of the control's
    # minerals in them (a DRC cobalt quota counts cobalt, not hydroxide)
    counts: Literal["weight", "metal content"] = "weight"
    message: Message
    effective: Date | None = None
    source: Url | None = None
    unconfirmed: Text | None = None

    @model_validator(mode="after")
    def _one_item_scope(self) -> Control:
        if self.items_of is not None and self.items is not None:
            raise ValueError("give items or items_of, not both")
        return self


class MineralName(_Strict):
    """A mineral name a rule file defines besides the elements, with its other spellings."""

    name: Text
    symbol: Text | None = None
    aliases: tuple[Text, ...] = ()
    contains: tuple[Text, ...] = ()


class RuleFile(_Strict):
    """One legal measure: its reference, sources, dates, and the controls or suspensions it sets."""

    schema_version: Literal[1, "1"] = 1
    id: Identifier
    title: Text
    reference: Text
    source: Url | None = None
    sources: tuple[Source, ...] = ()
    jurisdiction: Country
    announced: Date
    effective: Date
    ends: Date | None = None
    suspensions: tuple[Suspension, ...] = ()
    suspends: tuple[Suspends, ...] = ()
    reviewed: Date | None = None
    minerals: tuple[MineralName, ...] = ()
    notes: Text | None = None
    controls: tuple[Control, ...] = ()

    @model_validator(mode="after")
    def _has_content(self) -> RuleFile:
        if not self.controls and not self.suspends:
            raise ValueError("a rule file needs controls, or suspends for a suspending measure")
        return self


class Coverage(_Strict):
    """What a pack knows of one jurisdiction: when its sources were last reviewed, and the last
    day its knowledge reaches (a later ship date warns: the law may have changed since)."""

    name: Text
    reviewed: Date
    knowledge_ends: Date
    notes: Text | None = None


class PackInfo(_Strict):
    """What a rule pack says about itself (``pack.yaml`` at the root of a pack directory)."""

    name: Text
    reviewed: Date
    maintainer: Text | None = None
    notes: Text | None = None
    jurisdictions: dict[Country, Coverage] = {}


_TWINS: dict[type[BaseModel], type] = {
    model: getattr(rules, model.__name__)
    for model in (
        Source,
        Suspension,
        Suspends,
        Purity,
        CountrySet,
        ItemMatch,
        Party,
        Control,
        MineralName,
        RuleFile,
        Coverage,
        PackInfo,
    )
}


def to_rules(value: Any) -> Any:
    """``value`` with every model of this schema turned into its twin in ``rules``."""
    return to_twins(value, _TWINS)
