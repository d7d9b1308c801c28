"""The pipeline: load rules -> find manifests -> read -> match and judge -> results, streamed.

Results come out in the order the manifests were found, one at a time, so a report can be
written and the result dropped before the next: memory stays flat however many manifests a
directory holds. Large batches are checked by worker processes, and a verdict cache skips the
manifests whose bytes were already checked against the same rule pack and options.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import os
from collections import deque
from collections.abc import Iterable, Iterator
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from mineralcheck import __version__
from mineralcheck.discovery import STDIN, Unreadable, read_file
from mineralcheck.results import (
    ControlInfo,
    Finding,
    ManifestResult,
    RunInfo,
    Severity,
    encode_findings,
)

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor
    from decimal import Decimal

    from mineralcheck.cache import ResultCache
    from mineralcheck.engine.judge import Judge
    from mineralcheck.engine.match import CompiledControl
    from mineralcheck.forkpool import ForkPool, Task
    from mineralcheck.manifest.shipment import Manifest
    from mineralcheck.records.register import Register
    from mineralcheck.ruleset.pack import RulePack

BATCH = 32  # manifests per task sent to a worker process
PARALLEL_FROM = 8  # fewer manifests than this are checked in-process
LOOKUP = 256  # files read and looked up in the verdict cache at a time


class Options(NamedTuple):
    """Everything that affects a verdict, apart from the files themselves, and how to run."""

    rule_paths: tuple[Path, ...] = ()
    bundled: bool = True
    as_of: dt.date | None = None
    jobs: int = 1
    cache_dir: Path | None = None  # None: no verdict cache
    digests: bool = False  # give each result the SHA-256 of its file's bytes (for the record)
    register_paths: tuple[Path, ...] = ()  # licence registers (--permits)
    packs: tuple[str, ...] | None = None  # bundled jurisdictions to load (--pack); None: all
    pack_cache_dir: Path | None = None  # where the compiled pack is kept (None: built each run)


def rule_pack_fingerprint(rule_paths: Iterable[Path], bundled: bool) -> str:
    """A digest of every rule file's name and bytes, read without parsing them."""
    from mineralcheck.ruleset.files import bundled_pack_dir, rule_files

    roots = [bundled_pack_dir()] if bundled else []
    roots.extend(rule_paths)
    digest = hashlib.sha256()
    for path in rule_files(roots):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


class Checker:
    """Checks manifests against one rule pack, loaded only when a manifest needs it."""

    def __init__(self, options: Options, pack: RulePack | None = None) -> None:
        self.options = options
        if pack is not None:
            self.__dict__["pack"] = pack

    @cached_property
    def pack(self) -> RulePack:
        """The rule pack (loaded on first use)."""
        return self._compiled[0]

    @cached_property
    def _fingerprint(self) -> str:
        return rule_pack_fingerprint(self.options.rule_paths, self.options.bundled)

    @cached_property
    def _compiled(self) -> tuple[RulePack, list[CompiledControl]]:
        """The pack and its compiled controls: from the compiled-pack cache when a sealed entry
        for these very rule files is there, else loaded from the YAML (and the entry written)."""
        from mineralcheck.engine.match import compile_pack

        if "pack" in self.__dict__:  # given by the caller
            return self.__dict__["pack"], compile_pack(self.__dict__["pack"])
        from mineralcheck import packcache

        directory = self.options.pack_cache_dir
        name = packcache.entry_name(self._fingerprint, self.options.packs)
        if directory is not None:
            hit = packcache.load(directory, name)
            if hit is not None:
                return hit
        from mineralcheck.ruleset.loader import load_pack

        pack = load_pack(self.options.rule_paths, self.options.bundled, self.options.packs)
        compiled = (pack, compile_pack(pack))
        if directory is not None:
            packcache.store(directory, name, compiled)
        return compiled

    @cached_property
    def register(self) -> Register | None:
        """The licence registers given, if any (loaded on first use)."""
        if not self.options.register_paths:
            return None
        from mineralcheck.records.register import load

        return load(self.options.register_paths, self.options.pack_cache_dir)

    @cached_property
    def judge(self) -> Judge:
        """The engine, compiled from the pack on first use."""
        from mineralcheck.engine.judge import Judge

        pack, controls = self._compiled
        judge = Judge(pack, controls)
        judge.register = self.register
        return judge

    @cached_property
    def cache(self) -> ResultCache | None:
        """The verdict cache for this rule pack and these options, if caching is on."""
        if self.options.cache_dir is None:
            return None
        from mineralcheck.cache import ResultCache, run_key

        fingerprint = self._fingerprint
        if self.options.packs is not None:  # the jurisdictions chosen decide verdicts too
            fingerprint += "|packs:" + ",".join(sorted(self.options.packs))
        if self.register is not None:  # a licence's terms decide verdicts too
            fingerprint += "|register:" + self.register.digest
        as_of = self.options.as_of.isoformat() if self.options.as_of else None
        return ResultCache(self.options.cache_dir, run_key(__version__, fingerprint, as_of))

    def check_bytes(self, path: str, raw: bytes) -> ManifestResult:
        """The result for one manifest's bytes, labelled with ``path``."""
        from mineralcheck.manifest.reader import read_manifest

        read = read_manifest(raw, self.pack.vocabulary)
        if read.manifest is None or read.document is None:
            return ManifestResult.judge(path, _raw_id(read.document), read.errors)
        manifest = read.manifest
        judge = self.judge
        findings, drawn = judge.judgement(manifest, read.document, self.options.as_of)
        lines = tuple(manifest.line_of(i) for i in range(len(manifest.items)))
        facts = _facts(manifest, drawn, judge.uses)
        return ManifestResult.judge(path, manifest.id, findings, lines, facts)

    def info(self) -> RunInfo:
        """What this run checks against (from the cache when the pack need not be loaded)."""
        cache = self.cache
        if cache is not None and "pack" not in self.__dict__:
            cached = cache.get_info()
            if cached is not None:
                return cached
        info = RunInfo(
            tool_version=__version__,
            rule_pack_hash=self.pack.hash,
            rules=tuple(rule.id for _, rule in self.pack.rules),
            as_of=self.options.as_of.isoformat() if self.options.as_of else None,
            controls=tuple(
                ControlInfo(
                    id=c.id,
                    title=c.control.title,
                    reference=c.rule.reference,
                    url=c.url,
                    requires=str(c.requires),
                    control_code=c.control.control_code,
                )
                for c in self.pack.controls
            ),
        )
        if cache is not None:
            cache.put_info(info)
        return info

    def results(
        self, paths: Iterable[str | Unreadable], stdin: bytes | Unreadable | None = None
    ) -> Iterator[ManifestResult]:
        """Results for ``paths`` in order, from the cache, this process or worker processes.

        Manifests are checked here while fewer than ``PARALLEL_FROM`` of those read so far
        (``LOOKUP`` at a time) are missing from the cache; after that (with ``jobs`` > 1) the
        misses go to worker processes in batches. At most a few batches are in flight, so
        memory does not grow with the number of manifests.
        """
        pending: deque[_Pending] = deque()
        batch: list[tuple[str, bytes]] = []
        pool: ProcessPoolExecutor | ForkPool | None = None
        cache = self.cache
        window = 4 * max(self.options.jobs, 1)
        digests = self.options.digests
        try:
            misses = 0  # manifests not found in the cache so far
            checked = False  # whether this process has checked one
            for chunk in _chunks(paths, LOOKUP):
                raws = [bytes_of(path, stdin) for path in chunk]
                readable = [(p, r) for p, r in raws if not isinstance(r, ManifestResult)]
                found = cache.get_many(readable) if cache else [None] * len(readable)
                misses += found.count(None)
                # Enough to check, the workers start now and take all of it, so that they
                # start while this process would still be checking the first few itself.
                serial = self.options.jobs <= 1 or misses < PARALLEL_FROM
                hits = iter(found)
                for path, raw in raws:
                    ready = raw if isinstance(raw, ManifestResult) else next(hits)
                    if ready is not None and digests and not isinstance(raw, ManifestResult):
                        ready.digest = hashlib.sha256(raw).hexdigest()
                    if ready is None and pool is None and (serial or not checked):
                        # the first is checked here even so: the workers, forked after it,
                        # start with what it loaded and remembered (values, outcomes)
                        assert not isinstance(raw, ManifestResult)
                        checked = True
                        ready = self.check_bytes(path, raw)
                        if cache is not None:
                            cache.put(raw, ready)
                        if digests:
                            ready.digest = hashlib.sha256(raw).hexdigest()
                    if ready is not None and not pending and not batch:
                        yield ready  # nothing waits before it: no need to queue
                        continue
                    if ready is not None:
                        if batch:  # keep the order: the open batch goes before this result
                            assert pool is not None
                            pending.append(_Pending(batch=batch, future=pool.submit(_check, batch)))
                            batch = []
                        pending.append(_Pending(ready=ready))
                    else:
                        assert not isinstance(raw, ManifestResult)
                        pool = pool or self._pool()
                        batch.append((path, raw))
                        if len(batch) == BATCH:
                            pending.append(_Pending(batch=batch, future=pool.submit(_check, batch)))
                            batch = []
                    while pending and (pending[0].future is None or len(pending) > window):
                        yield from pending.popleft().results(cache, digests)
            if batch and pool is not None:
                pending.append(_Pending(batch=batch, future=pool.submit(_check, batch)))
            while pending:
                yield from pending.popleft().results(cache, digests)
        except BaseException:  # interrupted, or the reader stopped: end the workers now
            if pool is not None:
                _stop(pool)
                gc.unfreeze()
                pool = None
            raise
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
                gc.unfreeze()
            if cache is not None:
                cache.close()

    def results_with_ledger(
        self,
        paths: Iterable[str | Unreadable],
        extra: Iterable[str | Unreadable] = (),
        stdin: bytes | Unreadable | None = None,
    ) -> Iterator[ManifestResult]:
        """Results for ``paths`` with the register's licences drawn down over the whole run:
        ``extra`` manifests (the rest of the repository) count toward the draw-down but are
        not reported. All results are held until the ledger has seen every use."""
        from mineralcheck.records.ledger import Ledger, collector_paused

        assert self.register is not None
        named = list(paths)
        ledger = Ledger(self.register)
        with collector_paused():  # the ledger holds every result: see collector_paused
            for result in self.results([*named, *extra], stdin):
                ledger.add(result)  # while the workers check the rest
            finished = ledger.finish()[: len(named)]
            del ledger  # its uses and draws freed now: the collector, back on, walks none of them
        yield from finished

    def _pool(self) -> ProcessPoolExecutor | ForkPool:
        global _WORKER
        self.judge  # noqa: B018 - load and compile the pack once, before the workers start
        import mineralcheck.manifest.reader  # noqa: F401 - imported once, for every worker

        _WORKER = self
        # What is alive now (the pack, the judge, the modules) lives as long as the run: moved
        # out of the collector's reach, a forked worker's collections neither walk it nor copy
        # its pages (Python's advice for fork without exec); ``results`` thaws it at the end.
        gc.freeze()
        if hasattr(os, "fork"):
            from mineralcheck.forkpool import ForkPool

            return ForkPool(self.options.jobs, _init_worker, (self.options, os.getpid()))
        import multiprocessing  # no fork here: workers are spawned and build their checker
        from concurrent.futures import ProcessPoolExecutor

        return ProcessPoolExecutor(
            max_workers=self.options.jobs,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(self.options, os.getpid()),
        )


class _Pending(NamedTuple):
    """A result ready to report, or a batch a worker is checking."""

    ready: ManifestResult | None = None
    batch: list[tuple[str, bytes]] | None = None
    future: Future[list[ManifestResult]] | Task | None = None

    def results(self, cache: ResultCache | None, digests: bool) -> Iterator[ManifestResult]:
        """The results, waiting for the worker if need be (and caching what it found)."""
        if self.ready is not None:
            yield self.ready
            return
        assert self.future is not None and self.batch is not None
        for (_, raw), result in zip(self.batch, self.future.result(), strict=True):
            if cache is not None:
                cache.put(raw, result)
            if digests:
                result.digest = hashlib.sha256(raw).hexdigest()
            yield result


_WORKER: Checker | None = None


def _stop(pool: ProcessPoolExecutor | ForkPool) -> None:
    """Stop the batch: no worker is given more work, and each ends after the task it is on (a
    few dozen files), waited for; only workers that have not ended after ``STOP_WAIT`` seconds
    are killed. The fork pool does this itself. With the executor, a worker must not be killed
    while it may be sending a result: the pool's thread would wait for the rest of that result
    forever, and so would the process, at exit."""
    from mineralcheck.forkpool import STOP_WAIT, ForkPool

    if isinstance(pool, ForkPool):  # it does the same
        pool.stop()
        return
    found = getattr(pool, "_processes", None) or {}
    workers = list(found.values())
    manager = getattr(pool, "_executor_manager_thread", None)
    pool.shutdown(wait=False, cancel_futures=True)
    if manager is not None:
        manager.join(STOP_WAIT)  # it ends once it has joined every worker
    for worker in workers:
        worker.join(0 if manager is not None else STOP_WAIT)
        if worker.is_alive():
            worker.kill()
            worker.join(5)


def _watch_parent(parent: int) -> None:
    """End this worker when the process that started it is gone (even by SIGKILL)."""
    import time

    while os.getppid() == parent:
        time.sleep(0.2)
    os._exit(1)


def _init_worker(options: Options, parent: int) -> None:
    import signal
    import threading

    # Ctrl-C and a closed terminal reach the whole process group: the parent decides, and
    # ends the workers; a worker never prints a traceback of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent's handler is not for workers
    if os.getppid() != parent:
        os._exit(1)
    gc.enable()  # forked while a ledger paused the collector: a worker collects as usual
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    global _WORKER
    if _WORKER is None:  # spawned, not forked: build the checker here
        _WORKER = Checker(options._replace(jobs=1, cache_dir=None))
    else:
        _WORKER.__dict__.pop("cache", None)  # the parent owns the cache


def _check(batch: list[tuple[str, bytes]]) -> list[ManifestResult]:
    """Check a batch in a worker; findings travel back already encoded as the JSON report's
    text (smaller to send, and the JSON report and the cache use that text as it is)."""
    assert _WORKER is not None
    sent = []
    for path, raw in batch:
        result = _WORKER.check_bytes(path, raw)
        sent.append(
            ManifestResult(
                result.path,
                result.manifest_id,
                result.verdict,
                None,
                result.lines,
                encode_findings(result.findings),
                result.facts,
            )
        )
    return sent


def bytes_of(
    path: str | Unreadable, stdin: bytes | Unreadable | None
) -> tuple[str, bytes | ManifestResult]:
    """A path as reports show it, with its bytes or the error result that takes their place."""
    if isinstance(path, Unreadable):
        return shown_path(path.path), _unreadable(path)
    raw = (stdin if stdin is not None else b"") if path == STDIN else read_file(path)
    if isinstance(raw, Unreadable):
        return shown_path(path), _unreadable(raw)
    return shown_path(path), raw


def _chunks(paths: Iterable[str | Unreadable], size: int) -> Iterator[list[str | Unreadable]]:
    chunk: list[str | Unreadable] = []
    for path in paths:
        chunk.append(path)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def shown_path(path: str) -> str:
    """A path as reports show it: a name that is not UTF-8 keeps its bytes as ``\\x..``."""
    if path.isascii():
        return path
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return path


def _unreadable(problem: Unreadable) -> ManifestResult:
    path = shown_path(problem.path)
    finding = Finding(Severity.ERROR, "unreadable", f"cannot read {path}: {problem.reason}")
    return ManifestResult.judge(path, None, [finding])


def _facts(
    manifest: Manifest, drawn: dict[str, Decimal], uses: list[tuple[str, int, Decimal]]
) -> str:
    """What the audit record and the ledger keep of a checked manifest, as compact JSON."""
    import json

    from mineralcheck.values import EXACT

    def kg(amount: Decimal) -> str:
        return format(amount.normalize(EXACT), "f")

    minerals = sorted({m for item in manifest.items for m in item.mineral or ()})
    facts: dict[str, object] = {
        "ship_date": manifest.ship_date.isoformat(),
        "minerals": minerals,  # for reports that filter by mineral
        "permits": [{"number": n, "quantity": kg(amount) + " kg"} for n, amount in drawn.items()],
    }
    if uses:  # register licences, drawn down by the ledger over the whole run
        facts["uses"] = [[number, line, kg(amount)] for number, line, amount in uses]
    return json.dumps(facts, ensure_ascii=False, separators=(",", ":"))


def _raw_id(document: object) -> str | None:
    """The ``id`` of a manifest that failed validation, when it is at least plain text."""
    data = getattr(document, "data", None)
    value = data.get("id") if isinstance(data, dict) else None
    return value if isinstance(value, str) and value.strip() else None
