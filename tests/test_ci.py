"""CI integration: SARIF, JUnit, GitHub annotations, several outputs, configuration, init."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from junitparser import Error, Failure, JUnitXml

from conftest import TEST_RULES, TESTS, manifest, permit
from mineralcheck.formats.github import command, escape_data, escape_property
from mineralcheck.results import Finding, Severity

SARIF_SCHEMA = json.loads((TESTS / "data" / "sarif-schema-2.1.0.json").read_text("utf-8"))
TEST_ONLY = ["--no-bundled-rules", "--rules", str(TEST_RULES)]
CORPUS = {
    "pass.yaml": manifest(permits=permit()),
    "warn.yaml": manifest(
        items="  - description: Sb2O3\n    mineral: antimony\n    form: oxide\n    quantity: 5 kg\n"
    ),
    "fail.yaml": manifest(),
    "error.yaml": "id: E-1\nship_date: 2025-02-30\n",
}


@pytest.fixture
def corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory with manifests/ holding a pass, warn, fail and error manifest."""
    for name, text in CORPUS.items():
        (tmp_path / "manifests").mkdir(exist_ok=True)
        (tmp_path / "manifests" / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    return tmp_path


def test_sarif_meets_the_schema_and_github_rules(cli: Any, corpus: Path) -> None:
    run = cli(["verify", "manifests", "--output", "sarif:out.sarif", *TEST_ONLY])
    assert run.code == 2
    log = json.loads((corpus / "out.sarif").read_text("utf-8"))
    jsonschema.validators.validator_for(SARIF_SCHEMA)(SARIF_SCHEMA).validate(log)
    (sarif_run,) = log["runs"]
    rules = {rule["id"]: rule for rule in sarif_run["tool"]["driver"]["rules"]}
    gallium = rules["test-measure/gallium"]
    assert "Test Announcement No. 1 of 2025" in gallium["fullDescription"]["text"]
    assert "https://example.invalid/test-measure" in gallium["help"]["text"]
    for rule in rules.values():
        assert rule["shortDescription"]["text"] and rule["help"]["text"]
        assert "security-severity" not in rule.get("properties", {})
    results = sarif_run["results"]
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results} == {
        "manifests/warn.yaml",
        "manifests/fail.yaml",
        "manifests/error.yaml",
    }
    for result in results:
        assert result["ruleId"] in rules
        assert sarif_run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1
        assert result["partialFingerprints"]["primaryLocationLineHash"]
    levels = {r["ruleId"]: r["level"] for r in results}
    assert levels["test-measure/gallium"] == "error"
    assert levels["test-measure/antimony-oxide"] == "warning"


def test_sarif_fingerprints_are_stable_when_lines_move(cli: Any, corpus: Path) -> None:
    cli(["verify", "manifests/fail.yaml", "--output", "sarif:a.sarif", *TEST_ONLY])
    moved = "# a comment that moves every line down\n" + CORPUS["fail.yaml"]
    (corpus / "manifests" / "fail.yaml").write_text(moved, encoding="utf-8")
    cli(["verify", "manifests/fail.yaml", "--output", "sarif:b.sarif", *TEST_ONLY])

    def first(name: str) -> dict[str, Any]:
        result: dict[str, Any] = json.loads((corpus / name).read_text("utf-8"))["runs"][0][
            "results"
        ][0]
        return result

    a, b = first("a.sarif"), first("b.sarif")
    assert a["partialFingerprints"] == b["partialFingerprints"] and a["ruleId"] == b["ruleId"]
    region = "locations", 0, "physicalLocation", "region", "startLine"
    assert _dig(b, region) == _dig(a, region) + 1


def _dig(data: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        data = data[key]
    return data


def test_junit_parses_with_a_suite_per_manifest(cli: Any, corpus: Path) -> None:
    two_items = manifest(
        items="  - description: Ga\n    mineral: gallium\n    quantity: 1 kg\n"
        "  - description: Fe\n    mineral: iron\n    quantity: 1 kg\n"
    )
    (corpus / "manifests" / "two.yaml").write_text(two_items, encoding="utf-8")
    run = cli(["verify", "manifests", "--output", "junit:report.xml", *TEST_ONLY])
    assert run.code == 2
    xml = JUnitXml.fromfile(str(corpus / "report.xml"))
    suites = {suite.name: suite for suite in xml}
    assert set(suites) == {f"manifests/{n}" for n in [*CORPUS, "two.yaml"]}
    assert suites["manifests/error.yaml"].errors == 1
    assert suites["manifests/fail.yaml"].failures == 1
    assert suites["manifests/pass.yaml"].failures == suites["manifests/pass.yaml"].errors == 0
    two = suites["manifests/two.yaml"]
    cases = {case.name: case for case in two}
    assert set(cases) == {"item 1", "item 2"}  # a case per item, even one no control covers
    (failure,) = cases["item 1"].result
    assert isinstance(failure, Failure) and "test-measure/gallium" in (failure.text or "")
    assert cases["item 2"].is_passed
    (error,) = next(iter(suites["manifests/error.yaml"])).result
    assert isinstance(error, Error) and "2025-02-30" in (error.text or "")
    names = [(case.classname, case.name) for suite in xml for case in suite]
    assert len(names) == len(set(names))


@pytest.mark.parametrize(
    ("raw", "data", "prop"),
    [
        ("100%", "100%25", "100%25"),
        ("a:b", "a:b", "a%3Ab"),
        ("a,b", "a,b", "a%2Cb"),
        ("one\ntwo\r", "one%0Atwo%0D", "one%0Atwo%0D"),
        ("%0A", "%250A", "%250A"),
    ],
)
def test_github_escaping_follows_the_toolkit(raw: str, data: str, prop: str) -> None:
    assert escape_data(raw) == data
    assert escape_property(raw) == prop


def test_github_command_escapes_file_title_and_message() -> None:
    finding = Finding(Severity.FAIL, "no-permit", "50% over\nlimit", rule="r/x:y", line=3, column=5)
    assert command("error", "dir,1/a:b.yaml", finding) == (
        "::error file=dir%2C1/a%3Ab.yaml,line=3,col=5,title=mineralcheck r/x%3Ay"
        "::50%25 over%0Alimit"
    )


def test_github_annotations_stop_at_ten_per_kind(cli: Any, corpus: Path) -> None:
    for index in range(12):
        (corpus / "manifests" / f"more-{index:02}.yaml").write_text(CORPUS["fail.yaml"])
    run = cli(["verify", "manifests", "--format", "github", *TEST_ONLY])
    errors = [line for line in run.out.splitlines() if line.startswith("::error ")]
    warnings = [line for line in run.out.splitlines() if line.startswith("::warning ")]
    assert len(errors) == 10 and len(warnings) == 1
    assert any(
        line.startswith("::notice") and "more error" in line for line in run.out.splitlines()
    )


def test_auto_is_github_under_actions_with_a_step_summary(
    cli: Any, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = corpus / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    run = cli(["verify", "manifests", *TEST_ONLY])
    assert run.code == 2
    assert "::error file=manifests/fail.yaml,line=10,col=5" in run.out
    text = summary.read_text("utf-8")
    assert text.startswith("earlier step\n## mineralcheck")
    assert "| `manifests/fail.yaml` | T-1 | ❌ fail |" in text


def test_auto_is_plain_text_off_a_terminal(cli: Any, corpus: Path) -> None:
    run = cli(["verify", "manifests/fail.yaml", *TEST_ONLY])
    assert run.out.startswith("manifests/fail.yaml:10:5: fail [test-measure/gallium]")


def test_several_outputs_in_one_run(cli: Any, corpus: Path) -> None:
    run = cli(
        [
            "verify",
            "manifests",
            "-o",
            "sarif:r.sarif",
            "-o",
            "junit:r.xml",
            "-o",
            "markdown:r.md",
            "--format",
            "json",
            *TEST_ONLY,
        ]
    )
    assert run.code == 2
    assert json.loads(run.out)["summary"]["manifests"] == 4  # the terminal report is still there
    assert json.loads((corpus / "r.sarif").read_text())["version"] == "2.1.0"
    assert JUnitXml.fromfile(str(corpus / "r.xml")) is not None
    assert (corpus / "r.md").read_text().startswith("## mineralcheck")


def test_a_failed_write_is_exit_2_and_leaves_no_file(cli: Any, corpus: Path) -> None:
    (corpus / "blocker").write_text("a file where a directory should be", encoding="utf-8")
    run = cli(
        [
            "verify",
            "manifests",
            "-o",
            "sarif:good.sarif",
            "-o",
            "junit:blocker/dir/r.xml",
            *TEST_ONLY,
        ]
    )
    assert run.code == 2 and "cannot write blocker/dir/r.xml" in run.err
    assert sorted(p.name for p in corpus.iterdir()) == ["blocker", "manifests"]


# --- configuration ---------------------------------------------------------------------------


def test_config_file_is_found_upwards_and_sets_defaults(cli: Any, corpus: Path) -> None:
    (corpus / "mineralcheck.toml").write_text(
        f'paths = ["manifests"]\nexclude = ["error.yaml"]\nbundled_rules = false\n'
        f'rules = ["{TEST_RULES}"]\nformat = "json"\noutputs = ["junit:reports/j.xml"]\n',
        encoding="utf-8",
    )
    (corpus / "reports").mkdir()
    os.chdir(corpus / "manifests")  # the fixture's monkeypatch restores the directory
    run = cli(["verify"])
    data = json.loads(run.out)
    assert run.code == 1  # error.yaml is excluded
    assert sorted(Path(r["path"]).name for r in data["results"]) == [
        "fail.yaml",
        "pass.yaml",
        "warn.yaml",
    ]
    assert (corpus / "reports" / "j.xml").is_file()  # config paths are relative to the file


def test_pyproject_table_is_a_config(cli: Any, corpus: Path) -> None:
    (corpus / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.mineralcheck]\nfail_on = "warn"\nformat = "json"\n'
        f'bundled_rules = false\nrules = ["{TEST_RULES}"]\n',
        encoding="utf-8",
    )
    run = cli(["verify", "manifests/warn.yaml"])
    assert run.code == 1 and json.loads(run.out)["summary"]["warn"] == 1


def test_precedence_is_command_line_then_environment_then_file(
    cli: Any, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (corpus / "mineralcheck.toml").write_text(
        f'format = "json"\nbundled_rules = false\nrules = ["{TEST_RULES}"]\n', encoding="utf-8"
    )
    assert cli(["verify", "manifests/fail.yaml"]).out.startswith("{")
    monkeypatch.setenv("MINERALCHECK_FORMAT", "markdown")
    assert cli(["verify", "manifests/fail.yaml"]).out.startswith("## mineralcheck")
    assert cli(["verify", "manifests/fail.yaml", "--format", "text"]).out.startswith(
        "manifests/fail.yaml:10:5"
    )


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('formt = "json"\n', "key 'formt': unknown key"),
        ('format = "xml"\n', "key 'format': 'xml' is not a format"),
        ("fail_on = 1\n", "key 'fail_on'"),
        ('outputs = ["report.xml"]\n', "key 'outputs': 'report.xml' is not 'format:path'"),
        ("paths = [\n", "not valid TOML"),
    ],
)
def test_bad_config_names_file_and_key(cli: Any, corpus: Path, text: str, needle: str) -> None:
    (corpus / "mineralcheck.toml").write_text(text, encoding="utf-8")
    run = cli(["verify", "manifests/pass.yaml"])
    assert run.code == 2
    assert str(corpus / "mineralcheck.toml") in run.err and needle in run.err
    assert "Traceback" not in run.err


def test_bad_environment_variable_names_it(
    cli: Any, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MINERALCHECK_FAIL_ON", "sometimes")
    run = cli(["verify", "manifests/pass.yaml"])
    assert run.code == 2 and "MINERALCHECK_FAIL_ON" in run.err


def test_init_then_verify_with_no_arguments(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    run = cli(["init"])
    assert run.code == 0
    config = (tmp_path / "mineralcheck.toml").read_text("utf-8")
    assert config.startswith("# mineralcheck configuration")
    assert 'paths = [\n    "manifests",\n]' in config or 'paths = ["manifests"]' in config
    import tomllib

    assert tomllib.loads(config)["fail_on"] == "fail"
    verified = cli(["verify", "--format", "json"])
    assert verified.code == 0
    (result,) = json.loads(verified.out)["results"]
    assert (
        result["path"] == os.path.join("manifests", "example.yaml") and result["verdict"] == "pass"
    )
    again = cli(["init"])
    assert again.code == 2 and "not overwriting" in again.err
    assert (tmp_path / "mineralcheck.toml").read_text("utf-8") == config


def test_verify_with_no_paths_and_no_config_is_a_usage_error(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    run = cli(["verify"])
    assert run.code == 2 and "give a manifest path" in run.err


def test_a_pyproject_without_our_table_is_passed_over(cli: Any, corpus: Path) -> None:
    (corpus / "mineralcheck.toml").write_text('format = "json"\n', encoding="utf-8")
    project = corpus / "project"
    (project / "manifests").mkdir(parents=True)
    (project / "pyproject.toml").write_text(
        '[project]\nname = "forwarder"\ndependencies = ["mineralcheck"]\n\n[tool.ruff]\n',
        encoding="utf-8",
    )
    (project / "manifests" / "m.yaml").write_text(CORPUS["pass.yaml"], encoding="utf-8")
    os.chdir(project)  # the fixture's monkeypatch restores the directory
    run = cli(["verify", "manifests", *TEST_ONLY])
    assert run.out.startswith("{")  # the parent's mineralcheck.toml applies


def test_the_job_summary_stays_within_githubs_limit(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mineralcheck.verifying import SUMMARY_LIMIT

    failing = (tmp_path / "many").resolve()
    failing.mkdir()
    text = manifest()  # gallium without a licence: a row and a finding each
    for n in range(3000):
        (failing / f"m{n:04d}-{'x' * 150}.yaml").write_text(text.replace("T-1", f"T-{n}"))
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    run = cli(["verify", str(failing), "--no-cache", *TEST_ONLY])
    assert run.code == 1
    written = summary.read_bytes()
    assert 0 < len(written) <= SUMMARY_LIMIT + 1024
    assert b"Cut to fit GitHub's 1 MiB job-summary limit" in written
    assert b"manifest row(s)" in written
