"""The verify contract of spec/cli.md through the real CLI: exit codes, streams, JSON report."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from conftest import EXAMPLES, TEST_RULES, manifest, permit
from mineralcheck.schemas import schema

PASSING = manifest(ship_date="2025-03-01")
WARNING = manifest(
    items="  - description: Sb2O3\n    mineral: antimony\n    form: oxide\n    quantity: 5 kg\n"
)
FAILING = manifest()
BROKEN = "id: X\nship_date: 2025-02-30\n"
TEST_ONLY = ["--no-bundled-rules", "--rules", str(TEST_RULES)]


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def report(run: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(run.out)
    jsonschema.Draft202012Validator(schema("report")).validate(data)
    return data


@pytest.mark.parametrize(
    ("texts", "extra", "code"),
    [
        ([PASSING], [], 0),
        ([WARNING], [], 0),
        ([WARNING], ["--fail-on", "warn"], 1),
        ([PASSING, WARNING], [], 0),
        ([FAILING], [], 1),
        ([PASSING, FAILING], [], 1),
        ([BROKEN], [], 2),
        ([FAILING, BROKEN], [], 2),
        ([PASSING, BROKEN], ["--fail-on", "warn"], 2),
    ],
)
def test_exit_codes(
    cli: Any, tmp_path: Path, texts: list[str], extra: list[str], code: int
) -> None:
    for index, text in enumerate(texts):
        write(tmp_path, f"m{index}.yaml", text)
    run = cli(["verify", str(tmp_path), "--format", "json", *TEST_ONLY, *extra])
    assert run.code == code
    data = report(run)
    assert data["summary"]["manifests"] == len(texts)


def test_usage_errors_exit_2(cli: Any) -> None:
    assert cli(["verify", "--format", "nope", "x.yaml"]).code == 2
    assert cli(["verify"]).code == 2
    assert cli(["verify", "x.yaml", "--as-of", "2025-02-30"]).code == 2
    assert cli(["frobnicate"]).code == 2


def test_no_bundled_rules_needs_rules(cli: Any, tmp_path: Path) -> None:
    path = write(tmp_path, "m.yaml", PASSING)
    run = cli(["verify", str(path), "--no-bundled-rules"])
    assert run.code == 2 and "--rules" in run.err


def test_missing_file_is_an_error_result_and_the_batch_goes_on(cli: Any, tmp_path: Path) -> None:
    good = write(tmp_path, "good.yaml", PASSING)
    run = cli(["verify", str(tmp_path / "missing.yaml"), str(good), "--format", "json", *TEST_ONLY])
    assert run.code == 2
    data = report(run)
    assert [r["verdict"] for r in data["results"]] == ["error", "pass"]
    assert data["results"][0]["manifest_id"] is None
    assert "cannot read" in data["results"][0]["findings"][0]["message"]


def test_json_report_fields(cli: Any, tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", FAILING)
    run = cli(["verify", str(tmp_path / "a.yaml"), "--format", "json", *TEST_ONLY])
    data = report(run)
    assert data["schema_version"] == 1
    assert data["tool"]["name"] == "mineralcheck"
    assert data["summary"] == {"manifests": 1, "pass": 0, "warn": 0, "fail": 1, "error": 0}
    (result,) = data["results"]
    assert result["path"] == str(tmp_path / "a.yaml")
    assert result["manifest_id"] == "T-1" and result["verdict"] == "fail"
    (finding,) = result["findings"]
    assert finding["severity"] == "fail" and finding["rule"] == "test-measure/gallium"
    assert finding["item"] == 1 and (finding["line"], finding["column"]) == (10, 5)
    assert finding["reference"] == "Test Announcement No. 1 of 2025"
    assert finding["url"] == "https://example.invalid/test-measure"


def test_relative_paths_stay_relative(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "sub/b.yaml", PASSING)
    write(tmp_path, "sub/a.yml", PASSING)
    write(tmp_path, "sub/nested/c.json", PASSING)
    write(tmp_path, "sub/.hidden/d.yaml", BROKEN)
    write(tmp_path, "sub/notes.txt", "not a manifest")
    monkeypatch.chdir(tmp_path)
    data = report(cli(["verify", "sub", "--format", "json", *TEST_ONLY]))
    assert [r["path"] for r in data["results"]] == [
        os.path.join("sub", "a.yml"),
        os.path.join("sub", "b.yaml"),
        os.path.join("sub", "nested", "c.json"),
    ]


def test_stdin_is_read_with_dash(cli: Any) -> None:
    run = cli(["verify", "-", "--format", "json", *TEST_ONLY], stdin=FAILING.encode())
    assert run.code == 1
    assert report(run)["results"][0]["path"] == "-"


def test_output_file_gets_the_report_and_stderr_the_summary(cli: Any, tmp_path: Path) -> None:
    write(tmp_path, "m.yaml", FAILING)
    out = tmp_path / "report.json"
    run = cli(
        ["verify", str(tmp_path / "m.yaml"), "--format", "json", "--output", str(out), *TEST_ONLY]
    )
    assert run.code == 1 and run.out == ""
    assert json.loads(out.read_text())["summary"]["fail"] == 1
    assert "1 manifest(s): 0 pass, 0 warn, 1 fail, 0 error" in run.err
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_unwritable_output_is_exit_2(cli: Any, tmp_path: Path) -> None:
    write(tmp_path, "m.yaml", PASSING)
    write(tmp_path, "no", "a file, so no directory can be made here")
    target = tmp_path / "no" / "r.json"
    run = cli(["verify", str(tmp_path / "m.yaml"), "--output", str(target), *TEST_ONLY])
    assert run.code == 2 and f"cannot write {target}" in run.err


def test_plain_text_when_not_a_terminal(cli: Any, tmp_path: Path) -> None:
    path = write(tmp_path, "m.yaml", FAILING)
    run = cli(["verify", str(path), *TEST_ONLY])
    assert "\x1b[" not in run.out
    assert f"{path}:10:5: fail [test-measure/gallium]" in run.out
    assert run.out.rstrip().endswith(f"{path}: FAIL (T-1)")


def test_table_on_a_terminal_respects_no_color(tmp_path: Path) -> None:
    from mineralcheck.formats import Style, get
    from mineralcheck.pipeline import Checker, Options
    from mineralcheck.results import Report, RunInfo

    checker = Checker(Options(rule_paths=(TEST_RULES,), bundled=False))
    result = checker.check_bytes("m.yaml", FAILING.encode())
    rep = Report(RunInfo("0", "h", ("test-measure",)), (result,))
    coloured = get("table").render(rep, Style(terminal=True, color=True, width=100))
    plain = get("table").render(rep, Style(terminal=True, color=False, width=100))
    assert "\x1b[" in coloured and "\x1b[" not in plain
    assert "test-measure/gallium" in plain and "m.yaml" in plain


def test_invalid_rule_file_is_exit_2_with_file_and_line(cli: Any, tmp_path: Path) -> None:
    rules = write(
        tmp_path,
        "rules/bad.yaml",
        (TEST_RULES / "test-measure.yaml")
        .read_text()
        .replace("requires: review", "requires: reveiw"),
    )
    manifest_path = write(tmp_path, "m.yaml", PASSING)
    run = cli(["verify", str(manifest_path), "--no-bundled-rules", "--rules", str(rules)])
    assert run.code == 2
    assert f"{rules}:37:15:" in run.err and "reveiw" in run.err
    assert "Traceback" not in run.err


def test_as_of_is_reported(cli: Any, tmp_path: Path) -> None:
    path = write(tmp_path, "m.yaml", PASSING)
    run = cli(["verify", str(path), "--format", "json", "--as-of", "2025-04-01", *TEST_ONLY])
    assert run.code == 1 and report(run)["as_of"] == "2025-04-01"


def test_permit_edge_through_the_cli(cli: Any, tmp_path: Path) -> None:
    path = write(tmp_path, "m.yaml", manifest(permits=permit()))
    assert cli(["verify", str(path), *TEST_ONLY]).code == 0


def test_schema_commands_print_valid_json_schemas(cli: Any) -> None:
    for name in ("manifest", "rules", "report"):
        run = cli(["schema", name])
        assert run.code == 0
        jsonschema.Draft202012Validator.check_schema(json.loads(run.out))


def test_version(cli: Any) -> None:
    from importlib.metadata import version

    run = cli(["--version"])
    assert run.code == 0 and run.out.strip() == f"mineralcheck {version('mineralcheck')}"


def test_internal_error_is_one_line_and_exit_2(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mineralcheck.engine import judge

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(judge.Judge, "judgement", explode)
    path = write(tmp_path, "m.yaml", PASSING)
    run = cli(["verify", str(path), *TEST_ONLY])
    assert run.code == 2
    assert "internal error: RuntimeError: boom" in run.err and "Traceback" not in run.err
    verbose = cli(["verify", str(path), "-v", *TEST_ONLY])
    assert verbose.code == 2 and "Traceback" in verbose.err


def test_python_dash_m_runs_the_cli(tmp_path: Path) -> None:
    path = write(tmp_path, "m.yaml", FAILING)
    done = subprocess.run(
        [sys.executable, "-m", "mineralcheck", "verify", str(path), "--format", "json", *TEST_ONLY],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert json.loads(done.stdout)["summary"]["fail"] == 1


def test_examples_get_the_verdict_of_their_directory(cli: Any) -> None:
    run = cli(["verify", str(EXAMPLES), "--format", "json"])
    data = report(run)
    assert run.code == 2  # the examples include broken manifests
    assert data["results"], "no examples found"
    for result in data["results"]:
        expected = Path(result["path"]).parent.name
        if expected == "records":  # their verdicts depend on the register: tests/test_register
            continue
        assert result["verdict"] == expected, (result["path"], result["findings"])
    verdicts = {r["verdict"] for r in data["results"]}
    assert verdicts == {"pass", "warn", "fail", "error"}


def test_help_shows_the_defaults_it_states(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    run = cli(["verify", "--help"])
    text = " ".join(run.out.split())
    for default in ("[default: auto]", "[default: fail]", "[default: the number of CPUs]"):
        assert default in text, default


COMMANDS = [
    ["verify"], ["explain"], ["query"], ["init"], ["schema"], ["permits"], ["rules", "list"],
    ["rules", "show"], ["rules", "timeline"], ["rules", "lint"], ["record", "verify"], [],
]  # fmt: skip


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "top")
def test_help_fits_80_columns_with_nothing_escaped_or_cut(
    cli: Any, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    run = cli([*command, "--help"])
    assert run.code == 0
    lines = run.out.splitlines()
    assert all(len(line) <= 80 for line in lines), max(lines, key=len)
    assert "\\[" not in run.out and "…" not in run.out  # no markup escape shown, no cut text


def test_rules_lint_says_it_takes_several_paths(cli: Any) -> None:
    assert "rules lint [OPTIONS] PATH..." in cli(["rules", "lint", "--help"]).out
    run = cli(["rules", "lint"])
    assert run.code == 2 and "one or more rule files" in run.err


def test_init_elsewhere_names_a_next_step_that_works(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    run = cli(["init", "project"])
    assert run.code == 0 and "now run: cd project && mineralcheck verify" in run.err
    (tmp_path / "third").mkdir()
    monkeypatch.chdir(tmp_path / "third")
    here = cli(["init"])  # in the working directory: no cd needed
    assert here.code == 0 and "now run: mineralcheck verify" in here.err and "cd " not in here.err


def test_quiet_shows_only_what_did_not_pass_in_text_and_everything_in_json(
    cli: Any, tmp_path: Path
) -> None:
    write(tmp_path, "a.yaml", PASSING)
    write(tmp_path, "b.yaml", FAILING.replace("T-1", "T-2"))
    text = cli(["verify", str(tmp_path), "-q", *TEST_ONLY])
    assert text.code == 1 and ": PASS" not in text.out and ": FAIL (T-2)" in text.out
    assert "2 manifest(s): 1 pass" in text.err  # the summary still counts every manifest
    data = report(cli(["verify", str(tmp_path), "-q", "-f", "json", *TEST_ONLY]))
    assert len(data["results"]) == 2


def test_at_80_columns_nothing_is_split_inside_a_word_under_a_real_terminal(
    tmp_path: Path,
) -> None:
    """A person at an 80-column terminal: the report is a list, every line fits, and no path,
    manifest id or rule id is cut in the middle."""
    import fcntl
    import pty
    import struct
    import termios

    warn = sorted((EXAMPLES / "warn").glob("*.yaml"))
    pid, master = pty.fork()
    if pid == 0:  # the child: mineralcheck on the terminal
        os.chdir(EXAMPLES.parent)
        os.environ["NO_COLOR"] = "1"
        os.execvp(
            sys.executable,
            [sys.executable, "-m", "mineralcheck", "verify", "--no-cache", "examples/warn"],
        )
    fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 80, 0, 0))
    out = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    os.waitpid(pid, 0)
    screen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out.decode())
    lines = [line.rstrip() for line in screen.replace("\r", "").split("\n")]
    report = [line for line in lines if not line.startswith(("⠋", "mineralcheck:", "  ... "))]
    assert all(len(line) <= 80 for line in report), max(report, key=len)
    for path in warn:
        assert any(f"examples/warn/{path.name}" in line for line in report), path.name
    rule_ids = set(re.findall(r"\b(cn-[a-z0-9-]+/[a-z0-9-]+)", screen))
    assert rule_ids
    for rule in rule_ids:  # each shown whole on some line
        assert any(rule in line for line in report), rule
