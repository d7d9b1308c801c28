"""The YAML reader never misreads: text stays text, positions are kept, hostile input fails."""

from __future__ import annotations

import pytest

from mineralcheck.yamlread import Limits, Mark, YamlReadError, read_yaml


def test_yaml11_implicit_types_stay_text() -> None:
    doc = read_yaml("a: NO\nb: 0710\nc: yes\nd: on\ne: 1_000\nf: 1e3\ng: 0x1F\nh: 2025-06-11\n")
    assert doc.data == {
        "a": "NO",
        "b": "0710",
        "c": "yes",
        "d": "on",
        "e": "1_000",
        "f": "1e3",
        "g": "0x1F",
        "h": "2025-06-11",
    }


def test_plain_null_is_none_but_quoted_null_is_text() -> None:
    assert read_yaml('a: ~\nb: null\nc:\nd: "null"\ne: ""\n').data == {
        "a": None,
        "b": None,
        "c": None,
        "d": "null",
        "e": "",
    }


def test_positions_are_one_based_for_values_and_keys() -> None:
    doc = read_yaml("id: X\nitems:\n  - line: 1\n    quantity: 5 kg\n")
    assert doc.locate(("id",)) == Mark(1, 5)
    assert doc.locate(("items", 0)) == Mark(3, 5)
    assert doc.locate(("items", 0, "quantity")) == Mark(4, 15)
    assert doc.locate_key(("items", 0, "quantity")) == Mark(4, 5)
    assert doc.locate(()) == Mark(1, 1)


def test_locate_falls_back_to_the_nearest_ancestor() -> None:
    doc = read_yaml("items:\n  - a: 1\n")
    assert doc.locate(("items", 0, "missing", 3)) == Mark(2, 5)


def test_duplicate_key_is_an_error_at_the_second_key() -> None:
    with pytest.raises(YamlReadError) as caught:
        read_yaml("id: A\nship_date: 2025-01-01\nid: B\n")
    assert "duplicate key 'id'" in caught.value.message
    assert caught.value.mark == Mark(3, 1)


def test_duplicate_key_in_a_nested_flow_mapping() -> None:
    with pytest.raises(YamlReadError) as caught:
        read_yaml("items:\n  - {a: 1, a: 2}\n")
    assert caught.value.mark == Mark(2, 12)


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object/apply:os.system ['echo hi']\n",
        "a: !!python/name:os.system\n",
        "a: !!int 5\n",
        "a: !custom x\n",
        "a: !!set {x, y}\n",
        "a: !!binary aGk=\n",
    ],
)
def test_tags_are_errors(text: str) -> None:
    with pytest.raises(YamlReadError, match="not allowed"):
        read_yaml(text)


def test_an_explicit_str_tag_is_harmless() -> None:
    assert read_yaml("a: !!str 0710\n").data == {"a": "0710"}


def test_billion_laughs_is_stopped_by_the_expansion_bound() -> None:
    # ten levels of ten aliases would expand to 10**10 values; the reader stops counting at the
    # bound (a deterministic limit, so no timing is needed to prove it cannot hang)
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 10):
        refs = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{refs}]")
    with pytest.raises(YamlReadError, match="alias expansion is bounded") as caught:
        read_yaml("\n".join(lines) + "\n", Limits(max_nodes=5_000))
    assert caught.value.mark is not None and caught.value.mark.line <= 5
    with pytest.raises(YamlReadError, match="alias expansion is bounded") as caught:
        read_yaml("\n".join(lines) + "\n")  # the default bound, 200,000 values
    assert caught.value.mark is not None and caught.value.mark.line <= 7


def test_deep_nesting_is_an_error() -> None:
    with pytest.raises(YamlReadError, match="nesting deeper than 64"):
        read_yaml("[" * 100 + "]" * 100)


def test_very_deep_nesting_is_an_error_not_a_crash() -> None:
    with pytest.raises(YamlReadError):
        read_yaml("[" * 100_000 + "]" * 100_000)


def test_oversized_file_is_an_error() -> None:
    with pytest.raises(YamlReadError, match="more than the limit"):
        read_yaml(b"a: " + b"x" * 200, Limits(max_bytes=100))


def test_recursive_alias_is_an_error() -> None:
    with pytest.raises(YamlReadError):
        read_yaml("a: &a [*a]\n")


def test_second_document_is_an_error() -> None:
    with pytest.raises(YamlReadError, match="second YAML document") as caught:
        read_yaml("a: 1\n---\nb: 2\n")
    assert caught.value.mark == Mark(2, 1)


def test_invalid_utf8_names_the_position() -> None:
    with pytest.raises(YamlReadError, match="UTF-8") as caught:
        read_yaml(b"a: 1\nb: caf\xe9\n")
    assert caught.value.mark == Mark(2, 7)


def test_syntax_error_names_the_position() -> None:
    with pytest.raises(YamlReadError, match="not valid YAML") as caught:
        read_yaml("a: [1, 2\nb: 3\n")
    assert caught.value.mark is not None and caught.value.mark.line == 2


def test_json_is_read_as_yaml_with_positions() -> None:
    doc = read_yaml('{\n  "id": "X",\n  "hs": 710\n}\n')
    assert doc.data == {"id": "X", "hs": "710"}
    assert doc.locate(("hs",)) == Mark(3, 9)


def test_complex_keys_are_errors() -> None:
    with pytest.raises(YamlReadError, match="mapping key"):
        read_yaml("? [a, b]\n: c\n")


def test_aliases_within_bounds_are_expanded() -> None:
    assert read_yaml("a: &x [1, 2]\nb: *x\n").data == {"a": ["1", "2"], "b": ["1", "2"]}


def test_control_character_is_an_error_with_its_position() -> None:
    with pytest.raises(YamlReadError, match="not allowed in YAML") as caught:
        read_yaml("a: 1\nb: x\x1fy\n")
    assert caught.value.mark == Mark(2, 5)
