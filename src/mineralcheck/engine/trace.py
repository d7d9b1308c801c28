"""The decision trace behind ``explain``: what the judge considered for each line, and why.

The judge writes to a ``Trace`` while it decides (``Judge.trace``); nothing here decides
anything. With no trace attached the judge does no extra work.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from mineralcheck.engine.match import CompiledControl, CompiledMatch, Outcome, match_item
from mineralcheck.forms import meet
from mineralcheck.manifest.shipment import Item, Manifest
from mineralcheck.plain import as_data, field, record
from mineralcheck.ruleset.pack import LoadedControl, Status

# what the judge decided about one control for one line
APPLIES = "applies"
NEEDS_PERMIT = "needs a permit"
PROHIBITED = "prohibited"
REVIEW = "needs review"
NOTICE = "notice (a duty or condition)"
NOT_APPLIES = "does not apply"
OUT_OF_SCOPE = "out of scope"
UNDECIDED = "undecided"
PARTY_TO_CHECK = "listed party to check"
NOT_IN_FORCE = "not in force"
SUSPENDED = "suspended"


@record
class PermitTry:
    """One permit tried for a line under a control, and what came of it."""

    number: str
    source: str  # "manifest" or "register"
    covers: bool
    problem: str | None = None
    chosen: bool = False


@record
class Step:
    """One control considered for one line."""

    control: str
    reference: str
    url: str | None
    requires: str
    status: str
    decision: str
    reasons: list[str] = field(default_factory=list)
    permits: list[PermitTry] = field(default_factory=list)


@record
class ItemTrace:
    """What was considered for one line of the manifest."""

    item: int
    line: int | None
    description: str
    facts: dict[str, Any]
    steps: list[Step] = field(default_factory=list)
    not_indexed: int = 0  # controls that name neither the line's minerals nor its HS code


@record
class Trace:
    """The trace of one manifest's judgement."""

    date: str = ""
    items: list[ItemTrace] = field(default_factory=list)

    def begin(self, manifest: Manifest, day: dt.date, lines: list[int | None]) -> None:
        """Start the trace of ``manifest`` checked on ``day``; ``lines`` gives where each item
        starts in the file."""
        self.date = day.isoformat()
        self.items = [
            ItemTrace(manifest.line_of(index), lines[index], item.description, _facts(item))
            for index, item in enumerate(manifest.items)
        ]

    def step(
        self, index: int, loaded: LoadedControl, day: dt.date, decision: str, *reasons: str
    ) -> Step:
        """Record ``decision`` about ``loaded`` for item ``index``; returns the step."""
        step = Step(
            control=loaded.id,
            reference=loaded.rule.reference,
            url=loaded.url,
            requires=str(loaded.requires),
            status=status_text(loaded, day),
            decision=decision,
            reasons=[r for r in reasons if r],
        )
        self.items[index].steps.append(step)
        return step

    def as_json(self) -> dict[str, Any]:
        """The trace as plain data."""
        data: dict[str, Any] = as_data(self)
        return data


def status_text(loaded: LoadedControl, day: dt.date) -> str:
    """The control's status on ``day``, with the dates that make it so."""
    state = loaded.status_on(day)
    if state is Status.NOT_YET:
        return f"effective only from {loaded.effective}"
    if state is Status.ENDED:
        return f"ended on {loaded.rule.ends}"
    if state is Status.SUSPENDED:
        suspension = loaded.suspension_on(day)
        assert suspension is not None
        return f"suspended from {suspension.from_} to {suspension.until} by {suspension.by}"
    ends = f" until {loaded.rule.ends}" if loaded.rule.ends is not None else ""
    return f"in force since {loaded.effective}{ends}"


def evidence(control: CompiledControl, item: Item, manifest: Manifest) -> list[str]:
    """What on the line brings it under ``control`` (for a control that applies)."""
    if control.dual_use:
        return ["the line is a dual-use item: a control in force lists it"]
    if control.matches is None:
        return ["the control covers every line in its scope"]
    found: list[str] = []
    for match in control.matches:
        if match_item(match, item, manifest).outcome is Outcome.APPLIES:
            found.extend(_match_evidence(match, item))
    return list(dict.fromkeys(found)) or ["the line's evidence matches the listed items"]


def _match_evidence(match: CompiledMatch, item: Item) -> list[str]:
    spec = match.spec
    found = []
    declared = set(item.mineral or ())
    named = declared & (match.minerals | match.all_of)
    if named:
        found.append(f"mineral {', '.join(sorted(named))} is listed")
    code = item.hs_code
    if code is not None:
        listed = next((c for c in spec.hs_codes if code.startswith(c)), None)
        if listed is not None:
            found.append(f"HS code {code} falls under listed code {listed}")
    if not found:
        return []
    if spec.forms and item.form is not None and meet(item.form, spec.forms).meets:
        found.append(f"form {item.form!r} is a controlled form ({', '.join(spec.forms)})")
    if spec.purity is not None and item.purity is not None and spec.purity.met_by(item.purity):
        found.append(f"purity {item.purity} % meets {spec.purity}")
    return found


def _facts(item: Item) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "mineral": list(item.mineral or ()),
        "form": item.form,
        "hs_code": item.hs_code,
        "purity": str(item.purity) if item.purity is not None else None,
        "quantity": str(item.quantity),
        "origin": item.origin,
        "permits": list(item.permits),
        "content": [f"{mineral} {share} %" for mineral, share in item.content or ()],
    }
    return {key: value for key, value in facts.items() if value not in (None, [])}
