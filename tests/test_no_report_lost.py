"""No report lost: the report written is the report computed, whatever the streams are, and a
run that is interrupted or cut off never looks finished nor leaves files or workers behind."""

from __future__ import annotations

import errno
import json
import os
import pty
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import TEST_RULES, manifest

PASSING = manifest(ship_date="2025-03-01")
FAILING = manifest()
TEST_ONLY = ["--no-bundled-rules", "--rules", str(TEST_RULES)]
COMMAND = [sys.executable, "-m", "mineralcheck"]


def corpus(directory: Path, count: int) -> Path:
    """``count`` manifests, alternately failing and passing."""
    directory.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        text = FAILING if index % 2 else PASSING
        (directory / f"m{index:05}.yaml").write_text(text, encoding="utf-8")
    return directory


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.rglob("*.tmp"))


# -- 6. a terminal on standard error never captures the report --------------------------------


def _run_with_terminal_stderr(args: list[str], out: Path) -> tuple[int, bytes]:
    """Run with standard error on a pseudo-terminal and standard output into ``out``."""
    master, slave = pty.openpty()
    seen = bytearray()

    def drain() -> None:
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                return
            if not chunk:
                return
            seen.extend(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    with out.open("wb") as stdout:
        process = subprocess.run(
            [*COMMAND, *args], stdout=stdout, stderr=slave, stdin=subprocess.DEVNULL, timeout=120
        )
    os.close(slave)
    reader.join(10)
    os.close(master)
    return process.returncode, bytes(seen)


@pytest.mark.parametrize("fmt", ["json", "text", "sarif"])
def test_the_report_reaches_its_file_when_stderr_is_a_terminal(tmp_path: Path, fmt: str) -> None:
    manifests = corpus(tmp_path / "m", 40)
    args = ["verify", str(manifests), "-f", fmt, "--no-cache", *TEST_ONLY]
    piped = subprocess.run([*COMMAND, *args], capture_output=True, timeout=120)
    assert piped.returncode == 1 and piped.stdout
    code, terminal = _run_with_terminal_stderr(args, tmp_path / "out.txt")
    assert code == 1
    assert (tmp_path / "out.txt").read_bytes() == piped.stdout  # byte for byte
    assert b"40 manifest(s)" in terminal  # the summary still reached the terminal
    assert b'"results"' not in terminal  # and the report did not


# -- 7. symbolic links, FIFOs and /dev/stdout are written in place -----------------------------


def test_a_symlinked_output_keeps_its_link_and_fills_its_target(cli: Any, tmp_path: Path) -> None:
    corpus(tmp_path / "m", 3)
    real = tmp_path / "reports" / "real.json"
    real.parent.mkdir()
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    run = cli(["verify", str(tmp_path / "m"), "-o", f"json:{link}", *TEST_ONLY])
    assert run.code == 1
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert json.loads(real.read_text(encoding="utf-8"))["summary"]["manifests"] == 3
    assert leftovers(tmp_path) == []


def test_a_fifo_output_gets_the_report_and_stays_a_fifo(tmp_path: Path) -> None:
    corpus(tmp_path / "m", 3)
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    run = subprocess.run(
        [*COMMAND, "verify", str(tmp_path / "m"), "-o", f"json:{fifo}", *TEST_ONLY],
        capture_output=True,
        timeout=60,
    )
    reader.join(10)
    assert run.returncode == 1, run.stderr
    assert json.loads(received[0])["summary"]["manifests"] == 3
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_dev_stdout_as_output_writes_to_standard_output(tmp_path: Path) -> None:
    corpus(tmp_path / "m", 3)
    with (tmp_path / "captured").open("wb") as stdout:
        run = subprocess.run(
            [
                *COMMAND,
                "verify",
                str(tmp_path / "m"),
                "-f",
                "json",
                "-o",
                "/dev/stdout",
                *TEST_ONLY,
            ],
            stdout=stdout,
            stderr=subprocess.PIPE,
            timeout=60,
        )
    assert run.returncode == 1, run.stderr
    report = json.loads((tmp_path / "captured").read_bytes())
    assert report["summary"]["manifests"] == 3


def test_no_temporary_file_after_an_internal_error(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus(tmp_path / "m", 3)
    from mineralcheck.pipeline import Checker

    def broken(self: Any, path: str, raw: bytes) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(Checker, "check_bytes", broken)
    out = tmp_path / "out"
    run = cli(["verify", str(tmp_path / "m"), "-o", f"json:{out}/r.json", *TEST_ONLY])
    assert run.code == 2 and "internal error: RuntimeError: boom" in run.err
    assert leftovers(tmp_path) == [] and not (out / "r.json").exists()


def test_no_temporary_file_after_a_full_disk(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus(tmp_path / "m", 3)
    import mineralcheck.output as output

    real_fdopen = os.fdopen

    class Full:
        def __init__(self, stream: Any) -> None:
            self.stream = stream

        def write(self, text: str) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

        def close(self) -> None:
            self.stream.close()

    class OsOfOutput:  # only the report writer's disk is full, not the caches'
        def __getattr__(self, name: str) -> Any:
            return getattr(os, name)

        @staticmethod
        def fdopen(*args: Any, **kwargs: Any) -> Full:
            return Full(real_fdopen(*args, **kwargs))

    monkeypatch.setattr(output, "os", OsOfOutput())
    sarif = f"sarif:{tmp_path}/r.sarif"
    run = cli(["verify", str(tmp_path / "m"), "--no-cache", "-o", sarif, *TEST_ONLY])
    assert run.code == 2
    assert f"cannot write {tmp_path}/r.sarif: No space left on device" in run.err
    assert leftovers(tmp_path) == [] and not (tmp_path / "r.sarif").exists()


def test_an_existing_directory_among_outputs_stops_all_before_any_write(
    cli: Any, tmp_path: Path
) -> None:
    corpus(tmp_path / "m", 3)
    (tmp_path / "outdir").mkdir()
    good = tmp_path / "good.sarif"
    run = cli(
        [
            "verify",
            str(tmp_path / "m"),
            "-o",
            f"sarif:{good}",
            "-o",
            f"json:{tmp_path}/outdir",
            *TEST_ONLY,
        ]
    )
    assert run.code == 2
    assert f"cannot write {tmp_path}/outdir: it is a directory" in run.err
    assert not good.exists() and leftovers(tmp_path) == []


# -- 8. modes, parent directories, and -o usage errors ----------------------------------------


def test_report_and_init_files_follow_the_umask(cli: Any, tmp_path: Path) -> None:
    corpus(tmp_path / "m", 2)
    old = os.umask(0o022)
    try:
        cli(["verify", str(tmp_path / "m"), "-o", f"json:{tmp_path}/a/b/r.json", *TEST_ONLY])
        assert init_code(cli, tmp_path / "project") == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "a" / "b" / "r.json").st_mode) == 0o644
    for name in ("mineralcheck.toml", "manifests/example.yaml"):
        assert stat.S_IMODE(os.stat(tmp_path / "project" / name).st_mode) == 0o644


def init_code(cli: Any, directory: Path) -> int:
    run = cli(["init", str(directory)])
    return int(run.code)


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory holding two manifests in ``m/``."""
    corpus(tmp_path / "m", 2)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    ("output", "message"),
    [
        ("pdf:r.pdf", "'pdf' is not a format"),
        ("json:", "names no file after 'json:'"),
        ("", "an output needs a file name"),
    ],
)
def test_bad_output_specs_are_usage_errors(cli: Any, here: Path, output: str, message: str) -> None:
    tmp_path = here
    run = cli(["verify", "m", "-o", output, *TEST_ONLY])
    assert run.code == 2 and message in run.err and "internal error" not in run.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]


def test_a_colon_file_name_is_written_with_a_dot_slash(cli: Any, here: Path) -> None:
    run = cli(["verify", "m", "-f", "json", "-o", "./pdf:r.json", *TEST_ONLY])
    assert run.code == 1
    assert json.loads((here / "pdf:r.json").read_text())["summary"]["manifests"] == 2


def test_the_same_output_twice_is_a_usage_error(cli: Any, here: Path) -> None:
    run = cli(["verify", "m", "-o", "json:r.out", "-o", "sarif:./r.out", *TEST_ONLY])
    assert run.code == 2 and "given as an output twice" in run.err
    assert not (here / "r.out").exists()


# -- 9. names and text that are not ASCII or not UTF-8 ----------------------------------------


def test_a_non_utf8_file_name_is_kept_in_every_report(tmp_path: Path) -> None:
    directory = tmp_path / "m"
    directory.mkdir()
    name = os.fsencode(directory) + b"/caf\xe9.yaml"
    with open(name, "wb") as handle:
        handle.write(FAILING.encode())
    outputs = [f"{fmt}:{tmp_path}/r.{fmt}" for fmt in ("sarif", "junit", "markdown", "text")]
    args = ["verify", str(directory), "-f", "json", *TEST_ONLY]
    for spec in outputs:
        args += ["-o", spec]
    run = subprocess.run([*COMMAND, *args], capture_output=True, timeout=60)
    assert run.returncode == 1, run.stderr
    report = json.loads(run.stdout.decode("utf-8"))  # valid UTF-8 on standard output
    assert report["results"][0]["path"].endswith("caf\\xe9.yaml")
    sarif = json.loads((tmp_path / "r.sarif").read_text(encoding="utf-8"))
    location = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"].endswith("caf\\xe9.yaml")
    for fmt in ("junit", "text", "markdown"):
        assert "caf\\xe9.yaml" in (tmp_path / f"r.{fmt}").read_text(encoding="utf-8")


def test_reports_are_utf8_whatever_the_locale(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(FAILING.replace("id: T-1", "id: 出口-1"), encoding="utf-8")
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "LC_ALL": "C"}
    for fmt in ("json", "text"):
        run = subprocess.run(
            [*COMMAND, "verify", str(path), "-f", fmt, *TEST_ONLY],
            capture_output=True,
            env=env,
            timeout=60,
        )
        assert run.returncode == 1, run.stderr
        assert "出口-1" in run.stdout.decode("utf-8")


def test_a_non_utf8_config_file_is_a_config_error(cli: Any, tmp_path: Path) -> None:
    corpus(tmp_path / "m", 1)
    config = tmp_path / "mineralcheck.toml"
    config.write_bytes(b'paths = ["caf\xe9"]\n')
    run = cli(["verify", str(tmp_path / "m"), "--config", str(config), *TEST_ONLY])
    assert run.code == 2
    assert "not UTF-8" in run.err and "internal error" not in run.err


# -- 5 and 10. interruptions and a closed pipe: never finished-looking, nothing left over ------


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def _start_batch(tmp_path: Path) -> tuple[subprocess.Popen[bytes], list[int]]:
    """A 4-worker batch that blocks on a full standard output, with its workers started."""
    manifests = corpus(tmp_path / "m", 1500)
    process = subprocess.Popen(
        [
            *COMMAND,
            "verify",
            str(manifests),
            "-f",
            "json",
            "--jobs",
            "4",
            "--no-cache",
            "-o",
            f"sarif:{tmp_path}/out/r.sarif",
            *TEST_ONLY,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # a signal to the test's group never reaches it by accident
    )
    deadline = time.monotonic() + 60
    while len(workers := _children(process.pid)) < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(workers) >= 4, "the workers did not start"
    time.sleep(0.5)  # let the pipe fill: the run is now in the middle of the batch
    return process, workers


def _gone(pids: list[int], seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not any(_alive(pid) for pid in pids)


@pytest.mark.parametrize(
    ("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGHUP, 129)]
)
def test_an_interrupted_batch_exits_128_plus_the_signal_and_leaves_nothing(
    tmp_path: Path, signum: int, code: int
) -> None:
    process, workers = _start_batch(tmp_path)
    process.send_signal(signum)
    _out, err = process.communicate(timeout=60)  # reads the pipe: the run can end
    assert process.returncode == code
    text = err.decode()
    assert "Traceback" not in text and "KeyboardInterrupt" not in text
    assert text.count("interrupted") == 1, text
    assert "manifest(s):" not in text  # no summary that looks like a finished run
    assert _gone(workers)
    assert leftovers(tmp_path) == [] and not (tmp_path / "out" / "r.sarif").exists()


def test_workers_never_outlive_a_killed_parent(tmp_path: Path) -> None:
    process, workers = _start_batch(tmp_path)
    process.kill()
    process.communicate(timeout=60)
    assert _gone(workers), "workers outlived their parent"


def test_a_worker_killed_mid_batch_is_an_error_never_a_pass_or_a_hang(tmp_path: Path) -> None:
    """A worker that dies (the kernel's OOM killer, a crash) leaves manifests unchecked: the run
    says so and exits 2, writes no report file, and ends every other worker."""
    process, workers = _start_batch(tmp_path)
    os.kill(workers[0], signal.SIGKILL)
    _out, err = process.communicate(timeout=60)  # reads the pipe: the run can go on and end
    text = err.decode()
    assert process.returncode == 2, text
    assert "internal error: WorkerLostError: a worker process ended" in text
    assert "Traceback" not in text and "manifest(s):" not in text
    assert _gone(workers)
    assert leftovers(tmp_path) == [] and not (tmp_path / "out" / "r.sarif").exists()


def test_a_closed_pipe_stops_the_batch(tmp_path: Path) -> None:
    manifests = corpus(tmp_path / "m", 1500)
    process = subprocess.Popen(
        [*COMMAND, "verify", str(manifests), "-f", "json", "--no-cache", *TEST_ONLY],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()  # like | head -1
    process.stdout.close()
    err = process.stderr.read().decode()
    process.stderr.close()
    process.wait(timeout=60)
    assert first.startswith(b"{")
    assert process.returncode == 141
    assert "standard output was closed" in err and "Traceback" not in err
    assert "1500 manifest(s)" not in err


def test_a_watched_run_ends_with_what_did_not_pass(tmp_path: Path) -> None:
    manifests = corpus(tmp_path / "m", 50)  # 25 fail
    args = ["verify", str(manifests), "-f", "json", "--no-cache", *TEST_ONLY]
    piped = subprocess.run([*COMMAND, *args], capture_output=True, timeout=120)
    assert b"FAIL " not in piped.stderr  # not a terminal: the summary line only
    code, terminal = _run_with_terminal_stderr(args, tmp_path / "out.json")
    assert code == 1 and (tmp_path / "out.json").read_bytes() == piped.stdout
    shown = terminal.decode("utf-8", "replace")
    assert f"FAIL {manifests / 'm00001.yaml'}" in shown  # the id and reason follow, or below
    assert "Gallium metal to DE needs a licence" in shown  # the first reason
    assert "... and 5 more that did not pass" in shown
    assert shown.count("FAIL ") == 20


def test_a_report_to_a_file_shows_progress_with_count_and_rate(tmp_path: Path) -> None:
    manifests = corpus(tmp_path / "m", 1500)
    report = tmp_path / "r.json"
    args = ["verify", str(manifests), "-f", "json", "-o", str(report), "--no-cache", *TEST_ONLY]
    code, terminal = _run_with_terminal_stderr(args, tmp_path / "stdout.txt")
    assert code == 1
    shown = terminal.decode("utf-8", "replace")
    assert "checking manifests:" in shown and " checked" in shown
    assert "/s" in shown  # the rate (at the latest in the last frame)
    assert json.loads(report.read_text(encoding="utf-8"))["summary"]["manifests"] == 1500
    assert (tmp_path / "stdout.txt").read_bytes() == b""  # the report went to its file only


def test_a_stopped_batch_lets_each_worker_finish_the_task_it_is_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A reader that stops early (a closed pipe, an interrupt) stops the batch: no worker gets
    more work, and none is killed in the middle of a task: each finishes it, its result is read
    and dropped, and it ends on its own. (With ``ProcessPoolExecutor``, a worker killed while
    it sent its result left the pool's thread waiting for the rest of it, and the process
    waited forever at exit.)"""
    from conftest import EXAMPLES
    from mineralcheck import pipeline

    check = pipeline.Checker.check_bytes
    parent = os.getpid()

    def slow(self: Any, path: str, raw: bytes) -> Any:
        if os.getpid() != parent:  # a worker: in the middle of a task when the reader stops
            time.sleep(0.02)
        return check(self, path, raw)

    stop = pipeline._stop
    workers: list[Any] = []

    def watched(pool: Any) -> None:
        workers.extend(pool.workers)  # forkpool.ForkPool's, each with its exit code once ended
        stop(pool)

    monkeypatch.setattr(pipeline.Checker, "check_bytes", slow)  # forked workers have it too
    monkeypatch.setattr(pipeline, "_stop", watched)
    paths = sorted(str(p) for p in EXAMPLES.rglob("*.yaml"))
    results = pipeline.Checker(pipeline.Options(jobs=2)).results(paths)
    for _ in range(pipeline.PARALLEL_FROM + 2):
        next(results)
    results.close()
    assert len(workers) == 2
    assert [w.exitcode for w in workers] == [0, 0]  # each ended on its own, none killed
