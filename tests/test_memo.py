"""Remembered parses (a batch repeats the same values) give what parsing again gives: the same
value for text accepted, the same error, every time, for text refused."""

from __future__ import annotations

import os
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from mineralcheck.cli import main
from mineralcheck.manifest.model import Manifest
from mineralcheck.minerals import Vocabulary
from mineralcheck.values import parse_country, parse_date, parse_hs_code, parse_percent

PARSERS = [parse_country, parse_date, parse_hs_code, parse_percent]
TEXTS = st.sampled_from(
    ["DE", "de", "Germany", "XX", "NO", "2025-01-31", "2025-02-30", "81129290", "8112.92.90",
     "12", "99.9%", "101%", "0", " DE ", "", "abc"]
)  # fmt: skip


def outcome(parse: Any, text: str) -> tuple[str, Any]:
    try:
        return ("value", parse(text))
    except ValueError as exc:
        return ("error", str(exc))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(PARSERS), TEXTS), max_size=30))
def test_a_remembered_parse_equals_parsing_again(calls: list[tuple[Any, str]]) -> None:
    for parse, text in calls:
        assert outcome(parse, text) == outcome(parse.__wrapped__, text)


def test_refused_text_is_refused_every_time() -> None:
    for _ in range(3):
        with pytest.raises(ValueError, match="'2025-02-30' is not a real calendar date"):
            parse_date("2025-02-30")


def item(quantity: str, mineral: str = "gallium") -> dict[str, Any]:
    return {"description": "Goods", "mineral": mineral, "quantity": quantity}


def manifest(*items: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "M-1",
        "ship_date": "2025-01-01",
        "exporter": {"name": "E", "country": "CN"},
        "consignee": {"name": "C", "country": "DE"},
        "items": list(items),
    }


def test_a_remembered_quantity_is_the_same_and_a_bad_one_is_refused_with_its_field() -> None:
    first = Manifest.model_validate(manifest(item("500 kg")))
    again = Manifest.model_validate(manifest(item("500 kg"), item("2 t")))
    assert first.items[0].quantity == again.items[0].quantity
    assert str(again.items[1].quantity) == "2 t"
    for _ in range(2):
        with pytest.raises(ValidationError) as caught:
            Manifest.model_validate(manifest(item("500 kg"), item("0 kg")))
        (error,) = caught.value.errors()
        assert error["loc"] == ("items", 1, "quantity", "value")
        assert "must be greater than 0" in error["msg"]


def test_a_vocabulary_forgets_what_it_parsed_when_it_learns_a_name() -> None:
    vocabulary = Vocabulary.with_elements()
    context = {"vocabulary": vocabulary}
    with pytest.raises(ValidationError, match="unknown mineral 'ndfeb'"):
        Manifest.model_validate(manifest(item("1 kg", "ndfeb")), context=context)
    parsed = Manifest.model_validate(manifest(item("1 kg", "gallium")), context=context)
    assert parsed.items[0].mineral == ("gallium",)
    vocabulary.add("ndfeb", contains=["neodymium", "iron", "boron"])
    assert not vocabulary.parsed
    parsed = Manifest.model_validate(manifest(item("1 kg", "ndfeb")), context=context)
    assert parsed.items[0].mineral == ("ndfeb", "neodymium", "iron", "boron")


def test_the_cli_turns_pydantic_plugins_off_unless_the_user_chose(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PYDANTIC_DISABLE_PLUGINS", raising=False)
    main(["--version"])
    assert os.environ["PYDANTIC_DISABLE_PLUGINS"] == "__all__"
    monkeypatch.setenv("PYDANTIC_DISABLE_PLUGINS", "some-plugin")
    main(["--version"])
    assert os.environ["PYDANTIC_DISABLE_PLUGINS"] == "some-plugin"
