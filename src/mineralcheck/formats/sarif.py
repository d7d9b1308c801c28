"""SARIF 2.1.0 for GitHub code scanning: one run, rules from the rule pack, stable ids."""

from __future__ import annotations

import json
import textwrap
from typing import Any

from mineralcheck.formats.common import (
    REVIEWED,
    fingerprint,
    relative_path,
    reported,
    rule_id,
    xml_safe,
)
from mineralcheck.formats.interface import Style, render_with
from mineralcheck.results import (
    ControlInfo,
    Finding,
    ManifestResult,
    Report,
    RunInfo,
    Severity,
    Summary,
)

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {
    Severity.ERROR: "error",
    Severity.FAIL: "error",
    Severity.WARN: "warning",
    Severity.INFO: "warning",  # a reviewed warning: reported, and suppressed
}

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


_WHAT_TO_DO = {
    "permit": "Add a licence valid on the ship date that covers the line, or correct the manifest.",
    "permit-by-exception": (
        "Licences are in principle refused: without one the export is unlawful; with one, confirm "
        "it is genuine before shipping."
    ),
    "prohibited": (
        "The export is barred whatever the licence: do not ship; if the party or end use is "
        "wrongly matched, correct the manifest."
    ),
    "review": (
        "A person must review the line (end use, end user, the facts the manifest cannot show) "
        "and record the decision in a reviews file."
    ),
    "info": "Nothing blocks the export: a duty, levy or condition to account for.",
}


def _control_rule(control: ControlInfo) -> dict[str, Any]:
    code = f" ({control.control_code})" if control.control_code else ""
    source = f" Source: {control.url}" if control.url else ""
    what_to_do = _WHAT_TO_DO.get(control.requires, _WHAT_TO_DO["permit"])
    help_text = f"{control.reference}{code}: requires {control.requires}. {what_to_do}{source}"
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


def _result(
    result: ManifestResult, finding: Finding, uri: str, rule_index: int | None
) -> dict[str, Any]:
    """One SARIF result; ``rule_index`` is ``None`` for a rule the run does not describe."""
    region: dict[str, int] = {"startLine": finding.line or 1}
    if finding.column:
        region["startColumn"] = finding.column
    text = xml_safe(finding.message + (f" ({finding.reference})" if finding.reference else ""))
    location = {"artifactLocation": {"uri": xml_safe(uri)}, "region": region}
    manifest = xml_safe(result.manifest_id) if result.manifest_id is not None else None
    entry: dict[str, Any] = {
        "ruleId": xml_safe(rule_id(finding)),
        "level": LEVELS[finding.severity],
        "message": {"text": text},
        "locations": [{"physicalLocation": location}],
        "partialFingerprints": {"primaryLocationLineHash": f"{fingerprint(result, finding)}:1"},
        "properties": {"manifest": manifest, "item": finding.item},
    }
    if rule_index is not None:
        entry["ruleIndex"] = rule_index
    if finding.code == REVIEWED:
        entry["suppressions"] = [{"kind": "external", "status": "accepted", "justification": text}]
    return entry


def _clean(value: Any) -> Any:
    """Every string in a JSON value, made safe for XML-minded consumers of SARIF."""
    if isinstance(value, str):
        return xml_safe(value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {key: _clean(v) for key, v in value.items()}
    return value


class Writer:
    """Writes the run with every rule first, then each result as it comes.

    The rules are the pack's controls and the tool's own read errors, all known before the first
    result, so ``ruleIndex`` can point into them while results stream.
    """

    def __init__(self, info: RunInfo, style: Style) -> None:
        self.style = style
        rules = [_control_rule(c) for c in info.controls]
        rules += [_tool_rule(code, text) for code, text in TOOL_RULES.items()]
        self.rules: list[dict[str, Any]] = _clean(rules)
        self.index = {rule["id"]: position for position, rule in enumerate(self.rules)}
        self.info = info
        self.first = True

    def start(self) -> str:
        """The log's head: schema, version, tool and its rules."""
        head = {
            "$schema": SCHEMA,
            "version": "2.1.0",
            "runs": [
                {
                    "tool": {
                        "driver": {
                            "name": "mineralcheck",
                            "semanticVersion": self.info.tool_version,
                            "rules": self.rules,
                        }
                    },
                    "automationDetails": {"id": "mineralcheck/"},
                    "results": [],
                }
            ],
        }
        text = json.dumps(head, indent=2, ensure_ascii=False)
        return text[: text.rindex("[]")] + "["

    def add(self, result: ManifestResult) -> str:
        """A SARIF result for every warn, fail and error finding of the manifest."""
        uri = relative_path(result.path, self.style.cwd)
        parts = []
        for finding in reported(result):
            if finding.severity is Severity.INFO and finding.code != REVIEWED:
                continue  # what a licence had left is no result for code scanning
            entry = _result(result, finding, uri, self.index.get(rule_id(finding)))
            separator = "\n" if self.first else ",\n"
            self.first = False
            text = json.dumps(entry, ensure_ascii=False)
            parts.append(separator + textwrap.indent(text, "        "))
        return "".join(parts)

    def finish(self, summary: Summary) -> str:
        """The end of the results, the run and the log."""
        close = "]" if self.first else "\n      ]"
        return close + "\n    }\n  ]\n}\n"


def render(report: Report, style: Style) -> str:
    """The report as a SARIF 2.1.0 document."""
    return render_with(Writer, report, style)
