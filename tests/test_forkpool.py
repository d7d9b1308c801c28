"""The fork pool that checks a batch's manifests: results in the order asked, whatever the
workers take; a task's error raised where its result is asked; a lost worker said, never a
hang; stopping lets each worker finish the task it is on and end on its own."""

from __future__ import annotations

import os
import signal
import time
from typing import Any

import pytest

from mineralcheck.forkpool import CancelledError, ForkPool, WorkerLostError


def _nothing() -> None:
    pass


def _square(value: int) -> tuple[int, int]:
    return value * value, os.getpid()


def _fail(value: int) -> int:
    if value == 3:
        raise ValueError(f"three is refused ({value})")
    return value


def _big(size: int) -> bytes:
    return bytes(range(256)) * (size // 256)


def _slow(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def _slow_big(seconds: float) -> bytes:
    time.sleep(seconds)
    return _big(4 << 20)


def _suicide(value: int) -> int:
    if value == 1:
        os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(0.05)
    return value


class _UnpicklableError(Exception):
    def __reduce__(self) -> Any:
        raise TypeError("not this one")


def _unpicklable(value: int) -> int:
    raise _UnpicklableError(f"odd {value}")


def _pool(jobs: int = 2) -> ForkPool:
    return ForkPool(jobs, _nothing, ())


def test_results_come_in_the_order_asked_from_every_worker() -> None:
    pool = _pool(3)
    tasks = [pool.submit(_square, value) for value in range(40)]
    answers = [task.result() for task in tasks]
    pool.shutdown()
    assert [square for square, _ in answers] == [value * value for value in range(40)]
    assert len({pid for _, pid in answers}) > 1  # the work was shared
    assert os.getpid() not in {pid for _, pid in answers}
    assert [worker.exitcode for worker in pool.workers] == [0, 0, 0]


def test_a_task_that_raises_raises_where_its_result_is_asked_and_the_rest_go_on() -> None:
    pool = _pool()
    tasks = [pool.submit(_fail, value) for value in range(6)]
    assert [task.result() for task in tasks[:3]] == [0, 1, 2]
    with pytest.raises(ValueError, match=r"three is refused \(3\)"):
        tasks[3].result()
    assert [task.result() for task in tasks[4:]] == [4, 5]
    odd = pool.submit(_unpicklable, 7)
    with pytest.raises(RuntimeError, match="_UnpicklableError: odd 7"):
        odd.result()
    pool.shutdown()
    assert [worker.exitcode for worker in pool.workers] == [0, 0]


def test_a_result_larger_than_a_pipe_arrives_whole() -> None:
    pool = _pool()
    tasks = [pool.submit(_big, size) for size in (5 << 20, 256, 3 << 20)]
    assert [task.result() for task in tasks] == [_big(5 << 20), _big(256), _big(3 << 20)]
    pool.shutdown()


def test_a_worker_that_dies_fails_its_task_and_the_others_go_on() -> None:
    pool = _pool()
    tasks = [pool.submit(_suicide, value) for value in range(6)]
    with pytest.raises(WorkerLostError, match="ended during its task"):
        tasks[1].result()
    assert [tasks[i].result() for i in (0, 2, 3, 4, 5)] == [0, 2, 3, 4, 5]
    pool.shutdown()
    assert sorted(worker.exitcode for worker in pool.workers) == [-signal.SIGKILL, 0]


def test_when_every_worker_is_gone_a_result_is_an_error_not_a_wait() -> None:
    pool = _pool(1)
    first = pool.submit(_suicide, 1)
    after = pool.submit(_square, 2)
    with pytest.raises(WorkerLostError):
        first.result()
    with pytest.raises(WorkerLostError, match="no worker is left"):
        after.result()
    pool.shutdown()  # nothing left to wait for
    assert pool.workers[0].exitcode == -signal.SIGKILL


def test_stopping_lets_each_worker_finish_its_task_and_end_on_its_own() -> None:
    pool = _pool()
    tasks = [pool.submit(_slow, 0.3) for _ in range(6)]
    time.sleep(0.1)  # both workers are in the middle of a task; four are queued
    started = time.monotonic()
    pool.stop()
    took = time.monotonic() - started
    assert 0.1 < took < 5  # it waited for the tasks under way, and only for them
    assert [worker.exitcode for worker in pool.workers] == [0, 0]  # none killed
    assert not pool.queue and not pool.pending()
    for task in tasks:  # the two under way and the four dropped, unrun: said so at once
        with pytest.raises(CancelledError):
            task.result()


def test_a_stopped_worker_sending_more_than_a_pipe_holds_still_ends_on_its_own() -> None:
    """Its result is read and dropped: unread, the worker would wait on the full pipe until
    it was killed."""
    pool = _pool()
    for _ in range(4):
        pool.submit(_slow_big, 0.2)
    time.sleep(0.05)
    started = time.monotonic()
    pool.stop()
    assert time.monotonic() - started < 5
    assert [worker.exitcode for worker in pool.workers] == [0, 0]


def test_idle_workers_end_as_soon_as_the_pool_stops() -> None:
    """Each worker closes the others' pipes: were one to keep a copy of another's task pipe,
    that worker would never see its pipe end, and would be killed after ``STOP_WAIT``."""
    pool = _pool(4)
    assert [pool.submit(_square, v).result()[0] for v in range(4)] == [0, 1, 4, 9]
    started = time.monotonic()
    pool.stop()
    assert time.monotonic() - started < 2
    assert [worker.exitcode for worker in pool.workers] == [0, 0, 0, 0]


def test_shutdown_runs_what_is_queued_unless_told_to_cancel() -> None:
    pool = _pool()
    kept = [pool.submit(_square, value) for value in range(5)]
    pool.shutdown()
    assert all(task.done for task in kept)
    assert [task.result()[0] for task in kept] == [0, 1, 4, 9, 16]
    pool = _pool(1)
    first = pool.submit(_slow, 0.2)
    dropped = [pool.submit(_square, value) for value in range(5)]
    pool.shutdown(cancel_futures=True)
    assert first.result() == 0.2
    for task in dropped:
        with pytest.raises(CancelledError):
            task.result()
    assert [worker.exitcode for worker in pool.workers] == [0]


def test_a_pipe_numbered_past_1024_is_waited_on_as_any_other() -> None:
    """A run with hundreds of workers holds pipes numbered past ``select``'s 1,024."""
    import resource

    from mineralcheck.forkpool import _readable

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 2048:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(2048, hard), hard))
    read, write = os.pipe()
    high = os.dup2(read, 1500)
    try:
        assert _readable([high], 0.05) == []
        os.write(write, b"x")
        assert _readable([high], None) == [high]
        os.close(write)
    finally:
        os.close(high)
        os.close(read)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
