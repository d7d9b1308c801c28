"""GitHub Actions workflow commands: annotations on the lines of the manifests.

Escaping follows @actions/core (``escapeData`` and ``escapeProperty``). GitHub shows at most 10
error and 10 warning annotations per step, so only the first 10 of each kind are emitted; the
rest are counted in a notice, and the whole report goes to the step summary (the CLI appends
the Markdown format to ``$GITHUB_STEP_SUMMARY``).
"""

from __future__ import annotations

from mineralcheck.formats import text
from mineralcheck.formats.common import printable, relative_path, reported, rule_id
from mineralcheck.formats.interface import Style, render_with
from mineralcheck.results import Finding, ManifestResult, Report, RunInfo, Severity, Summary

LIMIT = 10
COMMANDS = {Severity.ERROR: "error", Severity.FAIL: "error", Severity.WARN: "warning"}


def escape_data(value: str) -> str:
    """Escape a command's message: ``%``, carriage return and newline as GitHub documents, and
    every other control character shown escaped."""
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return printable(value)


def log_line(line: str) -> str:
    """A line of plain log text that the runner can never read as a workflow command.

    The runner takes a line as a command when it starts with ``::`` after leading white space
    (and, in the old syntax, wherever ``##[`` appears); control characters were already escaped.
    """
    line = line.replace("##[", "##\\[")
    return "\\" + line if line.lstrip().startswith("::") else line


def escape_property(value: str) -> str:
    """Escape a command property: as data, plus ``:`` and ``,``."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def command(kind: str, path: str, finding: Finding) -> str:
    """One ``::error``/``::warning`` workflow command for a finding."""
    properties = [f"file={escape_property(path)}"]
    if finding.line is not None:
        properties.append(f"line={finding.line}")
        if finding.column is not None:
            properties.append(f"col={finding.column}")
    properties.append(f"title={escape_property(f'mineralcheck {rule_id(finding)}')}")
    message = finding.message + (f" ({finding.reference})" if finding.reference else "")
    return f"::{kind} {','.join(properties)}::{escape_data(message)}"


class Writer:
    """The text report for the log, with at most 10 annotations of each kind along the way."""

    def __init__(self, info: RunInfo, style: Style) -> None:
        self.style = style
        self.plain = text.Writer(info, style)
        self.emitted = {"error": 0, "warning": 0}
        self.skipped = {"error": 0, "warning": 0}

    def start(self) -> str:
        """Nothing before the first result."""
        return ""

    def add(self, result: ManifestResult) -> str:
        """The manifest's text lines, then its annotations while the limits allow."""
        lines = [log_line(line) for line in self.plain.add(result).rstrip("\n").split("\n")]
        path = relative_path(result.path, self.style.cwd)
        for finding in reported(result):
            kind = COMMANDS.get(finding.severity)
            if kind is None:  # a reviewed finding: in the log, not an annotation
                continue
            if self.emitted[kind] < LIMIT:
                lines.append(command(kind, path, finding))
                self.emitted[kind] += 1
            else:
                self.skipped[kind] += 1
        return "\n".join(lines) + "\n"

    def finish(self, summary: Summary) -> str:
        """A notice for the findings left without an annotation."""
        lines = [
            f"::notice title=mineralcheck::{count} more {kind} finding(s) are not annotated "
            "(GitHub shows 10 per step); see the job summary or the text report above"
            for kind, count in self.skipped.items()
            if count
        ]
        return "".join(line + "\n" for line in lines)


def render(report: Report, style: Style) -> str:
    """The report as log text and workflow commands."""
    return render_with(Writer, report, style)
