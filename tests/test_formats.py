"""Every output format, snapshot-tested from one shared set of results."""

from __future__ import annotations

import json

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from syrupy.assertion import SnapshotAssertion

from conftest import TEST_RULES, manifest, permit
from mineralcheck.formats import FORMATS, Style, get
from mineralcheck.pipeline import Checker, Options
from mineralcheck.results import Report, RunInfo
from mineralcheck.schemas import schema

SHARED = {
    "manifests/pass.yaml": manifest(permits=permit()),
    "manifests/warn.yaml": manifest(
        items="  - description: Sb2O3\n    mineral: antimony\n    form: oxide\n    quantity: 5 kg\n"
    ),
    "manifests/fail.yaml": manifest(
        items="  - description: Gallium [lot 7]\n    mineral: gallium\n    quantity: 10 kg\n",
        permits=permit(destination="FR"),
    ),
    "manifests/error.yaml": "id: E-1\nship_date: 2025-02-30\nexporter: {name: X, country: CN}\n",
}


@pytest.fixture(scope="module")
def shared_report() -> Report:
    checker = Checker(Options(rule_paths=(TEST_RULES,), bundled=False))
    results = tuple(checker.check_bytes(path, text.encode()) for path, text in SHARED.items())
    info = checker.info()
    # pin what changes with releases and rule edits, so snapshots change only with the formats
    return Report(RunInfo("0.1.0", "0" * 64, info.rules, None, info.controls), results)


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_registered_format_renders(name: str, shared_report: Report) -> None:
    text = get(name).render(shared_report, Style())
    for result in shared_report.results:
        if result.verdict != "pass" or name != "sarif":  # SARIF lists problems only
            assert result.path in text


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_format_snapshot(name: str, shared_report: Report, snapshot: SnapshotAssertion) -> None:
    assert get(name).render(shared_report, Style()) == snapshot


def test_table_on_a_terminal_snapshot(shared_report: Report, snapshot: SnapshotAssertion) -> None:
    assert get("table").render(shared_report, Style(terminal=True, width=110)) == snapshot


def test_json_report_meets_the_published_schema(shared_report: Report) -> None:
    data = json.loads(get("json").render(shared_report, Style()))
    jsonschema.Draft202012Validator(schema("report")).validate(data)
    assert [r["verdict"] for r in data["results"]] == ["pass", "warn", "fail", "error"]
    assert data["summary"] == {"manifests": 4, "pass": 1, "warn": 1, "fail": 1, "error": 1}


def test_rich_markup_in_messages_is_shown_literally(shared_report: Report) -> None:
    text = get("table").render(shared_report, Style(terminal=True, width=200))
    assert "Gallium [lot 7] to DE" in " ".join(text.split())


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.none(), st.text()))
def test_json_strings_are_written_as_the_encoder_writes_them(value: str | None) -> None:
    from mineralcheck.formats.json import _string

    assert _string(value) == json.dumps(value, ensure_ascii=False)


def test_a_wide_terminal_gets_the_table(shared_report: Report, snapshot: SnapshotAssertion) -> None:
    assert get("table").render(shared_report, Style(terminal=True, width=140)) == snapshot
