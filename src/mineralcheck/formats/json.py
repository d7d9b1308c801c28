"""The JSON report: the versioned contract of spec/cli.md, built field by field and streamed."""

from __future__ import annotations

from typing import Any

from mineralcheck.formats.interface import Style, render_with
from mineralcheck.results import (
    VERDICTS,
    ManifestResult,
    Report,
    RunInfo,
    Summary,
    dumps_json,
    encode_findings,
    json_string,
)

SCHEMA_VERSION = 1


def findings_text(result: ManifestResult) -> str:
    """The result's findings as JSON (kept from the cache when the result came from there)."""
    return (
        result.findings_json
        if result.findings_json is not None
        else encode_findings(result.findings)
    )


_string = json_string  # kept for the tests that prove it writes what the encoder writes


def result_text(result: ManifestResult) -> str:
    """One manifest result as the report's JSON object."""
    return (
        f'{{"path":{_string(result.path)},"manifest_id":{_string(result.manifest_id)},'
        f'"verdict":"{result.verdict}","findings":{findings_text(result)}}}'
    )


def summary_dict(summary: Summary) -> dict[str, int]:
    """The counts by verdict."""
    return {"manifests": summary.manifests, **{str(v): summary.counts[v] for v in VERDICTS}}


def _dumps(value: Any) -> str:
    return dumps_json(value)


class Writer:
    """Writes the document's head, then each result on a line of its own, then the summary.

    One result per line keeps the document easy to read and to grep, and lets it be written
    while the results stream past (the C encoder, without indentation, is also much faster).
    """

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
        return _dumps(head)[:-1] + ',\n"results":['

    def add(self, result: ManifestResult) -> str:
        """One result, on a line of its own in the ``results`` array."""
        separator = "\n" if self.first else ",\n"
        self.first = False
        return separator + result_text(result)

    def finish(self, summary: Summary) -> str:
        """The end of ``results`` and the summary."""
        return f'\n],\n"summary":{_dumps(summary_dict(summary))}}}\n'


def render(report: Report, style: Style) -> str:
    """The report as one JSON document."""
    return render_with(Writer, report, style)
