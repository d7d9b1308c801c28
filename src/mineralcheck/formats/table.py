"""A Rich table on a terminal; plain text (the ``text`` format) anywhere else."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from mineralcheck.formats import text
from mineralcheck.formats.common import printable
from mineralcheck.formats.interface import Style, render_with
from mineralcheck.results import ManifestResult, Report, RunInfo, Severity, Summary

if TYPE_CHECKING:
    from rich.console import Console

_COLOURS = {
    Severity.PASS: "green",
    Severity.INFO: "dim",
    Severity.WARN: "yellow",
    Severity.FAIL: "red",
    Severity.ERROR: "bold red",
}


class Writer:
    """Plain text off a terminal; on a terminal, keeps the rows and prints the table at the end."""

    def __init__(self, info: RunInfo, style: Style) -> None:
        self.style = style
        self.plain = None if style.terminal else text.Writer(info, style)
        self.rows: list[ManifestResult] = []

    def start(self) -> str:
        """Nothing before the first result."""
        return ""

    def add(self, result: ManifestResult) -> str:
        """Plain lines now, or nothing until the table is complete."""
        if self.plain is not None:
            return self.plain.add(result)
        if not (self.style.quiet and result.verdict.rank == 0):
            self.rows.append(result)
        return ""

    def finish(self, summary: Summary) -> str:
        """The table, on a terminal."""
        if self.plain is not None:
            return ""
        return _table(self.rows, self.style)


def _console(buffer: io.StringIO, style: Style, width: int) -> Console:
    """A Rich console writing to ``buffer``, coloured only when the style says so."""
    from rich.console import Console

    return Console(
        file=buffer,
        force_terminal=style.color,
        no_color=not style.color,
        width=style.width or width,
        highlight=False,
    )


STACKED_BELOW = 120  # narrower terminals get a list: a table would split paths and ids


def _stacked(results: list[ManifestResult], style: Style) -> str:
    """Each manifest on its own line, its findings below: paths, ids and rule ids never split
    inside a word (only a word longer than the terminal is folded)."""
    from rich.padding import Padding
    from rich.text import Text

    buffer = io.StringIO()
    console = _console(buffer, style, 80)
    for result in results:
        head = Text()
        head.append(f"{result.verdict}".ljust(6), style=_COLOURS[result.verdict])
        head.append(printable(result.path), style="bold")
        if result.manifest_id:
            head.append(" ")
            head.append(printable(result.manifest_id))
        console.print(head, overflow="fold")
        for finding in text.shown(result, style):
            line = Text()
            line.append(str(finding.severity), style=_COLOURS[finding.severity])
            if finding.item is not None:
                line.append(f" item {finding.item}")
            if finding.line is not None:
                line.append(f", line {finding.line}", style="dim")
            if finding.rule:
                line.append(" ")
                line.append(printable(finding.rule), style="dim")
            console.print(Padding(line, (0, 0, 0, 2)), overflow="fold")
            body = Text(printable(finding.message))
            if finding.reference:
                body.append(f" ({printable(finding.reference)})", style="dim")
            console.print(Padding(body, (0, 0, 0, 4)), overflow="fold")
        console.print()
    return buffer.getvalue()


def _table(results: list[ManifestResult], style: Style) -> str:
    if (style.width or 120) < STACKED_BELOW:
        return _stacked(results, style)
    from rich.markup import escape as escape_markup

    def escape(value: str) -> str:
        return escape_markup(printable(value))

    from rich.table import Table

    table = Table(show_lines=False, header_style="bold")
    table.add_column("Manifest", overflow="fold")
    table.add_column("Verdict")
    table.add_column("Line", justify="right")
    table.add_column("Finding", overflow="fold")
    for result in results:
        name = escape(result.path) + (
            f"\n{escape(result.manifest_id)}" if result.manifest_id else ""
        )
        verdict = f"[{_COLOURS[result.verdict]}]{result.verdict}[/]"
        findings = text.shown(result, style)
        if not findings:
            table.add_row(name, verdict, "", "")
        for index, finding in enumerate(findings):
            where = f"{finding.line}:{finding.column}" if finding.line is not None else ""
            rule = f"[dim]{escape(finding.rule)}[/]\n" if finding.rule else ""
            reference = f"\n[dim]{escape(finding.reference)}[/]" if finding.reference else ""
            table.add_row(
                name if index == 0 else "",
                verdict if index == 0 else "",
                where,
                f"[{_COLOURS[finding.severity]}]{finding.severity}[/] "
                f"{rule}{escape(finding.message)}{reference}",
            )
        table.add_section()
    buffer = io.StringIO()
    console = _console(buffer, style, 120)
    console.print(table)
    return buffer.getvalue()


def render(report: Report, style: Style) -> str:
    """The report as a table of manifests and their findings."""
    return render_with(Writer, report, style)
