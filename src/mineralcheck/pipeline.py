"""The pipeline: load rules -> find manifests -> read -> match and judge -> results."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

from mineralcheck.config import DEFAULT_INCLUDE
from mineralcheck.engine.judge import Judge
from mineralcheck.engine.match import compile_pack
from mineralcheck.manifest.reader import read_manifest
from mineralcheck.results import ControlInfo, Finding, ManifestResult, Report, Severity
from mineralcheck.ruleset.loader import load_pack
from mineralcheck.ruleset.pack import RulePack

STDIN = "-"


@dataclass(frozen=True)
class Options:
    """Everything that affects a verdict, apart from the files themselves."""

    rule_paths: tuple[Path, ...] = ()
    bundled: bool = True
    as_of: dt.date | None = None


def _wanted(relative: str, include: Iterable[str], exclude: Iterable[str]) -> bool:
    return any(fnmatch(relative, p) for p in include) and not any(
        fnmatch(relative, p) for p in exclude
    )


def discover(
    paths: Iterable[str],
    include: Iterable[str] = DEFAULT_INCLUDE,
    exclude: Iterable[str] = (),
) -> Iterator[str]:
    """Manifest paths in check order: files as given, directories walked in sorted order.

    Files under a directory are taken when their path below it matches an ``include`` glob and
    no ``exclude`` glob (``*`` also matches ``/``); by default ``*.yaml``, ``*.yml`` and
    ``*.json``. Hidden directories (``.git``) are skipped. A path that does not exist is yielded
    as given, so that it is reported as an error rather than silently dropped.
    """
    include, exclude = tuple(include), tuple(exclude)
    for given in paths:
        if given != STDIN and Path(given).is_dir():
            for root, dirs, files in os.walk(given):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    path = os.path.join(root, name)
                    relative = os.path.relpath(path, given).replace(os.sep, "/")
                    if not name.startswith(".") and _wanted(relative, include, exclude):
                        yield path
        else:
            yield given


class Checker:
    """Checks manifests against one loaded rule pack."""

    def __init__(self, options: Options, pack: RulePack | None = None) -> None:
        self.options = options
        self.pack = pack or load_pack(options.rule_paths, bundled=options.bundled)
        self.judge = Judge(self.pack, compile_pack(self.pack))

    def check_bytes(self, path: str, raw: bytes) -> ManifestResult:
        """The result for one manifest's bytes, labelled with ``path``."""
        read = read_manifest(raw, self.pack.vocabulary)
        if read.manifest is None or read.document is None:
            return ManifestResult.judge(path, _raw_id(read.document), read.errors)
        manifest = read.manifest
        findings = self.judge.findings(manifest, read.document, self.options.as_of)
        lines = tuple(manifest.line_of(i) for i in range(len(manifest.items)))
        return ManifestResult.judge(path, manifest.id, findings, lines)

    def report(self, results: Iterable[ManifestResult]) -> Report:
        """A report over ``results``, recording the rule pack and options they were checked with."""
        from mineralcheck import __version__

        return Report(
            results=tuple(results),
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

    def check_file(self, path: str) -> ManifestResult:
        """The result for the manifest at ``path``; an unreadable file is an ``error`` result."""
        try:
            with open(path, "rb") as handle:
                raw = handle.read()
        except OSError as exc:
            reason = exc.strerror or str(exc)
            finding = Finding(Severity.ERROR, "unreadable", f"cannot read {path}: {reason}")
            return ManifestResult.judge(path, None, [finding])
        return self.check_bytes(path, raw)


def _raw_id(document: object) -> str | None:
    """The ``id`` of a manifest that failed validation, when it is at least plain text."""
    data = getattr(document, "data", None)
    value = data.get("id") if isinstance(data, dict) else None
    return value if isinstance(value, str) and value.strip() else None
