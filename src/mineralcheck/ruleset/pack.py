"""A loaded rule pack: rule files flattened into controls that know their measure and dates."""

from __future__ import annotations

import datetime as dt
import hashlib
from enum import StrEnum

from mineralcheck.minerals import Vocabulary
from mineralcheck.plain import field, record
from mineralcheck.ruleset.rules import (
    Control,
    ItemMatch,
    PackInfo,
    Requirement,
    RuleFile,
    Suspension,
)


class Status(StrEnum):
    """Where a measure or control stands on a given day."""

    NOT_YET = "not yet in force"
    IN_FORCE = "in force"
    SUSPENDED = "suspended"
    ENDED = "ended"


@record(frozen=True)
class LoadedControl:
    """A control together with the measure it belongs to and every suspension that touches it."""

    rule: RuleFile
    control: Control
    path: str
    suspensions: tuple[Suspension, ...] = ()

    @property
    def id(self) -> str:
        """The control's pack-wide id: ``<rule id>/<control id>``."""
        return f"{self.rule.id}/{self.control.id}"

    @property
    def effective(self) -> dt.date:
        """The first day the control applies."""
        return self.control.effective or self.rule.effective

    @property
    def requires(self) -> Requirement:
        """What the control demands."""
        return self.control.requires

    @property
    def items(self) -> tuple[ItemMatch, ...] | str | None:
        """The item matches; ``"dual-use"``; or ``None`` when the control covers every item."""
        return self.control.items

    @property
    def url(self) -> str | None:
        """The source address of the control, else of its measure (lint requires one)."""
        return self.control.source or self.rule.source

    def suspension_on(self, day: dt.date) -> Suspension | None:
        """The suspension in effect for this control on ``day``, if any."""
        return next((s for s in self.suspensions if s.covers(day)), None)

    def unconfirmed_after(self, day: dt.date) -> Suspension | None:
        """A suspension that ended before ``day`` with an outcome the pack cannot confirm."""
        lapsed = [s for s in self.suspensions if not s.outcome_confirmed and s.until < day]
        return max(lapsed, key=lambda s: s.until, default=None)

    def status_on(self, day: dt.date) -> Status:
        """Whether the control is in force, suspended, ended or not yet in force on ``day``."""
        if day < self.effective:
            return Status.NOT_YET
        if self.rule.ends is not None and day > self.rule.ends:
            return Status.ENDED
        if self.suspension_on(day) is not None:
            return Status.SUSPENDED
        return Status.IN_FORCE


def measure_status(rule: RuleFile, controls: list[LoadedControl], day: dt.date) -> str:
    """A measure's status on ``day``, summarised over its controls (or its own dates)."""
    if not controls:
        if day < rule.effective:
            return Status.NOT_YET
        if rule.ends is not None and day > rule.ends:
            return Status.ENDED
        last = max((entry.until for entry in rule.suspends), default=None)
        if last is not None and day > last:
            return f"suspension ran out on {last}"
        return Status.IN_FORCE
    statuses = sorted({str(c.status_on(day)) for c in controls})
    status = statuses[0] if len(statuses) == 1 else "partly " + " / ".join(statuses)
    lapsed = [s.until for c in controls if (s := c.unconfirmed_after(day)) is not None]
    if lapsed:
        status += f" (unconfirmed after {max(lapsed)})"
    return status


@record
class RulePack:
    """Every rule file loaded for a run, with the vocabulary and forms they define."""

    rules: list[tuple[str, RuleFile]] = field(default_factory=list)
    controls: list[LoadedControl] = field(default_factory=list)
    vocabulary: Vocabulary = field(default_factory=Vocabulary.with_elements)
    forms: set[str] = field(default_factory=set)
    info: PackInfo | None = None
    digest: hashlib._Hash = field(default_factory=hashlib.sha256)

    def add(self, path: str, rule: RuleFile, raw: bytes) -> None:
        """Add one validated rule file (call ``finish`` once all are added)."""
        self.rules.append((path, rule))
        self.digest.update(raw)
        self.add_names(rule)
        for control in rule.controls:
            if isinstance(control.items, tuple):
                for match in control.items:
                    self.forms.update(match.forms)

    def add_names(self, rule: RuleFile) -> None:
        """Learn the mineral names a rule file defines (also of a file left out by ``--pack``:
        a manifest naming spodumene is read the same whichever jurisdictions are loaded)."""
        for mineral in rule.minerals:
            aliases = (*mineral.aliases, *((mineral.symbol,) if mineral.symbol else ()))
            self.vocabulary.add(mineral.name, aliases, contains=mineral.contains)

    def finish(self) -> None:
        """Flatten the rules into controls, each with the suspensions that reach it."""
        imposed: dict[str, list[tuple[RuleFile, Suspension]]] = {}
        for _, rule in self.rules:
            for entry in rule.suspends:
                suspension = Suspension(
                    from_=entry.from_,
                    until=entry.until,
                    by=rule.reference,
                    source=rule.source,
                    controls=entry.controls,
                    outcome_confirmed=entry.outcome_confirmed,
                )
                imposed.setdefault(entry.rule, []).append((rule, suspension))
        self.controls = []
        for path, rule in self.rules:
            from_elsewhere = [s for _, s in imposed.get(rule.id, [])]
            for control in rule.controls:
                reaching = tuple(
                    s
                    for s in (*rule.suspensions, *from_elsewhere)
                    if s.controls is None or control.id in s.controls
                )
                self.controls.append(LoadedControl(rule, control, path, reaching))

    def controls_of(self, rule_id: str) -> list[LoadedControl]:
        """The loaded controls of one measure."""
        return [c for c in self.controls if c.rule.id == rule_id]

    def jurisdictions(self) -> set[str]:
        """The exporting countries the loaded rules govern."""
        return {rule.jurisdiction for _, rule in self.rules}

    @property
    def hash(self) -> str:
        """A digest of the bytes of every loaded rule file, in load order."""
        return self.digest.hexdigest()

    def __getstate__(self) -> dict[str, object]:
        """For the compiled-pack cache: the digest object cannot be pickled, its value can."""
        state = dict(self.__dict__)
        state["digest"] = self.digest.hexdigest()
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self.digest = _Fixed(str(state["digest"]))  # type: ignore[assignment]


class _Fixed:
    """A finished digest, as read back from the compiled-pack cache."""

    def __init__(self, value: str) -> None:
        self.value = value

    def hexdigest(self) -> str:
        return self.value
