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

from mineralcheck.discovery import MAX_BYTES

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

    max_bytes: int = MAX_BYTES
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
    """Data read from one YAML document, with the position of every value and key.

    Positions are kept by container identity and key (not by path), which keeps reading fast;
    ``locate`` walks a path through the data to find them.
    """

    data: Any
    values: dict[tuple[int, str | int], Any] = field(default_factory=dict)
    keys: dict[tuple[int, str], Any] = field(default_factory=dict)
    root: Any = None

    def _walk(self, path: Path, table: dict[Any, Any] | None) -> Any:
        node, found = self.data, self.root
        for position, part in enumerate(path):
            if isinstance(node, dict) and part in node:
                pass
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                pass
            else:
                break
            last = position == len(path) - 1
            if table is not None and last:
                key_mark = table.get((id(node), part))
                if key_mark is not None:
                    return key_mark
            found = self.values.get((id(node), part), found)
            node = node[part]
        return found

    def locate(self, path: Path) -> Mark | None:
        """The position of the value at ``path``, or of its nearest ancestor that has one."""
        return _to_mark(self._walk(path, None))

    def locate_key(self, path: Path) -> Mark | None:
        """The position of the key that holds ``path``, falling back to its value's position."""
        return _to_mark(self._walk(path, self.keys))


def _to_mark(raw: Any) -> Mark | None:
    return None if raw is None else Mark(raw.line + 1, raw.column + 1)


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


_SCALAR = yaml.ScalarEvent
_MAPPING_START = yaml.MappingStartEvent
_SEQUENCE_START = yaml.SequenceStartEvent
_MAPPING_END = yaml.MappingEndEvent
_SEQUENCE_END = yaml.SequenceEndEvent
_ALIAS = yaml.AliasEvent
_DOCUMENT_START = yaml.DocumentStartEvent


def _build(text: str, limits: Limits) -> Document:
    """Build the data from the parser's events in one pass, without recursion.

    A frame is ``[container, is_mapping, pending_key, pending_key_mark, anchor, counted]``;
    ``counted`` is the number of values built when the frame opened, so that the size of an
    anchored collection (its aliases expanded) is known when it closes, for bounding alias
    expansion.
    """
    doc = Document(data=None)
    values = doc.values
    keys = doc.keys
    anchors: dict[str, tuple[Any, int]] = {}
    stack: list[list[Any]] = []
    documents = 0
    counted = 0  # values built, aliases counted at their full size
    max_nodes = limits.max_nodes
    max_depth = limits.max_depth
    have_root = False
    finished: Any = None

    loader = _Loader(text)
    try:
        while True:
            event: Any = loader.get_event()
            if event is None:
                break
            kind = event.__class__
            if kind is _SCALAR:
                if event.tag not in _PLAIN_TAGS:
                    raise YamlReadError(
                        f"tag {event.tag!r} is not allowed: values are plain text", _mark(event)
                    )
                value: Any = event.value
                if not event.style and event.tag is None and value in _NULLS:
                    value = None
                size = 1
                if event.anchor is not None:
                    anchors[event.anchor] = (value, 1)
            elif kind is _MAPPING_START or kind is _SEQUENCE_START:
                if event.tag not in _PLAIN_TAGS:
                    raise YamlReadError(
                        f"tag {event.tag!r} is not allowed: values are plain text", _mark(event)
                    )
                if len(stack) >= max_depth:
                    raise YamlReadError(f"nesting deeper than {max_depth} levels", _mark(event))
                is_map = kind is _MAPPING_START
                container: Any = {} if is_map else []
                if stack:
                    parent = stack[-1]
                    if parent[1]:
                        if parent[2] is None:
                            raise YamlReadError(
                                "a mapping key must be plain text, not a collection", _mark(event)
                            )
                        values[(id(parent[0]), parent[2])] = event.start_mark
                    else:
                        values[(id(parent[0]), len(parent[0]))] = event.start_mark
                else:
                    doc.root = event.start_mark
                counted += 1
                stack.append([container, is_map, None, None, event.anchor, counted])
                if counted > max_nodes:
                    raise YamlReadError(
                        f"more than {max_nodes} values (alias expansion is bounded)", _mark(event)
                    )
                continue
            elif kind is _MAPPING_END or kind is _SEQUENCE_END:
                frame = stack.pop()
                value = frame[0]
                if frame[4] is not None:  # its size counts what its aliases expanded to
                    anchors[frame[4]] = (value, counted - frame[5] + 1)
                if not stack:
                    finished, have_root = value, True
                    continue
                parent = stack[-1]
                if parent[1]:
                    parent[0][parent[2]] = value
                    parent[2] = None
                else:
                    parent[0].append(value)
                continue
            elif kind is _ALIAS:
                if event.anchor not in anchors:
                    raise YamlReadError(f"alias *{event.anchor} refers to no anchor", _mark(event))
                value, size = anchors[event.anchor]
            elif kind is _DOCUMENT_START:
                documents += 1
                if documents > 1:
                    raise YamlReadError(
                        "a file holds one manifest; found a second YAML document", _mark(event)
                    )
                continue
            else:
                continue

            counted += size
            if counted > max_nodes:
                raise YamlReadError(
                    f"more than {max_nodes} values (alias expansion is bounded)", _mark(event)
                )
            if not stack:
                doc.root = event.start_mark
                finished, have_root = value, True
                continue
            parent = stack[-1]
            container = parent[0]
            if not parent[1]:
                values[(id(container), len(container))] = event.start_mark
                container.append(value)
            elif parent[2] is None:
                if not isinstance(value, str):
                    raise YamlReadError("a mapping key must be plain text", _mark(event))
                if value in container:
                    raise YamlReadError(
                        f"duplicate key {value!r} in the same mapping", _mark(event)
                    )
                parent[2] = value
                keys[(id(container), value)] = event.start_mark
            else:
                values.setdefault((id(container), parent[2]), event.start_mark)
                container[parent[2]] = value
                parent[2] = None
    finally:
        loader.dispose()

    doc.data = finished if have_root else None
    return doc
