"""Small helpers the output formats share: what a finding is called and where it is."""

from __future__ import annotations

import hashlib
import os
import re

from mineralcheck.results import Finding, ManifestResult, Severity


def rule_id(finding: Finding) -> str:
    """A stable id for what produced the finding: the control, else ``mineralcheck/<code>``."""
    return finding.rule or f"mineralcheck/{finding.code}"


REVIEWED = "reviewed"  # the code of a warn finding a person's review cleared (now info)
DRAWN = "drawn"  # the code of a line a register's licence covered, with what it had left
NOTICE = "notice"  # a duty, levy or condition of a measure (requires: info)
SHOWN_INFO = frozenset({REVIEWED, DRAWN, NOTICE})  # info findings every report shows


def reported(result: ManifestResult) -> list[Finding]:
    """The findings a report shows a person or a CI system: warn, fail and error, and the info
    that says which review cleared a finding or what a licence had left."""
    return [f for f in result.findings if f.severity.rank > 0 or f.code in SHOWN_INFO]


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
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


SEVERITY_WORD = {
    Severity.ERROR: "error",
    Severity.FAIL: "fail",
    Severity.WARN: "warn",
    Severity.INFO: "info",
    Severity.PASS: "pass",
}


# C0 and C1 controls, DEL, line and paragraph separators, and the bidirectional overrides that
# can make a terminal show text in another order than it is written; lone surrogates.
_UNSAFE_TEXT = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
# What XML 1.0 forbids: C0 controls but tab, newline and carriage return; lone surrogates (no
# UTF-8 text can hold them); U+FFFE and U+FFFF. (Written as what is forbidden: the complement,
# a class over all of Unicode, takes milliseconds to compile at every start.)
_UNSAFE_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """Text safe on a terminal or in a log line: control characters (a newline, an ANSI
    escape) are shown as ``\\n``, ``\\x1b``, so no value can start a line or move the cursor."""
    return _UNSAFE_TEXT.sub(_escape, text) if _UNSAFE_TEXT.search(text) else text


def xml_safe(text: str) -> str:
    """Text that XML 1.0 can hold: each character it forbids is shown as ``\\x01``."""
    return _UNSAFE_XML.sub(_escape, text) if _UNSAFE_XML.search(text) else text
