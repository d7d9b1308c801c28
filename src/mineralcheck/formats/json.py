"""The JSON report: the versioned contract of spec/cli.md, built field by field."""

from __future__ import annotations

import json
from typing import Any

from mineralcheck.formats.interface import Style
from mineralcheck.results import VERDICTS, Finding, ManifestResult, Report

SCHEMA_VERSION = 1


def finding_dict(finding: Finding) -> dict[str, Any]:
    """One finding as the report's JSON object."""
    return {
        "severity": str(finding.severity),
        "code": finding.code,
        "rule": finding.rule,
        "item": finding.item,
        "message": finding.message,
        "line": finding.line,
        "column": finding.column,
        "field": finding.field,
        "reference": finding.reference,
        "url": finding.url,
    }


def result_dict(result: ManifestResult) -> dict[str, Any]:
    """One manifest result as the report's JSON object."""
    return {
        "path": result.path,
        "manifest_id": result.manifest_id,
        "verdict": str(result.verdict),
        "findings": [finding_dict(f) for f in result.findings],
    }


def report_dict(report: Report) -> dict[str, Any]:
    """The whole report as a JSON-ready dict."""
    summary = report.summary
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "mineralcheck", "version": report.tool_version},
        "as_of": report.as_of,
        "rule_pack": {"hash": report.rule_pack_hash, "rules": list(report.rules)},
        "summary": {
            "manifests": summary.manifests,
            **{str(v): summary.counts[v] for v in VERDICTS},
        },
        "results": [result_dict(r) for r in report.results],
    }


def render(report: Report, style: Style) -> str:
    """The report as one JSON document."""
    return json.dumps(report_dict(report), indent=2, ensure_ascii=False) + "\n"
