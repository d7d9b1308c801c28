"""A rule file as the engine reads it: plain frozen dataclasses, without Pydantic.

Built by keyword only, as the schema's models are.

``ruleset.model`` is the schema that validates rule files (and writes their JSON Schema); each of
its classes has a twin here with the same fields, and a validated file is turned into these
(``model.to_rules``). The compiled pack holds these, so that a run that finds its pack compiled
never imports Pydantic's model machinery. ``tests/test_twins.py`` keeps each twin's fields
and defaults equal to its schema's.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from mineralcheck.plain import field, plain


class Requirement(StrEnum):
    """What a control demands of a shipment it applies to."""

    PERMIT = "permit"
    PROHIBITED = "prohibited"
    REVIEW = "review"
    # licences "in principle not granted": fail without a permit; with one, a person confirms it
    EXCEPTIONAL_PERMIT = "permit-by-exception"
    # a duty, levy or condition to know of, which no permit clears and no verdict turns on
    INFO = "info"


@plain
class Source:
    """A further source for the facts in a rule file."""

    url: str
    note: str | None = None


@plain
class Suspension:
    """A period, first and last day inclusive, in which a measure (or some controls) is paused."""

    from_: dt.date
    until: dt.date
    by: str
    source: str | None = None
    controls: tuple[str, ...] | None = None
    outcome_confirmed: bool = True

    def covers(self, day: dt.date) -> bool:
        """Whether ``day`` falls within the suspension."""
        return self.from_ <= day <= self.until


@plain
class Suspends:
    """A suspension that this measure puts on another measure (or some of its controls)."""

    rule: str
    controls: tuple[str, ...] | None = None
    from_: dt.date
    until: dt.date
    outcome_confirmed: bool = True


@plain
class Purity:
    """A purity threshold: the item is controlled at or above ``at_least``, or above ``above``."""

    at_least: Decimal | None = None
    above: Decimal | None = None

    def met_by(self, purity: Decimal) -> bool:
        """Whether an item of this purity reaches the threshold."""
        if self.at_least is not None:
            return purity >= self.at_least
        assert self.above is not None
        return purity > self.above

    def __str__(self) -> str:
        return f"≥ {self.at_least} %" if self.at_least is not None else f"> {self.above} %"


@plain
class CountrySet:
    """A set of countries: all of them, only the listed ones, or all but the listed ones."""

    only: tuple[str, ...] | None = None
    all_except: tuple[str, ...] | None = None

    def includes(self, country: str) -> bool:
        """Whether ``country`` is in the set."""
        if self.only is not None:
            return country in self.only
        if self.all_except is not None:
            return country not in self.all_except
        return True

    def applies_to(self, countries: frozenset[str]) -> bool:
        """Whether any of ``countries`` is in the set."""
        return any(self.includes(country) for country in countries)

    def describe(self) -> str:
        """A short human description of the set."""
        if self.only is not None:
            return ", ".join(self.only)
        if self.all_except is not None:
            return "all but " + ", ".join(self.all_except)
        return "all countries"


@plain
class ItemMatch:
    """Which items a control covers: by mineral, form, purity, origin or reference HS code."""

    minerals: tuple[str, ...] = ()
    all_of: tuple[str, ...] = ()
    forms: tuple[str, ...] = ()
    except_forms: tuple[str, ...] = ()
    purity: Purity | None = None
    origin: CountrySet | None = None
    hs_codes: tuple[str, ...] = ()
    # every mineral, in the forms listed ("all raw minerals": ores of whatever mineral)
    any_mineral: bool = False
    # with any_mineral: minerals left to another control of the measure (lithium, say)
    except_minerals: tuple[str, ...] = ()
    on_hs_code_alone: Literal["applies", "undecided"] = "applies"
    undecided: str | None = None
    note: str | None = None


@plain
class Party:
    """A listed foreign party (an entity on a control list), matched by name.

    ``confirmed`` is false for a name known from one compilation only: a match then gives a
    warning to confirm against the official annex, never the listing's outcome.
    """

    name: str
    aliases: tuple[str, ...] = ()
    country: str | None = None
    confirmed: bool = True
    note: str | None = None


@plain
class Control:
    """One requirement of a measure: these items, to these destinations and end users."""

    id: str
    title: str
    control_code: str | None = None
    items: Literal["dual-use"] | tuple[ItemMatch, ...] | None = None
    items_of: tuple[str, ...] | None = None
    exporters: Literal["in-jurisdiction", "elsewhere"] = "in-jurisdiction"
    destinations: CountrySet = CountrySet()
    end_users: Literal["any", "military"] = "any"
    origin: CountrySet | None = None  # of every item it covers (default: the exporter's)
    parties: tuple[Party, ...] | None = None
    requires: Requirement
    # who must have issued a permit for it to count (ARECOMS for a DRC quota); any issuer if unset
    permit_issuers: tuple[str, ...] | None = None
    # what a permit's quantity counts: the goods' weight, or the content of the control's
    # minerals in them (a DRC cobalt quota counts cobalt, not hydroxide)
    counts: Literal["weight", "metal content"] = "weight"
    message: str
    effective: dt.date | None = None
    source: str | None = None
    unconfirmed: str | None = None


@plain
class MineralName:
    """A mineral name a rule file defines besides the elements, with its other spellings."""

    name: str
    symbol: str | None = None
    aliases: tuple[str, ...] = ()
    contains: tuple[str, ...] = ()


@plain
class RuleFile:
    """One legal measure: its reference, sources, dates, and the controls or suspensions it sets."""

    schema_version: Literal[1, "1"] = 1
    id: str
    title: str
    reference: str
    source: str | None = None
    sources: tuple[Source, ...] = ()
    jurisdiction: str
    announced: dt.date
    effective: dt.date
    ends: dt.date | None = None
    suspensions: tuple[Suspension, ...] = ()
    suspends: tuple[Suspends, ...] = ()
    reviewed: dt.date | None = None
    minerals: tuple[MineralName, ...] = ()
    notes: str | None = None
    controls: tuple[Control, ...] = ()


@plain
class Coverage:
    """What a pack knows of one jurisdiction: when its sources were last reviewed, and the last
    day its knowledge reaches (a later ship date warns: the law may have changed since)."""

    name: str
    reviewed: dt.date
    knowledge_ends: dt.date
    notes: str | None = None


@plain
class PackInfo:
    """What a rule pack says about itself (``pack.yaml`` at the root of a pack directory)."""

    name: str
    reviewed: dt.date
    maintainer: str | None = None
    notes: str | None = None
    jurisdictions: dict[str, Coverage] = field(default_factory=dict)
