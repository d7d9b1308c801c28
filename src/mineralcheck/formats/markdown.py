"""Markdown for pull-request comments and GitHub step summaries."""

from __future__ import annotations

from mineralcheck.formats.common import SEVERITY_WORD, printable, reported, rule_id
from mineralcheck.formats.interface import Style, render_with
from mineralcheck.results import VERDICTS, ManifestResult, Report, RunInfo, Summary

_ICONS = {"pass": "✅", "warn": "⚠️", "fail": "❌", "error": "⛔"}


def cell(value: str) -> str:
    """Text safe inside a Markdown table cell: no raw HTML, no control characters."""
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return printable(value.replace("\\", "\\\\").replace("|", "\\|"))


def code(value: str) -> str:
    """Text as code inside a table cell (a backtick in it cannot end the code span early)."""
    if "`" in value:
        return f"<code>{cell(value)}</code>"
    shown = printable(value).replace("|", "\\|")
    return f"`{shown}`"


class Writer:
    """Keeps a row per manifest and the findings of those that did not pass; writes at the end."""

    def __init__(self, info: RunInfo, style: Style) -> None:
        self.info = info
        self.rows: list[str] = []
        self.details: list[str] = []

    def start(self) -> str:
        """Nothing yet: the summary table comes first and needs every result."""
        return ""

    def add(self, result: ManifestResult) -> str:
        """Remember the manifest's row and its findings."""
        verdict = str(result.verdict)
        self.rows.append(
            f"| {code(result.path)} | {cell(result.manifest_id or '-')} "
            f"| {_ICONS[verdict]} {verdict} |"
        )
        findings = reported(result)
        if findings:
            self.details += [
                "",
                f"### {code(result.path)}",
                "",
                "| line | severity | rule | finding |",
            ]
            self.details.append("| ---: | --- | --- | --- |")
            for finding in findings:
                where = f"{finding.line}:{finding.column}" if finding.line else "-"
                reference = f" ({finding.reference})" if finding.reference else ""
                self.details.append(
                    f"| {where} | {SEVERITY_WORD[finding.severity]} | {code(rule_id(finding))} "
                    f"| {cell(finding.message + reference)} |"
                )
        return ""

    def finish(self, summary: Summary) -> str:
        """The summary table, then the findings."""
        counts = ", ".join(f"{summary.counts[v]} {v}" for v in VERDICTS)
        lines = [
            "## mineralcheck",
            "",
            f"{summary.manifests} manifest(s): {counts}.",
            "",
            "| manifest | id | verdict |",
            "| --- | --- | --- |",
            *self.rows,
            *self.details,
            "",
        ]
        rules = ", ".join(self.info.rules) or "none"
        lines.append(f"<sub>mineralcheck {self.info.tool_version}; rules: {cell(rules)}</sub>")
        return "\n".join(lines) + "\n"


def render(report: Report, style: Style) -> str:
    """A summary table, then the findings of every manifest that did not pass."""
    return render_with(Writer, report, style)
