"""The usual ``verify`` is read without typer (``entry.read_verify``): it must read exactly what
typer reads, and leave to typer everything else."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES, TEST_RULES
from mineralcheck import cli, entry
from mineralcheck.entry import read_verify

FLAGS = [
    "--bundled-rules", "--no-bundled-rules", "--cache", "--no-cache", "--quiet", "-q",
    "--verbose", "-v",
]  # fmt: skip
ODD = [
    "--", "-", "-fjson", "-qv", "--format=", "--cache=1", "--quiet=yes", "-h", "--help",
    "--bogus", "--date", "--version", "--rule", "-j2", "-r=x",
]  # fmt: skip
ANY = ["", "-", "-x", " x", "x ", "é", "a b", "./a//b/", "json", "2"]
VALUES = {  # option -> values worth trying (and ANY)
    "--rules": ["rules", "r.yaml"], "-r": ["rules"], "--pack": ["cn,cd", "cn", "CN"],
    "--format": ["json", "sarif", "table", "auto", "JSON", "Json", "html", "yaml"],
    "-f": ["text", "junit", "AUTO"], "--output": ["out.json", "json:out.json"],
    "-o": ["sarif:s.sarif", "-"], "--as-of": ["2025-01-01", "2025-13-01", "20250101"],
    "--fail-on": ["fail", "warn", "Fail", "WARN", "error"], "--config": ["c.toml"],
    "--jobs": ["2", "02", "0", "-1", "1x", "²", "٣", "+2", "2.0"], "-j": ["1", "007"],
    "--permits": ["p.yaml"], "--reviews": ["r.yaml"], "--record": ["log.jsonl"],
}  # fmt: skip
PATHS = ["m.yaml", "dir", "./a//b/", "-", "x y", "é.yaml", "verify", "", "\udcff.yaml"]


@st.composite
def valued(draw: st.DrawFn) -> list[str]:
    """An option with a value, sometimes written ``--option=value``, sometimes given twice."""
    option = draw(st.sampled_from(sorted(VALUES)))
    words: list[str] = []
    for _ in range(draw(st.sampled_from([1, 1, 1, 2]))):
        value = draw(st.sampled_from(VALUES[option]) | st.sampled_from(ANY + VALUES[option]))
        words += [f"{option}={value}"] if draw(st.booleans()) else [option, value]
    return words


WORDS = st.one_of(
    st.sampled_from(PATHS).map(lambda path: [path]),
    st.sampled_from(FLAGS).map(lambda flag: [flag]),
    valued(),
    valued(),
    valued(),
)
ODD_WORDS = st.sampled_from(ODD).map(lambda word: [word])


def typer_reads(args: list[str], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any] | None:
    """The keyword arguments typer passes to ``run_verify`` for ``args`` (``None``: a usage
    error, or help)."""
    seen: list[dict[str, Any]] = []

    def record(**kwargs: Any) -> int:
        seen.append(kwargs)
        return 0

    monkeypatch.setattr(cli, "run_verify", record)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            cli.app(args=args, prog_name="mineralcheck", standalone_mode=False)
        except click.ClickException:
            return None
    return seen[0] if seen else None


@settings(max_examples=1500, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(WORDS, max_size=4) | st.lists(WORDS | ODD_WORDS, max_size=5))
def test_what_is_read_here_is_what_typer_reads(pieces: list[list[str]]) -> None:
    args = ["verify", *(word for piece in pieces for word in piece)]
    here = read_verify(args)
    if here is None:
        return  # typer reads it
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert typer_reads(args, monkeypatch) == here


def test_every_option_and_value_reads_here_as_typer_reads_it_or_goes_to_typer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each option with each value worth trying, in both forms, alone and given twice, and each
    flag alone and twice: what is read here is what typer reads."""
    cases = [["verify", "m.yaml", flag] for flag in FLAGS]
    cases += [["verify", flag, "m.yaml", flag] for flag in FLAGS]
    for option, values in VALUES.items():
        for value in values + ANY:
            cases += [
                ["verify", "m.yaml", option, value],
                ["verify", f"{option}={value}", "m.yaml"],
                ["verify", option, value, "m.yaml", option, value],
            ]
    read_here = 0
    for args in cases:
        here = read_verify(args)
        if here is not None:
            read_here += 1
            assert typer_reads(args, monkeypatch) == here, args
    assert read_here > 100  # the usual forms are read here


@pytest.mark.parametrize(
    "args",
    [
        ["verify"],
        ["verify", "."],
        ["verify", "examples", "-f", "sarif", "-o", "out.sarif", "-o", "junit:j.xml"],
        ["verify", "a.yaml", "--no-cache", "--jobs", "2", "b.yaml", "-q"],
        ["verify", "-", "--format=json", "--fail-on", "warn", "--as-of", "2025-06-01"],
        ["verify", "x", "--rules", "r1", "-r", "r2", "--no-bundled-rules", "--pack", "cn,cd"],
        ["verify", "x", "--permits", "p.yaml", "--reviews", "r.yaml", "--record", "log"],
        ["verify", "x", "--config", "c.toml", "--cache", "--verbose", "--bundled-rules"],
        ["verify", "x", "-j", "0"],  # read here; verify itself refuses it, as after typer
        ["verify", "\udcff.yaml", "", "-f", "json"],  # a name that is not UTF-8; an empty one
    ],
)
def test_the_usual_invocations_are_read_here_as_typer_reads_them(
    args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    here = read_verify(args)
    assert here is not None
    assert typer_reads(args, monkeypatch) == here


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--version"],
        ["--version", "verify", "x"],
        ["explain", "x"],
        ["verify", "--help"],
        ["verify", "-h"],
        ["verify", "x", "--", "-y"],
        ["verify", "x", "-fjson"],
        ["verify", "x", "-qv"],
        ["verify", "x", "--format", "json", "--format", "text"],
        ["verify", "x", "--cache", "--no-cache"],
        ["verify", "x", "--format", "JSON"],
        ["verify", "x", "--fail-on", "error"],
        ["verify", "x", "--jobs", "two"],
        ["verify", "x", "--jobs", "٣"],  # int() reads Arabic-Indic digits; this reader does not
        ["verify", "x", "--as-of", "2025-02-30"],
        ["verify", "x", "--format"],
        ["verify", "x", "-o", "-"],
        ["verify", "x", "--quiet=yes"],
        ["verify", "x", "--bogus"],
    ],
)
def test_everything_else_goes_to_typer(args: list[str]) -> None:
    assert read_verify(args) is None


def run(args: list[str], *, here: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    """The exit code and output of ``args``, read here or (``here=False``) by typer."""
    if not here:
        monkeypatch.setattr(entry, "read_verify", lambda args: None)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = entry.main(args)
    monkeypatch.undo()
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    "args",
    [
        ["verify", str(EXAMPLES), "-f", "json", "--no-cache", "-j", "1"],
        ["verify", str(EXAMPLES / "pass"), "-f", "text", "--no-cache", "--fail-on", "warn"],
        ["verify", str(EXAMPLES), "--no-cache", "-j", "0"],  # verify's own usage error
        ["verify", "no/such/path", "--no-cache"],
        ["verify", str(EXAMPLES), "--no-cache", "--no-bundled-rules"],
        ["verify", str(EXAMPLES / "pass"), "--no-cache", "--rules", str(TEST_RULES), "-v"],
        ["verify", str(EXAMPLES / "pass"), "--no-cache", "--permits", "no/such/register"],
    ],
)
def test_both_ways_give_the_same_exit_code_report_and_messages(
    args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert read_verify(args) is not None
    here = run(args, here=True, monkeypatch=monkeypatch)
    assert here == run(args, here=False, monkeypatch=monkeypatch)
    assert here[2]  # every run says something on standard error


def test_a_check_read_here_imports_neither_typer_click_nor_dataclasses(tmp_path: Path) -> None:
    """typer and click cost about 30 ms to import and build; ``dataclasses`` (with ``inspect``)
    7 ms, and more for each class it makes: the records are made by ``plain.py`` instead.
    ``tempfile`` and ``shutil`` (``importlib.resources`` imports both) cost 5 ms: a run that
    finds its compiled pack and writes its report to standard output needs neither."""
    manifest = sorted((EXAMPLES / "pass").glob("*.yaml"))[0]
    script = (
        "import sys\n"
        "from mineralcheck.entry import main\n"
        "code = main(sys.argv[1:])\n"
        "heavy = ('typer', 'click', 'dataclasses', 'inspect', 'tempfile', 'shutil')\n"
        "print(code, sorted(m for m in sys.modules if m.split('.')[0] in heavy), file=sys.stderr)\n"
    )
    env = {
        **os.environ,
        "MINERALCHECK_CACHE_DIR": str(tmp_path / "cache"),
        "MINERALCHECK_CACHE_KEY": str(tmp_path / "cache.key"),
    }

    def run(*options: str) -> tuple[str, str]:
        done = subprocess.run(
            [sys.executable, "-c", script, "verify", str(manifest), "--no-cache", *options],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        )
        return done.stdout, done.stderr.splitlines()[-1]

    report = tmp_path / "r.json"
    # the first run builds and keeps the compiled pack (with the schema, which imports the rest)
    assert run("-f", "json", "-o", str(report))[1].startswith("0 ")
    # a file written whole needs tempfile (which imports shutil): written aside, then renamed
    assert run("-f", "json", "-o", str(report))[1] == "0 ['shutil', 'tempfile']"
    assert report.stat().st_size > 0
    out, loaded = run("-f", "json")
    assert loaded == "0 []"
    assert out.startswith('{"schema_version":1,') and out.rstrip().endswith("}")


def _batch(directory: Path, count: int) -> Path:
    """``count`` example manifests, each with an id of its own (enough to start workers)."""
    examples = sorted(EXAMPLES.rglob("*.yaml"))
    directory.mkdir()
    for index in range(count):
        example = examples[index % len(examples)]
        text = example.read_text("utf-8").replace("id: ", f"id: E{index}-", 1)
        (directory / f"{index:03d}-{example.name}").write_text(text, "utf-8")
    return directory


@pytest.mark.parametrize("how", ["script", "module"])
def test_the_program_freezes_what_it_holds_and_still_ends_with_everything_written(
    tmp_path: Path, how: str
) -> None:
    """``mineralcheck`` and ``python -m mineralcheck`` move what the run still holds out of the
    cycle collector's reach before they exit (``entry.console``); every report, output file
    and cache entry is whole all the same, and the next run is answered from the cache."""
    import json
    import os
    import sqlite3
    from xml.etree import ElementTree

    batch = _batch(tmp_path / "m", 40)
    env = {
        **os.environ,
        "MINERALCHECK_CACHE_DIR": str(tmp_path / "cache"),
        "MINERALCHECK_CACHE_KEY": str(tmp_path / "cache.key"),
    }
    # at exit, after the program's own handlers: how many objects it had frozen
    probe = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('frozen', gc.get_freeze_count(), file=sys.stderr))\n"
    )
    if how == "script":
        script = Path(sys.executable).parent / "mineralcheck"
        program = [sys.executable, "-c", probe + f"exec(open({str(script)!r}).read())"]
    else:
        program = [sys.executable, "-c", probe + "import runpy; runpy.run_module('mineralcheck')"]
    args = ["verify", str(batch), "-f", "json", "-o", f"sarif:{tmp_path / 'r.sarif'}"]
    args += ["-o", f"junit:{tmp_path / 'r.xml'}"]

    def run() -> tuple[int, bytes, str]:
        done = subprocess.run(
            [*program, *args], capture_output=True, env=env, timeout=120, check=False
        )
        return done.returncode, done.stdout, done.stderr.decode()

    code, out, err = run()
    assert code == 2, err  # the examples hold broken manifests
    frozen = [line for line in err.splitlines() if line.startswith("frozen ")]
    assert len(frozen) == 1 and int(frozen[0].split()[1]) > 1000, err
    assert json.loads(out)["summary"]["manifests"] == 40
    assert len(json.loads((tmp_path / "r.sarif").read_text("utf-8"))["runs"][0]["results"]) > 0
    assert len(ElementTree.parse(tmp_path / "r.xml").getroot().findall("testsuite")) == 40
    with sqlite3.connect(tmp_path / "cache" / "results.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM results").fetchone()[0] == 40
    assert run()[:2] == (code, out)


def test_main_leaves_nothing_frozen_for_a_caller_that_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``main`` is for callers whose process goes on (tests, scripts): after a run that forked
    workers (which freezes the parent's objects while they run) nothing stays frozen."""
    import gc

    batch = _batch(tmp_path / "m", 40)
    monkeypatch.setenv("MINERALCHECK_CACHE_DIR", str(tmp_path / "cache"))
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = entry.main(["verify", str(batch), "--jobs", "2", "--no-cache", "-f", "json"])
    assert code == 2 and gc.get_freeze_count() == 0
