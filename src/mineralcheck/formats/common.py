"""Small helpers the output formats share: what a finding is called and where it is."""

from __future__ import annotations

import hashlib
import os

from mineralcheck.results import Finding, ManifestResult, Severity


def rule_id(finding: Finding) -> str:
    """A stable id for what produced the finding: the control, else ``mineralcheck/<code>``."""
    return finding.rule or f"mineralcheck/{finding.code}"


def reported(result: ManifestResult) -> list[Finding]:
    """The findings a CI system should see: warn, fail and error (not info)."""
    return [f for f in result.findings if f.severity.rank > 0]


def relative_path(path: str, cwd: str | None) -> str:
    """``path`` relative to ``cwd`` in POSIX form (as given when it lies outside ``cwd``)."""
    if path == "-" or cwd is None:
        return path.replace(os.sep, "/")
    absolute = os.path.abspath(path)
    try:
        relative = os.path.relpath(absolute, cwd)
    except ValueError:  # another drive on Windows
        return path.replace(os.sep, "/")
    if relative.startswith(".."):
        return path.replace(os.sep, "/")
    return relative.replace(os.sep, "/")


def fingerprint(result: ManifestResult, finding: Finding) -> str:
    """A hash that names the same problem across runs, even when lines move in the file."""
    key = "|".join(
        (
            result.manifest_id or result.path,
            str(finding.item or ""),
            rule_id(finding),
            finding.code,
        )
    )
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


SEVERITY_WORD = {
    Severity.ERROR: "error",
    Severity.FAIL: "fail",
    Severity.WARN: "warn",
    Severity.INFO: "info",
    Severity.PASS: "pass",
}
