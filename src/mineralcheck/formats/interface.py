"""What every output format is: a writer that turns results into text as they come.

A format module defines ``Writer(info, style)`` with ``start()``, ``add(result)`` and
``finish(summary)``, each returning the text to write next. Results are written and dropped one
by one, so memory does not grow with the number of manifests (the table on a terminal and the
Markdown summary, which need every row before they can print, keep what they show).
``render(report, style)`` drives a writer over a whole report, for tests and small runs.
"""

from __future__ import annotations

from typing import NamedTuple, Protocol

from mineralcheck.results import ManifestResult, Report, RunInfo, Summary


class Style(NamedTuple):
    """How the text will be shown: on a terminal (with colour, at a width) or not."""

    terminal: bool = False
    color: bool = False
    width: int | None = None
    verbose: bool = False
    cwd: str | None = None  # paths in SARIF and annotations are made relative to this directory
    quiet: bool = False  # text and table: only the manifests that did not pass


class Writer(Protocol):
    """Turns a stream of results into text, piece by piece."""

    def start(self) -> str:
        """Text before the first result."""
        ...

    def add(self, result: ManifestResult) -> str:
        """Text for one more result."""
        ...

    def finish(self, summary: Summary) -> str:
        """Text after the last result."""
        ...


class WriterFactory(Protocol):
    """A format's ``Writer`` class."""

    def __call__(self, info: RunInfo, style: Style) -> Writer: ...


class Format(Protocol):
    """An output format module."""

    Writer: WriterFactory


def render_with(factory: WriterFactory, report: Report, style: Style) -> str:
    """A whole report as text, through a format's writer."""
    writer = factory(report.info, style)
    parts = [writer.start()]
    parts.extend(writer.add(result) for result in report.results)
    parts.append(writer.finish(report.summary))
    return "".join(parts)
