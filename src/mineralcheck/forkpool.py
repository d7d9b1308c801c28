"""Worker processes forked from this one, each given one batch at a time over a pipe.

``concurrent.futures.ProcessPoolExecutor`` costs a batch about 15 ms before its first worker
starts, importing ``logging``, ``multiprocessing.connection`` (``socket``, ``selectors``,
``tempfile``...) and the rest: a tenth of checking 200 manifests. What a batch needs of it is
small, and is here with ``os``, ``pickle`` and ``select`` only (platforms without ``fork`` still
use the executor, ``pipeline._pool``):

- ``submit`` queues a task; a worker that is free is sent the next one (a length and a pickle
  on its task pipe), so no worker holds more than the task it is on, and what is queued can
  still be dropped;
- ``Task.result`` waits for its task, reading whichever results come in meanwhile and giving
  free workers the next tasks;
- ``stop`` gives no more work: each worker's task pipe is closed, so a worker ends when it has
  finished the task it is on (its result read and dropped; never killed in the middle of a
  task, unless it has not ended after ``STOP_WAIT`` seconds), and ``shutdown`` does the same
  once every task is done.

A worker reads tasks until its task pipe ends and never returns into the caller's code: it
leaves by ``os._exit``. Each closes the pipes of the others, so a pipe ends when this process
closes its end or dies: a worker waiting for work then ends at once, and one in the middle of a
task ends when it tries to send the result (``pipeline._init_worker`` also watches the parent).
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import time
from collections import deque
from collections.abc import Callable
from typing import Any

_HEADER = 8  # bytes of a message's length, before its pickle
STOP_WAIT = 10.0  # seconds a stopping pool waits for a worker to end before killing it


class WorkerLostError(RuntimeError):
    """A worker ended before sending the result of its task, or no worker is left."""


class CancelledError(RuntimeError):
    """The task was dropped, unrun, when the pool stopped."""


class Task:
    """One submitted task; ``result`` waits for it."""

    def __init__(self, pool: ForkPool, function: Callable[..., Any], argument: Any) -> None:
        self.pool = pool
        self.message = pickle.dumps((function, argument), protocol=pickle.HIGHEST_PROTOCOL)
        self.done = False
        self.value: Any = None
        self.error: BaseException | None = None

    def result(self) -> Any:
        """The task's value (raising what the worker raised), once a worker has sent it."""
        while not self.done:
            if not self.pool.pending():
                raise WorkerLostError("the task is neither queued nor running")
            self.pool.receive()
        if self.error is not None:
            raise self.error
        return self.value


class _Worker:
    def __init__(self, pid: int, tasks: int, results: int) -> None:
        self.pid = pid
        self.tasks: int | None = tasks  # this process's end of its task pipe (None: closed)
        self.results: int | None = results  # and of its result pipe
        self.task: Task | None = None  # the task it is on
        self.exitcode: int | None = None  # once it has ended and been waited for


class ForkPool:
    """``jobs`` worker processes, forked at the first ``submit``, that run
    ``initializer(*initargs)`` once and then the tasks they are sent."""

    def __init__(
        self, jobs: int, initializer: Callable[..., None], initargs: tuple[Any, ...]
    ) -> None:
        self.jobs = jobs
        self.initializer = initializer
        self.initargs = initargs
        self.workers: list[_Worker] = []
        self.queue: deque[Task] = deque()  # submitted, not yet sent to a worker

    def submit(self, function: Callable[..., Any], argument: Any) -> Task:
        """Queue ``function(argument)`` for a worker; the task is sent as soon as one is free."""
        task = Task(self, function, argument)
        self.queue.append(task)
        if not self.workers:
            self._start()
        self._dispatch()
        return task

    def receive(self) -> None:
        """Wait for the next result of any busy worker, and give free workers more work."""
        busy = {w.results: w for w in self.workers if w.task is not None and w.results is not None}
        if not busy:  # no worker is left (dispatching gives a free one work at once)
            self._drop(WorkerLostError("no worker is left to run the task"))
            return
        for descriptor in _readable(list(busy), None):
            worker = busy[descriptor]
            task = worker.task
            assert task is not None
            worker.task = None
            try:
                ok, value = pickle.loads(_read_message(descriptor))
            except Exception as exc:  # ended (torn) or unreadable: that worker is done with
                self._lost(worker)
                task.error = WorkerLostError(f"a worker process ended during its task ({exc})")
            else:
                if ok:
                    task.value = value
                else:
                    task.error = value
            task.done = True
        self._dispatch()

    def pending(self) -> bool:
        """Whether any task is queued or running."""
        return bool(self.queue) or any(w.task is not None for w in self.workers)

    def _drop(self, error: BaseException) -> None:
        """Every queued task done, unrun, with ``error``."""
        while self.queue:
            task = self.queue.popleft()
            task.error, task.done = error, True

    def stop(self) -> None:
        """No more work: queued tasks are dropped, and each worker ends after the task it is
        on. What it sends is read and dropped, so that none waits on a full pipe; a worker not
        ended after ``STOP_WAIT`` seconds is killed."""
        self._drop(CancelledError("the pool stopped before the task ran"))
        for worker in self.workers:
            _close(worker, "tasks")
            if worker.task is not None:  # its result will be read and dropped
                worker.task.error = CancelledError("the pool stopped during the task")
                worker.task.done = True
        deadline = time.monotonic() + STOP_WAIT
        open_ = {w.results: w for w in self.workers if w.results is not None}
        while open_ and (left := deadline - time.monotonic()) > 0:
            for descriptor in _readable(list(open_), left):
                try:
                    chunk = os.read(descriptor, 1 << 20)
                except OSError:
                    chunk = b""
                if not chunk:  # the worker has ended
                    worker = open_.pop(descriptor)
                    worker.task = None
                    _close(worker, "results")
        for worker in self.workers:
            worker.task = None
            _close(worker, "results")
        self._wait(max(deadline - time.monotonic(), 0))

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        """Finish: with ``cancel_futures``, queued tasks are dropped, else they are run first;
        then the workers end (waited for with ``wait``)."""
        if cancel_futures:
            self._drop(CancelledError("the pool shut down before the task ran"))
        while self.pending():
            self.receive()
        for worker in self.workers:
            _close(worker, "tasks")  # nothing more to read: the worker ends
        if wait:
            self._wait(STOP_WAIT)
        for worker in self.workers:
            _close(worker, "results")

    def _start(self) -> None:
        pipes = [(os.pipe(), os.pipe()) for _ in range(self.jobs)]
        for index, ((_, task_write), (result_read, _)) in enumerate(pipes):
            pid = os.fork()
            if pid == 0:  # the worker: never returns from here
                _serve(pipes, index, self.initializer, self.initargs)
            self.workers.append(_Worker(pid, task_write, result_read))
        for (task_read, _), (_, result_write) in pipes:  # the workers' ends are theirs
            os.close(task_read)
            os.close(result_write)

    def _dispatch(self) -> None:
        for worker in self.workers:
            if not self.queue:
                return
            if worker.task is None and worker.tasks is not None and worker.exitcode is None:
                task = self.queue.popleft()
                worker.task = task
                try:
                    _write_message(worker.tasks, task.message)
                    task.message = b""  # sent: the batch's bytes need not be held
                except OSError:  # it has ended: the task fails, as it would have
                    self._lost(worker)
                    worker.task = None
                    task.error = WorkerLostError("a worker process ended before its task")
                    task.done = True

    def _lost(self, worker: _Worker) -> None:
        _close(worker, "tasks")
        _close(worker, "results")
        self._wait(STOP_WAIT, [worker])

    def _wait(self, seconds: float, workers: list[_Worker] | None = None) -> None:
        """Wait for the workers to end; kill those still running after ``seconds``."""
        waiting = [w for w in (workers or self.workers) if w.exitcode is None]
        deadline = time.monotonic() + seconds
        while waiting:
            for worker in list(waiting):
                try:
                    pid, status = os.waitpid(worker.pid, os.WNOHANG)
                except ChildProcessError:  # waited for elsewhere: its code is unknown
                    worker.exitcode = -1
                    waiting.remove(worker)
                    continue
                if pid:
                    worker.exitcode = os.waitstatus_to_exitcode(status)
                    waiting.remove(worker)
            if waiting and time.monotonic() >= deadline:
                for worker in waiting:
                    os.kill(worker.pid, signal.SIGKILL)
                deadline = float("inf")
            elif waiting:
                time.sleep(0.005)


def _readable(descriptors: list[int], seconds: float | None) -> list[int]:
    """Those of ``descriptors`` with something to read (or ended), waiting up to ``seconds``
    (``None``: until one has). ``poll``, not ``select``: any number of workers."""
    poller = select.poll()
    for descriptor in descriptors:
        poller.register(descriptor, select.POLLIN)
    timeout = None if seconds is None else max(int(seconds * 1000), 1)
    return [descriptor for descriptor, _ in poller.poll(timeout)]


def _close(worker: _Worker, end: str) -> None:
    descriptor = getattr(worker, end)
    if descriptor is not None:
        setattr(worker, end, None)
        os.close(descriptor)


def _serve(
    pipes: list[tuple[tuple[int, int], tuple[int, int]]],
    index: int,
    initializer: Callable[..., None],
    initargs: tuple[Any, ...],
) -> None:
    """A worker's life: its pipes kept, every other closed, tasks run until its pipe ends."""
    code = 1
    try:
        (tasks, _), (_, results) = pipes[index]
        for number, ((task_read, task_write), (result_read, result_write)) in enumerate(pipes):
            os.close(task_write)
            os.close(result_read)
            if number != index:
                os.close(task_read)
                os.close(result_write)
        initializer(*initargs)
        while True:
            try:
                message = _read_message(tasks)
            except EOFError:  # no more work
                code = 0
                break
            function, argument = pickle.loads(message)
            try:
                answer = pickle.dumps((True, function(argument)), pickle.HIGHEST_PROTOCOL)
            except Exception as exc:  # sent back, raised by the task's result()
                answer = _failure(exc)
            _write_message(results, answer)
    except BaseException:  # the parent sees the pipe end, and says so
        pass
    finally:
        os._exit(code)


def _failure(exc: Exception) -> bytes:
    try:
        return pickle.dumps((False, exc), pickle.HIGHEST_PROTOCOL)
    except Exception:  # an exception that does not pickle: its type and text
        return pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}")))


def _read_message(descriptor: int) -> bytes:
    size = int.from_bytes(_read_exactly(descriptor, _HEADER), "little")
    return _read_exactly(descriptor, size)


def _read_exactly(descriptor: int, size: int) -> bytes:
    chunks = []
    while size:
        chunk = os.read(descriptor, min(size, 1 << 20))
        if not chunk:
            raise EOFError("the pipe ended")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _write_message(descriptor: int, message: bytes) -> None:
    view = memoryview(len(message).to_bytes(_HEADER, "little") + message)
    while view:
        view = view[os.write(descriptor, view) :]
