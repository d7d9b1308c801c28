"""What every output format is: a pure function from a report to text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from mineralcheck.results import Report


@dataclass(frozen=True)
class Style:
    """How the text will be shown: on a terminal (with colour, at a width) or not."""

    terminal: bool = False
    color: bool = False
    width: int | None = None
    verbose: bool = False
    cwd: str | None = None  # paths in SARIF are made relative to this directory


class Format(Protocol):
    """An output format module: ``render`` turns a report into the text to write."""

    def render(self, report: Report, style: Style) -> str:
        """The report as text in this format."""
        ...
