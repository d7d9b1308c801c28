"""SARIF 2.1.0 for GitHub code scanning: one run, rules from the rule pack, stable ids."""

from __future__ import annotations

import json
from typing import Any

from mineralcheck.formats.common import fingerprint, relative_path, reported, rule_id
from mineralcheck.formats.interface import Style
from mineralcheck.results import ControlInfo, Report, Severity

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {Severity.ERROR: "error", Severity.FAIL: "error", Severity.WARN: "warning"}

# Findings that no control produced; their ids are part of the output contract.
TOOL_RULES = {
    "yaml": "The file is not YAML the reader accepts (syntax, duplicate key, tag, size, depth).",
    "unknown-key": "The manifest has a key the format does not define.",
    "missing-key": "The manifest lacks a required key.",
    "invalid-value": "A value in the manifest is not valid for its field.",
    "duplicate-line": "Two items of the manifest have the same line number.",
    "duplicate-permit": "Two permits of the manifest have the same number.",
    "undefined-permit": "An item names a permit the manifest does not define.",
    "unreadable": "The file could not be read.",
}


def _control_rule(control: ControlInfo) -> dict[str, Any]:
    code = f" ({control.control_code})" if control.control_code else ""
    source = f" Source: {control.url}" if control.url else ""
    help_text = (
        f"{control.reference}{code}: requires {control.requires}. "
        "Add a licence valid on the ship date that covers the line, or correct the manifest."
        f"{source}"
    )
    return {
        "id": control.id,
        "name": control.id.replace("/", "-"),
        "shortDescription": {"text": control.title[:1000]},
        "fullDescription": {"text": f"{control.reference}{code}: {control.title}"},
        "help": {"text": help_text},
        **({"helpUri": control.url} if control.url else {}),
        "defaultConfiguration": {"level": "warning" if control.requires == "review" else "error"},
        "properties": {"tags": ["export-control", control.id.split("-")[0]], "precision": "high"},
    }


def _tool_rule(code: str, text: str) -> dict[str, Any]:
    return {
        "id": f"mineralcheck/{code}",
        "name": code,
        "shortDescription": {"text": text},
        "fullDescription": {"text": text},
        "help": {"text": f"{text} Fix the manifest; every error names the line and field."},
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["manifest"], "precision": "very-high"},
    }


def _bare_rule(identifier: str) -> dict[str, Any]:
    text = f"Control {identifier}"
    return {
        "id": identifier,
        "shortDescription": {"text": text},
        "fullDescription": {"text": text},
        "help": {"text": f"See the rule pack: mineralcheck rules show {identifier.split('/')[0]}"},
    }


def sarif_dict(report: Report, style: Style) -> dict[str, Any]:
    """The report as a SARIF log."""
    rules: list[dict[str, Any]] = [_control_rule(c) for c in report.controls]
    known = {rule["id"] for rule in rules}
    for code, text in TOOL_RULES.items():
        rules.append(_tool_rule(code, text))
        known.add(f"mineralcheck/{code}")
    results: list[dict[str, Any]] = []
    for result in report.results:
        uri = relative_path(result.path, style.cwd)
        for finding in reported(result):
            identifier = rule_id(finding)
            if identifier not in known:  # a control the report does not describe
                rules.append(_bare_rule(identifier))
                known.add(identifier)
            region: dict[str, int] = {"startLine": finding.line or 1}
            if finding.column:
                region["startColumn"] = finding.column
            text = finding.message
            if finding.reference:
                text += f" ({finding.reference})"
            results.append(
                {
                    "ruleId": identifier,
                    "level": LEVELS[finding.severity],
                    "message": {"text": text},
                    "locations": [
                        {
                            "physicalLocation": {
                                "artifactLocation": {"uri": uri},
                                "region": region,
                            }
                        }
                    ],
                    "partialFingerprints": {
                        "primaryLocationLineHash": f"{fingerprint(result, finding)}:1"
                    },
                    "properties": {"manifest": result.manifest_id, "item": finding.item},
                }
            )
    index = {rule["id"]: position for position, rule in enumerate(rules)}
    for entry in results:
        entry["ruleIndex"] = index[entry["ruleId"]]
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "mineralcheck",
                        "semanticVersion": report.tool_version,
                        "rules": rules,
                    }
                },
                "automationDetails": {"id": "mineralcheck/"},
                "results": results,
            }
        ],
    }


def render(report: Report, style: Style) -> str:
    """The report as a SARIF 2.1.0 document."""
    return json.dumps(sarif_dict(report, style), indent=2, ensure_ascii=False) + "\n"
