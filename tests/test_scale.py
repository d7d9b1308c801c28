"""Parallel, cached and indexed checking give exactly what serial, uncached, brute force gives."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES, TEST_RULES, count_calls
from mineralcheck.discovery import discover
from mineralcheck.engine.index import ControlIndex, Timeline
from mineralcheck.pipeline import PARALLEL_FROM, Checker, Options

FORMATS = ["json", "text", "sarif", "junit", "markdown"]


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every example manifest, four times over (well past the size that starts workers)."""
    directory = tmp_path_factory.mktemp("batch")
    examples = sorted(EXAMPLES.rglob("*.yaml"))
    for copy in range(4):
        for index, example in enumerate(examples):
            text = example.read_text("utf-8").replace("id: ", f"id: C{copy}-", 1)
            (directory / f"{copy}-{index:03d}-{example.name}").write_text(text, "utf-8")
    assert len(examples) * 4 > 2 * PARALLEL_FROM
    return directory


def run(cli: Any, batch: Path, fmt: str, *extra: str) -> tuple[int, str]:
    result = cli(["verify", str(batch), "--format", fmt, *extra])
    return result.code, result.out


@pytest.mark.parametrize("fmt", FORMATS)
def test_parallel_output_equals_serial(cli: Any, batch: Path, fmt: str) -> None:
    serial = run(cli, batch, fmt, "--jobs", "1", "--no-cache")
    parallel = run(cli, batch, fmt, "--jobs", "2", "--no-cache")
    assert parallel == serial
    assert serial[0] == 2  # the examples hold broken manifests


@pytest.mark.parametrize("fmt", FORMATS)
def test_cached_output_equals_uncached(
    cli: Any, batch: Path, fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MINERALCHECK_CACHE_DIR", str(tmp_path / "cache"))
    uncached = run(cli, batch, fmt, "--no-cache", "--jobs", "1")
    cold = run(cli, batch, fmt)
    warm = run(cli, batch, fmt)
    warm_serial = run(cli, batch, fmt, "--jobs", "1")
    assert cold == uncached and warm == uncached and warm_serial == uncached
    assert (tmp_path / "cache" / "results.sqlite3").is_file()


def _entries(cache_dir: Path) -> int:
    with sqlite3.connect(cache_dir / "results.sqlite3") as db:
        count: int = db.execute("SELECT COUNT(*) FROM results").fetchone()[0]
    return count


def test_a_cache_file_of_an_older_version_is_used_its_text_entries_never(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cache file that an older version made (its columns declared TEXT, its entries text)
    is kept: its entries are misses, the new ones are stored as bytes in the same table (a
    column's TEXT affinity does not turn them into text) and found by the next run."""
    from mineralcheck import pipeline

    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    monkeypatch.setenv("MINERALCHECK_CACHE_DIR", str(cache_dir))
    manifest = tmp_path / "m.yaml"
    example = EXAMPLES / "fail" / "cn-2023-23-gallium-day-effective-no-permit.yaml"
    manifest.write_text(example.read_text("utf-8"), "utf-8")
    with sqlite3.connect(cache_dir / "results.sqlite3") as db:
        db.execute("CREATE TABLE results (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute("CREATE TABLE runs (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute("INSERT INTO results VALUES ('old', 'pass\t\t\"X\"\t\n[]')")
    checked = count_calls(monkeypatch, pipeline.Checker, "check_bytes")
    expected = cli(["verify", str(manifest), "-f", "json", "--no-cache"])
    first = cli(["verify", str(manifest), "-f", "json"])
    assert checked == [1, 1] and (first.code, first.out) == (expected.code, expected.out)
    with sqlite3.connect(cache_dir / "results.sqlite3") as db:
        kinds = sorted(kind for (kind,) in db.execute("SELECT typeof(value) FROM results"))
    assert kinds == ["blob", "text"]
    again = cli(["verify", str(manifest), "-f", "json"])
    assert checked == [1, 1] and (again.code, again.out) == (expected.code, expected.out)


def test_a_verdict_is_reused_only_for_the_same_bytes_pack_and_options(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache_dir = tmp_path / "cache"
    monkeypatch.setenv("MINERALCHECK_CACHE_DIR", str(cache_dir))
    manifest = tmp_path / "m.yaml"
    text = (EXAMPLES / "pass" / "cn-2025-18-dysprosium-day-before-effective.yaml").read_text()
    manifest.write_text(text, "utf-8")
    assert cli(["verify", str(manifest)]).code == 0
    assert _entries(cache_dir) == 1
    # another date is another verdict: the control is in force a day later
    assert cli(["verify", str(manifest), "--as-of", "2025-04-04"]).code == 1
    assert _entries(cache_dir) == 2
    # changed bytes are a new entry; the old verdict is not reused
    manifest.write_text(text.replace("2025-04-03", "2025-04-04"), "utf-8")
    assert cli(["verify", str(manifest)]).code == 1
    # another rule pack is another run: a fresh entry, not the bundled pack's verdict
    assert (
        cli(["verify", str(manifest), "--no-bundled-rules", "--rules", str(TEST_RULES)]).code == 0
    )
    assert _entries(cache_dir) == 4


def test_a_corrupt_cache_is_ignored_never_trusted(
    cli: Any, batch: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache_dir = tmp_path / "cache"
    monkeypatch.setenv("MINERALCHECK_CACHE_DIR", str(cache_dir))
    expected = run(cli, batch, "json", "--no-cache")
    assert run(cli, batch, "json") == expected
    with sqlite3.connect(cache_dir / "results.sqlite3") as db:
        # flip verdicts in every stored entry without fixing the checksums
        flipped = db.execute(
            "UPDATE results SET value = CAST(replace(value, '\"fail\"', '\"pass\"') AS BLOB) "
            "WHERE instr(value, '\"fail\"') > 0"
        ).rowcount
        assert {kind for (kind,) in db.execute("SELECT typeof(value) FROM results")} == {"blob"}
    assert flipped > 0
    assert run(cli, batch, "json") == expected
    (cache_dir / "results.sqlite3").write_bytes(b"this is not a database" * 100)
    assert run(cli, batch, "json") == expected


def test_a_cache_directory_that_cannot_be_used_is_no_cache(
    cli: Any, batch: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("MINERALCHECK_CACHE_DIR", str(blocker / "cache"))
    assert run(cli, batch, "json") == run(cli, batch, "json", "--no-cache")


# --- the index and the timeline against brute force -------------------------------------------

CHECKER = Checker(Options())
CHECKER.judge  # noqa: B018 - compile once for the property tests
MANIFESTS = sorted(str(p) for p in EXAMPLES.rglob("*.yaml"))


class _Everything(ControlIndex):
    """An index that offers every control for every item: the brute-force reference."""

    def candidates(self, item: Any) -> set[int]:
        return set(range(len(CHECKER.judge.controls)))

    def listing(self, item: Any) -> set[int]:
        return {i for i, c in enumerate(CHECKER.judge.controls) if c.matches is not None}


def _findings(checker: Checker, path: str, day: dt.date | None) -> list[Any]:
    from mineralcheck.manifest.reader import read_manifest

    read = read_manifest(Path(path).read_bytes(), checker.pack.vocabulary)
    if read.manifest is None or read.document is None:
        return list(read.errors)
    return checker.judge.findings(read.manifest, read.document, day)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(MANIFESTS),
    st.one_of(st.none(), st.dates(dt.date(2023, 1, 1), dt.date(2027, 12, 31))),
)
def test_indexed_judging_equals_brute_force(path: str, day: dt.date | None) -> None:
    indexed = _findings(CHECKER, path, day)
    judge = CHECKER.judge
    original = judge.index
    judge.index = _Everything(judge.controls)
    try:
        brute = _findings(CHECKER, path, day)
    finally:
        judge.index = original
    assert indexed == brute


@settings(max_examples=200, deadline=None)
@given(st.dates(dt.date(2022, 1, 1), dt.date(2028, 12, 31)))
def test_timeline_equals_each_controls_own_status(day: dt.date) -> None:
    from mineralcheck.ruleset.pack import Status

    controls = CHECKER.judge.controls
    status = Timeline(controls).on(day)
    for position, control in enumerate(controls):
        state = control.loaded.status_on(day)
        assert (position in status.in_force) is (state is Status.IN_FORCE)
        assert (position in status.suspended) is (state is Status.SUSPENDED)


def test_discover_honours_include_and_exclude(tmp_path: Path) -> None:
    for name in ("a.yaml", "b.yml", "c.json", "d.txt", "drafts/e.yaml", ".hidden/f.yaml"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    found = [Path(p).relative_to(tmp_path).as_posix() for p in discover([str(tmp_path)])]
    assert found == ["a.yaml", "b.yml", "c.json", "drafts/e.yaml"]
    only = discover([str(tmp_path)], include=["*.yaml"], exclude=["drafts/*"])
    assert [Path(p).name for p in only] == ["a.yaml"]


def test_json_report_streams_one_result_per_line(cli: Any, batch: Path) -> None:
    _, out = run(cli, batch, "json", "--no-cache")
    lines = out.splitlines()
    data = json.loads(out)
    assert len(data["results"]) == len(list(batch.iterdir()))
    assert sum(1 for line in lines if line.startswith('{"path":')) == len(data["results"])


@pytest.mark.parametrize(("lookup", "in_parent"), [(4, 4), (8, 1), (64, 1)])
def test_workers_take_over_once_enough_manifests_are_missing_from_the_cache(
    monkeypatch: pytest.MonkeyPatch, lookup: int, in_parent: int
) -> None:
    """Files are read ``LOOKUP`` at a time: while fewer than ``PARALLEL_FROM`` of them need
    checking, this process checks them; from the first such group on, the workers check all the
    rest (but the first, checked here before they are forked, so that they start with what it
    loaded). Either way the results are the serial run's, in order."""
    from mineralcheck import pipeline

    paths = sorted(str(p) for p in EXAMPLES.rglob("*.yaml"))
    assert len(paths) > 2 * lookup and PARALLEL_FROM == 8
    serial = [(r.path, r.verdict, r.findings) for r in Checker(Options(jobs=1)).results(paths)]
    monkeypatch.setattr(pipeline, "LOOKUP", lookup)
    here = count_calls(monkeypatch, Checker, "check_bytes")  # calls in workers are not counted
    parallel = [(r.path, r.verdict, r.findings) for r in Checker(Options(jobs=2)).results(paths)]
    assert parallel == serial
    assert len(here) == in_parent
