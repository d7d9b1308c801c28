"""The line reader (the fast path for block-style YAML) equals the event reader (libyaml).

Whenever the line reader returns a document, it must hold the same data, of the same types,
with the same position for every key and value, as the event reader gives for the same text;
when it cannot read the text, the event reader does (and reports the same errors it always
did). Checked on every example, every rule file, the benchmark's manifests and on fuzzed text.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES, ROOT, TESTS
from mineralcheck.yamlread import (
    DEFAULT_LIMITS,
    Document,
    Limits,
    YamlReadError,
    _build_lines,
    read_yaml,
)

SOURCES = sorted(
    p
    for folder in (EXAMPLES, ROOT / "rules", TESTS / "data")
    for p in folder.rglob("*")
    if p.suffix in (".yaml", ".yml")
)


def canonical(doc: Document) -> tuple[Any, dict[tuple[Any, ...], Any], Any]:
    """The data, the position of every key and value by path, and the root's position."""
    marks: dict[tuple[Any, ...], Any] = {}

    def walk(node: Any, path: tuple[Any, ...]) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                marks[("key", *path, key)] = doc.keys.get((id(node), key))
                marks[("value", *path, key)] = doc.values.get((id(node), key))
                walk(value, (*path, key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                marks[("value", *path, index)] = doc.values.get((id(node), index))
                walk(value, (*path, index))

    walk(doc.data, ())
    return doc.data, marks, doc.root


def outcome(text: str | bytes, lines: bool, limits: Limits = DEFAULT_LIMITS) -> Any:
    try:
        return canonical(read_yaml(text, limits, lines=lines))
    except YamlReadError as exc:
        return ("error", exc.message, exc.mark)


def assert_same(text: str | bytes, limits: Limits = DEFAULT_LIMITS) -> None:
    assert outcome(text, True, limits) == outcome(text, False, limits)


def lines_read(text: str) -> bool:
    """Whether the line reader read ``text`` itself rather than hand it on."""
    return _build_lines(text, DEFAULT_LIMITS) is not None


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_example_and_rule_file_reads_the_same(path: Path) -> None:
    assert_same(path.read_bytes())


def test_the_line_reader_reads_most_examples_and_every_benchmark_manifest() -> None:
    """Speed needs the fast path taken: it must not give up on ordinary manifests."""
    manifests = [p for p in EXAMPLES.rglob("*.yaml") if "error" not in p.parts]
    read = [p for p in manifests if lines_read(p.read_text(encoding="utf-8"))]
    assert len(read) >= 0.95 * len(manifests), sorted(set(manifests) - set(read))
    sys.path.insert(0, str(ROOT / "bench"))
    from bench import manifest_text  # type: ignore[import-not-found]

    rng = random.Random(3)
    for number, kind in enumerate(["pass", "fail", "warn"] * 5):
        text = manifest_text(number, 20, kind, rng)
        assert lines_read(text)
        assert_same(text)


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\nb:\n  - x\n  -\n  - y: 2\n    z:\n  - [p, q]\nc: {v: 1, u: ~}\n",
        "a:\n  b:\n    c: d\ne: f # comment\n# last\n",
        'a: "quoted # not a comment"\nb: \'single\'\nc: ""\nd: null\ne: ~\nf:\n',
        "a: Copper wire rod, lot 0-1\nb: http://example.com/x?y=1\nc: 99.9%\n",
        "a: 1\r\nb:\r\n  - 2\r\n",
        "a: é 𝄞\nb: [é, 𝄞, x]\n",
        # past the first line, quoted values and ``- key: value`` lines take the one-line path
        "x: 1\na: \"q: r # s\"\nb: 'y # z'\nc: \"\"\nd: ''\ne: \"1\"  \nf: 'it'  # c\n",
        'x:\n  - a: 1\n    b: "2"\n  -   c: 4\n  - d: ~\n  - e: ""\ny: z\n',
        "x:\n  - a: 1\n    b:\n      - c: d\n      - e: 'f'\n  - g: h\n    i:\n  - j: k\n",
    ],
)
def test_documents_the_line_reader_reads_are_read_the_same(text: str) -> None:
    assert lines_read(text)
    assert_same(text)


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\na: 2\n",  # duplicate key: the event reader names it
        "a: plain\n  continued\n",  # a multi-line plain scalar
        "a:\n- x\n",  # a sequence at its key's indentation
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "a: |\n  block\n",
        'a: "esc\\"aped"\n',
        "a: 'it''s'\n",
        "a: [x,\n  y]\n",
        "a: [x, y,]\n",
        "a: b: c\n",
        "a: b:\n",
        "x: 1\na: b:\n",  # past the first line, where the commonest lines are read faster
        "x: 1\na: b:  # comment\n",
        "x: 1\na: b: c\n",
        "x: 1\na: *b\n",
        "a:\tb\n",
        "a: 1\rb: 2\n",
        "a: x\u2028y\n",
        "---\na: 1\n",
        "a: 1\n---\nb: 2\n",
        "- a\n- b\n",
        "just text\n",
        "",
        "# only a comment\n",
        "  a: 1\n",
        "a: {b: [c]}\n",
        "a: {b: c: d}\n",
        "a: {b: 1, b: 2}\n",
        "a:\n    b: 1\n  c: 2\n",
        "ship date: 2025-01-01\n",
        "a: -\n",
        "a: - b\n",
        "a:\n  - - b\n",
        "a:\n  value on the next line\n",
        'x: 1\na: "esc\\"aped"\n',  # past the first line: quoted, but not on the one-line path
        "x: 1\na: 'it''s'\n",
        'x: 1\na: "new\\nline"\n',
        'x: 1\na: "a" "b"\n',
        'x: 1\na: "open\n',
        "x: 1\na: 'open\n",
        "x:\n  - a: 1\n  - a: b: c\n",  # ``- key: value`` lines that are not what they seem
        "x:\n  - a: 1\n    - b: 2\n",
        "x:\n  - a: 1\n - b: 2\n",
        "x:\n  - a\n   - b: 1\n",
        "x:\n  - a: 1\n  - a: 'it''s'\n",
        "x:\n  - a: 1\n  - a: b\n  - a: &c d\n",
    ],
)
def test_what_the_line_reader_does_not_read_goes_to_the_event_reader(text: str) -> None:
    assert not lines_read(text)
    assert_same(text)


def test_limits_hold_on_the_line_reader_too() -> None:
    deep = "".join(f"{'  ' * level}k{level}:\n" for level in range(70)) + f"{'  ' * 70}v: 1\n"
    with pytest.raises(YamlReadError, match="nesting deeper"):
        read_yaml(deep)
    many = "a: [" + ", ".join("x" for _ in range(60)) + "]\n"
    with pytest.raises(YamlReadError, match="more than 50 values"):
        read_yaml(many, Limits(max_nodes=50))
    assert_same(many, Limits(max_nodes=50))
    assert_same(many, Limits(max_nodes=62))
    # the deepest container opened by a ``- key: value`` line, at each depth around the limit
    for levels in range(28, 34):
        text = "s0:\n" + "".join(f"{' ' * (4 * n - 2)}- s{n}:\n" for n in range(1, levels + 1))
        pad = " " * (4 * levels + 2)
        assert_same(f"{text}{pad}- y\n{pad}- x: 1\n", Limits(max_depth=64))


# --- fuzzing -----------------------------------------------------------------------------------

KEYS = st.sampled_from(["id", "a", "b_c", "hs-code", "line", "k9", "x"])
PLAIN = st.sampled_from(
    [
        "x", "gallium", "99.9%", "2025-01-01", "500 kg", "a b  c", "null", "~", "yes", "0710",
        "é", "𝄞 z", "x#y", "a:b", "http://e.x/y", "lot 1-2", "[x]", "{y}", "a, b", "-1", "?x",
        "a: b", "x #y", "",
    ]
)  # fmt: skip
NOISE = st.sampled_from(
    [
        "\n", " ", "  ", "- ", "-", ": ", ":", "#", " #", "[", "]", "{", "}", ",", '"', "'", "\\",
        "&a ", "*a", "!", "|", ">", "%", "@", "\t", "\r", "\r\n", "\x85", "\u2028", "\ufeff",
        "\x00", "---", "...", "~", "é", "𝄞", "key: ", "  - ", "\n  ", "\n    ",
    ]
)  # fmt: skip


@st.composite
def scalar(draw: st.DrawFn) -> str:
    text = draw(PLAIN)
    style = draw(st.sampled_from(["plain", "plain", "double", "single"]))
    if style == "double":
        return f'"{text}"'
    if style == "single":
        return f"'{text}'"
    return text


@st.composite
def flow(draw: st.DrawFn) -> str:
    items = draw(st.lists(PLAIN, max_size=4))
    if draw(st.booleans()):
        return "[" + ",".join(" " * draw(st.integers(0, 2)) + i for i in items) + "]"
    keys = draw(st.lists(KEYS, max_size=3, unique=True))
    return "{" + ", ".join(f"{k}: {v}" for k, v in zip(keys, items, strict=False)) + "}"


def block(draw: st.DrawFn, indent: int, depth: int, mapping: bool) -> list[str]:
    out: list[str] = []
    pad = " " * indent
    names = draw(st.lists(KEYS, min_size=1, max_size=4, unique=True))  # a key once per mapping
    for name in names:
        if draw(st.integers(0, 6)) == 0:
            out.append(pad + draw(st.sampled_from(["# note", "", "   ", "#"])))
        head = pad + (f"{name}:" if mapping else "-")
        kind = draw(st.integers(0, 5 if depth < 3 else 2))
        if kind == 0:
            out.append(head)  # empty value
        elif kind == 1:
            out.append(f"{head} {draw(scalar())}" + draw(st.sampled_from(["", " # c", "  "])))
        elif kind == 2:
            out.append(f"{head} {draw(flow())}")
        elif not mapping and kind == 3:  # a compact mapping in a sequence entry
            inner = block(draw, indent + 2, depth + 1, True)
            out.append(f"{pad}- {inner[0].lstrip(' ')}")
            out += inner[1:]
        else:
            out.append(head)
            step = draw(st.sampled_from([1, 2, 2, 4]))
            out += block(draw, indent + step, depth + 1, draw(st.booleans()))
    return out


@st.composite
def document(draw: st.DrawFn) -> str:
    text = "\n".join(block(draw, 0, 0, True)) + draw(st.sampled_from(["\n", "", "\n\n"]))
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2, 3]))):
        at = draw(st.integers(0, len(text)))
        cut = draw(st.integers(0, 3))
        text = text[:at] + draw(NOISE) + text[at + cut :]
    return text


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document())
def test_fuzzed_documents_read_the_same(text: str) -> None:
    assert_same(text)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([p for p in SOURCES if p.stat().st_size < 20_000]), st.data())
def test_mutated_sources_read_the_same(path: Path, data: st.DataObject) -> None:
    text = path.read_text(encoding="utf-8")
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 4))
        text = text[:at] + data.draw(NOISE) + text[at + cut :]
    assert_same(text)
