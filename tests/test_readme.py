"""The README is the user's manual: its examples must run and its claims must hold."""

from __future__ import annotations

import json
import re
import shlex
from typing import Any

import jsonschema
import pytest

from conftest import ROOT
from mineralcheck.manifest.reader import read_manifest
from mineralcheck.minerals import Vocabulary
from mineralcheck.pipeline import Checker, Options
from mineralcheck.results import Severity
from mineralcheck.ruleset.model import RuleFile
from mineralcheck.schemas import schema
from mineralcheck.yamlread import read_yaml

README = (ROOT / "README.md").read_text(encoding="utf-8")


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.DOTALL)


def test_the_two_commands_are_there() -> None:
    commands = blocks("sh")
    assert any("pip install . && mineralcheck verify examples/" in c for c in commands)
    assert any("pip install '.[test]' && python -m pytest" in c for c in commands)


def test_manifest_example_is_a_valid_manifest_that_passes() -> None:
    text = next(b for b in blocks("yaml") if b.startswith("id: "))
    result = Checker(Options()).check_bytes("readme.yaml", text.encode())
    assert result.verdict is Severity.PASS, result.findings
    assert read_manifest(text.encode(), Vocabulary.with_elements()).manifest is not None


def test_rule_format_example_is_a_valid_rule_file() -> None:
    text = next(b for b in blocks("yaml") if b.startswith("schema_version: 1"))
    rule = RuleFile.model_validate(read_yaml(text).data)
    assert rule.controls[0].id == "samarium"


def test_json_report_example_meets_the_schema() -> None:
    (text,) = [b for b in blocks("json") if '"schema_version"' in b]
    jsonschema.Draft202012Validator(schema("report")).validate(json.loads(text))


def test_the_record_example_has_every_field_of_a_record_line() -> None:
    from mineralcheck.records.audit import FIELDS

    (text,) = [b for b in blocks("json") if '"record":1' in b]
    assert tuple(json.loads(text)) == FIELDS


@pytest.mark.parametrize("index", range(len(blocks("console"))))
def test_console_examples_print_what_the_tool_prints(
    cli: Any, monkeypatch: pytest.MonkeyPatch, index: int
) -> None:
    console = blocks("console")[index]
    lines = console.splitlines()
    command = shlex.split(lines[0].removeprefix("$ "))
    assert command[0] == "mineralcheck"
    monkeypatch.chdir(ROOT)
    run = cli(command[1:])
    printed = run.out.splitlines() + run.err.splitlines()
    end = lines.index("$ echo $?") if "$ echo $?" in lines else len(lines)
    assert printed == lines[1:end]
    if end < len(lines):
        assert str(run.code) == lines[end + 1]
    else:
        assert run.code == 0


def test_every_verify_option_in_the_readme_exists(
    cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # wide enough that no option name is cut
    help_text = cli(["verify", "--help"]).out
    section = README.split("### `mineralcheck verify")[1].split("###")[0]
    options = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]+)", section))
    assert options, "no options found in the README"
    for option in options:
        assert option in help_text, option


def test_configuration_example_is_a_valid_configuration() -> None:
    import tomllib

    from mineralcheck.config_file import ConfigFile

    (text,) = blocks("toml")
    parsed = ConfigFile.model_validate(tomllib.loads(text))
    assert parsed.paths == ["manifests"] and parsed.outputs == ["sarif:mineralcheck.sarif"]


def test_every_yaml_block_is_yaml() -> None:
    import yaml

    for block in blocks("yaml"):
        assert yaml.safe_load(block) is not None
