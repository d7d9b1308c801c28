"""The verdict cache: a result is reused only for the same bytes, rule pack, version and options.

Entries live in one SQLite file in the user's cache directory, so lookups cost the same at
20,000 manifests as at 20 and memory does not grow with the cache. Every entry is sealed with
an HMAC-SHA-256 over its key and value, under a secret key kept outside the cache directory
(created 0600 on first use), so whoever can write the cache (a CI cache restored from another
branch) cannot forge a verdict: an entry whose seal does not match, or anything unreadable, is
ignored and recomputed, never trusted.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import os
import sqlite3
import stat
from pathlib import Path
from typing import Any

from mineralcheck.results import (
    ControlInfo,
    ManifestResult,
    RunInfo,
    Severity,
    encode_findings,
)

SCHEMA = 7  # 7: entries are stored as bytes (BLOB), sealed as they are stored
KEY_BYTES = 32


def default_directory() -> Path:
    """``$MINERALCHECK_CACHE_DIR``, else the platform's user cache directory."""
    override = os.environ.get("MINERALCHECK_CACHE_DIR")
    if override:
        return Path(override)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("mineralcheck", appauthor=False))


def default_key_file() -> Path:
    """``$MINERALCHECK_CACHE_KEY``, else ``cache.key`` in the platform's user data directory:
    never inside the cache directory, which CI systems save and restore."""
    override = os.environ.get("MINERALCHECK_CACHE_KEY")
    if override:
        return Path(override)
    from platformdirs import user_data_dir

    return Path(user_data_dir("mineralcheck", appauthor=False)) / "cache.key"


def load_secret(key_file: Path, cache_dir: Path) -> bytes | None:
    """The cache's secret key, created on first use; ``None`` (no cache) when it cannot be had
    or trusted: inside the cache directory, readable or writable by others, not ours."""
    try:
        if key_file.resolve().is_relative_to(cache_dir.resolve()):
            return None
        key_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(descriptor, "w") as handle:
                handle.write(os.urandom(KEY_BYTES).hex())
        descriptor = os.open(key_file, os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(descriptor) as handle:
            status = os.fstat(handle.fileno())
            if not stat.S_ISREG(status.st_mode) or status.st_mode & 0o077:
                return None
            if hasattr(os, "geteuid") and status.st_uid != os.geteuid():
                return None
            text = handle.read(2 * KEY_BYTES + 1)
        secret = bytes.fromhex(text)
    except (OSError, ValueError):
        return None
    return secret if len(secret) == KEY_BYTES else None


@functools.cache  # the code a process runs does not change under it
def code_fingerprint() -> str:
    """A digest of mineralcheck's own source files (name, size, modification time), so that a
    changed checkout never reuses old verdicts; stat is enough and much cheaper than reading."""
    package = os.path.dirname(os.path.abspath(__file__))
    found: list[tuple[tuple[str, ...], os.stat_result]] = []

    def walk(directory: str, parts: tuple[str, ...]) -> None:
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.is_dir():
                    walk(entry.path, (*parts, entry.name))
                elif entry.name.endswith(".py"):
                    found.append(((*parts, entry.name), entry.stat()))

    walk(package, ())
    digest = hashlib.sha256()
    for parts, status in sorted(found, key=lambda row: row[0]):  # as paths sort, part by part
        digest.update(f"{'/'.join(parts)}|{status.st_size}|{status.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def run_key(tool_version: str, pack_fingerprint: str, as_of: str | None) -> str:
    """What every verdict of a run depends on, apart from the file's own bytes."""
    text = f"{SCHEMA}|{tool_version}|{code_fingerprint()}|{pack_fingerprint}|{as_of or ''}"
    return hashlib.sha256(text.encode()).hexdigest()


def _encode(result: ManifestResult) -> str:
    """``verdict<TAB>lines<TAB>id as JSON<TAB>facts``, a newline, then the findings as the JSON
    report writes them (a header this plain is several times quicker to read back than JSON)."""
    findings = result.findings_json
    if findings is None:
        findings = encode_findings(result.findings)
    lines = ",".join(map(str, result.lines))
    ident = json.dumps(result.manifest_id, ensure_ascii=False)  # escapes tabs and newlines
    facts = result.facts or ""  # compact JSON: no raw tab or newline
    return f"{result.verdict}\t{lines}\t{ident}\t{facts}\n{findings}"


def _optional(value: Any, kind: type) -> Any:
    if value is not None and not isinstance(value, kind):
        raise ValueError("malformed cache entry")
    return value


_SEVERITIES = {str(s): s for s in Severity}


def _decode(path: str, text: str) -> ManifestResult:
    """A result from an entry whose checksum was verified; its findings stay JSON until used."""
    header, _, findings = text.partition("\n")  # the header holds no raw newline
    verdict, lines, ident, facts = header.split("\t", 3)
    if not findings.startswith("["):
        raise ValueError("malformed cache entry")
    if ident.startswith('"') and "\\" not in ident:
        manifest_id: str | None = ident[1:-1]  # plain text: no need for the JSON decoder
    else:
        manifest_id = _optional(json.loads(ident), str)
    numbers = tuple(map(int, lines.split(","))) if lines else ()
    return ManifestResult(
        path, manifest_id, _SEVERITIES[verdict], None, numbers, findings, facts or None
    )


def _encode_info(info: RunInfo) -> str:
    controls = [
        [c.id, c.title, c.reference, c.url, c.requires, c.control_code] for c in info.controls
    ]
    return json.dumps(
        [info.tool_version, info.rule_pack_hash, list(info.rules), info.as_of, controls],
        separators=(",", ":"),
        ensure_ascii=False,
    )


def _decode_info(text: str) -> RunInfo:
    version, pack_hash, rules, as_of, controls = json.loads(text)
    return RunInfo(
        str(version),
        str(pack_hash),
        tuple(str(r) for r in rules),
        _optional(as_of, str),
        tuple(ControlInfo(*[_optional(v, str) for v in c]) for c in controls),
    )


class ResultCache:
    """Verdicts of one kind of run (tool version, rule pack, options), by file content."""

    def __init__(self, directory: Path, key: str, key_file: Path | None = None) -> None:
        self.directory = directory
        self.key = key
        self.key_file = key_file if key_file is not None else default_key_file()
        self._prefix = hashlib.sha256(key.encode() + b"\0")
        self._db: sqlite3.Connection | None = None
        self._secret: bytes | None = None
        self._broken = False
        self._pending = 0

    def _connection(self) -> sqlite3.Connection | None:
        if self._db is None and not self._broken:
            self._secret = load_secret(self.key_file, self.directory)
            if self._secret is None:
                self._broken = True  # no key we can trust: no cache
                return None
            try:
                self.directory.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.directory / "results.sqlite3", timeout=5)
                db.execute(
                    "CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, value BLOB NOT NULL)"
                )
                db.execute(
                    "CREATE TABLE IF NOT EXISTS runs (key TEXT PRIMARY KEY, value BLOB NOT NULL)"
                )
                self._db = db
            except (sqlite3.Error, OSError):
                self._broken = True  # an unusable cache is no cache
        return self._db

    def _entry_key(self, raw: bytes) -> str:
        digest = self._prefix.copy()  # the run key, hashed once
        digest.update(raw)
        return digest.hexdigest()

    def _seal(self, key: str, value: bytes) -> bytes:
        """The MAC of an entry's key and value (64 hex digits)."""
        assert self._secret is not None
        return hmac.digest(self._secret, key.encode() + b"\0" + value, "sha256").hex().encode()

    def _sealed(self, key: str, value: str) -> bytes:
        """The value as stored: its UTF-8 bytes with their MAC in front, so a forged or damaged
        entry is recognised. Bytes, not text: SQLite hands a BLOB back without decoding it,
        and the MAC is checked on the bytes as they are."""
        data = value.encode("utf-8", "surrogatepass")
        return self._seal(key, data) + data

    def _unsealed(self, key: str, stored: object) -> str | None:
        """The value of a stored entry, or ``None`` when it is not bytes (an entry of another
        version) or its MAC does not match."""
        if not isinstance(stored, bytes):
            return None
        value = stored[64:]
        if not hmac.compare_digest(stored[:64], self._seal(key, value)):
            return None
        try:
            return value.decode("utf-8", "surrogatepass")
        except UnicodeDecodeError:
            return None

    def _read(self, table: str, key: str) -> str | None:
        db = self._connection()
        if db is None:
            return None
        try:
            row = db.execute(f"SELECT value FROM {table} WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error:
            self._broken = True
            return None
        return self._unsealed(key, row[0]) if row else None

    def _write(self, table: str, key: str, value: str) -> None:
        db = self._connection()
        if db is None:
            return
        try:
            db.execute(
                f"INSERT OR REPLACE INTO {table} (key, value) VALUES (?, ?)",
                (key, self._sealed(key, value)),
            )
            self._pending += 1
            if self._pending >= 500:
                db.commit()
                self._pending = 0
        except sqlite3.Error:
            self._broken = True

    def get_many(self, entries: list[tuple[str, bytes]]) -> list[ManifestResult | None]:
        """Cached results for many files at once (one query), ``None`` where absent or bad."""
        db = self._connection()
        if db is None or not entries:
            return [None] * len(entries)
        keys = [self._entry_key(raw) for _, raw in entries]
        try:
            marks = ",".join("?" * len(keys))
            rows = dict(db.execute(f"SELECT key, value FROM results WHERE key IN ({marks})", keys))
        except sqlite3.Error:
            self._broken = True
            return [None] * len(entries)
        found: list[ManifestResult | None] = []
        append = found.append
        for (path, _), key in zip(entries, keys, strict=True):
            value = self._unsealed(key, rows.get(key))
            if value is None:  # forged or damaged: recompute
                append(None)
                continue
            try:
                append(_decode(path, value))
            except (ValueError, TypeError, KeyError, IndexError):
                append(None)
        return found

    def put(self, raw: bytes, result: ManifestResult) -> None:
        """Remember the result for these bytes."""
        self._write("results", self._entry_key(raw), _encode(result))

    def get_info(self) -> RunInfo | None:
        """The run information recorded for this kind of run, if any and well-formed."""
        text = self._read("runs", self.key)
        if text is None:
            return None
        try:
            return _decode_info(text)
        except (ValueError, TypeError):
            return None

    def put_info(self, info: RunInfo) -> None:
        """Record the run information (rules, controls) for this kind of run."""
        self._write("runs", self.key, _encode_info(info))

    def close(self) -> None:
        """Commit what was written and close the database."""
        if self._db is not None:
            try:
                self._db.commit()
                self._db.close()
            except sqlite3.Error:
                pass
            self._db = None
