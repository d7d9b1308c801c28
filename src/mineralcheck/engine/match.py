"""Match: which controls a manifest's items, destinations and end user fall under."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum

from mineralcheck.manifest.model import Item, Manifest
from mineralcheck.ruleset.model import ItemMatch
from mineralcheck.ruleset.pack import LoadedControl, RulePack, Status


class Outcome(Enum):
    """Whether an item falls under a control."""

    NO = "no"
    APPLIES = "applies"
    UNDECIDED = "undecided"


@dataclass(frozen=True, slots=True)
class ItemOutcome:
    """The outcome for one item, with what is missing when it cannot be decided."""

    outcome: Outcome
    missing: tuple[str, ...] = ()


NO = ItemOutcome(Outcome.NO)
APPLIES = ItemOutcome(Outcome.APPLIES)


@dataclass(frozen=True)
class CompiledMatch:
    """An item match with its mineral names resolved to the pack's canonical names."""

    spec: ItemMatch
    minerals: frozenset[str]
    all_of: frozenset[str]


@dataclass(frozen=True)
class CompiledControl:
    """A loaded control ready for matching."""

    loaded: LoadedControl
    matches: tuple[CompiledMatch, ...] | None


def compile_pack(pack: RulePack) -> list[CompiledControl]:
    """Resolve every control's mineral names once, before any manifest is checked."""
    canonical = pack.vocabulary.canonical
    compiled = []
    for loaded in pack.controls:
        matches = None
        if loaded.items is not None:
            matches = tuple(
                CompiledMatch(
                    spec,
                    frozenset(canonical(m) or m for m in spec.minerals),
                    frozenset(canonical(m) or m for m in spec.all_of),
                )
                for spec in loaded.items
            )
        compiled.append(CompiledControl(loaded, matches))
    return compiled


def match_item(match: CompiledMatch, item: Item, known_forms: set[str]) -> ItemOutcome:
    """Whether ``item`` is one of the items ``match`` describes."""
    spec = match.spec
    missing: list[str] = []
    if item.mineral:
        declared = set(item.mineral)
        if not match.minerals and not match.all_of:
            return NO  # an HS-only match classifies items that declare no mineral
        if match.minerals and declared.isdisjoint(match.minerals):
            return NO
        if match.all_of and not match.all_of <= declared:
            return NO
    else:
        code = item.hs_code or ""
        if not any(code.startswith(prefix) for prefix in spec.hs_codes):
            return NO
        if spec.on_hs_code_alone == "undecided" or match.all_of:
            missing.append("mineral (the HS code alone does not decide)")
    if spec.forms:
        if item.form is None:
            missing.append(f"form (controlled forms: {', '.join(spec.forms)})")
        elif item.form not in spec.forms:
            if item.form in known_forms:
                return NO
            missing.append(f"form ({item.form!r} is not a form the rule pack distinguishes)")
    if spec.purity is not None:
        if item.purity is None:
            missing.append(f"purity (controlled at {spec.purity})")
        elif not spec.purity.met_by(item.purity):
            return NO
    if missing:
        return ItemOutcome(Outcome.UNDECIDED, tuple(missing))
    return APPLIES


def match_control(control: CompiledControl, item: Item, known_forms: set[str]) -> ItemOutcome:
    """The best outcome over a control's item matches: applies, else undecided, else no."""
    if control.matches is None:
        return APPLIES
    undecided: ItemOutcome | None = None
    for match in control.matches:
        outcome = match_item(match, item, known_forms)
        if outcome.outcome is Outcome.APPLIES:
            return outcome
        if outcome.outcome is Outcome.UNDECIDED and undecided is None:
            undecided = outcome
    return undecided or NO


def party_applies(control: LoadedControl, manifest: Manifest) -> bool:
    """Whether the shipment's exporter, destinations and end user fall under the control."""
    if manifest.exporter.country != control.rule.jurisdiction:
        return False
    if not control.control.destinations.applies_to(manifest.destinations):
        return False
    return control.control.end_users == "any" or manifest.final_end_user.military


def controls_on(
    controls: list[CompiledControl], day: dt.date
) -> tuple[list[CompiledControl], list[CompiledControl]]:
    """The controls in force on ``day``, and those suspended on it."""
    in_force, suspended = [], []
    for control in controls:
        status = control.loaded.status_on(day)
        if status is Status.IN_FORCE:
            in_force.append(control)
        elif status is Status.SUSPENDED:
            suspended.append(control)
    return in_force, suspended
