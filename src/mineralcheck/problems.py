"""Turn read and validation failures into problems that name a field and a file position."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from pydantic import ValidationError

    from mineralcheck.yamlread import Document, Mark, Path


class Problem(NamedTuple):
    """Something wrong with an input file: a message, the field path and where it is."""

    code: str
    message: str
    field: str | None
    mark: Mark | None


def field_path(path: Sequence[str | int]) -> str | None:
    """``('items', 0, 'quantity')`` as ``items[0].quantity``; ``None`` for the whole document."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or None


def _data_path(data: Any, loc: Iterable[str | int]) -> Path:
    """The part of a Pydantic location that exists in the data (drops validator labels)."""
    path: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str):
            path.append(part)  # a missing or unknown key: keep it, it names the field
            break
        else:
            continue
        path.append(part)
    return tuple(path)


def _describe(error: Any) -> tuple[str, str]:
    kind = error["type"]
    loc = error["loc"]
    last = loc[-1] if loc else None
    if kind == "extra_forbidden":
        return "unknown-key", f"unknown key {last!r}"
    if kind == "missing":
        return "missing-key", f"missing required key {last!r}"
    message = str(error["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            message = message[len(prefix) :]
    if kind in ("literal_error", "enum"):
        message = f"{error['input']!r} is not allowed: {message[0].lower()}{message[1:]}"
    return "invalid-value", message


def from_validation_error(exc: ValidationError, document: Document) -> list[Problem]:
    """One located problem per Pydantic error, in file order."""
    problems = []
    for error in exc.errors(include_url=False):
        code, message = _describe(error)
        path = _data_path(document.data, error["loc"])
        if code == "unknown-key":
            mark = document.locate_key(path)
        elif code == "missing-key":
            mark = document.locate(path[:-1])
        else:
            mark = document.locate(path)
        problems.append(Problem(code, message, field_path(path), mark))
    problems.sort(key=lambda p: (p.mark.line, p.mark.column) if p.mark else (0, 0))
    return problems
