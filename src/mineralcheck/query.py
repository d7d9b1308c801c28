"""``query``: what a shipment would need, before anyone writes a manifest.

The facts given become a one-item manifest with no permit, checked by the same checker and
trace as ``explain``. Facts left out are never assumed away: a control that would apply with a
military end user, or a party list that cannot be screened without a name, is reported as
something the answer cannot decide.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from mineralcheck.explain import Explanation, explain
from mineralcheck.formats.common import printable
from mineralcheck.plain import field, record
from mineralcheck.results import Finding, Severity, dumps_json

if TYPE_CHECKING:
    from mineralcheck.pipeline import Checker

WHAT = {
    "no-permit": "a licence",
    "prohibited": "prohibited: no licence route",
    "review": "a review before shipping",
    "listed-party": "a check of the listed party",
    "classification": "a check of the HS code against the declared mineral",
    "horizon": "a check of the measure's current status",
}


@record(frozen=True)
class Facts:
    """The facts of a shipment that a query gives."""

    minerals: tuple[str, ...] = ()
    form: str | None = None
    hs_code: str | None = None
    purity: str | None = None
    destination: str = ""
    end_user: str | None = None
    military: bool | None = None
    date: dt.date = dt.date.min
    exporter: str = "CN"
    origin: str | None = None

    def manifest(self, military: bool) -> bytes:
        """A one-item manifest with these facts and no permit."""
        import yaml

        described = " ".join([*self.minerals, self.form or ""]).strip() or f"HS {self.hs_code}"
        item: dict[str, Any] = {"description": described, "quantity": "1 kg"}
        if self.minerals:
            item["mineral"] = list(self.minerals)
        for key in ("form", "hs_code", "purity", "origin"):
            value = getattr(self, key)
            if value is not None:
                item[key] = value
        document = {
            "id": "QUERY",
            "ship_date": self.date.isoformat(),
            "exporter": {"name": "query exporter", "country": self.exporter},
            "consignee": {"name": self.end_user or "query consignee", "country": self.destination},
            "end_user": {
                "name": self.end_user or "query end user",
                "country": self.destination,
                "military": military,
            },
            "items": [item],
        }
        return yaml.safe_dump(document, allow_unicode=True, sort_keys=False).encode()


@record
class Answer:
    """What a shipment with the facts would need, and what cannot be decided from them."""

    facts: Facts
    explanation: Explanation
    requires: list[Finding] = field(default_factory=list)
    undecided: list[str] = field(default_factory=list)
    suspended: list[Finding] = field(default_factory=list)
    notes: list[Finding] = field(default_factory=list)
    errors: list[Finding] = field(default_factory=list)
    upcoming: list[tuple[dt.date, Finding]] = field(default_factory=list)  # not yet in force

    def as_json(self) -> dict[str, Any]:
        """The answer as plain data."""
        facts = self.facts
        return {
            "facts": {
                "minerals": list(facts.minerals),
                "form": facts.form,
                "hs_code": facts.hs_code,
                "purity": facts.purity,
                "destination": facts.destination,
                "end_user": facts.end_user,
                "military": facts.military,
                "date": facts.date.isoformat(),
                "exporter": facts.exporter,
                "origin": facts.origin,
            },
            "verdict_without_permits": str(self.explanation.result.verdict),
            "requires": [_entry(f) for f in self.requires],
            "cannot_decide": self.undecided,
            "suspended": [_entry(f) for f in self.suspended],
            "upcoming": [{"from": d.isoformat(), **_entry(f)} for d, f in self.upcoming],
            "notes": [_entry(f) for f in self.notes],
            "errors": [_field(f) + f.message for f in self.errors],
        }


_FIELDS = {"items[0].": "", "end_user.": "end user ", "consignee.": "end user "}


def _field(finding: Finding) -> str:
    """The query option a reader's error is about, in place of the manifest field."""
    name = finding.field or ""
    for prefix, shown in _FIELDS.items():
        if name.startswith(prefix):
            name = shown + name[len(prefix) :]
    return f"{name.replace('_', '-')}: " if name else ""


def _entry(finding: Finding) -> dict[str, Any]:
    return {
        "control": finding.rule,
        "code": finding.code,
        "requires": WHAT.get(finding.code, finding.code),
        "severity": str(finding.severity),
        "message": finding.message,
        "reference": finding.reference,
        "url": finding.url,
    }


def ask(checker: Checker, facts: Facts) -> Answer:
    """Check the facts as a one-item manifest, and sort the findings into the answer."""
    explanation = explain(checker, "query", facts.manifest(bool(facts.military)))
    answer = Answer(facts, explanation)
    for finding in explanation.result.findings:
        if finding.severity is Severity.ERROR:
            answer.errors.append(finding)
        elif finding.code == "undecided":
            message = finding.message.replace("whether item 1 is", "whether the goods are")
            answer.undecided.append(f"{finding.rule}: {message}")
        elif finding.code == "suspended":
            answer.suspended.append(finding)
        elif finding.severity in (Severity.FAIL, Severity.WARN):
            # no permit was given: that part of the message says nothing here
            message = finding.message.removesuffix("; no permit covers item 1")
            answer.requires.append(finding._replace(message=message))
        else:
            answer.notes.append(finding)
    if answer.errors:
        return answer
    answer.upcoming = _upcoming(checker, facts, explanation)
    if facts.military is None:  # not said: what a military end user would add
        other = explain(checker, "query", facts.manifest(True))
        seen = {(f.rule, f.code) for f in explanation.result.findings}
        for finding in other.result.findings:
            if (
                finding.severity.rank >= Severity.WARN.rank
                and (finding.rule, finding.code) not in seen
            ):
                answer.undecided.append(
                    f"{finding.rule} applies if the end user or end use is military "
                    f"({WHAT.get(finding.code, finding.code)}): say --military or --civil"
                )
    if facts.end_user is None and explanation.trace is not None:
        lists = [
            step.control
            for entry in explanation.trace.items
            for step in entry.steps
            if step.decision == "out of scope" and any("party it lists" in r for r in step.reasons)
        ]
        if lists:
            answer.undecided.append(
                f"{len(lists)} list(s) of parties in force were not screened: give --end-user "
                "(the consignee and end user are screened against every listed party)"
            )
    return answer


def _upcoming(
    checker: Checker, facts: Facts, explanation: Explanation
) -> list[tuple[dt.date, Finding]]:
    """What measures announced but not yet in force will require of the same goods: each
    checked, as verify would, on the day it takes effect."""
    later: dict[dt.date, set[str]] = {}
    for entry in explanation.trace.items if explanation.trace is not None else ():
        for step in entry.steps:
            if step.decision == "not in force" and step.status.startswith("effective only from"):
                day = dt.date.fromisoformat(step.status.rsplit(" ", 1)[1])
                if day > facts.date:
                    later.setdefault(day, set()).add(step.control)
    found = []
    for day in sorted(later)[:12]:  # a handful of dates: each is one more check
        then = Facts(**{**facts.__dict__, "date": day})
        result = explain(checker, "query", then.manifest(bool(facts.military))).result
        for finding in result.findings:
            if finding.rule in later[day] and finding.severity.rank >= Severity.WARN.rank:
                message = finding.message.removesuffix("; no permit covers item 1")
                found.append((day, finding._replace(message=message)))
    return found


def render(answer: Answer) -> str:
    """The answer as text for a person."""
    facts = answer.facts
    lines = []
    described = ", ".join(facts.minerals) or "goods"
    if facts.form:
        described += f" ({facts.form})"
    if facts.hs_code:
        described += f", HS {facts.hs_code}"
    if facts.purity:
        described += f", purity {facts.purity}"
    who = f", end user {facts.end_user}" if facts.end_user else ""
    military = {True: ", military end use", False: ", civil end use", None: ""}[facts.military]
    lines.append(
        f"{described} from {facts.exporter} to {facts.destination}{who}{military} on {facts.date}:"
    )
    if answer.errors:
        lines.append("cannot answer:")
        lines.extend(f"  {_field(f)}{f.message}" for f in answer.errors)
        return "\n".join(printable(line) for line in lines) + "\n"
    if answer.requires:
        lines.append("needs:")
        for finding in answer.requires:
            lines.append(f"  {WHAT.get(finding.code, finding.code)}: {finding.rule}")
            lines.append(f"    {finding.message}")
            lines.append(f"    {finding.reference} {finding.url or ''}".rstrip())
    else:
        lines.append("needs: nothing under the loaded rules, from the facts given")
    if answer.undecided:
        lines.append("cannot decide from these facts:")
        lines.extend(f"  {text}" for text in answer.undecided)
    if answer.upcoming:
        lines.append("announced, not yet in force:")
        for day, finding in answer.upcoming:
            lines.append(f"  from {day}, {WHAT.get(finding.code, finding.code)}: {finding.rule}")
            lines.append(f"    {finding.message}")
    if answer.suspended:
        lines.append("suspended on this date:")
        lines.extend(f"  {f.rule}: {f.message}" for f in answer.suspended)
    for finding in answer.notes:
        if finding.code != "covered":
            lines.append(f"note: {finding.message}")
    return "\n".join(printable(line) for line in lines) + "\n"


def dumps(answer: Answer) -> str:
    """The answer as indented JSON."""
    return dumps_json(answer.as_json(), indent=2) + "\n"
