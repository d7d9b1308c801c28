"""The fast paths change no output: cold, cached, one process and several give the same bytes
in every format."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLES

FORMATS = ["json", "sarif", "junit", "text", "markdown", "html"]


def run(
    tmp_path: Path, cache: str, args: list[str], target: Path = EXAMPLES, code: int = 2
) -> bytes:
    env = {
        **os.environ,
        "MINERALCHECK_CACHE_DIR": str(tmp_path / cache),
        "MINERALCHECK_CACHE_KEY": str(tmp_path / "cache.key"),
        "NO_COLOR": "1",
    }
    env.pop("GITHUB_ACTIONS", None)
    command = [sys.executable, "-m", "mineralcheck", "verify", str(target), *args]
    done = subprocess.run(command, capture_output=True, env=env, timeout=300, check=False)
    assert done.returncode == code, done.stderr  # examples/error holds broken manifests
    return done.stdout


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_way_of_running_gives_the_same_report(tmp_path: Path, fmt: str) -> None:
    one = run(tmp_path, "a", ["-f", fmt, "--no-cache", "--jobs", "1"])
    several = run(tmp_path, "a", ["-f", fmt, "--no-cache", "--jobs", "2"])
    cold = run(tmp_path, "b", ["-f", fmt, "--jobs", "2"])  # fills a new verdict cache
    warm = run(tmp_path, "b", ["-f", fmt, "--jobs", "2"])  # answered from it
    warm_one = run(tmp_path, "b", ["-f", fmt, "--jobs", "1"])
    assert one and one == several == cold == warm == warm_one


@pytest.fixture(scope="module")
def register_batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """Manifests naming licences of a register small enough that some lines overdraw them."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    from bench import register_batch as make  # type: ignore[import-not-found]
    from bench import reviews_file

    folder = tmp_path_factory.mktemp("register-batch")
    register = make(folder, 60, 4)
    register.write_text(register.read_text().replace("1000 t", "40 t"), encoding="utf-8")
    return folder / "named", register, reviews_file(folder, 30, 60)


@pytest.mark.parametrize("fmt", ["json", "text", "sarif"])
def test_the_ledger_gives_the_same_report_in_one_process_and_several(
    tmp_path: Path, register_batch: tuple[Path, Path, Path], fmt: str
) -> None:
    named, register, reviews = register_batch
    records = ["--permits", str(register), "--reviews", str(reviews), "-f", fmt]

    def ledger_run(cache: str, args: list[str]) -> bytes:
        return run(tmp_path, cache, [*records, *args], target=named, code=1)

    one = ledger_run("a", ["--no-cache", "--jobs", "1"])
    several = ledger_run("a", ["--no-cache", "--jobs", "2"])
    cold = ledger_run("b", ["--jobs", "2"])
    warm = ledger_run("b", ["--jobs", "1"])
    assert one == several == cold == warm
    if fmt == "json":  # the batch draws licences down and overdraws some
        assert b'"licence-drawn"' in one
        drawn = one.count(b'"code":"drawn"')
        assert drawn > 100 and one.count(b"drew on licence") == drawn  # every line it served


def test_a_parallel_run_thaws_what_it_froze_for_its_workers() -> None:
    """The parent's long-lived objects are frozen out of the collector while workers run
    (``gc.freeze``); a process that runs checks again and again must not keep them so."""
    import gc

    from mineralcheck.pipeline import PARALLEL_FROM, Checker, Options

    paths = sorted(str(p) for p in EXAMPLES.rglob("*.yaml"))
    assert len(paths) > PARALLEL_FROM  # enough for the workers to start
    before = gc.get_freeze_count()
    one = [r.verdict for r in Checker(Options(jobs=1)).results(paths)]
    results = Checker(Options(jobs=2)).results(paths)
    first = next(results)
    several = [first.verdict, *(r.verdict for r in results)]
    assert one == several
    assert gc.get_freeze_count() == before
    stopped = Checker(Options(jobs=2)).results(paths)
    for _ in range(PARALLEL_FROM + 2):  # the workers have started
        next(stopped)
    assert gc.get_freeze_count() > before  # frozen while they run
    stopped.close()  # as when the reader stops early (a closed pipe, an interrupt)
    assert gc.get_freeze_count() == before


def test_without_fork_spawned_workers_give_the_same_results(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Where there is no ``fork`` (Windows), the workers are spawned by the executor and
    build their own checker: the results are those of one process, in the same order."""
    from mineralcheck import forkpool, pipeline
    from mineralcheck.pipeline import Checker, Options
    from mineralcheck.results import ManifestResult, encode_findings

    def seen(result: ManifestResult) -> tuple[object, ...]:
        text = result.findings_json or encode_findings(result.findings)  # workers send text
        return (result.path, result.manifest_id, result.verdict, text, result.facts)

    paths = sorted(str(p) for p in EXAMPLES.rglob("*.yaml"))
    one = [seen(r) for r in Checker(Options(jobs=1)).results(paths)]
    made: list[object] = []
    pool = Checker._pool

    def watched(self: Checker) -> object:
        made.append(pool(self))
        return made[-1]

    monkeypatch.delattr(os, "fork")
    monkeypatch.setattr(Checker, "_pool", watched)
    several = [seen(r) for r in Checker(Options(jobs=2)).results(paths)]
    assert len(made) == 1 and not isinstance(made[0], forkpool.ForkPool)
    assert type(made[0]).__name__ == "ProcessPoolExecutor"
    assert several == one and pipeline._WORKER is not None
