"""Match: which controls a manifest's items, parties, destinations and end user fall under."""

from __future__ import annotations

from enum import Enum

from mineralcheck.engine.parties import Screen
from mineralcheck.forms import broader, meet
from mineralcheck.manifest.shipment import Item, Manifest
from mineralcheck.plain import field, record
from mineralcheck.ruleset.pack import LoadedControl, RulePack
from mineralcheck.ruleset.rules import ItemMatch


class Outcome(Enum):
    """Whether an item falls under a control."""

    NO = "no"
    APPLIES = "applies"
    UNDECIDED = "undecided"


@record(frozen=True, slots=True)
class ItemOutcome:
    """The outcome for one item, with what is missing when it cannot be decided, and a
    disagreement between the evidence to report even when the control applies."""

    outcome: Outcome
    missing: tuple[str, ...] = ()
    conflict: str | None = None
    why: str = ""  # for ``NO``: why the line is outside (shown by ``explain``)


NO = ItemOutcome(Outcome.NO, why="the control does not list the line's minerals or HS code")
APPLIES = ItemOutcome(Outcome.APPLIES)
OTHER_ORIGIN = ItemOutcome(Outcome.NO, why="the control is about goods of another origin")
CODE_ONLY = ItemOutcome(
    Outcome.NO, why="this entry is for lines known only by HS code; the declared minerals decide"
)
SHARED_CODE = ItemOutcome(
    Outcome.NO,
    why="the HS code is shared by several controls; another one names the declared minerals",
)


@record(frozen=True)
class CompiledMatch:
    """An item match with its mineral names resolved to the pack's canonical names.

    ``code_minerals`` gives, for each of its reference codes, the minerals of every match in
    the pack that lists the code: a code several controls share (an oxide mixture of seven rare
    earths) agrees with a declared mineral that any of them names.
    """

    spec: ItemMatch
    minerals: frozenset[str]
    all_of: frozenset[str]
    code_minerals: dict[str, frozenset[str]] = field(default_factory=dict)
    excluded: frozenset[str] = frozenset()  # with any_mineral: minerals another control takes


@record(frozen=True)
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
    parties: Screen | None
    sources: tuple[int, ...] | None = None


def compile_pack(pack: RulePack) -> list[CompiledControl]:
    """Resolve every control's names once, before any manifest is checked."""
    canonical = pack.vocabulary.canonical
    named: dict[str, set[str]] = {}  # reference code -> minerals of the matches that list it
    for loaded in pack.controls:
        for spec in loaded.items if isinstance(loaded.items, tuple) else ():
            names = {canonical(m) or m for m in (*spec.minerals, *spec.all_of)}
            for code in spec.hs_codes:
                named.setdefault(code, set()).update(names)
    own: dict[str, tuple[CompiledMatch, ...]] = {}
    for loaded in pack.controls:
        if isinstance(loaded.items, tuple):
            own[loaded.id] = tuple(
                CompiledMatch(
                    spec,
                    frozenset(canonical(m) or m for m in spec.minerals),
                    frozenset(canonical(m) or m for m in spec.all_of),
                    {code: frozenset(named[code]) for code in spec.hs_codes},
                    frozenset(canonical(m) or m for m in spec.except_minerals),
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
        parties = Screen(loaded.control.parties) if loaded.control.parties else None
        compiled.append(CompiledControl(loaded, matches, items == "dual-use", parties, sources))
    return compiled


def _hs_hit(spec: ItemMatch, item: Item) -> str | None:
    """The listed reference code that ``item``'s HS code falls under, if any."""
    code = item.hs_code
    if code is None:
        return None
    return next((prefix for prefix in spec.hs_codes if code.startswith(prefix)), None)


FULL_CODE = 10  # a full Chinese tariff line names one kind of goods; a shorter prefix, many


def _what(match: CompiledMatch) -> str:
    names = sorted(match.minerals) or sorted(match.all_of)
    return " or ".join(names) if names else "the items it lists"


SUBHEADING = 6  # the HS subheading: the same kind of goods the world over


def _near_code(spec: ItemMatch, item: Item) -> ItemOutcome:
    """For an item known only by its code: undecided when the code is in the subheading of a
    listed code without being one (a rare-earth compound line next to listed ones), else no."""
    code = item.hs_code
    if code is None or len(code) <= SUBHEADING:
        return NO
    near = [c for c in spec.hs_codes if len(c) > SUBHEADING and c[:SUBHEADING] == code[:SUBHEADING]]
    if not near:
        return NO
    return ItemOutcome(
        Outcome.UNDECIDED,
        (
            f"mineral (HS code {code} is in subheading {code[:SUBHEADING]}, as this control's "
            f"{', '.join(near[:3])}{' ...' if len(near) > 3 else ''} are, but is not one of them)",
        ),
    )


def match_item(match: CompiledMatch, item: Item, manifest: Manifest) -> ItemOutcome:
    """Whether ``item`` is one of the items ``match`` describes.

    Evidence adds up and never cancels out. The item is in when its minerals, form and purity
    match, or when its HS code falls under one of the match's reference codes. When the two
    disagree (a declared mineral the code does not name, a form or purity that puts the item
    outside while its code is listed), the item is never simply out: a full listed code still
    brings it in, with a ``conflict`` to check; a shorter one leaves it undecided.
    """
    spec = match.spec
    if spec.origin is not None:
        origin = item.origin or manifest.exporter.country
        if not spec.origin.includes(origin):
            return OTHER_ORIGIN  # the measure is about goods of another origin
    declared = set(item.mineral or ())
    if match.excluded and not declared.isdisjoint(match.excluded):
        return ItemOutcome(
            Outcome.NO,
            why=f"another control of the measure takes {', '.join(sorted(match.excluded))}",
        )
    names_it = bool(match.minerals or match.all_of) or spec.any_mineral
    by_mineral = spec.any_mineral or (
        bool(declared)
        and names_it
        and not (match.minerals and declared.isdisjoint(match.minerals))
        and match.all_of <= declared
    )
    listed = _hs_hit(spec, item)
    if not by_mineral and listed is None:
        if not declared:
            return _near_code(spec, item)
        if match.all_of and not match.all_of <= declared:
            return ItemOutcome(
                Outcome.NO,
                why=f"it lists items that contain all of {', '.join(sorted(match.all_of))}",
            )
        return NO
    if not names_it and declared and spec.on_hs_code_alone == "undecided":
        return CODE_ONLY  # a match for items known only by code: the declared minerals decide
    missing: list[str] = []
    ruled_out: list[str] = []
    if spec.forms:
        if item.form is None:
            missing.append(f"form (controlled forms: {', '.join(spec.forms)})")
        else:
            form = meet(item.form, spec.forms)
            if form.meets is None:
                missing.append(form.missing)
            elif form.meets is False:
                ruled_out.append(f"form {item.form!r} (controlled: {', '.join(spec.forms)})")
    if spec.except_forms and item.form is not None:
        outside = broader(item.form).intersection(spec.except_forms)
        if outside:
            ruled_out.append(f"form {item.form!r} (outside this control: {', '.join(outside)})")
    if spec.purity is not None:
        if item.purity is None:
            missing.append(f"purity (controlled at {spec.purity})")
        elif not spec.purity.met_by(item.purity):
            ruled_out.append(f"purity {item.purity} % (controlled at {spec.purity})")
    if spec.undecided is not None:
        missing.append(spec.undecided)
    if listed is None:  # the composition alone decides
        if ruled_out:
            return ItemOutcome(Outcome.NO, why="outside by its " + " and ".join(ruled_out))
        return ItemOutcome(Outcome.UNDECIDED, tuple(missing)) if missing else APPLIES
    # the HS code is one of the control's reference codes
    code = item.hs_code
    shared = spec.on_hs_code_alone == "undecided" or len(listed) < FULL_CODE
    if ruled_out:
        return ItemOutcome(
            Outcome.UNDECIDED,
            (
                f"classification (HS code {code} is a reference code of this control, but the "
                f"declared {' and '.join(ruled_out)} would put the line outside it)",
            ),
        )
    if declared and not by_mineral:
        if not declared.isdisjoint(match.code_minerals.get(listed, ())):
            return SHARED_CODE  # a code several controls share; another names these minerals
        conflict = (
            f"item declares {', '.join(sorted(declared))}, but its HS code {code} is listed for "
            f"{_what(match)}; check the code and the declared minerals"
        )
        if shared:
            return ItemOutcome(Outcome.UNDECIDED, (f"classification ({conflict})",))
        return ItemOutcome(Outcome.APPLIES, (), conflict)
    if not declared and (spec.on_hs_code_alone == "undecided" or match.all_of):
        missing.append("mineral (the HS code alone does not decide)")
    if by_mineral and spec.on_hs_code_alone != "undecided":
        return APPLIES  # the code confirms what the composition left open
    return ItemOutcome(Outcome.UNDECIDED, tuple(missing)) if missing else APPLIES


def best(outcomes: list[ItemOutcome]) -> ItemOutcome:
    """Applies if any applies (without a conflict if one does), else the first undecided,
    else no."""
    undecided: ItemOutcome | None = None
    conflicting: ItemOutcome | None = None
    no = NO  # the most telling reason for being outside: one more specific than the default
    for outcome in outcomes:
        if outcome.outcome is Outcome.APPLIES:
            if outcome.conflict is None:
                return outcome
            conflicting = conflicting or outcome
        elif outcome.outcome is Outcome.UNDECIDED:
            if undecided is None:
                undecided = outcome
        elif no is NO:
            no = outcome
    return conflicting or undecided or no


def match_listed_items(
    control: CompiledControl,
    item: Item,
    manifest: Manifest,
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
        return best([match_item(m, item, manifest) for m in matches])
    return best([match_item(m, item, manifest) for m in control.matches])


def scope_applies(control: CompiledControl, manifest: Manifest) -> bool:
    """Whether the exporter, destinations and end user fall under the control (its listed
    parties, if any, are screened apart: see ``parties.Screen``)."""
    return out_of_scope(control, manifest) is None


def out_of_scope(control: CompiledControl, manifest: Manifest) -> str | None:
    """Why the exporter, destinations or end user put the manifest outside the control, or
    ``None`` when they fall under it."""
    return scope_problem(
        control,
        manifest.exporter.country,
        manifest.destinations,
        manifest.final_end_user.military,
    )


def exporter_fits(control: CompiledControl, exporter: str) -> bool:
    """Whether an export from ``exporter`` is one the control governs: from its jurisdiction,
    or, for a control on exports from abroad (``exporters: elsewhere``), from anywhere else."""
    in_jurisdiction = exporter == control.loaded.rule.jurisdiction
    return in_jurisdiction == (control.loaded.control.exporters == "in-jurisdiction")


def scope_problem(
    control: CompiledControl, exporter: str, destinations: frozenset[str], military: bool
) -> str | None:
    """Why an export from ``exporter`` to ``destinations`` (for a military end user or not)
    is outside the control, or ``None`` when it falls under it."""
    loaded = control.loaded
    if not exporter_fits(control, exporter):
        if exporter == loaded.rule.jurisdiction:
            return f"it governs goods exported from outside {loaded.rule.jurisdiction}"
        return (
            f"it governs exports from {loaded.rule.jurisdiction}, and the exporter is in {exporter}"
        )
    scope = loaded.control.destinations
    if not scope.applies_to(destinations):
        return (
            f"its destinations are {scope.describe()}; the shipment goes to "
            f"{', '.join(sorted(destinations))}"
        )
    if loaded.control.end_users == "military" and not military:
        return "it is about military end users, and the end user is not declared military"
    return None
