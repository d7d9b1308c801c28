"""Match: which controls a manifest's items, parties, destinations and end user fall under."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

from mineralcheck.manifest.model import Item, Manifest
from mineralcheck.ruleset.model import ItemMatch, Party
from mineralcheck.ruleset.pack import LoadedControl, RulePack


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
    """A loaded control ready for matching.

    ``matches`` is ``None`` for a control over every item; ``dual_use`` marks a control over the
    items that some item-listing control in force covers (the dual-use items). For a control
    with ``items_of``, ``sources`` gives the pack position of the control each match comes
    from: those items count only while that control is in force.
    """

    loaded: LoadedControl
    matches: tuple[CompiledMatch, ...] | None
    dual_use: bool
    parties: dict[str, Party]
    sources: tuple[int, ...] | None = None


_NOT_WORD = re.compile(r"[\W_]+")


@lru_cache(maxsize=4096)  # bounded: a batch of many names must not grow memory
def party_key(name: str) -> str:
    """A name reduced for matching: legal-form suffixes, case and punctuation dropped."""
    from cleanco import basename  # loaded only when a pack lists parties

    base = basename(name) or name
    return " ".join(_NOT_WORD.sub(" ", base.casefold()).split())


def compile_pack(pack: RulePack) -> list[CompiledControl]:
    """Resolve every control's names once, before any manifest is checked."""
    canonical = pack.vocabulary.canonical
    own: dict[str, tuple[CompiledMatch, ...]] = {}
    for loaded in pack.controls:
        if isinstance(loaded.items, tuple):
            own[loaded.id] = tuple(
                CompiledMatch(
                    spec,
                    frozenset(canonical(m) or m for m in spec.minerals),
                    frozenset(canonical(m) or m for m in spec.all_of),
                )
                for spec in loaded.items
            )
    positions = {loaded.id: position for position, loaded in enumerate(pack.controls)}
    compiled = []
    for loaded in pack.controls:
        items = loaded.items
        matches = own.get(loaded.id)
        sources = None
        if loaded.control.items_of is not None:
            referred = [
                (positions[control_id], match)
                for ref in loaded.control.items_of
                for control_id, control_matches in own.items()
                if control_id == ref or control_id.startswith(ref + "/")
                for match in control_matches
            ]
            matches = tuple(match for _, match in referred)
            sources = tuple(position for position, _ in referred)
        parties: dict[str, Party] = {}
        for party in loaded.control.parties or ():
            for name in (party.name, *party.aliases):
                parties[party_key(name)] = party
        compiled.append(CompiledControl(loaded, matches, items == "dual-use", parties, sources))
    return compiled


def _hs_hit(spec: ItemMatch, item: Item) -> bool:
    code = item.hs_code
    return code is not None and any(code.startswith(prefix) for prefix in spec.hs_codes)


def match_item(
    match: CompiledMatch, item: Item, manifest: Manifest, known_forms: set[str]
) -> ItemOutcome:
    """Whether ``item`` is one of the items ``match`` describes."""
    spec = match.spec
    missing: list[str] = []
    declared = set(item.mineral or ())
    hs_counts = spec.hs_codes_match == "all-items" or not declared
    by_composition = bool(declared) and bool(match.minerals or match.all_of)
    if by_composition and (
        (match.minerals and declared.isdisjoint(match.minerals)) or not match.all_of <= declared
    ):
        by_composition = False
    if not by_composition:
        if not (hs_counts and _hs_hit(spec, item)):
            return NO
        if spec.on_hs_code_alone == "undecided" or (match.all_of and not declared):
            missing.append("mineral (the HS code alone does not decide)")
    if spec.origin is not None:
        origin = item.origin or manifest.exporter.country
        if not spec.origin.includes(origin):
            return NO
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
    if spec.undecided is not None:
        missing.append(spec.undecided)
    if missing:
        return ItemOutcome(Outcome.UNDECIDED, tuple(missing))
    return APPLIES


def best(outcomes: list[ItemOutcome]) -> ItemOutcome:
    """Applies if any applies, else the first undecided, else no."""
    undecided: ItemOutcome | None = None
    for outcome in outcomes:
        if outcome.outcome is Outcome.APPLIES:
            return outcome
        if outcome.outcome is Outcome.UNDECIDED and undecided is None:
            undecided = outcome
    return undecided or NO


def match_listed_items(
    control: CompiledControl,
    item: Item,
    manifest: Manifest,
    known_forms: set[str],
    in_force: frozenset[int] | None = None,
) -> ItemOutcome:
    """The outcome of a control that lists its items (``NO`` for any other control).

    For a control that takes the items of others (``items_of``), only the items of those in
    force (``in_force``, pack positions) count: an item is not yet, or no longer, dual-use
    while the control that lists it is not in force.
    """
    if control.matches is None:
        return NO
    if control.sources is not None and in_force is not None:
        matches = [
            m for m, s in zip(control.matches, control.sources, strict=True) if s in in_force
        ]
        return best([match_item(m, item, manifest, known_forms) for m in matches])
    return best([match_item(m, item, manifest, known_forms) for m in control.matches])


def listed_party(control: CompiledControl, manifest: Manifest) -> Party | None:
    """The listed party that the consignee or end user is, for a control with parties.

    Names match after legal-form suffixes, case and punctuation are dropped; a listed name of
    two or more words also matches a longer name that starts with it ("MP Materials" matches
    "MP Materials Holdings"), since listings often give a short form.
    """
    for name in (manifest.consignee.name, manifest.final_end_user.name):
        key = party_key(name)
        party = control.parties.get(key)
        if party is not None:
            return party
        for listed, party in control.parties.items():
            if " " in listed and key.startswith(listed + " "):
                return party
    return None


def party_applies(control: CompiledControl, manifest: Manifest) -> bool:
    """Whether the exporter, destinations, end user and listed parties fall under the control."""
    loaded = control.loaded
    in_jurisdiction = manifest.exporter.country == loaded.rule.jurisdiction
    if in_jurisdiction != (loaded.control.exporters == "in-jurisdiction"):
        return False
    if not loaded.control.destinations.applies_to(manifest.destinations):
        return False
    if loaded.control.end_users == "military" and not manifest.final_end_user.military:
        return False
    return not control.parties or listed_party(control, manifest) is not None
