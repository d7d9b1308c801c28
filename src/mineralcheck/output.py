"""Where reports go: standard output and files, the files written all or none.

Part of the command line (the only layer that talks to the outside). Every destination is
checked before anything is written. A report to a regular file is written to a temporary file
beside it and moved into place only when every report is complete, so a failed or interrupted
run never leaves a half-written report; the temporary files are removed on every way out. A
destination that is not a regular file (a symbolic link, a FIFO, ``/dev/stdout``) is written in
place, from an anonymous temporary file, once every report is complete. Files get the mode the
umask gives, as every other tool's do, and reports are UTF-8 whatever the locale.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, TYPE_CHECKING

from mineralcheck.errors import UsageError

if TYPE_CHECKING:
    from mineralcheck.formats.interface import Writer
    from mineralcheck.results import ManifestResult, Summary


class StdoutClosed(Exception):  # noqa: N818 - a state, not an error of ours
    """Standard output was closed by its reader (``| head``): the run stops there."""


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _problem(path: Path, exc: OSError) -> UsageError:
    return UsageError(f"cannot write {path}: {exc.strerror or exc}")


def check_destinations(paths: Iterable[Path]) -> None:
    """Refuse, before anything is written, a destination that is a directory or given twice."""
    seen: dict[str, Path] = {}
    for path in paths:
        if str(path) in ("", "."):
            raise UsageError("an output needs a file name")
        if path.is_dir():
            raise UsageError(f"cannot write {path}: it is a directory")
        key = os.path.realpath(path)
        if key in seen:
            raise UsageError(f"{path} is given as an output twice (also as {seen[key]})")
        seen[key] = path


class Output:
    """One report being written: its format's writer and where its text goes."""

    def __init__(self, writer: Writer, path: Path | None) -> None:
        self.writer = writer
        self.path = path
        self.temporary: str | None = None  # a file beside the target, renamed over it at the end
        self.stream: IO[str] | None = None
        self.in_place = False
        if path is None:
            return
        import tempfile  # only runs that write files pay for it

        try:
            mode = os.lstat(path).st_mode
            self.in_place = not stat.S_ISREG(mode)  # a link, FIFO or device: keep it, write into it
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise _problem(path, exc) from None
        try:
            if self.in_place:
                self.stream = tempfile.TemporaryFile(  # noqa: SIM115 - lives as long as the run
                    "w+", encoding="utf-8", errors="backslashreplace"
                )
                return
            directory = path.parent if str(path.parent) else Path()
            directory.mkdir(parents=True, exist_ok=True)
            handle, self.temporary = tempfile.mkstemp(
                dir=directory, prefix=f".{path.name}.", suffix=".tmp"
            )
            os.fchmod(handle, 0o666 & ~_umask())
            self.stream = os.fdopen(handle, "w", encoding="utf-8", errors="backslashreplace")
        except OSError as exc:
            raise _problem(path, exc) from None

    def write(self, text: str) -> None:
        """Send text to the file, or to standard output."""
        if self.stream is None:
            write_stdout(text)
            return
        try:
            self.stream.write(text)
        except OSError as exc:
            raise _problem(self.path or Path("-"), exc) from None

    def close(self) -> None:
        """Finish the temporary file (a full disk shows here, when the buffer is written)."""
        if self.stream is not None and not self.in_place:
            try:
                self.stream.close()
            except OSError as exc:
                raise _problem(self.path or Path("-"), exc) from None

    def place(self) -> None:
        """Put the finished report where it belongs."""
        assert self.path is not None and self.stream is not None
        if self.in_place:
            self.stream.seek(0)
            try:
                with open(self.path, "w", encoding="utf-8") as target:
                    while chunk := self.stream.read(1 << 20):
                        target.write(chunk)
            except OSError as exc:
                raise _problem(self.path, exc) from None
            self.stream.close()
        elif self.temporary is not None:
            try:
                os.replace(self.temporary, self.path)
            except OSError as exc:
                raise _problem(self.path, exc) from None
            self.temporary = None


class Outputs:
    """Every report of a run; the files appear all together at the end, or none of them."""

    def __init__(self) -> None:
        self.outputs: list[Output] = []

    def add(self, writer: Writer, path: Path | None) -> None:
        """Write this format to ``path`` (``None``: standard output)."""
        try:
            self.outputs.append(Output(writer, path))
        except BaseException:
            self.discard()
            raise

    def each(self, piece: Callable[[Writer], str]) -> None:
        """Write the next piece of every report."""
        try:
            for output in self.outputs:
                output.write(piece(output.writer))
        except BaseException:
            self.discard()
            raise

    def add_result(self, result: ManifestResult) -> None:
        """Write one more result to every report."""
        self.each(lambda writer: writer.add(result))

    def commit(self) -> None:
        """Close the files and move them into place."""
        try:
            write_stdout("", flush=True)
            for output in self.outputs:
                output.close()
            for output in self.outputs:
                if output.path is not None:
                    output.place()
        except BaseException:
            self.discard()
            raise

    def discard(self) -> None:
        """Remove every temporary file (after a failure: no half-written report stays)."""
        for output in self.outputs:
            if output.stream is not None:
                with contextlib.suppress(OSError):
                    output.stream.close()
            if output.temporary is not None:
                with contextlib.suppress(OSError):
                    os.unlink(output.temporary)
                output.temporary = None


def write_files(files: list[tuple[Path, str]]) -> None:
    """Write whole files, all or none."""
    check_destinations(path for path, _ in files)
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


def utf8_streams() -> None:
    """Reports are UTF-8 whatever the locale; a message that cannot be shown is escaped."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(encoding="utf-8", errors="backslashreplace")


def write_stdout(text: str, flush: bool = False) -> None:
    """Write to standard output; a reader that went away stops the run (``StdoutClosed``)."""
    try:
        sys.stdout.write(text)
        if flush:
            sys.stdout.flush()
    except BrokenPipeError:
        silence_stdout()
        raise StdoutClosed from None


def silence_stdout() -> None:
    """Point standard output at the null device, so that the final flush cannot fail again."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
