"""Read YAML without ever misreading it: plain strings, positions kept, hostile input bounded.

PyYAML's loaders resolve YAML 1.1 implicit types (``NO`` becomes ``False``, ``0710`` becomes
``456``), keep the last of two duplicate keys and, with the unsafe loaders, build objects from tags.
This module builds the data straight from the parser's event stream instead: every scalar stays
the string the author wrote (the models decide types), every value remembers its 1-based line
and column, duplicate keys and tags are errors, and size, depth and alias expansion are bounded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

try:  # the C parser is several times faster; the pure-Python one behaves the same
    from yaml import CBaseLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import BaseLoader as _Loader  # type: ignore[assignment]

Path = tuple[str | int, ...]

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_PLAIN_TAGS = frozenset(
    {None, "!", "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
)


@dataclass(frozen=True)
class Limits:
    """Bounds that make a hostile file fail fast instead of hanging or exhausting memory."""

    max_bytes: int = 4 * 1024 * 1024
    max_depth: int = 64
    max_nodes: int = 200_000


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class Mark:
    """A 1-based line and column in a file."""

    line: int
    column: int


class YamlReadError(Exception):
    """The text is not YAML this reader accepts; carries the 1-based position of the problem."""

    def __init__(self, message: str, mark: Mark | None) -> None:
        super().__init__(message)
        self.message = message
        self.mark = mark


@dataclass
class Document:
    """Data read from one YAML document, with the position of every value and key."""

    data: Any
    marks: dict[Path, Mark] = field(default_factory=dict)
    key_marks: dict[Path, Mark] = field(default_factory=dict)

    def locate(self, path: Path) -> Mark | None:
        """The position of the value at ``path``, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            mark = self.marks.get(path[:end])
            if mark is not None:
                return mark
        return None

    def locate_key(self, path: Path) -> Mark | None:
        """The position of the key that holds ``path``, falling back to its value's position."""
        return self.key_marks.get(path) or self.locate(path)


def _mark(event: Any) -> Mark:
    return Mark(event.start_mark.line + 1, event.start_mark.column + 1)


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise YamlReadError("file is not valid UTF-8", Mark(line, column)) from None


class _Frame:
    __slots__ = ("anchor", "container", "is_map", "key", "key_mark", "mark", "nodes", "path")

    def __init__(
        self, container: Any, path: Path, mark: Mark, is_map: bool, anchor: str | None
    ) -> None:
        self.anchor = anchor
        self.container = container
        self.path = path
        self.mark = mark
        self.is_map = is_map
        self.key: str | None = None
        self.key_mark: Mark | None = None
        self.nodes = 1


def read_yaml(raw: bytes | str, limits: Limits = DEFAULT_LIMITS) -> Document:
    """Parse one YAML document into plain dicts, lists, strings and ``None``, with positions."""
    size = len(raw.encode("utf-8")) if isinstance(raw, str) else len(raw)
    if size > limits.max_bytes:
        raise YamlReadError(
            f"file is {size} bytes, more than the limit of {limits.max_bytes}", Mark(1, 1)
        )
    text = raw if isinstance(raw, str) else _decode(raw)
    try:
        return _build(text, limits)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Mark(mark.line + 1, mark.column + 1) if mark is not None else None
        problem = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        raise YamlReadError(f"not valid YAML: {problem}", where) from None
    except yaml.reader.ReaderError as exc:
        before = text[: exc.position]
        where = Mark(before.count("\n") + 1, exc.position - (before.rfind("\n") + 1) + 1)
        raise YamlReadError(
            f"not valid YAML: character {exc.character!r} is not allowed in YAML", where
        ) from None
    except yaml.YAMLError as exc:
        raise YamlReadError(f"not valid YAML: {exc}", Mark(1, 1)) from None


def _build(text: str, limits: Limits) -> Document:
    doc = Document(data=None)
    marks = doc.marks
    key_marks = doc.key_marks
    anchors: dict[str, tuple[Any, int]] = {}
    stack: list[_Frame] = []
    documents = 0
    total_nodes = 0
    finished: Any = None
    have_root = False

    loader = _Loader(text)
    try:
        while True:
            event: Any = loader.get_event()
            if event is None:
                break
            kind = type(event)
            value: Any
            nodes: int
            if kind is yaml.ScalarEvent:
                if event.tag not in _PLAIN_TAGS:
                    raise YamlReadError(
                        f"tag {event.tag!r} is not allowed: values are plain text", _mark(event)
                    )
                plain = not event.style and event.tag is None
                value = None if plain and event.value in _NULLS else event.value
                nodes = 1
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                if event.tag not in _PLAIN_TAGS:
                    raise YamlReadError(
                        f"tag {event.tag!r} is not allowed: values are plain text", _mark(event)
                    )
                if len(stack) >= limits.max_depth:
                    raise YamlReadError(
                        f"nesting deeper than {limits.max_depth} levels", _mark(event)
                    )
                is_map = kind is yaml.MappingStartEvent
                path = _child_path(stack, event)
                frame = _Frame({} if is_map else [], path, _mark(event), is_map, event.anchor)
                marks[path] = frame.mark
                stack.append(frame)
                continue
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                frame = stack.pop()
                value = frame.container
                nodes = frame.nodes
                if frame.anchor is not None:
                    anchors[frame.anchor] = (value, nodes)
                _attach(stack, value, nodes, frame.mark, marks, key_marks)
                if not stack:
                    finished, have_root = value, True
                continue
            elif kind is yaml.AliasEvent:
                if event.anchor not in anchors:
                    raise YamlReadError(f"alias *{event.anchor} refers to no anchor", _mark(event))
                value, nodes = anchors[event.anchor]
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise YamlReadError(
                        "a file holds one manifest; found a second YAML document", _mark(event)
                    )
                continue
            else:
                continue

            total_nodes += nodes
            if total_nodes > limits.max_nodes:
                raise YamlReadError(
                    f"more than {limits.max_nodes} values (alias expansion is bounded)",
                    _mark(event),
                )
            if kind is yaml.ScalarEvent and event.anchor is not None:
                anchors[event.anchor] = (value, 1)
            mark = _mark(event)
            if not stack:
                marks[()] = mark
                finished, have_root = value, True
                continue
            _attach(stack, value, nodes, mark, marks, key_marks)
    finally:
        loader.dispose()

    doc.data = finished if have_root else None
    return doc


def _child_path(stack: list[_Frame], event: Any) -> Path:
    if not stack:
        return ()
    parent = stack[-1]
    if parent.is_map:
        if parent.key is None:
            raise YamlReadError("a mapping key must be plain text, not a collection", _mark(event))
        return (*parent.path, parent.key)
    return (*parent.path, len(parent.container))


def _attach(
    stack: list[_Frame],
    value: Any,
    nodes: int,
    mark: Mark,
    marks: dict[Path, Mark],
    key_marks: dict[Path, Mark],
) -> None:
    if not stack:
        return
    parent = stack[-1]
    parent.nodes += nodes
    if not parent.is_map:
        path = (*parent.path, len(parent.container))
        parent.container.append(value)
        marks.setdefault(path, mark)
        return
    if parent.key is None:
        if not isinstance(value, str):
            raise YamlReadError("a mapping key must be plain text", mark)
        if value in parent.container:
            raise YamlReadError(f"duplicate key {value!r} in the same mapping", mark)
        parent.key = value
        parent.key_mark = mark
        return
    path = (*parent.path, parent.key)
    parent.container[parent.key] = value
    marks.setdefault(path, mark)
    if parent.key_mark is not None:
        key_marks[path] = parent.key_mark
    parent.key = None
    parent.key_mark = None
