"""The JSON report: the versioned contract of spec/cli.md, built field by field and streamed."""

from __future__ import annotations

import json
import textwrap
from typing import Any

from mineralcheck.formats.interface import Style, render_with
from mineralcheck.results import VERDICTS, Finding, ManifestResult, Report, RunInfo, Summary

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


def summary_dict(summary: Summary) -> dict[str, int]:
    """The counts by verdict."""
    return {"manifests": summary.manifests, **{str(v): summary.counts[v] for v in VERDICTS}}


def _dumps(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


class Writer:
    """Writes the document's head, then each result as it comes, then the summary."""

    def __init__(self, info: RunInfo, style: Style) -> None:
        self.info = info
        self.first = True

    def start(self) -> str:
        """The keys known before any result, and the opening of ``results``."""
        head = {
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "mineralcheck", "version": self.info.tool_version},
            "as_of": self.info.as_of,
            "rule_pack": {"hash": self.info.rule_pack_hash, "rules": list(self.info.rules)},
        }
        return _dumps(head)[:-2] + ',\n  "results": ['

    def add(self, result: ManifestResult) -> str:
        """One result, indented into the ``results`` array."""
        separator = "\n" if self.first else ",\n"
        self.first = False
        return separator + textwrap.indent(_dumps(result_dict(result)), "    ")

    def finish(self, summary: Summary) -> str:
        """The end of ``results`` and the summary."""
        close = "]" if self.first else "\n  ]"
        counts = textwrap.indent(_dumps(summary_dict(summary)), "  ").lstrip()
        return f'{close},\n  "summary": {counts}\n}}\n'


def render(report: Report, style: Style) -> str:
    """The report as one JSON document."""
    return render_with(Writer, report, style)
