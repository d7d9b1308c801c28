"""Where reports go: standard output and files, the files written all or none.

Part of the command line (the only layer that talks to the outside): a report is written to a
temporary file beside its target as results stream in, and every file is moved into place only
when all are complete, so a failed write never leaves a half-written report.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from mineralcheck.errors import UsageError

if TYPE_CHECKING:
    from mineralcheck.formats.interface import Writer
    from mineralcheck.results import ManifestResult, Summary


class Output:
    """One report being written: its format's writer and where its text goes."""

    def __init__(self, writer: Writer, path: Path | None) -> None:
        self.writer = writer
        self.path = path
        self.temporary: str | None = None
        self.stream: TextIO | None = None
        if path is not None:
            import tempfile  # only runs that write files pay for it

            directory = path.parent if str(path.parent) else Path()
            try:
                handle, self.temporary = tempfile.mkstemp(
                    dir=directory, prefix=f".{path.name}.", suffix=".tmp"
                )
            except OSError as exc:
                raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
            self.stream = os.fdopen(handle, "w", encoding="utf-8")

    def write(self, text: str) -> None:
        """Send text to the file, or to standard output."""
        if self.stream is None:
            write_stdout(text)
            return
        try:
            self.stream.write(text)
        except OSError as exc:
            raise UsageError(f"cannot write {self.path}: {exc.strerror or exc}") from None


class Outputs:
    """Every report of a run; the files appear all together at the end, or none of them."""

    def __init__(self) -> None:
        self.outputs: list[Output] = []

    def add(self, writer: Writer, path: Path | None) -> None:
        """Write this format to ``path`` (``None``: standard output)."""
        try:
            self.outputs.append(Output(writer, path))
        except UsageError:
            self.discard()
            raise

    def each(self, piece: Callable[[Writer], str]) -> None:
        """Write the next piece of every report."""
        try:
            for output in self.outputs:
                output.write(piece(output.writer))
        except UsageError:
            self.discard()
            raise

    def add_result(self, result: ManifestResult) -> None:
        """Write one more result to every report."""
        try:
            for output in self.outputs:
                output.write(output.writer.add(result))
        except UsageError:
            self.discard()
            raise

    def commit(self) -> None:
        """Close the files and move them into place."""
        write_stdout("", flush=True)
        try:
            for output in self.outputs:
                if output.stream is not None:
                    output.stream.close()
            for output in self.outputs:
                if output.temporary is not None and output.path is not None:
                    os.replace(output.temporary, output.path)
                    output.temporary = None
        except OSError as exc:
            self.discard()
            raise UsageError(f"cannot write a report: {exc.strerror or exc}") from None

    def discard(self) -> None:
        """Remove every temporary file (after a failure: no half-written report stays)."""
        for output in self.outputs:
            if output.stream is not None:
                with contextlib.suppress(OSError):
                    output.stream.close()
            if output.temporary is not None:
                Path(output.temporary).unlink(missing_ok=True)


def write_files(files: list[tuple[Path, str]]) -> None:
    """Write whole files, all or none."""
    outputs = Outputs()
    for path, text in files:
        outputs.add(Constant(text), path)
    outputs.each(lambda writer: writer.start())
    outputs.commit()


class Constant:
    """A writer of fixed text (for ``init``)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def start(self) -> str:
        """The whole text."""
        return self.text

    def add(self, result: ManifestResult) -> str:
        """Nothing per result."""
        return ""

    def finish(self, summary: Summary) -> str:
        """Nothing at the end."""
        return ""


def write_stdout(text: str, flush: bool = False) -> None:
    try:
        sys.stdout.write(text)
        if flush:
            sys.stdout.flush()
    except BrokenPipeError:  # the reader stopped early (| head): not our failure
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
