"""Find manifests and read their bytes, failing closed: nothing is skipped without a word.

A directory walk yields every manifest it finds, in a stable sorted order, and an
``Unreadable`` for every path it cannot list or read (permission denied, a symbolic link that is
broken or loops, a FIFO, a device or a socket), so that the path becomes an ``error`` result
instead of a silent gap. Files it leaves out on purpose (hidden, excluded, other extension) are
counted in a ``Skipped`` tally that the command line prints. Reading is bounded: at most the
size limit plus one byte is read from anything, so a huge file, a FIFO or an endless standard
input cannot hang the run or exhaust memory.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from fnmatch import translate
from typing import BinaryIO, NamedTuple

STDIN = "-"
DEFAULT_INCLUDE = ("*.yaml", "*.yml", "*.json")
MAX_BYTES = 4 * 1024 * 1024  # the largest manifest read; the YAML reader's limit too
_FIRST_READ = 1 << 16


class Unreadable(NamedTuple):
    """A path that could not be listed or read, and why (it becomes an ``error`` result)."""

    path: str
    reason: str


class Skipped:
    """How many entries a walk left out on purpose, by reason."""

    HIDDEN = "hidden"
    EXCLUDED = "excluded"
    OTHER = "other extension"

    def __init__(self) -> None:
        self.counts: dict[str, int] = {self.HIDDEN: 0, self.EXCLUDED: 0, self.OTHER: 0}

    def __bool__(self) -> bool:
        return any(self.counts.values())

    def describe(self) -> str:
        """``3 hidden, 1 excluded`` (the reasons that occurred)."""
        return ", ".join(f"{count} {reason}" for reason, count in self.counts.items() if count)


def _matcher(patterns: Iterable[str], ignore_case: bool) -> Callable[[str], bool]:
    """One compiled test for a set of globs (``*`` also matches ``/``)."""
    pattern = "|".join(f"(?:{translate(p)})" for p in patterns)
    if not pattern:
        return lambda _: False
    return re.compile(pattern, re.IGNORECASE if ignore_case else 0).match  # type: ignore[return-value]


def _kind(mode: int) -> str | None:
    """What a non-regular, non-directory file is, in words (``None`` for a regular file)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _reason(exc: OSError, link: bool) -> str:
    """Why a path could not be used, in words."""
    if link and exc.errno == errno.ENOENT:
        return "broken symbolic link (its target does not exist)"
    if exc.errno == errno.ELOOP:
        return "symbolic link loop"
    return exc.strerror or str(exc)


def discover(
    paths: Iterable[str],
    include: Iterable[str] = DEFAULT_INCLUDE,
    exclude: Iterable[str] = (),
    skipped: Skipped | None = None,
) -> Iterator[str | Unreadable]:
    """Manifest paths in check order: files as given, directories walked in sorted order.

    A file under a directory is taken when its path below it matches an ``include`` glob
    (case-insensitively: ``X.YAML`` is a manifest) and no ``exclude`` glob; ``*`` also matches
    ``/``. Hidden entries (``.git``, ``.draft.yaml``) are left out. Links to directories are
    followed, and a link that leads back to a directory above it is a loop. A path given by name
    is used as given: a missing one is an ``Unreadable``, never dropped.
    """
    tally = skipped if skipped is not None else Skipped()
    included = _matcher(include, ignore_case=True)
    excluded = _matcher(exclude, ignore_case=False)
    for given in paths:
        if given == STDIN:
            yield given
            continue
        try:
            status = os.stat(given)
        except OSError as exc:
            yield Unreadable(given, _reason(exc, os.path.islink(given)))
            continue
        if stat.S_ISDIR(status.st_mode):
            ancestors = frozenset({(status.st_dev, status.st_ino)})
            yield from _walk(given, "", ancestors, included, excluded, tally)
        elif (kind := _kind(status.st_mode)) is not None:
            yield Unreadable(given, f"{kind}, not a manifest file: not read")
        else:
            yield given


def _walk(
    directory: str,
    prefix: str,
    ancestors: frozenset[tuple[int, int]],
    included: Callable[[str], bool],
    excluded: Callable[[str], bool],
    tally: Skipped,
) -> Iterator[str | Unreadable]:
    """Every manifest below ``directory``: its files in name order, then its subdirectories."""
    try:
        with os.scandir(directory) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError as exc:
        yield Unreadable(directory, f"cannot list directory: {_reason(exc, False)}")
        return
    subdirectories: list[tuple[os.DirEntry[str], tuple[int, int]]] = []
    for entry in entries:
        if entry.name.startswith("."):
            tally.counts[Skipped.HIDDEN] += 1
            continue
        relative = prefix + entry.name
        try:
            if entry.is_dir(follow_symlinks=False):
                mode = stat.S_IFDIR
                inode = (entry.stat(follow_symlinks=False).st_dev, entry.inode())
            elif entry.is_file(follow_symlinks=False):
                mode, inode = stat.S_IFREG, (0, 0)  # the usual case: known without a stat call
            else:
                status = entry.stat()  # a link (followed to its target) or a special file
                mode = status.st_mode
                inode = (status.st_dev, status.st_ino)
        except OSError as exc:
            if excluded(relative):
                tally.counts[Skipped.EXCLUDED] += 1
            else:
                yield Unreadable(entry.path, _reason(exc, entry.is_symlink()))
            continue
        if stat.S_ISDIR(mode):
            if inode in ancestors:
                yield Unreadable(
                    entry.path, "symbolic link loop: it leads back to a directory above it"
                )
            else:
                subdirectories.append((entry, inode))
            continue
        if not included(relative):
            tally.counts[Skipped.OTHER] += 1
        elif excluded(relative):
            tally.counts[Skipped.EXCLUDED] += 1
        elif (kind := _kind(mode)) is not None:
            yield Unreadable(entry.path, f"{kind}, not a manifest file: not read")
        else:
            yield entry.path
    for entry, inode in subdirectories:
        yield from _walk(
            entry.path, f"{prefix}{entry.name}/", ancestors | {inode}, included, excluded, tally
        )


def too_large(size: int | None) -> str:
    """The reason a file over the size limit is not read."""
    shown = f"{size} bytes" if size is not None else "larger than that"
    return f"file is {shown}, more than the limit of {MAX_BYTES} bytes: not read"


def read_file(path: str) -> bytes | Unreadable:
    """A regular file's bytes, or why they could not be had; never blocks on a FIFO and never
    reads more than the size limit plus one byte."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        return Unreadable(path, _reason(exc, os.path.islink(path)))
    try:
        status = os.fstat(descriptor)
        kind = _kind(status.st_mode)
        if kind is not None:
            return Unreadable(path, f"{kind}, not a manifest file: not read")
        if status.st_size > MAX_BYTES:
            return Unreadable(path, too_large(status.st_size))
        data = os.read(descriptor, _FIRST_READ)
        if len(data) < _FIRST_READ:  # the usual manifest: one read
            return data
        chunks = [data]
        total = len(data)
        while total <= MAX_BYTES and (chunk := os.read(descriptor, MAX_BYTES + 1 - total)):
            chunks.append(chunk)
            total += len(chunk)
        if total > MAX_BYTES:  # it grew after fstat
            return Unreadable(path, too_large(None))
        return b"".join(chunks)
    except OSError as exc:
        return Unreadable(path, _reason(exc, False))
    finally:
        os.close(descriptor)


def read_stream(stream: BinaryIO) -> bytes | Unreadable:
    """Standard input's bytes, at most the size limit plus one byte of them."""
    chunks: list[bytes] = []
    total = 0
    try:
        while total <= MAX_BYTES:
            chunk = stream.read(MAX_BYTES + 1 - total)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        return Unreadable(STDIN, exc.strerror or str(exc))
    if total > MAX_BYTES:
        return Unreadable(STDIN, too_large(None))
    return b"".join(chunks)
