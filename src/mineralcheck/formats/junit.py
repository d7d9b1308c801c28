"""JUnit XML for GitLab and Jenkins: a suite per manifest, a test case per item."""

from __future__ import annotations

import re
from collections import defaultdict
from xml.etree import ElementTree as ET

from mineralcheck.formats.common import SEVERITY_WORD, reported, rule_id, xml_safe
from mineralcheck.formats.interface import Style, render_with
from mineralcheck.results import Finding, ManifestResult, Report, RunInfo, Severity, Summary

_NOT_NAME = re.compile(r"[^A-Za-z0-9_]+")


def _classname(path: str) -> str:
    """A dotted class name from a path (Jenkins builds its tree from the dots)."""
    stem = path.rsplit(".", 1)[0] if path.endswith((".yaml", ".yml", ".json")) else path
    parts = [_NOT_NAME.sub("_", part) for part in stem.split("/") if part not in ("", ".")]
    return ".".join(["mineralcheck", *parts])


def _line(path: str, finding: Finding) -> str:
    where = path
    if finding.line is not None:
        where += f":{finding.line}" + (f":{finding.column}" if finding.column else "")
    reference = f" ({finding.reference}, {finding.url})" if finding.reference else ""
    severity = SEVERITY_WORD[finding.severity]
    return f"{where}: {severity} [{rule_id(finding)}] {finding.message}{reference}"


def _case(suite: ET.Element, classname: str, name: str, path: str, findings: list[Finding]) -> None:
    case = ET.SubElement(
        suite, "testcase", classname=classname, name=name, file=xml_safe(path), time="0"
    )
    line = next((f.line for f in findings if f.line), None)
    if line is not None:
        case.set("line", str(line))
    worst = max((f.severity for f in findings), key=lambda s: s.rank, default=Severity.PASS)
    text = xml_safe("\n".join(_line(path, f) for f in findings))
    if worst is Severity.ERROR:
        first = next(f for f in findings if f.severity is Severity.ERROR)
        message, kind = xml_safe(first.message), xml_safe(first.code)
        ET.SubElement(case, "error", message=message, type=kind).text = text
    elif worst is Severity.FAIL:
        first = next(f for f in findings if f.severity is Severity.FAIL)
        message, kind = xml_safe(first.message), xml_safe(first.code)
        ET.SubElement(case, "failure", message=message, type=kind).text = text
    elif findings:
        ET.SubElement(case, "system-out").text = text


def _suite(result: ManifestResult) -> ET.Element:
    suite = ET.Element("testsuite", name=xml_safe(result.path), file=xml_safe(result.path))
    classname = _classname(result.path)
    by_item: dict[int | None, list[Finding]] = defaultdict(list)
    for finding in reported(result):
        by_item[finding.item].append(finding)
    items = sorted(set(result.lines) | {f.item for f in result.findings if f.item is not None})
    cases = [(f"item {item}", by_item.get(item, [])) for item in items]
    if None in by_item or not cases:
        cases.insert(0, ("manifest", by_item.get(None, [])))
    failures = errors = 0
    for name, findings in cases:
        _case(suite, classname, name, result.path, findings)
        worst = max((f.severity.rank for f in findings), default=0)
        errors += worst == Severity.ERROR.rank
        failures += worst == Severity.FAIL.rank
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    suite.set("skipped", "0")
    suite.set("time", "0")
    return suite


class Writer:
    """Writes a ``testsuite`` per manifest as its result comes."""

    def __init__(self, info: RunInfo, style: Style) -> None:
        self.style = style

    def start(self) -> str:
        """The XML declaration and the opening ``testsuites``."""
        return '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="mineralcheck">\n'

    def add(self, result: ManifestResult) -> str:
        """The manifest's suite."""
        suite = _suite(result)
        ET.indent(suite, space="  ", level=1)
        return "  " + ET.tostring(suite, encoding="unicode") + "\n"

    def finish(self, summary: Summary) -> str:
        """The closing ``testsuites``."""
        return "</testsuites>\n"


def render(report: Report, style: Style) -> str:
    """The report as a JUnit XML document."""
    return render_with(Writer, report, style)
