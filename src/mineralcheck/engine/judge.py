"""Judge: turn the controls that apply into findings, checking the permits that cover items."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from mineralcheck.engine import trace as tr
from mineralcheck.engine.index import ControlIndex, DayStatus, Timeline, in_order
from mineralcheck.engine.match import (
    APPLIES,
    NO,
    CompiledControl,
    ItemOutcome,
    Outcome,
    best,
    exporter_fits,
    match_listed_items,
    out_of_scope,
    scope_applies,
)
from mineralcheck.engine.parties import Hit, Kind
from mineralcheck.manifest.shipment import Item, Manifest, Permit
from mineralcheck.plain import record
from mineralcheck.problems import field_path
from mineralcheck.results import Finding, Severity
from mineralcheck.ruleset.pack import LoadedControl, RulePack
from mineralcheck.ruleset.rules import Requirement
from mineralcheck.values import EXACT
from mineralcheck.yamlread import Document, Path

if TYPE_CHECKING:  # a register is loaded only for --permits
    from mineralcheck.records.register import Licence, Register


class _Template(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@record
class _Demand:
    """An item that needs a permit under a control, and the permit chosen for it, if any."""

    index: int
    compiled: CompiledControl
    permit: Permit | Licence | None = None
    reason: str = ""
    step: tr.Step | None = None  # where ``explain`` shows the permits tried

    @property
    def control(self) -> LoadedControl:
        """The loaded control behind the demand."""
        return self.compiled.loaded


@record(frozen=True)
class _Scope:
    """A permit's ``covers``: canonical minerals, HS code prefixes, rule or control ids."""

    minerals: frozenset[str]
    hs_prefixes: tuple[str, ...]
    ids: frozenset[str]


class Judge:
    """Checks manifests against a compiled rule pack."""

    def __init__(self, pack: RulePack, controls: list[CompiledControl]) -> None:
        self.pack = pack
        self.controls = controls
        self.index = ControlIndex(controls)
        self.timeline = Timeline(controls)
        self.governs_elsewhere = any(c.loaded.control.exporters == "elsewhere" for c in controls)
        self.jurisdictions = frozenset(pack.jurisdictions())
        self.coverage = pack.info.jurisdictions if pack.info is not None else {}
        self.register: Register | None = None  # licences many manifests use (--permits)
        # the register licences the last manifest judged drew on: (number, item line, kg)
        self.uses: list[tuple[str, int, Decimal]] = []
        self._scopes: dict[tuple[str, ...], _Scope] = {}
        self.trace: tr.Trace | None = None  # set by ``explain``: the judge records its steps
        # which controls fit a scope: per condition and value, and per combination
        self._fits: dict[tuple[str, object], frozenset[int]] = {}
        self._allowed: dict[tuple[str, frozenset[str], bool, int, str], frozenset[int]] = {}
        self._outcomes: dict[tuple[object, ...], ItemOutcome] = {}
        self._screened: dict[tuple[int, str, str], Hit | None] = {}
        self._in_scope: dict[tuple[object, ...], frozenset[int]] = {}
        self._same: dict[frozenset[int], frozenset[int]] = {}

    def _item_outcome(self, control: CompiledControl, index: int, context: _Context) -> ItemOutcome:
        item = context.manifest.items[index]
        origin = control.loaded.control.origin
        if origin is not None and not origin.includes(
            item.origin or context.manifest.exporter.country
        ):
            return NO  # the control is about goods of another origin
        if control.dual_use:
            return context.dual_use(index, control.loaded.rule.jurisdiction)
        if control.matches is None:
            return APPLIES
        return self.listed_outcome(control, item, context.manifest, context.in_force)

    def screened(self, control: CompiledControl, manifest: Manifest) -> Hit | None:
        """The listed party of ``control`` the consignee or end user matches, worked out once
        per control and pair of names (a batch ships to the same parties again and again)."""
        assert control.parties is not None
        key = (id(control), manifest.consignee.name, manifest.final_end_user.name)
        if key in self._screened:
            return self._screened[key]
        return _keep(self._screened, key, control.parties.screen(manifest))

    def listed_outcome(
        self, control: CompiledControl, item: Item, manifest: Manifest, in_force: frozenset[int]
    ) -> ItemOutcome:
        """``match_listed_items``, worked out once per control and distinct item: a batch
        repeats the same goods (mineral, code, form, purity, origin) in many manifests."""
        key = (
            id(control),
            item.mineral,
            item.hs_code,
            item.form,
            item.purity,
            item.origin or manifest.exporter.country,
            in_force if control.sources is not None else None,
        )
        outcome = self._outcomes.get(key)
        if outcome is None:
            outcome = _keep(
                self._outcomes, key, match_listed_items(control, item, manifest, in_force)
            )
        return outcome

    def findings(
        self, manifest: Manifest, document: Document, as_of: dt.date | None = None
    ) -> list[Finding]:
        """Every finding for one manifest, checked on ``as_of`` or else its ship date."""
        return self.judgement(manifest, document, as_of)[0]

    def judgement(
        self, manifest: Manifest, document: Document, as_of: dt.date | None = None
    ) -> tuple[list[Finding], dict[str, Decimal]]:
        """Every finding for one manifest, and the kilograms each licence covered (in the order
        the manifest's lines drew on them)."""
        day = as_of or manifest.ship_date
        status = self.timeline.on(day)
        context = _Context(manifest, document, self, status.in_force)
        findings = list(self._undefined_permits(context))
        # which items each control could cover, from the index: (control position -> items)
        candidates: dict[int, list[int]] = defaultdict(list)
        trace = self.trace
        if trace is None:  # only the controls in force or suspended whose scope fits
            stretch = self.timeline.stretch(day)
            exporter = manifest.exporter.country
            scope = (exporter, manifest.destinations, manifest.final_end_user.military, stretch)
            for index, item in enumerate(manifest.items):
                allowed = self._scoped(scope, item.origin or exporter, status)
                for position in self._candidates_in(item, allowed):
                    candidates[position].append(index)
        else:  # every control that names the item, to show why each one was set aside
            for index, item in enumerate(manifest.items):
                for position in self.index.candidates(item):
                    candidates[position].append(index)
            self._trace_begin(trace, context, candidates, day, status.in_force | status.suspended)
        demands: list[_Demand] = []
        for position in in_order(status.in_force.intersection(candidates)):
            control = self.controls[position]
            loaded = control.loaded
            if not context.applies(control):
                if trace is not None:
                    why = out_of_scope(control, manifest) or context.no_party(control)
                    for index in candidates[position]:
                        trace.step(index, loaded, day, tr.OUT_OF_SCOPE, why)
                continue
            for index in candidates[position]:
                outcome = self._item_outcome(control, index, context)
                if outcome.outcome is Outcome.NO:
                    if trace is not None:
                        trace.step(index, loaded, day, tr.NOT_APPLIES, outcome.why)
                    continue
                step = None
                if trace is not None:
                    step = trace.step(index, loaded, day, tr.APPLIES)
                lapsed = loaded.unconfirmed_after(day)
                if lapsed is not None:
                    horizon = (
                        f"this control was suspended until {lapsed.until} by {lapsed.by}; "
                        f"its status after {lapsed.until} is not confirmed in this rule pack, "
                        "so it is applied as its text says"
                    )
                    findings.append(
                        context.item_finding(Severity.WARN, "horizon", index, loaded, horizon)
                    )
                    if step is not None:
                        step.reasons.append(horizon)
                if outcome.outcome is Outcome.UNDECIDED:
                    findings.append(
                        context.item_finding(
                            Severity.WARN,
                            "undecided",
                            index,
                            loaded,
                            f"cannot decide whether item {manifest.line_of(index)} is covered: "
                            f"declare or check its {' and '.join(outcome.missing)}",
                        )
                    )
                    if step is not None:
                        step.decision = tr.UNDECIDED
                        step.reasons.extend(f"missing: {m}" for m in outcome.missing)
                    continue
                if step is not None:
                    step.reasons[:0] = tr.evidence(control, manifest.items[index], manifest)
                hit = context.hit(control)
                if hit is not None and step is not None:
                    step.reasons.append(
                        f"{hit.name!r} matches listed party {hit.party.name!r} ({hit.kind})"
                    )
                if hit is not None and not (hit.kind is Kind.EXACT and hit.party.confirmed):
                    findings.append(
                        context.item_finding(
                            Severity.WARN,
                            "listed-party",
                            index,
                            loaded,
                            _party_warning(hit, loaded),
                        )
                    )
                    if step is not None:
                        step.decision = tr.PARTY_TO_CHECK
                    continue
                if outcome.conflict is not None:
                    findings.append(
                        context.item_finding(
                            Severity.WARN, "classification", index, loaded, outcome.conflict
                        )
                    )
                    if step is not None:
                        step.reasons.append(outcome.conflict)
                message = context.message(control, index)
                if loaded.requires is Requirement.PROHIBITED:
                    findings.append(
                        context.item_finding(Severity.FAIL, "prohibited", index, loaded, message)
                    )
                    if step is not None:
                        step.decision = tr.PROHIBITED
                elif loaded.requires is Requirement.REVIEW:
                    findings.append(
                        context.item_finding(Severity.WARN, "review", index, loaded, message)
                    )
                    if step is not None:
                        step.decision = tr.REVIEW
                elif loaded.requires is Requirement.INFO:
                    findings.append(
                        context.item_finding(Severity.INFO, "notice", index, loaded, message)
                    )
                    if step is not None:
                        step.decision = tr.NOTICE
                else:
                    if step is not None:
                        step.decision = tr.NEEDS_PERMIT
                    demands.append(_Demand(index, control, step=step))
        exporter = manifest.exporter.country
        if exporter not in self.jurisdictions:  # a pass never reads as "checked against its law"
            also = (
                "; only other countries' controls that reach exports from abroad were checked"
                if self.governs_elsewhere
                else ""
            )
            findings.append(
                Finding(
                    Severity.INFO,
                    "no-jurisdiction",
                    f"no measure of {exporter} (the exporting country) is in the loaded rule "
                    f"packs{also}",
                    line=context.line(("exporter", "country")),
                    column=context.column(("exporter", "country")),
                    field="exporter.country",
                )
            )
        coverage = self.coverage.get(exporter)
        if coverage is not None and day > coverage.knowledge_ends:
            findings.append(
                Finding(
                    Severity.WARN,
                    "horizon",
                    f"the rule pack's knowledge of {coverage.name} ({exporter}) ends on "
                    f"{coverage.knowledge_ends}; checked on {day}, a later day: measures taken "
                    "since are not in the pack (check the current law, or update the pack)",
                    line=context.line(("ship_date",)),
                    column=context.column(("ship_date",)),
                    field="ship_date",
                )
            )
        for position in in_order(status.suspended.intersection(candidates)):
            findings.extend(self._suspended(context, position, candidates[position], day))
        drawn: dict[str, Decimal] = {}
        self.uses = []
        findings.extend(self._permits(context, demands, day, drawn, self.uses))
        return findings, drawn

    def _scoped(
        self, scope: tuple[str, frozenset[str], bool, int], origin: str, status: DayStatus
    ) -> frozenset[int]:
        """The controls in force or suspended in the stretch of days that fit the exporter,
        destinations, end user and the item's origin (parties are screened later).

        Each condition's set of fitting controls is worked out once per distinct value (a batch
        has few exporters, destination sets and origins), and their intersection once per
        combination: a pack of thousands of controls for other countries, destinations and
        origins costs an item no more than the controls that can concern it.
        """
        key = (*scope, origin)
        allowed = self._allowed.get(key)
        if allowed is None:
            exporter, destinations, military, _ = scope  # the stretch is in the key
            allowed = (
                (status.in_force | status.suspended)
                & self._fitting("exporter", exporter, lambda c: exporter_fits(c, exporter))
                & self._fitting(
                    "destinations",
                    destinations,
                    lambda c: c.loaded.control.destinations.applies_to(destinations),
                )
                & self._fitting("origin", origin, lambda c: _origin_fits(c, origin))
            )
            if not military:
                allowed -= self._fitting(
                    "military", True, lambda c: c.loaded.control.end_users == "military"
                )
            if len(self._allowed) >= 4096:  # bounded: memory must not grow with the batch
                self._allowed.clear()
                self._same.clear()
            # one object per distinct set (stretches of days often allow the same controls):
            # the tables keyed by it then find it by identity, not by comparing thousands
            allowed = self._same.setdefault(allowed, allowed)
            self._allowed[key] = allowed
        return allowed

    def _candidates_in(self, item: Item, allowed: frozenset[int]) -> frozenset[int]:
        """The controls that name ``item`` among those ``allowed`` (its scope's), worked out
        once per distinct minerals and HS code and scope: the controls naming an item's mineral
        can be thousands, almost all for other scopes."""
        key = (item.mineral, item.hs_code, allowed)
        found = self._in_scope.get(key)
        if found is None:
            found = _keep(self._in_scope, key, allowed.intersection(self.index.candidates(item)))
        return found

    def _fitting(
        self,
        dimension: str,
        value: object,
        fits: Callable[[CompiledControl], bool],
    ) -> frozenset[int]:
        """The positions of the controls that ``fits`` for one value of one condition."""
        key = (dimension, value)
        found = self._fits.get(key)
        if found is None:
            found = _keep(
                self._fits, key, frozenset(p for p, c in enumerate(self.controls) if fits(c))
            )
        return found

    def _trace_begin(
        self,
        trace: tr.Trace,
        context: _Context,
        candidates: dict[int, list[int]],
        day: dt.date,
        current: frozenset[int],
    ) -> None:
        """Start the trace: every line, and the controls that list it but are not in force."""
        manifest = context.manifest
        trace.begin(manifest, day, [context.line(("items", i)) for i in range(len(manifest.items))])
        per_item = [0] * len(manifest.items)
        for position in in_order(candidates):
            for index in candidates[position]:
                per_item[index] += 1
                if position not in current:
                    trace.step(index, self.controls[position].loaded, day, tr.NOT_IN_FORCE)
        for index, count in enumerate(per_item):
            trace.items[index].not_indexed = len(self.controls) - count

    def _lookup(self, manifest: Manifest, number: str) -> Permit | Licence | None:
        """A permit by number: the manifest's own first, then the registers'."""
        own = manifest.permit(number)
        if own is not None or self.register is None:
            return own
        return self.register.get(number)

    def _undefined_permits(self, context: _Context) -> list[Finding]:
        found = []
        manifest = context.manifest
        for index, item in enumerate(manifest.items):
            for position, number in enumerate(item.permits):
                path = ("items", index, "permits", position)
                own = manifest.permit(number)
                held = self.register.get(number) if self.register is not None else None
                if own is None and held is None:
                    message = (
                        f"item {manifest.line_of(index)} names permit {number!r}, which the "
                        "manifest does not define"
                        + (" and no register holds" if self.register is not None else "")
                    )
                    code = "undefined-permit"
                elif own is not None and held is not None and not _same_terms(own, held):
                    message = (
                        f"permit {number!r} is defined in the manifest and in the register "
                        "with different terms"
                    )
                    code = "conflicting-permit"
                else:
                    continue
                found.append(
                    Finding(
                        Severity.ERROR,
                        code,
                        message,
                        item=manifest.line_of(index),
                        line=context.line(path),
                        column=context.column(path),
                        field=field_path(path),
                    )
                )
        return found

    def _suspended(
        self, context: _Context, position: int, items: list[int], day: dt.date
    ) -> list[Finding]:
        control = self.controls[position]
        loaded = control.loaded
        if not context.applies(control):
            if self.trace is not None:
                why = out_of_scope(control, context.manifest) or context.no_party(control)
                for index in items:
                    self.trace.step(index, loaded, day, tr.OUT_OF_SCOPE, why)
            return []
        suspension = loaded.suspension_on(day)
        found = []
        for index in items:
            outcome = self._item_outcome(control, index, context)
            if self.trace is not None:
                self.trace.step(
                    index,
                    loaded,
                    day,
                    tr.NOT_APPLIES if outcome.outcome is Outcome.NO else tr.SUSPENDED,
                    outcome.why,
                )
            if outcome.outcome is Outcome.NO:
                continue
            assert suspension is not None
            found.append(
                context.item_finding(
                    Severity.INFO,
                    "suspended",
                    index,
                    loaded,
                    f"this control would apply to item {context.manifest.line_of(index)} but is "
                    f"suspended from {suspension.from_} to {suspension.until} by {suspension.by}",
                )
            )
        return found

    def _permits(
        self,
        context: _Context,
        demands: list[_Demand],
        day: dt.date,
        drawn: dict[str, Decimal],
        uses: list[tuple[str, int, Decimal]],
    ) -> list[Finding]:
        manifest = context.manifest
        for demand in demands:
            demand.permit, demand.reason = self._choose_permit(context, demand, day)
        usage: dict[str, dict[int, Decimal]] = defaultdict(dict)
        uncounted: list[Finding] = []
        for demand in demands:
            if demand.permit is not None:
                amount, missing = _drawn(demand, manifest.items[demand.index])
                usage[demand.permit.number][demand.index] = amount
                if missing is not None:
                    uncounted.append(
                        context.item_finding(
                            Severity.WARN, "content", demand.index, demand.control, missing
                        )
                    )
        over: dict[str, str] = {}
        for number, lines in usage.items():
            permit = manifest.permit(number)
            held = self.register is not None and self.register.get(number) is not None
            if permit is None or held:
                # a register's licence (also when the manifest copies it with the same terms:
                # a copy never escapes the draw-down): the ledger draws it down over the run
                for index, amount in sorted(lines.items()):
                    uses.append((number, manifest.line_of(index), amount))
                continue
            if permit.quantity is None:
                continue
            used = Decimal(0)
            for amount in lines.values():
                used = EXACT.add(used, amount)  # exact: no 28-digit rounding
            if used > permit.quantity.in_kg():
                line_list = ", ".join(str(manifest.line_of(i)) for i in sorted(lines))
                over[number] = (
                    f"permit {number} allows {permit.quantity} in all; items {line_list} "
                    f"use {_kg(used)} together"
                )
        for number, lines in usage.items():
            if number not in over:
                total = Decimal(0)
                for amount in lines.values():
                    total = EXACT.add(total, amount)
                drawn[number] = total
        found = uncounted
        for demand in demands:
            if demand.permit is None or demand.permit.number in over:
                base = context.message(demand.compiled, demand.index)
            if demand.permit is None:
                found.append(
                    context.item_finding(
                        Severity.FAIL,
                        "no-permit",
                        demand.index,
                        demand.control,
                        f"{base}; {demand.reason}",
                    )
                )
            elif demand.permit.number in over:
                if demand.step is not None:
                    demand.step.reasons.append(over[demand.permit.number])
                found.append(
                    context.item_finding(
                        Severity.FAIL,
                        "permit-quantity",
                        demand.index,
                        demand.control,
                        f"{base}; {over[demand.permit.number]}",
                    )
                )
            else:
                chosen = demand.permit
                assert chosen is not None
                if demand.control.requires is Requirement.EXCEPTIONAL_PERMIT:
                    found.append(
                        context.item_finding(
                            Severity.WARN,
                            "exceptional-licence",
                            demand.index,
                            demand.control,
                            f"item {manifest.line_of(demand.index)} shows permit "
                            f"{chosen.number}, a licence granted although "
                            f"{demand.control.rule.reference} says licences are in principle "
                            "refused; confirm it is genuine",
                        )
                    )
                found.append(
                    context.item_finding(
                        Severity.INFO,
                        "covered",
                        demand.index,
                        demand.control,
                        f"item {manifest.line_of(demand.index)} is covered by permit "
                        f"{chosen.number} (valid {chosen.valid_from} to {chosen.valid_until})",
                    )
                )
        return found

    def _choose_permit(
        self, context: _Context, demand: _Demand, day: dt.date
    ) -> tuple[Permit | Licence | None, str]:
        manifest = context.manifest
        item = manifest.items[demand.index]
        line = manifest.line_of(demand.index)
        candidates: list[Permit | Licence]
        if item.permits:
            candidates = [p for n in item.permits if (p := self._lookup(manifest, n)) is not None]
        else:
            candidates = list(manifest.permits)
        covering = [p for p in candidates if self._covers(p, item, demand.control)]
        step = demand.step
        if step is not None:
            step.permits = [
                tr.PermitTry(
                    p.number,
                    "manifest" if isinstance(p, Permit) else "register",
                    p in covering,
                    None if p in covering else f"covers {', '.join(p.covers)}",
                )
                for p in candidates
            ]
        if not covering:
            if item.permits:
                return None, (
                    f"permit {', '.join(item.permits)} named on item {line} does not cover "
                    f"{demand.control.id}"
                )
            return None, f"no permit covers item {line}"
        reasons = []
        issuers = demand.control.control.permit_issuers
        for permit in covering:
            problem = _issuer_problem(permit, issuers) or _permit_problem(permit, manifest, day)
            if step is not None:
                tried = next(t for t in step.permits if t.number == permit.number)
                tried.problem, tried.chosen = problem, problem is None
            if problem is None:
                return permit, ""
            reasons.append(f"permit {permit.number} {problem}")
        return None, "; ".join(reasons)

    def _covers(self, permit: Permit | Licence, item: Item, control: LoadedControl) -> bool:
        scope = self._scope(permit)
        if scope.ids & {control.id, control.rule.id}:
            return True
        if not scope.minerals.isdisjoint(item.mineral or ()):
            return True
        code = item.hs_code
        return code is not None and any(code.startswith(prefix) for prefix in scope.hs_prefixes)

    def _scope(self, permit: Permit | Licence) -> _Scope:
        """What a permit's ``covers`` list names, sorted into minerals, HS prefixes and ids."""
        scope = self._scopes.get(permit.covers)
        if scope is None:
            minerals, prefixes, ids = set(), [], set()
            for entry in permit.covers:
                digits = entry.replace(".", "").replace(" ", "")
                if digits.isdigit():
                    prefixes.append(digits)
                    continue
                ids.add(entry)
                name = self.pack.vocabulary.canonical(entry)
                if name is not None:
                    minerals.add(name)
            scope = _keep(
                self._scopes,
                permit.covers,
                _Scope(frozenset(minerals), tuple(prefixes), frozenset(ids)),
            )
        return scope


_K = TypeVar("_K")
_V = TypeVar("_V")


def _keep(table: dict[_K, _V], key: _K, value: _V, most: int = 65536) -> _V:
    """Remember ``value`` under ``key`` and return it; a table that holds ``most`` entries is
    emptied first (bounded: the judge's memory must not grow with the batch)."""
    if len(table) >= most:
        table.clear()
    table[key] = value
    return value


def _drawn(demand: _Demand, item: Item) -> tuple[Decimal, str | None]:
    """The kilograms ``item`` draws on its permit under the demand's control, and a warning when
    the control counts metal content and the item does not declare it (its whole weight is then
    counted: never less than the truth)."""
    weight = item.quantity.in_kg()
    if demand.control.control.counts == "weight":
        return weight, None
    minerals = {m for match in demand.compiled.matches or () for m in match.minerals}
    shares = [share for mineral, share in item.content or () if mineral in minerals]
    if not shares:
        named = ", ".join(sorted(minerals)) or "the controlled minerals"
        return weight, (
            f"{demand.control.id} counts {named} content, which the item does not declare "
            f"(content: {{{sorted(minerals)[0] if minerals else 'mineral'}: 30%}}): its whole "
            "weight was counted against the permit"
        )
    total = Decimal(0)
    for share in shares:
        total = EXACT.add(total, share)
    return EXACT.divide(EXACT.multiply(weight, total), Decimal(100)), None


def _origin_fits(control: CompiledControl, origin: str) -> bool:
    """Whether goods of ``origin`` are goods the control is about (any, when it says none)."""
    scope = control.loaded.control.origin
    return scope is None or scope.includes(origin)


def _same_terms(own: Permit, held: Licence) -> bool:
    """Whether a manifest's permit states the same terms as the register's licence."""
    return (
        own.valid_from == held.valid_from
        and own.valid_until == held.valid_until
        and set(own.destination) == set(held.destination)
        and set(own.covers) == set(held.covers)
    )


def _issuer_problem(permit: Permit | Licence, issuers: tuple[str, ...] | None) -> str | None:
    """Why ``permit`` cannot count under a control that names who must issue it, if it cannot."""
    if issuers is None:
        return None
    wanted = " or ".join(issuers)
    if permit.issued_by is None:
        return f"does not say who issued it; this control counts only a permit of {wanted}"
    if _name(permit.issued_by) not in {_name(i) for i in issuers}:
        return f"is issued by {permit.issued_by}, not {wanted}"
    return None


def _permit_problem(permit: Permit | Licence, manifest: Manifest, day: dt.date) -> str | None:
    """Why ``permit`` does not allow this shipment on ``day``, or ``None`` when it does."""
    if not isinstance(permit, Permit):  # a register's licence
        if permit.status != "valid":
            return f"is {permit.status} in the register: it covers nothing"
        if permit.exporter is not None and _name(permit.exporter) != _name(manifest.exporter.name):
            return f"is held by {permit.exporter!r}, not {manifest.exporter.name!r}"
    if day < permit.valid_from:
        return f"is valid only from {permit.valid_from}"
    if day > permit.valid_until:
        return f"expired on {permit.valid_until}"
    if manifest.final_destination not in permit.destination:
        return (
            f"is for {', '.join(permit.destination)}, not the final destination "
            f"{manifest.final_destination}"
        )
    if permit.end_user is not None:
        end_user = manifest.final_end_user.name
        allowed = (permit.end_user,) if isinstance(permit.end_user, str) else permit.end_user
        if _name(end_user) not in {_name(name) for name in allowed}:
            return f"is for end user {' or '.join(map(repr, allowed))}, not {end_user!r}"
    return None


def _name(text: str) -> str:
    return " ".join(text.split()).casefold()


def _party_warning(hit: Hit, control: LoadedControl) -> str:
    """The warning for a listed-party hit that does not give the listing's outcome."""
    listing = control.rule.reference
    if hit.kind is Kind.EXACT:
        note = f" ({hit.party.note})" if hit.party.note else ""
        return (
            f"{hit.name!r} matches {hit.party.name!r}, a name that a compiled copy of {listing} "
            f"gives{note}; confirm against the official annex before shipping"
        )
    how = (
        "contains the listed name"
        if hit.kind is Kind.CONTAINED
        else f"is close to the listed name (score {hit.score:g} of 100)"
    )
    return (
        f"{hit.name!r} {how} {hit.party.name!r} of {listing}; the listing names one legal "
        "entity: confirm the party is not it, or not owned by it"
    )


def _kg(amount: Decimal) -> str:
    text = format(amount.normalize(EXACT), "f")
    return f"{text} kg"


class _Context:
    """A manifest with its document, for placing findings in the file."""

    def __init__(
        self, manifest: Manifest, document: Document, judge: Judge, in_force: frozenset[int]
    ) -> None:
        self.manifest = manifest
        self.document = document
        self.judge = judge
        self.in_force = in_force
        self._dual_use: dict[tuple[int, str], ItemOutcome] = {}
        self._hits: dict[int, Hit | None] = {}
        self._places: dict[int, tuple[int, int | None, int | None, str | None]] = {}

    def applies(self, control: CompiledControl) -> bool:
        """Whether the control's exporters, destinations, end users and parties fit (the scoped
        index has set aside the controls whose exporters, destinations or end users do not,
        unless every control that names an item is being traced)."""
        if self.judge.trace is not None and not scope_applies(control, self.manifest):
            return False
        return control.parties is None or self.hit(control) is not None

    def no_party(self, control: CompiledControl) -> str:
        """Why a party-listing control is out of scope (for the trace)."""
        assert control.parties is not None
        return (
            "neither the consignee nor the end user matches a party it lists "
            f"({len(control.loaded.control.parties or ())} listed)"
        )

    def hit(self, control: CompiledControl) -> Hit | None:
        """The listed party of ``control`` that the consignee or end user matches, if any."""
        if control.parties is None:
            return None
        key = id(control)
        if key not in self._hits:
            self._hits[key] = self.judge.screened(control, self.manifest)
        return self._hits[key]

    def dual_use(self, index: int, jurisdiction: str) -> ItemOutcome:
        """Whether item ``index`` is a dual-use item of ``jurisdiction``: one that an
        item-listing control of that country covers (another country's ore ban, say
        Zimbabwe's on lithium concentrate, makes nothing a Chinese dual-use item)."""
        key = (index, jurisdiction)
        if key not in self._dual_use:
            item = self.manifest.items[index]
            judge = self.judge
            listing = judge.index.listing(item) & self.in_force
            self._dual_use[key] = best(
                [
                    judge.listed_outcome(judge.controls[p], item, self.manifest, self.in_force)
                    for p in in_order(listing)
                    if not judge.controls[p].parties
                    and judge.controls[p].loaded.rule.jurisdiction == jurisdiction
                ]
            )
        return self._dual_use[key]

    def line(self, path: Path) -> int | None:
        mark = self.document.locate(path)
        return mark.line if mark else None

    def column(self, path: Path) -> int | None:
        mark = self.document.locate(path)
        return mark.column if mark else None

    def message(self, compiled: CompiledControl, index: int) -> str:
        control = compiled.loaded
        item = self.manifest.items[index]
        hit = self.hit(compiled)
        values = _Template(
            party=hit.party.name if hit else "",
            item=item.description,
            line=self.manifest.line_of(index),
            destination=self.manifest.final_destination,
            control_code=control.control.control_code or control.id,
            effective=control.effective.isoformat(),
            reference=control.rule.reference,
        )
        try:
            return control.control.message.format_map(values)
        except (ValueError, IndexError, AttributeError):
            return control.control.message

    def item_finding(
        self,
        severity: Severity,
        code: str,
        index: int,
        control: LoadedControl,
        message: str,
    ) -> Finding:
        place = self._places.get(index)
        if place is None:
            path: Path = ("items", index)
            mark = self.document.locate(path)
            place = (
                self.manifest.line_of(index),
                mark.line if mark else None,
                mark.column if mark else None,
                field_path(path),
            )
            self._places[index] = place
        return Finding(
            severity,
            code,
            message,
            rule=control.id,
            item=place[0],
            line=place[1],
            column=place[2],
            field=place[3],
            reference=control.rule.reference,
            url=control.url,
        )
