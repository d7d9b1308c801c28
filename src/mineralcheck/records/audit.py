"""The audit record: one JSON line per manifest checked, hash-chained (spec/records.md, part 3).

Each line's ``prev`` is ``sha256:`` and the digest of the previous line's bytes (without its
newline), so a changed, removed or inserted line breaks the chain at a line that can be named.
Appends hold an exclusive lock on the file for the whole batch, so two runs recording to one
file never interleave; each line is one write, and the file is flushed to disk at the end. A
crash can still leave a torn last line: the next append finds it, never builds on it, and
writes a line that says so (``torn``), chained to the last intact line. The tool never truncates
or rewrites a record: exporters keep export records for five years.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

FORMAT = 1
FIELDS = (
    "record",
    "time",
    "tool",
    "rules",
    "path",
    "sha256",
    "manifest_id",
    "ship_date",
    "as_of",
    "verdict",
    "findings",
    "permits",
    "reviews",
    "prev",
)
TORN_FIELDS = ("record", "time", "tool", "torn", "prev")


def line_digest(line: bytes) -> str:
    """``sha256:`` and the digest of one line's bytes, without its newline."""
    return "sha256:" + hashlib.sha256(line).hexdigest()


def _dumps(entry: dict[str, Any]) -> bytes:
    return json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class Tail(NamedTuple):
    """What the end of a record file holds: the last intact line's digest, how many lines there
    are, and a torn line (bytes after the last newline), if any."""

    prev: str | None
    lines: int
    torn: bytes


def _tail(descriptor: int) -> Tail:
    """Read the whole file once (records are append-only text; a scan is the honest check)."""
    os.lseek(descriptor, 0, os.SEEK_SET)
    chunks = []
    while chunk := os.read(descriptor, 1 << 20):
        chunks.append(chunk)
    data = b"".join(chunks)
    lines = data.split(b"\n")
    torn = lines.pop()  # after the last newline: b"" when the file ends cleanly
    prev = line_digest(lines[-1]) if lines else None
    return Tail(prev, len(lines), torn)


def append(path: Path, entries: Iterable[dict[str, Any]], tool: str, now: str) -> int:
    """Append ``entries`` (each without ``prev``) under an exclusive lock; return how many."""
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o644)
    count = 0
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)  # held until the batch is on disk
        tail = _tail(descriptor)
        prev = tail.prev
        if tail.torn and _whole(tail.torn):
            os.write(descriptor, b"\n")  # only the newline was lost: the line itself is whole
            prev = line_digest(tail.torn)
        elif tail.torn:
            os.write(descriptor, b"\n")  # end the torn line, so that it stays a line of its own
            note = {
                "record": FORMAT,
                "time": now,
                "tool": tool,
                "torn": {"line": tail.lines + 1, "sha256": line_digest(tail.torn)},
                "prev": prev,
            }
            line = _dumps(note)
            os.write(descriptor, line + b"\n")
            prev = line_digest(line)
        for entry in entries:
            line = _dumps({**entry, "prev": prev})
            os.write(descriptor, line + b"\n")  # one write a line
            prev = line_digest(line)
            count += 1
        os.fsync(descriptor)
    finally:
        os.close(descriptor)  # releases the lock
    return count


def _whole(line: bytes) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


class Broken(NamedTuple):
    """The first line where a record file is not intact, and why."""

    line: int
    reason: str


def _problems(entry: Any, torn_note: bool) -> str | None:
    if not isinstance(entry, dict):
        return "not a JSON object"
    fields = TORN_FIELDS if torn_note else FIELDS
    missing = [name for name in fields if name not in entry]
    if missing:
        return f"missing {', '.join(missing)}"
    extra = sorted(set(entry) - set(fields))
    if extra:
        return f"unknown {', '.join(extra)}"
    if entry["record"] != FORMAT:
        return f"record format {entry['record']!r} is not {FORMAT}"
    if torn_note:
        torn = entry["torn"]
        ok = isinstance(torn, dict) and isinstance(torn.get("line"), int)
        return None if ok else "torn is not {line, sha256}"
    if entry["verdict"] not in ("pass", "warn", "fail", "error"):
        return f"verdict {entry['verdict']!r} is not pass, warn, fail or error"
    for name in ("findings", "permits", "reviews"):
        if not isinstance(entry[name], list):
            return f"{name} is not a list"
    return None


def check(data: bytes) -> Iterator[Broken]:
    """Every place the record is not intact (the first is what ``record verify`` reports)."""
    lines = data.split(b"\n")
    torn = lines.pop()
    prev: str | None = None
    pending_torn: tuple[int, bytes] | None = None
    for number, line in enumerate(lines, start=1):
        try:
            entry = json.loads(line)
        except ValueError:
            pending_torn = (number, line)  # valid only if the next line says it was torn
            continue
        torn_note = isinstance(entry, dict) and "torn" in entry
        if pending_torn is not None:
            expected = {"line": pending_torn[0], "sha256": line_digest(pending_torn[1])}
            if not torn_note or entry["torn"] != expected:
                yield Broken(pending_torn[0], "not a JSON line, and no torn note follows it")
                return
            pending_torn = None  # acknowledged by the note that follows it
        elif torn_note:
            yield Broken(number, "a torn note that follows no torn line")
            return
        problem = _problems(entry, torn_note)
        if problem is not None:
            yield Broken(number, problem)
            return
        if entry["prev"] != prev:
            yield Broken(number, f"prev is {entry['prev']!r}, the chain says {prev!r}")
            return
        prev = line_digest(line)
    if pending_torn is not None:
        yield Broken(pending_torn[0], "not a JSON line")
    elif torn:
        yield Broken(
            len(lines) + 1, "a torn last line (an interrupted write); the next run notes it"
        )
