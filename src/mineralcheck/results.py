"""What a check produces: findings, one verdict per manifest, and the report over a run."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum


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


@dataclass(frozen=True, slots=True)
class Finding:
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


@dataclass(frozen=True, slots=True)
class ManifestResult:
    """The verdict on one manifest file and the findings that produced it."""

    path: str
    manifest_id: str | None
    verdict: Severity
    findings: tuple[Finding, ...]
    lines: tuple[int, ...] = ()  # the line numbers of the manifest's items, when it was read

    @classmethod
    def judge(
        cls,
        path: str,
        manifest_id: str | None,
        findings: Iterable[Finding],
        lines: tuple[int, ...] = (),
    ) -> ManifestResult:
        """A result whose verdict is the worst of ``findings`` (``pass`` when none is worse)."""
        found = tuple(findings)
        worst = max((f.severity for f in found), key=lambda s: s.rank, default=Severity.PASS)
        verdict = Severity.PASS if worst.rank == 0 else worst
        return cls(path, manifest_id, verdict, found, lines)


@dataclass
class Summary:
    """Counts of manifests by verdict."""

    counts: dict[Severity, int] = field(default_factory=lambda: dict.fromkeys(VERDICTS, 0))

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


@dataclass(frozen=True, slots=True)
class ControlInfo:
    """What a report says about one control of the rule pack (for SARIF rules, say)."""

    id: str
    title: str
    reference: str
    url: str | None
    requires: str
    control_code: str | None = None


@dataclass(frozen=True)
class RunInfo:
    """What a run was checked against: tool version, rule pack, options."""

    tool_version: str
    rule_pack_hash: str
    rules: tuple[str, ...]
    as_of: str | None = None
    controls: tuple[ControlInfo, ...] = ()


@dataclass(frozen=True)
class Report:
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
