"""Describe a rule pack for people: the measure list and one measure in full (pure text)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mineralcheck.ruleset.pack import LoadedControl, RulePack, measure_status
from mineralcheck.ruleset.rules import Control, ItemMatch, RuleFile


def _names_mineral(pack: RulePack, controls: list[Any], mineral: str) -> bool:
    """Whether any of the controls names ``mineral`` (or a mineral that contains it)."""
    for loaded in controls:
        for ref in loaded.control.items_of or ():  # items another measure lists
            named = [c for c in pack.controls if c.id == ref or c.id.startswith(ref + "/")]
            if _names_mineral(pack, named, mineral):
                return True
        items = loaded.items if isinstance(loaded.items, tuple) else ()
        for match in items:
            for name in (*match.minerals, *match.all_of):
                canonical = pack.vocabulary.canonical(name) or name
                if mineral in pack.vocabulary.expand(canonical):
                    return True
    return False


def _with_horizon(pack: RulePack, rule: RuleFile, status: str, day: dt.date) -> str:
    """The status, marked unconfirmed past the last day the pack knows of the jurisdiction."""
    coverage = pack.info.jurisdictions.get(rule.jurisdiction) if pack.info is not None else None
    if coverage is None or day <= coverage.knowledge_ends or "unconfirmed" in status:
        return status
    if status.startswith(("in force", "partly", "suspended")):
        return f"{status} (unconfirmed after {coverage.knowledge_ends})"
    return status


def measure_rows(
    pack: RulePack, day: dt.date, mineral: str | None = None, destination: str | None = None
) -> list[dict[str, Any]]:
    """One row per measure, in order of effective date: id, title, reference, dates, status;
    only those with a control that names ``mineral`` or reaches ``destination``, when given."""
    rows = []
    for path, rule in sorted(
        pack.rules,
        key=lambda pr: (pr[1].jurisdiction != "CN", pr[1].jurisdiction, pr[1].effective, pr[1].id),
    ):
        controls = pack.controls_of(rule.id)
        if mineral is not None and not _names_mineral(pack, controls, mineral):
            continue
        if destination is not None and not any(
            c.control.destinations.includes(destination) for c in controls
        ):
            continue
        rows.append(
            {
                "id": rule.id,
                "jurisdiction": rule.jurisdiction,
                "title": rule.title,
                "reference": rule.reference,
                "announced": rule.announced.isoformat(),
                "effective": rule.effective.isoformat(),
                "ends": rule.ends.isoformat() if rule.ends else None,
                "status": _with_horizon(pack, rule, measure_status(rule, controls, day), day),
                "controls": len(rule.controls),
                "path": path,
            }
        )
    return rows


def list_text(pack: RulePack, day: dt.date, rows: list[dict[str, Any]] | None = None) -> str:
    """The measure list as aligned plain text: id, effective date, status, reference: title."""
    rows = measure_rows(pack, day) if rows is None else rows
    header = ("ID", "EFFECTIVE", f"STATUS ON {day}", "REFERENCE: TITLE")
    table = [header] + [
        (r["id"], r["effective"], r["status"], f"{r['reference']}: {r['title']}") for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(3)]

    def line(row: tuple[str, ...]) -> str:
        return "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:3])) + "  " + row[3]

    coverage = pack.info.jurisdictions if pack.info is not None else {}
    lines = [line(header)]
    jurisdiction = None
    for row, entry in zip(table[1:], rows, strict=True):
        if entry["jurisdiction"] != jurisdiction:  # one group per exporting country
            jurisdiction = entry["jurisdiction"]
            known = coverage.get(jurisdiction)
            about = (
                f"{known.name}: sources reviewed {known.reviewed}, knowledge ends "
                f"{known.knowledge_ends}"
                if known is not None
                else "no coverage recorded in pack.yaml"
            )
            lines.append(f"\n{jurisdiction}  {about}")
        lines.append(line(row))
    if pack.info is not None:
        lines.append(f"\n{pack.info.name}: {len(rows)} measures, reviewed {pack.info.reviewed}")
    return "\n".join(lines) + "\n"


def _match_text(match: ItemMatch) -> str:
    parts = []
    if match.any_mineral:
        parts.append("any mineral")
    if match.except_minerals:
        parts.append("except " + ", ".join(match.except_minerals))
    if match.minerals:
        parts.append("is or contains " + " or ".join(match.minerals))
    if match.all_of:
        parts.append("contains all of " + ", ".join(match.all_of))
    if match.forms:
        parts.append("form " + " / ".join(match.forms))
    if match.purity is not None:
        parts.append(f"purity {match.purity}")
    if match.origin is not None:
        parts.append(f"origin {match.origin.describe()}")
    if match.hs_codes:
        parts.append("HS " + ", ".join(match.hs_codes))
    if match.on_hs_code_alone == "undecided":
        parts.append("HS code alone is undecided")
    if match.undecided:
        parts.append(f"undecided: {match.undecided}")
    return "; ".join(parts)


def _control_lines(control: Control, loaded: LoadedControl) -> list[str]:
    code = f" [{control.control_code}]" if control.control_code else ""
    lines = [f"  {loaded.id}{code}: {control.title}"]
    if control.items_of is not None:
        lines.append("    items: those of " + ", ".join(control.items_of))
    elif control.items == "dual-use":
        lines.append("    items: every dual-use item (any item another control in force covers)")
    elif control.items is None:
        lines.append("    items: every item")
    else:
        lines.extend(f"    item: {_match_text(m)}" for m in control.items)
    exporters = "exporters in the jurisdiction"
    if control.exporters == "elsewhere":
        exporters = "exporters outside the jurisdiction"
    origin = f"; items of origin {control.origin.describe()}" if control.origin else ""
    lines.append(
        f"    applies to: {exporters}; destinations {control.destinations.describe()}; "
        f"end users {control.end_users}{origin}"
    )
    for party in control.parties or ():
        aliases = f" (also {', '.join(party.aliases)})" if party.aliases else ""
        unconfirmed = "" if party.confirmed else " [UNCONFIRMED: a match is a warning]"
        note = f" ({party.note})" if party.note else ""
        lines.append(f"    listed party: {party.name}{aliases}{unconfirmed}{note}")
    lines.append(f"    requires: {control.requires}")
    if control.permit_issuers:
        lines.append(f"    permits count only if issued by: {', '.join(control.permit_issuers)}")
    if control.counts != "weight":
        lines.append(f"    a permit's quantity counts: {control.counts}")
    lines.append(f"    effective: {loaded.effective}")
    for suspension in loaded.suspensions:
        note = "" if suspension.outcome_confirmed else " (outcome after it UNCONFIRMED)"
        lines.append(
            f"    suspended: {suspension.from_} to {suspension.until} by {suspension.by}{note}"
        )
    lines.append(f"    message: {control.message}")
    if loaded.url:
        lines.append(f"    source: {loaded.url}")
    if control.unconfirmed:
        lines.append(f"    UNCONFIRMED: {control.unconfirmed}")
    return lines


def show_text(
    pack: RulePack, rule: RuleFile, path: str, day: dt.date, only: str | None = None
) -> str:
    """One measure in full: reference, sources, dates, suspensions and controls (only the
    control ``only``, a full control id, when given)."""
    controls = [c for c in pack.controls_of(rule.id) if only is None or c.id == only]
    lines = [
        f"{rule.id}: {rule.title}",
        f"reference:    {rule.reference}",
        f"jurisdiction: {rule.jurisdiction}",
        f"announced:    {rule.announced}",
        f"effective:    {rule.effective}",
        f"ends:         {rule.ends or '-'}",
        f"status on {day}: {measure_status(rule, controls, day)}",
        f"file:         {path}",
    ]
    if rule.reviewed:
        lines.append(f"reviewed:     {rule.reviewed}")
    if rule.source:
        lines.append(f"source:       {rule.source}")
    lines.extend(
        f"source:       {s.url}" + (f" ({s.note})" if s.note else "") for s in rule.sources
    )
    for entry in rule.suspends:
        which = f" controls {', '.join(entry.controls)}" if entry.controls else ""
        note = "" if entry.outcome_confirmed else " (outcome after it UNCONFIRMED)"
        lines.append(f"suspends:     {entry.rule}{which} from {entry.from_} to {entry.until}{note}")
    if rule.notes:
        lines.append(f"notes:        {rule.notes}")
    if controls:
        lines.append("controls:")
        for loaded in controls:
            lines.extend(_control_lines(loaded.control, loaded))
    return "\n".join(lines) + "\n"
