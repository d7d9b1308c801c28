"""A loaded rule pack: rule files flattened into controls that know their measure and dates."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from mineralcheck.minerals import Vocabulary
from mineralcheck.ruleset.model import Control, ItemMatch, Requirement, RuleFile, Suspension


class Status(StrEnum):
    """Where a measure or control stands on a given day."""

    NOT_YET = "not yet in force"
    IN_FORCE = "in force"
    SUSPENDED = "suspended"
    ENDED = "ended"


@dataclass(frozen=True)
class LoadedControl:
    """A control together with the measure it belongs to."""

    rule: RuleFile
    control: Control
    path: str

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
    def items(self) -> tuple[ItemMatch, ...] | None:
        """The item matches, or ``None`` when the control covers every dual-use item."""
        return self.control.items

    @property
    def url(self) -> str:
        """The source address of the control, else of its measure."""
        return self.control.source or self.rule.source

    def suspension_on(self, day: dt.date) -> Suspension | None:
        """The suspension in effect for this control on ``day``, if any."""
        for suspension in self.rule.suspensions:
            applies = suspension.controls is None or self.control.id in suspension.controls
            if applies and suspension.covers(day):
                return suspension
        return None

    def status_on(self, day: dt.date) -> Status:
        """Whether the control is in force, suspended, ended or not yet in force on ``day``."""
        if day < self.effective:
            return Status.NOT_YET
        if self.rule.ends is not None and day > self.rule.ends:
            return Status.ENDED
        if self.suspension_on(day) is not None:
            return Status.SUSPENDED
        return Status.IN_FORCE


@dataclass
class RulePack:
    """Every rule file loaded for a run, with the vocabulary and forms they define."""

    rules: list[tuple[str, RuleFile]] = field(default_factory=list)
    controls: list[LoadedControl] = field(default_factory=list)
    vocabulary: Vocabulary = field(default_factory=Vocabulary.with_elements)
    forms: set[str] = field(default_factory=set)
    digest: hashlib._Hash = field(default_factory=hashlib.sha256)

    def add(self, path: str, rule: RuleFile, raw: bytes) -> None:
        """Add one validated rule file."""
        self.rules.append((path, rule))
        self.digest.update(raw)
        for mineral in rule.minerals:
            aliases = (*mineral.aliases, *((mineral.symbol,) if mineral.symbol else ()))
            self.vocabulary.add(mineral.name, aliases, symbol=mineral.symbol)
        for control in rule.controls:
            self.controls.append(LoadedControl(rule, control, path))
            for match in control.items or ():
                self.forms.update(match.forms)

    def rule(self, rule_id: str) -> RuleFile | None:
        """The rule file with ``rule_id``, if loaded."""
        return next((r for _, r in self.rules if r.id == rule_id), None)

    def jurisdictions(self) -> set[str]:
        """The exporting countries the loaded rules govern."""
        return {rule.jurisdiction for _, rule in self.rules}

    def control_ids(self) -> Iterable[str]:
        """Every rule id and control id, for permit ``covers`` lists."""
        for _, rule in self.rules:
            yield rule.id
        for control in self.controls:
            yield control.id

    @property
    def hash(self) -> str:
        """A digest of the bytes of every loaded rule file, in load order."""
        return self.digest.hexdigest()
