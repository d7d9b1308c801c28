"""Plain text: one line per finding, ``path:line:column: severity [rule] message``, no colour."""

from __future__ import annotations

from mineralcheck.formats.common import SHOWN_INFO, printable
from mineralcheck.formats.interface import Style, render_with
from mineralcheck.results import Finding, ManifestResult, Report, RunInfo, Summary


def finding_line(path: str, finding: Finding) -> str:
    """One finding as a grep-friendly line (control characters in any value shown escaped)."""
    where = path
    if finding.line is not None:
        where += f":{finding.line}"
        if finding.column is not None:
            where += f":{finding.column}"
    rule = f" [{finding.rule}]" if finding.rule else ""
    field = f" ({finding.field})" if finding.field and finding.rule is None else ""
    reference = f" -- {finding.reference}" if finding.reference else ""
    return printable(f"{where}: {finding.severity}{rule} {finding.message}{field}{reference}")


def shown(result: ManifestResult, style: Style) -> list[Finding]:
    """The findings worth showing a person: all of them when verbose, else warn and worse."""
    return [
        f for f in result.findings if style.verbose or f.severity.rank > 0 or f.code in SHOWN_INFO
    ]


def result_lines(result: ManifestResult, style: Style) -> list[str]:
    """Every finding worth showing, then the manifest's verdict line."""
    lines = [finding_line(result.path, finding) for finding in shown(result, style)]
    name = f" ({result.manifest_id})" if result.manifest_id else ""
    lines.append(printable(f"{result.path}: {str(result.verdict).upper()}{name}"))
    return lines


class Writer:
    """Writes each manifest's lines as soon as its result comes."""

    def __init__(self, info: RunInfo, style: Style) -> None:
        self.style = style

    def start(self) -> str:
        """Nothing before the first result."""
        return ""

    def add(self, result: ManifestResult) -> str:
        """The manifest's findings and verdict (nothing for a pass, when quiet)."""
        if self.style.quiet and result.verdict.rank == 0:
            return ""
        return "\n".join(result_lines(result, self.style)) + "\n"

    def finish(self, summary: Summary) -> str:
        """Nothing after the last result (the summary line goes to standard error)."""
        return ""


def render(report: Report, style: Style) -> str:
    """The whole report as plain text."""
    return render_with(Writer, report, style)
