"""Turn read and validation failures into problems that name a field and a file position."""

from __future__ import annotations

import re
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


_LEGAL_FORM = re.compile(r"(?i)(ltd|inc|llc|co|corp|gmbh|s\.?a|plc|kg|ag)\.?")


def _fields_at(model: type[Any] | None, loc: Sequence[str | int]) -> list[str]:
    """The keys a model allows at a location (``[]`` when it cannot be told)."""
    import typing

    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if fields is None or part not in fields:
            return []
        current = fields[part].annotation
        for _ in range(4):  # unwrap Optional[...], tuple[...], list[...], Annotated[...]
            args = [a for a in typing.get_args(current) if isinstance(a, type)]
            models = [a for a in args if hasattr(a, "model_fields")]
            if models:
                current = models[0]
                break
            inner = [a for a in typing.get_args(current) if a is not type(None)]
            if not inner:
                break
            current = inner[0]
    fields = getattr(current, "model_fields", None) or {}
    return [info.alias or name for name, info in fields.items()]


def _describe(error: Any, model: type[Any] | None = None) -> tuple[str, str]:
    kind = error["type"]
    loc = error["loc"]
    last = loc[-1] if loc else None
    if kind == "extra_forbidden":
        message = f"unknown key {last!r}"
        if isinstance(last, str) and _LEGAL_FORM.fullmatch(last.strip()):
            message += (
                "; a comma inside a flow mapping ({name: Example Co., Ltd.}) splits the value: "
                "quote the name"
            )
        elif isinstance(last, str):
            import difflib

            close = difflib.get_close_matches(last, _fields_at(model, loc[:-1]), n=1, cutoff=0.6)
            if close:
                message += f"; did you mean {close[0]!r}?"
        return "unknown-key", message
    if kind == "missing":
        return "missing-key", f"missing required key {last!r}"
    message = str(error["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            message = message[len(prefix) :]
    if kind in ("literal_error", "enum"):
        message = f"{error['input']!r} is not allowed: {message[0].lower()}{message[1:]}"
    return "invalid-value", message


def from_validation_error(
    exc: ValidationError, document: Document, model: type[Any] | None = None
) -> list[Problem]:
    """One located problem per Pydantic error, in file order (with the model, an unknown key
    gets the closest key it allows)."""
    problems = []
    for error in exc.errors(include_url=False):
        code, message = _describe(error, model)
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
