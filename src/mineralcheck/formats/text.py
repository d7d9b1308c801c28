"""Plain text: one line per finding, ``path:line:column: severity [rule] message``, no colour."""

from __future__ import annotations

from mineralcheck.formats.interface import Style
from mineralcheck.results import Finding, ManifestResult, Report, Severity


def finding_line(path: str, finding: Finding) -> str:
    """One finding as a grep-friendly line."""
    where = path
    if finding.line is not None:
        where += f":{finding.line}"
        if finding.column is not None:
            where += f":{finding.column}"
    rule = f" [{finding.rule}]" if finding.rule else ""
    field = f" ({finding.field})" if finding.field and finding.rule is None else ""
    reference = f" -- {finding.reference}" if finding.reference else ""
    return f"{where}: {finding.severity}{rule} {finding.message}{field}{reference}"


def shown(result: ManifestResult, style: Style) -> list[Finding]:
    """The findings worth showing a person: all of them when verbose, else warn and worse."""
    return [f for f in result.findings if style.verbose or f.severity.rank > 0]


def render(report: Report, style: Style) -> str:
    """Every finding worth showing, then one verdict line per manifest."""
    lines = []
    for result in report.results:
        for finding in shown(result, style):
            lines.append(finding_line(result.path, finding))
        name = f" ({result.manifest_id})" if result.manifest_id else ""
        lines.append(f"{result.path}: {str(result.verdict).upper()}{name}")
    return "\n".join(lines) + ("\n" if lines else "")


__all__ = ["Severity", "finding_line", "render", "shown"]
