"""What a check produces: findings, one verdict per manifest, and the report over a run."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from enum import StrEnum
from typing import Any, NamedTuple


class Severity(StrEnum):
    """How serious a finding is; a manifest's verdict is the worst severity among its findings."""

    INFO = "info"
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    ERROR = "error"

    @property
    def rank(self) -> int:
        """Order for "worst of": info and pass rank lowest, error highest."""
        return _RANK[self]


_RANK = {
    Severity.INFO: 0,
    Severity.PASS: 0,
    Severity.WARN: 1,
    Severity.FAIL: 2,
    Severity.ERROR: 3,
}
VERDICTS = (Severity.PASS, Severity.WARN, Severity.FAIL, Severity.ERROR)


class Finding(NamedTuple):
    """One reason behind a verdict, with its place in the manifest and the measure behind it."""

    severity: Severity
    code: str
    message: str
    rule: str | None = None
    item: int | None = None
    line: int | None = None
    column: int | None = None
    field: str | None = None
    reference: str | None = None
    url: str | None = None


class ManifestResult:
    """The verdict on one manifest file and the findings that produced it.

    A result read back from the verdict cache keeps its findings as the JSON report's text and
    turns them into ``Finding`` objects only if a format asks for them, so a warm re-run of a
    large directory costs little more than reading the files.
    """

    __slots__ = (
        "_findings",
        "digest",
        "facts",
        "findings_json",
        "lines",
        "manifest_id",
        "path",
        "verdict",
    )

    def __init__(
        self,
        path: str,
        manifest_id: str | None,
        verdict: Severity,
        findings: tuple[Finding, ...] | None,
        lines: tuple[int, ...] = (),
        findings_json: str | None = None,
        facts: str | None = None,
    ) -> None:
        if findings is None and findings_json is None:
            raise ValueError("a result needs its findings")
        self.path = path
        self.manifest_id = manifest_id
        self.verdict = verdict
        self.lines = lines  # the line numbers of the manifest's items, when it was read
        self._findings = findings
        self.findings_json = findings_json  # the findings as the JSON report writes them
        # what the audit record needs of a checked manifest (ship date, licences drawn on), JSON
        self.facts = facts
        self.digest: str | None = None  # SHA-256 of the file's bytes, when a record is kept

    @property
    def findings(self) -> tuple[Finding, ...]:
        """The findings (decoded from their JSON on first use, for a cached result)."""
        if self._findings is None:
            assert self.findings_json is not None
            self._findings = decode_findings(self.findings_json)
        return self._findings

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ManifestResult):
            return NotImplemented
        return (self.path, self.manifest_id, self.verdict, self.findings, self.lines) == (
            other.path,
            other.manifest_id,
            other.verdict,
            other.findings,
            other.lines,
        )

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle cheaply (worker processes send results back)."""
        arguments = (
            self.path,
            self.manifest_id,
            self.verdict,
            self._findings,
            self.lines,
            self.findings_json,
            self.facts,
        )
        return (ManifestResult, arguments)

    def __repr__(self) -> str:
        return (
            f"ManifestResult(path={self.path!r}, manifest_id={self.manifest_id!r}, "
            f"verdict={self.verdict!r}, findings={self.findings!r})"
        )

    @classmethod
    def judge(
        cls,
        path: str,
        manifest_id: str | None,
        findings: Iterable[Finding],
        lines: tuple[int, ...] = (),
        facts: str | None = None,
    ) -> ManifestResult:
        """A result whose verdict is the worst of ``findings`` (``pass`` when none is worse)."""
        found = tuple(findings)
        worst = max((f.severity for f in found), key=lambda s: s.rank, default=Severity.PASS)
        verdict = Severity.PASS if worst.rank == 0 else worst
        return cls(path, manifest_id, verdict, found, lines, facts=facts)


FINDING_KEYS = (
    "severity",
    "code",
    "rule",
    "item",
    "message",
    "line",
    "column",
    "field",
    "reference",
    "url",
)
_SEVERITIES = {str(s): s for s in Severity}


def finding_dict(finding: Finding) -> dict[str, Any]:
    """One finding as the JSON report's object (keys in the report's order)."""
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


_SURROGATE = re.compile("[\ud800-\udfff]")


def dumps_json(value: Any, indent: int | None = None) -> str:
    """Compact (or ``indent``-ed) JSON that any UTF-8 stream can hold: text as it is, except
    that a lone surrogate (which UTF-8 cannot encode) is written as its ``\\uXXXX`` escape,
    which reads back the same."""
    separators = (",", ":") if indent is None else (",", ": ")
    text = json.dumps(value, ensure_ascii=False, separators=separators, indent=indent)
    if not text.isascii():  # isascii: one fast pass, the usual case
        try:
            text.encode("utf-8")  # faster than looking for surrogates
        except UnicodeEncodeError:
            return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return text


_PLAIN = re.compile(r'[^"\\\x00-\x1f\ud800-\udfff]*')


def json_string(value: str | None) -> str:
    """A JSON string (or null), exactly as ``dumps_json`` writes it; plain text skips the
    encoder, which matters when thousands of strings are written."""
    if value is not None and _PLAIN.fullmatch(value):
        return f'"{value}"'
    return dumps_json(value)


def encode_findings(findings: Iterable[Finding]) -> str:
    """The findings as the JSON report writes them."""
    return dumps_json([finding_dict(f) for f in findings])


def decode_findings(text: str) -> tuple[Finding, ...]:
    """Findings back from the JSON report's text (raises on anything malformed)."""
    found = []
    for raw in json.loads(text):
        values = {key: raw[key] for key in FINDING_KEYS}
        values["severity"] = _SEVERITIES[values["severity"]]
        found.append(Finding(**values))
    return tuple(found)


class Summary:
    """Counts of manifests by verdict."""

    def __init__(self) -> None:
        self.counts: dict[Severity, int] = dict.fromkeys(VERDICTS, 0)

    def add(self, result: ManifestResult) -> None:
        """Count one more result."""
        self.counts[result.verdict] += 1

    @property
    def manifests(self) -> int:
        """How many manifests were counted."""
        return sum(self.counts.values())

    def exit_code(self, fail_on_warn: bool = False) -> int:
        """0 when all pass (or warn), 1 when any fails, 2 when any is in error."""
        if self.counts[Severity.ERROR]:
            return 2
        if self.counts[Severity.FAIL] or (fail_on_warn and self.counts[Severity.WARN]):
            return 1
        return 0


class ControlInfo(NamedTuple):
    """What a report says about one control of the rule pack (for SARIF rules, say)."""

    id: str
    title: str
    reference: str
    url: str | None
    requires: str
    control_code: str | None = None


class RunInfo(NamedTuple):
    """What a run was checked against: tool version, rule pack, options."""

    tool_version: str
    rule_pack_hash: str
    rules: tuple[str, ...]
    as_of: str | None = None
    controls: tuple[ControlInfo, ...] = ()


class Report(NamedTuple):
    """Every manifest result of one run, with what the run was checked against."""

    info: RunInfo
    results: tuple[ManifestResult, ...]

    @property
    def summary(self) -> Summary:
        """Counts by verdict."""
        summary = Summary()
        for result in self.results:
            summary.add(result)
        return summary
