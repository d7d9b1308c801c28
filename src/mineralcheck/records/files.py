"""Reading the records' YAML files (registers, reviews) with the manifests' safe reader."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

from mineralcheck.plain import record
from mineralcheck.problems import Problem, from_validation_error
from mineralcheck.yamlread import Document, YamlReadError, read_yaml

if TYPE_CHECKING:
    from pydantic import BaseModel

M = TypeVar("M", bound="BaseModel")
T = TypeVar("T")


@record(frozen=True)
class Parsed(Generic[M]):
    """One file read and validated: its name, bytes, document (for positions) and model."""

    name: str
    raw: bytes
    document: Document
    model: M


Read = tuple[str, "bytes | Problem"]  # a file's name, and its bytes or why it was not read


def read_raw(paths: Iterable[Path]) -> list[Read]:
    """Every YAML file under ``paths``, in order: its bytes, or the problem of reading it."""
    from mineralcheck.discovery import Unreadable, discover, read_file

    found: list[Read] = []
    for path in discover([str(p) for p in paths], include=("*.yaml", "*.yml")):
        name = path.path if isinstance(path, Unreadable) else path
        raw = read_file(path) if isinstance(path, str) else path
        if isinstance(raw, Unreadable):
            found.append((name, Problem("unreadable", raw.reason, None, None)))
        else:
            found.append((name, raw))
    return found


def validate_all(
    files: list[Read], model: type[M]
) -> tuple[list[Parsed[M]], list[tuple[str, Problem]]]:
    """The files read validated as ``model``, and the problems of the rest, in order (each named
    by file, 1-based line and column, and field)."""
    from pydantic import ValidationError

    parsed: list[Parsed[M]] = []
    problems: list[tuple[str, Problem]] = []
    for name, raw in files:
        if isinstance(raw, Problem):
            problems.append((name, raw))
            continue
        try:
            document = read_yaml(raw)
        except YamlReadError as exc:
            problems.append((name, Problem("yaml", exc.message, None, exc.mark)))
            continue
        try:
            parsed.append(Parsed(name, raw, document, model.model_validate(document.data)))
        except ValidationError as exc:
            problems.extend((name, p) for p in from_validation_error(exc, document, model))
    return parsed, problems


def read_all(
    paths: Iterable[Path], model: type[M]
) -> tuple[list[Parsed[M]], list[tuple[str, Problem]]]:
    """Every YAML file under ``paths`` validated as ``model``, and the problems of the rest."""
    return validate_all(read_raw(paths), model)


def read_kept(
    paths: Iterable[Path],
    kind: str,
    cache_dir: Path | None,
    validate: Callable[[list[Path], list[Read]], T],
    kept: Callable[[object], bool],
) -> tuple[T, str]:
    """What ``validate`` makes of the files read under ``paths`` (it raises on any problem), and a
    digest of their names and bytes. With a ``cache_dir``, what it made is kept in a sealed
    entry (``packcache``) keyed by that digest and this code, and read back instead while the
    files are the same and the entry is one that ``kept`` recognises; a file that cannot be read
    always goes to ``validate``, which says so."""
    from mineralcheck import packcache

    paths = list(paths)
    files = read_raw(paths)
    digest = hashlib.sha256()
    for name, raw in files:
        if isinstance(raw, bytes):
            digest.update(name.encode("utf-8", "surrogateescape") + b"\0" + raw + b"\0")
    key = digest.hexdigest()
    entry = packcache.entry_name(key, None, kind=kind)
    if cache_dir is not None and all(isinstance(raw, bytes) for _, raw in files):
        value = packcache.load_entry(cache_dir, entry)
        if kept(value):
            return value, key  # type: ignore[return-value]
    made = validate(paths, files)
    if cache_dir is not None:
        packcache.store_entry(cache_dir, entry, made)
    return made, key
