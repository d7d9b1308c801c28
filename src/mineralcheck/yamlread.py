"""Read YAML without ever misreading it: plain strings, positions kept, hostile input bounded.

PyYAML's loaders resolve YAML 1.1 implicit types (``NO`` becomes ``False``, ``0710`` becomes
``456``), keep the last of two duplicate keys and, with the unsafe loaders, build objects from tags.
This module builds the data straight from the parser's event stream instead: every scalar stays
the string the author wrote (the models decide types), every value remembers its 1-based line
and column, duplicate keys and tags are errors, and size, depth and alias expansion are bounded.

Most manifests use a small part of YAML: block mappings and sequences, one-line plain or quoted
scalars and one-line flow lists. ``_build_lines`` reads that part a line at a time, several
times faster than turning libyaml's events into objects; on anything else (or anything it is
not sure of) it gives up and the event reader (``yamlevents``, which alone imports PyYAML), the
reference, reads the text. Tests hold the two to identical data and positions on every example
and on fuzzed text.
"""

from __future__ import annotations

import re
from typing import Any

from mineralcheck.discovery import MAX_BYTES
from mineralcheck.plain import field, record

Path = tuple[str | int, ...]
RawMark = tuple[int, int]  # 0-based line and column, as libyaml counts them
Values = dict[tuple[int, str | int], RawMark]  # (id of a container, key or index) -> position
Keys = dict[tuple[int, str], RawMark]  # (id of a mapping, key) -> the key's position

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_PLAIN_TAGS = frozenset(
    {None, "!", "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
)


@record(frozen=True)
class Limits:
    """Bounds that make a hostile file fail fast instead of hanging or exhausting memory."""

    max_bytes: int = MAX_BYTES
    max_depth: int = 64
    max_nodes: int = 200_000


DEFAULT_LIMITS = Limits()


@record(frozen=True)
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


@record
class Document:
    """Data read from one YAML document, with the position of every value and key.

    Positions are kept by container identity and key (not by path), which keeps reading fast;
    ``locate`` walks a path through the data to find them.
    """

    data: Any
    values: Values = field(default_factory=dict)
    keys: Keys = field(default_factory=dict)
    root: RawMark | None = None

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


def _to_mark(raw: RawMark | None) -> Mark | None:
    return None if raw is None else Mark(raw[0] + 1, raw[1] + 1)


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise YamlReadError("file is not valid UTF-8", Mark(line, column)) from None


def read_yaml(raw: bytes | str, limits: Limits = DEFAULT_LIMITS, *, lines: bool = True) -> Document:
    """Parse one YAML document into plain dicts, lists, strings and ``None``, with positions.

    ``lines=False`` skips the line reader and always reads through libyaml's events (tests
    compare the two)."""
    size = len(raw.encode("utf-8")) if isinstance(raw, str) else len(raw)
    if size > limits.max_bytes:
        raise YamlReadError(
            f"file is {size} bytes, more than the limit of {limits.max_bytes}", Mark(1, 1)
        )
    text = raw if isinstance(raw, str) else _decode(raw)
    if lines:
        document = _build_lines(text, limits)
        if document is not None:
            return document
    from mineralcheck.yamlevents import read_events  # libyaml, imported only when needed

    return read_events(text, limits)


# --- the line reader ----------------------------------------------------------------------------

# Characters libyaml does not read as printable, or reads as a line break (NEL, LS, PS) or a
# byte-order mark, with tabs and carriage returns: text with any goes to the event reader.
_NOT_PLAIN = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
_ASCII_NOT_PLAIN = bytes(c for c in range(128) if _NOT_PLAIN.match(chr(c)))  # the same, in ASCII
_KEY_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?: +(.*))?")
_DOUBLE_QUOTED = re.compile(r'"([^"\\]*)"(?: +#.*)? *')
_SINGLE_QUOTED = re.compile(r"'([^']*)'(?: +#.*)? *")
_FLOW_LIST = re.compile(r"\[([^\[\]{}#\"']*)\](?: +#.*)? *")
_FLOW_MAP = re.compile(r"\{([^\[\]{}#\"']*)\}(?: +#.*)? *")
_FLOW_PAIR = re.compile(r"( *)([A-Za-z_][A-Za-z0-9_-]*):( +)([^:]*?) *")
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
# The commonest lines, ``key: value`` and ``- key: value``; the value is read here when it is a
# plain scalar that does not start with an indicator, holds no ``": "`` or ``" #"`` and does not
# end with ``:``, or a quoted one without escapes, quotes inside or a comment after it.
_KEY_AND_VALUE = re.compile(r"( *)(- +)?([A-Za-z_][A-Za-z0-9_-]*): +([^ ].*)")


class _GiveUpError(Exception):
    """The line reader met YAML it does not read; the event reader takes over."""


def _flow_mapping(
    inner: str, line: int, offset: int, values: Values, keys: Keys
) -> tuple[dict[str, Any], int]:
    """``{key: value, ...}`` of plain keys and non-empty plain values, starting at ``offset``."""
    mapping: dict[str, Any] = {}
    if not inner.strip(" "):
        return mapping, 1
    for part in inner.split(","):
        pair = _FLOW_PAIR.fullmatch(part)
        if pair is None:
            raise _GiveUpError
        lead, key, gap, text = pair.groups()
        if key in mapping or not text or text[0] in _INDICATORS:
            raise _GiveUpError
        keys[(id(mapping), key)] = (line, offset + len(lead))
        values[(id(mapping), key)] = (line, offset + len(lead) + len(key) + 1 + len(gap))
        mapping[key] = None if text in _NULLS else text
        offset += len(part) + 1
    return mapping, 2 * len(mapping) + 1


def _inline(rest: str, line: int, column: int, values: Values, keys: Keys) -> tuple[Any, int]:
    """The value written after ``key: `` or ``- `` at ``column``, and how many values it is."""
    first = rest[0]
    if first == '"' or first == "'":
        match = (_DOUBLE_QUOTED if first == '"' else _SINGLE_QUOTED).fullmatch(rest)
        if match is None:
            raise _GiveUpError
        return match.group(1), 1
    if first == "[":
        match = _FLOW_LIST.fullmatch(rest)
        if match is None:
            raise _GiveUpError
        inner = match.group(1)
        items: list[Any] = []
        if inner.strip(" "):
            offset = column + 1
            for part in inner.split(","):
                text = part.strip(" ")
                if not text or text[0] in _INDICATORS or ":" in text:
                    raise _GiveUpError
                values[(id(items), len(items))] = (line, offset + len(part) - len(part.lstrip(" ")))
                items.append(None if text in _NULLS else text)
                offset += len(part) + 1
        return items, len(items) + 1
    if first == "{":
        match = _FLOW_MAP.fullmatch(rest)
        if match is None:
            raise _GiveUpError
        return _flow_mapping(match.group(1), line, column + 1, values, keys)
    if first in _INDICATORS:
        raise _GiveUpError
    cut = rest.find(" #")
    text = (rest if cut < 0 else rest[:cut]).rstrip(" ")
    if ": " in text or text.endswith(":"):
        raise _GiveUpError
    return (None if text in _NULLS else text), 1


def _build_lines(text: str, limits: Limits) -> Document | None:
    """Read block-style YAML a line at a time; ``None`` when the text needs the event reader.

    Reads block mappings with plain keys, block sequences indented under their key, one-line
    plain, single- and double-quoted scalars without escapes, and one-line flow lists of plain
    scalars; gives up on anything else (tabs, anchors, tags, block scalars, multi-line scalars,
    flow mappings, duplicate keys, documents markers...) rather than guess.
    """
    if "\r" in text:
        if text.count("\r") != text.count("\r\n"):
            return None
        text = text.replace("\r\n", "\n")
    if text.isascii():  # the usual case: only the control characters to look for, as bytes
        data = text.encode("ascii")
        if len(data.translate(None, _ASCII_NOT_PLAIN)) != len(data):
            return None
    elif _NOT_PLAIN.search(text) is not None:
        return None
    try:
        return _read_lines(text, limits)
    except _GiveUpError:
        return None


def _place(container: Any, slot: str | int, value: Any, mark: RawMark, values: Values) -> None:
    """Put the value of a pending key (or sequence entry) in its place, with its position."""
    if isinstance(slot, str):
        container[slot] = value
    else:
        container.append(value)
    values[(id(container), slot)] = mark


def _read_lines(text: str, limits: Limits) -> Document:
    doc = Document(data=None)
    values, keys = doc.values, doc.keys
    key_line = _KEY_LINE.fullmatch
    # a frame is (container, is_mapping, indent); containers join their parent when opened
    stack: list[tuple[Any, bool, int]] = []
    # a key or entry written without a value: (container, key or index, indent, empty-value mark)
    pending: tuple[Any, str | int, int, RawMark] | None = None
    counted = 0
    max_depth = limits.max_depth

    key_and_value = _KEY_AND_VALUE.fullmatch
    indicators = _INDICATORS
    for number, line in enumerate(text.split("\n")):
        if pending is None and stack:
            simple = key_and_value(line)
            if simple is not None:
                lead, dash, key, plain = simple.groups()
                plain = plain.rstrip(" ")
                first, value = plain[0], plain
                if first not in indicators:  # plain: read here unless it may be more
                    fast = not (": " in plain or " #" in plain or plain[-1] == ":")
                    if plain in _NULLS:
                        value = None
                elif first == '"':  # quoted, without escapes or a comment
                    fast = plain[-1] == '"' and plain.count('"') == 2 and "\\" not in plain
                    value = plain[1:-1]
                elif first == "'":
                    fast = plain[-1] == "'" and plain.count("'") == 2
                    value = plain[1:-1]
                else:
                    fast = False
                if fast and dash is None:  # ``key: value`` in the open mapping
                    container, is_mapping, level = stack[-1]
                    fast = is_mapping and level == len(lead) and key not in container
                    column = level
                elif fast:  # ``- key: value``: a new mapping in the sequence at this indent
                    indent = len(lead)
                    while stack[-1][2] > indent:  # never the root, at indent 0
                        stack.pop()
                    sequence, is_mapping, level = stack[-1]
                    fast = not is_mapping and level == indent and len(stack) < max_depth
                    if fast:
                        column = simple.start(3)
                        container = {}
                        values[(id(sequence), len(sequence))] = (number, column)
                        sequence.append(container)
                        stack.append((container, True, column))
                        counted += 1
                if fast:
                    at = (id(container), key)  # one key for both tables
                    keys[at] = (number, column)
                    values[at] = (number, simple.start(4))
                    container[key] = value
                    counted += 2
                    continue
        body = line.lstrip(" ")
        if not body or body[0] == "#":
            continue
        indent = len(line) - len(body)
        entry = body == "-" or body.startswith("- ")
        if pending is not None:
            container, slot, owner, empty = pending
            pending = None
            if indent > owner:  # the pending value is the block this line opens
                if len(stack) >= max_depth:
                    raise _GiveUpError
                opened: Any = [] if entry else {}
                if not entry and key_line(body) is None:
                    raise _GiveUpError  # a scalar on the line after its key
                _place(container, slot, opened, (number, indent), values)
                stack.append((opened, not entry, indent))
            else:
                _place(container, slot, None, empty, values)
            counted += 1
        if not stack:
            if indent or entry or doc.root is not None:
                raise _GiveUpError  # a root that is not a mapping at column 1, or a second root
            doc.data = {}
            doc.root = (number, 0)
            stack.append((doc.data, True, 0))
            counted += 1
        while stack[-1][2] > indent:
            stack.pop()
            if not stack:
                raise _GiveUpError
        container, is_mapping, level = stack[-1]
        if level != indent:
            raise _GiveUpError
        column = indent
        if not is_mapping:
            if not entry:
                raise _GiveUpError
            rest = body[1:].lstrip(" ")
            slot = len(container)
            if not rest or rest[0] == "#":
                pending = (container, slot, indent, (number, indent + 1))
                continue
            column = indent + len(body) - len(rest)
            match = key_line(rest)
            if match is None:
                value, size = _inline(rest, number, column, values, keys)
                values[(id(container), slot)] = (number, column)
                container.append(value)
                counted += size
                continue
            if len(stack) >= max_depth:
                raise _GiveUpError
            mapping: dict[str, Any] = {}
            values[(id(container), slot)] = (number, column)
            container.append(mapping)
            stack.append((mapping, True, column))
            counted += 1
            container = mapping
        elif entry:
            raise _GiveUpError
        else:
            match = key_line(body)
            if match is None:
                raise _GiveUpError
        key, rest = match.group(1), match.group(2)
        if key in container:
            raise _GiveUpError  # the event reader names the duplicate
        keys[(id(container), key)] = (number, column)
        counted += 1
        if not rest or rest[0] == "#":
            pending = (container, key, column, (number, column + len(key) + 1))
            continue
        start = column + match.start(2)  # the matched text begins at ``column``
        value, size = _inline(rest, number, start, values, keys)
        values[(id(container), key)] = (number, start)
        container[key] = value
        counted += size
        if counted > limits.max_nodes:
            raise _GiveUpError

    if pending is not None:
        container, slot, _, empty = pending
        _place(container, slot, None, empty, values)
        counted += 1
    if doc.root is None or counted > limits.max_nodes:
        raise _GiveUpError
    return doc
