"""Markdown for pull-request comments and GitHub step summaries."""

from __future__ import annotations

from mineralcheck.formats.common import SEVERITY_WORD, reported, rule_id
from mineralcheck.formats.interface import Style
from mineralcheck.results import VERDICTS, Report

_ICONS = {"pass": "✅", "warn": "⚠️", "fail": "❌", "error": "⛔"}


def cell(value: str) -> str:
    """Text safe inside a Markdown table cell."""
    return value.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("\r", " ")


def render(report: Report, style: Style) -> str:
    """A summary table, then the findings of every manifest that did not pass."""
    summary = report.summary
    counts = ", ".join(f"{summary.counts[v]} {v}" for v in VERDICTS)
    lines = [
        "## mineralcheck",
        "",
        f"{summary.manifests} manifest(s): {counts}.",
        "",
        "| manifest | id | verdict |",
        "| --- | --- | --- |",
    ]
    for result in report.results:
        verdict = str(result.verdict)
        lines.append(
            f"| `{cell(result.path)}` | {cell(result.manifest_id or '-')} "
            f"| {_ICONS[verdict]} {verdict} |"
        )
    for result in report.results:
        findings = reported(result)
        if not findings:
            continue
        lines += ["", f"### `{cell(result.path)}`", "", "| line | severity | rule | finding |"]
        lines.append("| ---: | --- | --- | --- |")
        for finding in findings:
            where = f"{finding.line}:{finding.column}" if finding.line else "-"
            reference = f" ({finding.reference})" if finding.reference else ""
            lines.append(
                f"| {where} | {SEVERITY_WORD[finding.severity]} | `{cell(rule_id(finding))}` "
                f"| {cell(finding.message + reference)} |"
            )
    lines.append("")
    rules = ", ".join(report.rules) or "none"
    lines.append(f"<sub>mineralcheck {report.tool_version}; rules: {cell(rules)}</sub>")
    return "\n".join(lines) + "\n"
