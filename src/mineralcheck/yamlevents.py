"""The event reader: YAML read from libyaml's event stream, the reference reader of ``yamlread``
(which imports this module only for a text its line reader leaves to it)."""

from __future__ import annotations

from typing import Any

import yaml

from mineralcheck.yamlread import (
    _NULLS,
    _PLAIN_TAGS,
    Document,
    Limits,
    Mark,
    RawMark,
    YamlReadError,
)

try:  # the C parser is several times faster; the pure-Python one behaves the same
    from yaml import CBaseLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import BaseLoader as _Loader  # type: ignore[assignment]


def _raw(event: Any) -> RawMark:
    mark = event.start_mark
    return (mark.line, mark.column)


def _mark(event: Any) -> Mark:
    return Mark(event.start_mark.line + 1, event.start_mark.column + 1)


def read_events(text: str, limits: Limits) -> Document:
    """The document ``text`` holds, read from libyaml's events; its errors as ``YamlReadError``
    with the place libyaml gives."""
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
                        values[(id(parent[0]), parent[2])] = _raw(event)
                    else:
                        values[(id(parent[0]), len(parent[0]))] = _raw(event)
                else:
                    doc.root = _raw(event)
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
                doc.root = _raw(event)
                finished, have_root = value, True
                continue
            parent = stack[-1]
            container = parent[0]
            if not parent[1]:
                values[(id(container), len(container))] = _raw(event)
                container.append(value)
            elif parent[2] is None:
                if not isinstance(value, str):
                    raise YamlReadError("a mapping key must be plain text", _mark(event))
                if value in container:
                    raise YamlReadError(
                        f"duplicate key {value!r} in the same mapping", _mark(event)
                    )
                parent[2] = value
                keys[(id(container), value)] = _raw(event)
            else:
                values.setdefault((id(container), parent[2]), _raw(event))
                container[parent[2]] = value
                parent[2] = None
    finally:
        loader.dispose()

    doc.data = finished if have_root else None
    return doc
