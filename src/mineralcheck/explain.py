"""``explain``: the decision trace of one manifest, from the code path that decides verdicts.

The checker runs the manifest exactly as ``verify`` does (same reader, same judge, reviews and
the register's ledger after it) with a ``Trace`` attached to the judge; the trace records what
the judge considered while it decided. Nothing here re-decides anything.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from mineralcheck.engine import trace as tr
from mineralcheck.formats.common import printable
from mineralcheck.plain import record
from mineralcheck.results import Finding, ManifestResult, Severity, dumps_json, finding_dict

if TYPE_CHECKING:
    from rich.tree import Tree

    from mineralcheck.discovery import Unreadable
    from mineralcheck.pipeline import Checker


@record
class Explanation:
    """A manifest's result (as ``verify`` reports it) and the trace behind it."""

    result: ManifestResult
    trace: tr.Trace | None  # None when the manifest could not be read

    def as_json(self, item: int | None = None) -> dict[str, Any]:
        """The explanation as plain data: the verdict, the findings and the trace."""
        trace = self.trace.as_json() if self.trace is not None else {"date": None, "items": []}
        if item is not None:
            trace["items"] = [i for i in trace["items"] if i["item"] == item]
        return {
            "path": self.result.path,
            "manifest_id": self.result.manifest_id,
            "verdict": str(self.result.verdict),
            "date": trace["date"],
            "items": trace["items"],
            "findings": [
                finding_dict(f) for f in self.result.findings if item is None or f.item == item
            ],
        }


def explain(
    checker: Checker,
    path: str,
    raw: bytes,
    review: Callable[[ManifestResult], ManifestResult] | None = None,
    others: Iterable[str | Unreadable] | None = None,
) -> Explanation:
    """Check one manifest as ``verify`` does and record the judge's steps.

    ``review`` applies the reviews file; ``others`` (with a register) are the manifests whose
    uses count in the same draw-down, as in ``verify``.
    """
    trace = tr.Trace()
    judge = checker.judge
    judge.trace = trace
    try:
        result = checker.check_bytes(path, raw)
    finally:
        judge.trace = None
    if others is not None and checker.register is not None:
        from mineralcheck.records.ledger import Ledger

        run = [result, *checker.results(others)]
        result = Ledger(checker.register).draw(run)[0]
    if review is not None:
        result = review(result)
    return Explanation(result, trace if trace.items or trace.date else None)


_MARK = {
    tr.APPLIES: "●",
    tr.NEEDS_PERMIT: "●",
    tr.PROHIBITED: "✖",
    tr.REVIEW: "▲",
    tr.NOTICE: "i",
    tr.UNDECIDED: "?",
    tr.PARTY_TO_CHECK: "▲",
    tr.NOT_APPLIES: "·",
    tr.OUT_OF_SCOPE: "·",
    tr.NOT_IN_FORCE: "·",
    tr.SUSPENDED: "·",
}
_STYLE = {
    tr.PROHIBITED: "red",
    tr.NEEDS_PERMIT: "yellow",
    tr.UNDECIDED: "yellow",
    tr.REVIEW: "yellow",
    tr.PARTY_TO_CHECK: "yellow",
    tr.APPLIES: "yellow",
}
_VERDICT_STYLE = {"pass": "green", "warn": "yellow", "fail": "red", "error": "red"}


def render(explanation: Explanation, item: int | None, color: bool, width: int | None) -> str:
    """The trace as a tree of text, for a person."""
    from rich.console import Console
    from rich.markup import escape
    from rich.tree import Tree

    def safe(text: object) -> str:
        return escape(printable(str(text)))

    result = explanation.result
    console = Console(
        record=False,
        width=width or 100,
        color_system="standard" if color else None,
        force_terminal=color,
        highlight=False,
        emoji=False,
        soft_wrap=False,
    )
    verdict = str(result.verdict)
    title = f"[bold]{safe(result.path)}[/]"
    if result.manifest_id:
        title += f" ({safe(result.manifest_id)})"
    style = _VERDICT_STYLE.get(verdict, "")
    title += f": [{style} bold]{verdict}[/]"
    trace = explanation.trace
    if trace is not None:
        title += f" - checked on {trace.date}"
    root = Tree(title)
    items = [] if trace is None else trace.items
    if item is not None:
        items = [i for i in items if i.item == item]
    for entry in items:
        facts = ", ".join(
            f"{key} {', '.join(value) if isinstance(value, list) else value}"
            for key, value in entry.facts.items()
        )
        where = f" (line {entry.line})" if entry.line is not None else ""
        branch = root.add(f"[bold]item {entry.item}[/]{where}: {safe(entry.description)}")
        branch.add(f"[dim]declared:[/] {safe(facts)}")
        steps = sorted(entry.steps, key=lambda step: _ORDER.index(step.decision))
        for decision, group in itertools.groupby(steps, key=lambda step: step.decision):
            members = list(group)
            if decision in _GROUPED:
                node = branch.add(f"[dim]· {decision}: {len(members)} control(s)[/]")
                for step in members:
                    why = "; ".join([step.status, *step.reasons])
                    node.add(f"[dim]{safe(step.control)}: {safe(why)}[/]")
                continue
            for step in members:
                _add_step(branch, step, safe)
        if entry.not_indexed:
            branch.add(
                f"[dim]{entry.not_indexed} other control(s) name neither its minerals nor "
                "its HS code[/]"
            )
    findings = [f for f in result.findings if item is None or f.item == item]
    if findings:
        node = root.add("[bold]findings[/]")
        for finding in findings:
            node.add(_finding_line(finding, safe))
    elif trace is not None and not items:
        root.add("no such item" if item is not None else "no items")
    with console.capture() as capture:
        console.print(root)
    return capture.get()


# the order of the trace: what decides the verdict first, then what was set aside
_ORDER = [
    tr.PROHIBITED,
    tr.NEEDS_PERMIT,
    tr.UNDECIDED,
    tr.PARTY_TO_CHECK,
    tr.REVIEW,
    tr.NOTICE,
    tr.APPLIES,
    tr.SUSPENDED,
    tr.NOT_APPLIES,
    tr.OUT_OF_SCOPE,
    tr.NOT_IN_FORCE,
]
_GROUPED = {tr.NOT_APPLIES, tr.OUT_OF_SCOPE, tr.NOT_IN_FORCE}


def _add_step(branch: Tree, step: tr.Step, safe: Callable[[object], str]) -> None:
    mark = _MARK.get(step.decision, "·")
    colour = _STYLE.get(step.decision, "dim")
    node = branch.add(
        f"[{colour}]{mark} {safe(step.control)}: {step.decision}[/] "
        f"[dim]({safe(step.status)}; {safe(step.reference)})[/]"
    )
    for reason in step.reasons:
        node.add(safe(reason))
    for tried in step.permits:
        if tried.chosen:
            outcome = "[green]covers this item[/]"
        elif not tried.covers:
            outcome = f"does not cover this control: {safe(tried.problem)}"
        elif tried.problem is not None:
            outcome = f"[red]{safe(tried.problem)}[/]"
        else:
            outcome = "not needed: an earlier permit covered"
        node.add(f"permit {safe(tried.number)} ({tried.source}): {outcome}")
    if step.decision == tr.NEEDS_PERMIT and not step.permits:
        node.add("no permit on the manifest or in the register to try")


def _finding_line(finding: Finding, safe: Callable[[object], str]) -> str:
    colour = _VERDICT_STYLE.get(str(finding.severity), "dim")
    if finding.severity is Severity.INFO:
        colour = "dim"
    where = []
    if finding.item is not None:
        where.append(f"item {finding.item}")
    if finding.line is not None:
        where.append(f"line {finding.line}" + (f":{finding.column}" if finding.column else ""))
    place = f" [{', '.join(where)}]" if where else ""
    rule = f" {safe(finding.rule)}" if finding.rule else ""
    ref = f" ({safe(finding.reference)})" if finding.reference else ""
    return (
        f"[{colour}]{finding.severity}[/] {safe(finding.code)}{rule}{safe(place)}: "
        f"{safe(finding.message)}{ref}"
    )


def dumps(explanation: Explanation, item: int | None) -> str:
    """The explanation as indented JSON."""
    return dumps_json(explanation.as_json(item), indent=2) + "\n"
