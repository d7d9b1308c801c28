"""``mineralcheck verify``: what the command does once its options are read.

The command line's options are read by typer (``cli.py``) or, for the usual ``verify``
invocation, by ``entry.py`` without importing typer or click; both call ``run_verify`` with the
same values. The helpers here serve ``explain`` and ``query`` too.
"""

import datetime as dt
import itertools
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from mineralcheck import __version__
from mineralcheck.errors import UsageError
from mineralcheck.output import Outputs, check_destinations

if TYPE_CHECKING:
    from mineralcheck.config import Settings
    from mineralcheck.discovery import Unreadable
    from mineralcheck.pipeline import Checker, Options
    from mineralcheck.records.reviews import Reviewer
    from mineralcheck.results import ManifestResult


def parse_as_of(value: str | None, option: str = "--as-of") -> dt.date | None:
    if value is None:
        return None
    from mineralcheck.values import parse_date

    try:
        return parse_date(value)
    except ValueError as exc:
        import typer  # a usage error, shown by click as such

        raise typer.BadParameter(str(exc), param_hint=option) from None


def _columns() -> int:
    """The terminal's width (``$COLUMNS`` first, as ``shutil`` reads it)."""
    import shutil  # only for a terminal: a report written to a pipe or a file has no width

    return shutil.get_terminal_size().columns


def stderr_line(message: str) -> None:
    """One line on standard error; control characters from file names or files shown escaped."""
    from mineralcheck.formats.common import printable

    sys.stderr.write(printable(message) + "\n")


def run_verify(
    *,
    paths: list[str] | None,
    rules: list[Path] | None,
    bundled_rules: bool | None,
    packs: str | None,
    output_format: str | None,
    outputs: list[str] | None,
    as_of: str | None,
    fail_on: str | None,
    config: Path | None,
    jobs: int | None,
    cache: bool,
    permits: list[Path] | None,
    reviews: list[Path] | None,
    record: Path | None,
    quiet: bool,
    verbose: bool,
) -> int:
    """Check manifests and report a verdict for each; the exit code (see ``verify``)."""
    if jobs is not None and jobs < 1:
        raise UsageError("--jobs must be 1 or more")
    from mineralcheck.config import resolve
    from mineralcheck.discovery import STDIN, Skipped, discover, read_stream
    from mineralcheck.formats import Style, get
    from mineralcheck.formats import resolve as resolve_format
    from mineralcheck.results import Summary

    cli_values = {
        "paths": paths or None,
        "rules": [str(r) for r in rules] if rules else None,
        "bundled_rules": bundled_rules,
        "packs": packs,
        "format": output_format,
        "fail_on": fail_on,
        "outputs": outputs or None,
        "reviews": [str(r) for r in reviews] if reviews else None,
        "permits": [str(p) for p in permits] if permits else None,
    }
    settings = resolve(cli_values, os.environ, Path.cwd(), config)
    if not settings.paths:
        raise UsageError("give a manifest path, or set paths in mineralcheck.toml")
    setup = setup_checker(settings, as_of, jobs or os.cpu_count() or 1, cache, record is not None)
    options, checker, reviewer = setup.options, setup.checker, setup.reviewer
    skipped = Skipped()
    found = discover(settings.paths, settings.include, settings.exclude, skipped)
    first = next(found, None)
    if first is None:
        left = f"; skipped {skipped.describe()}" if skipped else ""
        raise UsageError(
            "no manifests found (looked for " + ", ".join(settings.include) + f"){left}"
        )
    paths_found: Iterator[str | Unreadable] = itertools.chain([first], found)
    stdin = read_stream(sys.stdin.buffer) if STDIN in settings.paths else None
    info = checker.info()

    on_actions = os.environ.get("GITHUB_ACTIONS") == "true"
    replaced = [o for o in settings.outputs if not o.typed]
    terminal = not replaced and sys.stdout.isatty()
    main_format = resolve_format(settings.format, github_actions=on_actions, terminal=terminal)
    cwd = str(Path.cwd())
    style = Style(
        terminal=terminal,
        color=terminal and not os.environ.get("NO_COLOR"),
        width=_columns() if terminal else None,
        verbose=verbose,
        cwd=cwd,
        quiet=quiet,
    )
    plain = Style(verbose=verbose, cwd=cwd, quiet=quiet)
    check_destinations(spec.path for spec in settings.outputs)
    reports = Outputs()
    for spec in replaced:
        reports.add(get(main_format).Writer(info, style), spec.path)
    for spec in settings.outputs:
        if spec.typed:
            reports.add(get(spec.format).Writer(info, plain), spec.path)
    if not replaced:
        reports.add(get(main_format).Writer(info, style), None)
    step_summary = os.environ.get("GITHUB_STEP_SUMMARY") if main_format == "github" else None
    markdown = get("markdown").Writer(info, plain) if step_summary else None

    summary = Summary()  # counted as results stream past
    try:
        reports.each(lambda writer: writer.start())
        if settings.permits:  # the ledger sees every manifest under the configured paths
            extra = rest_of_repository(settings, paths, config)
            results = checker.results_with_ledger(paths_found, extra, stdin)
        else:
            results = checker.results(paths_found, stdin)
        if reviewer is not None:  # after the cache: a changed reviews file always counts
            results = map(reviewer.apply, results)
        to_terminal = not replaced and sys.stdout.isatty() and main_format != "table"
        if sys.stderr.isatty() and not to_terminal:  # the bar never mixes with a streamed report
            results = _with_progress(results)
        entries: list[dict[str, object]] | None = [] if record is not None else None
        watching = sys.stderr.isatty()  # a person at a terminal: list what did not pass
        not_passed: list[tuple[str, ...]] = []
        uncovered = 0  # manifests exported from a country no loaded pack covers
        for result in results:
            summary.add(result)
            reports.add_result(result)
            if _uncovered(result):
                uncovered += 1
            if watching and result.verdict.rank > 0 and len(not_passed) <= _LISTED:
                not_passed.append(_headline(result))
            if entries is not None:
                entries.append(_record_entry(result, options.as_of))
            if markdown is not None:
                markdown.add(result)
        reports.each(lambda writer: writer.finish(summary))
        reports.commit()
    except BaseException:
        reports.discard()  # interrupted or failed: no temporary file stays behind
        raise
    if markdown is not None and step_summary:
        try:
            with open(step_summary, "a", encoding="utf-8") as stream:
                stream.write(_within_summary_limit(markdown.finish(summary)))
        except OSError as exc:
            stderr_line(f"mineralcheck: warning: cannot append to {step_summary}: {exc.strerror}")
    if record is not None and entries is not None:
        _append_record(record, entries, options)
    for source, index, review in reviewer.unused() if reviewer is not None else ():
        stderr_line(
            f"mineralcheck: {source}: review entry {index + 1} ({review.manifest}, "
            f"{review.rule}) matched no finding in this run"
        )
    counts = ", ".join(f"{summary.counts[v]} {v}" for v in summary.counts)
    for lines in not_passed[:_LISTED]:
        for line in lines:
            stderr_line(line)
    rest = sum(summary.counts[v] for v in summary.counts if v.rank > 0) - _LISTED
    if len(not_passed) > _LISTED and rest > 0:
        stderr_line(f"  ... and {rest} more that did not pass (see the report)")
    stderr_line(f"mineralcheck: {summary.manifests} manifest(s): {counts}")
    if uncovered:
        stderr_line(
            f"mineralcheck: {uncovered} manifest(s) exported from a country that no loaded rule "
            "pack covers: their verdicts say nothing of that country's law (no-jurisdiction)"
        )
    if skipped:
        stderr_line(f"mineralcheck: skipped in directories: {skipped.describe()}")
    return summary.exit_code(fail_on_warn=settings.fail_on == "warn")


class Setup(NamedTuple):
    options: "Options"
    checker: "Checker"
    reviewer: "Reviewer | None"


def setup_checker(
    settings: "Settings", as_of: str | None, jobs: int, cache: bool, record: bool
) -> Setup:
    """The checker for resolved settings, as verify, explain and query use it; a bad reviews
    file or register stops the command before anything is checked."""
    from mineralcheck.cache import default_directory
    from mineralcheck.pipeline import Checker, Options

    day = parse_as_of(as_of)
    reviewer = None
    if settings.reviews:
        from mineralcheck.records.reviews import Reviewer
        from mineralcheck.records.reviews import load as load_reviews

        reviews = load_reviews(settings.reviews, default_directory())
        reviewer = Reviewer(reviews, dt.date.today(), day)
    options = Options(
        rule_paths=settings.rules,
        bundled=settings.bundled_rules,
        as_of=day,
        jobs=jobs,
        cache_dir=default_directory() if cache else None,
        digests=record or (reviewer is not None and reviewer.needs_digests),
        register_paths=settings.permits,
        packs=settings.packs,
        pack_cache_dir=default_directory(),  # sealed like the verdict cache; also with --no-cache
    )
    if not options.bundled and not options.rule_paths:
        raise UsageError("--no-bundled-rules needs at least one --rules path")
    checker = Checker(options)
    if settings.permits:
        checker.register  # noqa: B018 - a bad register stops the run before any report is written
    return Setup(options, checker, reviewer)


SUMMARY_LIMIT = 1024 * 1024 - 8192  # GitHub shows at most 1 MiB of a step summary


def _within_summary_limit(text: str) -> str:
    """The Markdown report cut at a line to fit GitHub's job-summary limit, saying how many
    manifests were left out and where the whole report is."""
    import re

    data = text.encode("utf-8")
    if len(data) <= SUMMARY_LIMIT:
        return text
    kept = data[:SUMMARY_LIMIT].rsplit(b"\n", 1)[0].decode("utf-8", "ignore")
    row = re.compile(r"^\| .* \| (✅|⚠️|❌|⛔) (pass|warn|fail|error) \|$", re.MULTILINE)
    left_out = len(row.findall(text)) - len(row.findall(kept))
    return (
        f"{kept}\n\n**Cut to fit GitHub's 1 MiB job-summary limit**: {left_out} manifest row(s) "
        "and the findings after this point are not shown here. Keep the whole report as an "
        "artefact (`-o markdown:mineralcheck.md` or `-o sarif:mineralcheck.sarif`).\n"
    )


_LISTED = 20  # manifests that did not pass, listed at the end of a run a person watches


def _uncovered(result: "ManifestResult") -> bool:
    """Whether the manifest was exported from a country no loaded pack covers."""
    if result.findings_json is not None:  # a cached result: no need to decode its findings
        return '"code":"no-jurisdiction"' in result.findings_json
    return any(f.code == "no-jurisdiction" for f in result.findings)


def _headline(result: "ManifestResult") -> tuple[str, ...]:
    """``FAIL path (id): the first reason`` for the list at the end of a watched run; when that
    is wider than the terminal, the path on one line and the id and reason, cut to the width,
    on the next."""
    first = next((f for f in result.findings if f.severity is result.verdict), None)
    ident = f" ({result.manifest_id})" if result.manifest_id else ""
    reason = f": {first.message}" if first is not None else ""
    head = f"  {str(result.verdict).upper()} {result.path}"
    width = _columns()
    line = f"{head}{ident}{reason}"
    if len(line) <= width:
        return (line,)
    rest = f"      {result.manifest_id or ''}{reason}"
    return head, rest if len(rest) <= width else rest[: width - 1] + "…"


def rest_of_repository(
    settings: "Settings", named: list[str] | None, config: Path | None
) -> list["str | Unreadable"]:
    """The manifests under the configured paths that the command line did not name: they
    count toward the draw-down of the register's licences, and are not reported."""
    from mineralcheck.config import resolve
    from mineralcheck.discovery import STDIN, discover

    if not named:  # the configured paths are the ones checked
        return []
    configured = resolve({}, os.environ, Path.cwd(), config).paths
    if not configured:
        return []
    seen = {os.path.realpath(p) for p in named if p != STDIN}
    found = discover(configured, settings.include, settings.exclude)
    rest: list[str | Unreadable] = []
    for path in found:
        if not isinstance(path, str):  # fail closed: a use the ledger cannot see is no use
            raise UsageError(
                f"cannot read {path.path} under the configured paths ({path.reason}): "
                "the licence draw-down would be incomplete"
            )
        if path == STDIN or os.path.realpath(path) in seen:
            continue
        if any(_within(path, n) for n in named):
            continue
        seen.add(os.path.realpath(path))
        rest.append(path)
    return rest


def _within(path: str, directory: str) -> bool:
    real, top = os.path.realpath(path), os.path.realpath(directory)
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


def _record_entry(result: "ManifestResult", as_of: dt.date | None) -> dict[str, object]:
    """One audit-record line for a result (without the run's time, tool, rules and prev)."""
    import json

    from mineralcheck.formats.common import rule_id

    facts = json.loads(result.facts) if result.facts else {}
    return {
        "path": result.path,
        "sha256": result.digest,
        "manifest_id": result.manifest_id,
        "ship_date": facts.get("ship_date"),
        "as_of": as_of.isoformat() if as_of else None,
        "verdict": str(result.verdict),
        "findings": list(dict.fromkeys(rule_id(f) for f in result.findings)),
        "permits": facts.get("permits", []),
        "reviews": facts.get("reviews", []),
    }


def _append_record(path: Path, entries: list[dict[str, object]], options: "Options") -> None:
    """Append the run's lines to the audit record (after every report is complete)."""
    from mineralcheck.pipeline import rule_pack_fingerprint
    from mineralcheck.records.audit import FORMAT, append

    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    tool = f"mineralcheck {__version__}"
    rules = "sha256:" + rule_pack_fingerprint(options.rule_paths, options.bundled)
    head = {"record": FORMAT, "time": now, "tool": tool, "rules": rules}
    try:
        written = append(path, ({**head, **entry} for entry in entries), tool, now)
    except OSError as exc:
        raise UsageError(f"cannot append to the record {path}: {exc.strerror or exc}") from None
    stderr_line(f"mineralcheck: recorded {written} line(s) in {path}")


def _with_progress(results: Iterator["ManifestResult"]) -> Iterator["ManifestResult"]:
    """Results, with a progress bar on standard error (a terminal) while they come."""
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    # Rich would otherwise capture standard output while the bar shows, and the report with it.
    progress = Progress(
        SpinnerColumn(),
        TextColumn("checking manifests: {task.completed} checked"),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
        redirect_stdout=False,
        redirect_stderr=False,
    )
    with progress:
        task = progress.add_task("checking manifests", total=None, rate="")
        start = time.monotonic()
        for count, result in enumerate(results, start=1):
            elapsed = time.monotonic() - start
            rate = f"{count / elapsed:,.0f}/s" if elapsed > 0 else ""
            progress.update(task, advance=1, rate=rate)
            yield result
