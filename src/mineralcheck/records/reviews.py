"""Reviews: a person's decision on a ``warn`` finding (spec/records.md, part 2).

A review clears a matching ``warn`` (manifest id, rule, item): the finding stays in the report
as ``info``, saying who decided, when and why, and the verdict is computed without it. A review
never clears a ``fail`` or an ``error``; one aimed at a ``fail`` is reported as a ``warn`` and
changes nothing. A review is not applied, and the report says why, when it has expired by the
ship date (or ``--as-of``), is dated after the day of the run, or is bound by ``sha256`` to other
bytes. Reviews are applied after the verdict cache, so a cached verdict never hides a change to
the reviews file.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from mineralcheck.errors import ProblemsError
from mineralcheck.plain import record
from mineralcheck.problems import Problem
from mineralcheck.results import Finding, ManifestResult, Severity, json_string
from mineralcheck.yamlread import Mark

if TYPE_CHECKING:
    from mineralcheck.records.files import Read


@record(frozen=True, kw_only=True)
class Review:
    """One decision on a ``warn`` finding of one manifest (the twin of the schema's, in
    ``reviews_schema``)."""

    manifest: str
    rule: str
    item: int | None = None
    reason: str
    reviewer: str
    date: dt.date
    expires: dt.date
    sha256: str | None = None


class ReviewsError(ProblemsError):
    """A reviews file cannot be read or is invalid: no check runs on decisions it misstates."""

    what = "the reviews are invalid"


def load(paths: Iterable[Path], cache_dir: Path | None = None) -> list[tuple[str, int, Review]]:
    """Every review in the files under ``paths`` as (file, index, review); with a
    ``cache_dir``, read back from its sealed entry when the files are the same (as a register)."""
    from mineralcheck.records.files import read_kept

    found, _ = read_kept(
        paths,
        "reviews",
        cache_dir,
        _validated,
        lambda kept: (
            isinstance(kept, list)
            and all(isinstance(entry, tuple) and isinstance(entry[-1], Review) for entry in kept)
        ),
    )
    return found


def _validated(paths: list[Path], files: list[Read]) -> list[tuple[str, int, Review]]:
    """The reviews of the files, validated by the schema; ``ReviewsError`` with every problem
    (file, line, column, field) when there is one."""
    from mineralcheck.records.files import validate_all
    from mineralcheck.records.reviews_schema import ReviewsFile, to_review

    valid, problems = validate_all(files, ReviewsFile)
    if problems:
        raise ReviewsError(problems)
    found = [
        (f.name, i, to_review(review)) for f in valid for i, review in enumerate(f.model.entries)
    ]
    if not found:
        where = ", ".join(str(p) for p in paths)
        raise ReviewsError([(where, Problem("empty", "no review entry found", None, Mark(1, 1)))])
    return found


class Reviewer:
    """Applies the loaded reviews to results as they stream past, and remembers which were used."""

    def __init__(
        self, reviews: list[tuple[str, int, Review]], today: dt.date, as_of: dt.date | None
    ) -> None:
        self.today = today
        self.as_of = as_of
        self.by_manifest: dict[str, list[tuple[str, int, Review]]] = {}
        for entry in reviews:
            self.by_manifest.setdefault(entry[2].manifest, []).append(entry)
        self.used: set[tuple[str, int]] = set()
        self.all = reviews

    @property
    def needs_digests(self) -> bool:
        """Whether any review is bound to a manifest's bytes."""
        return any(review.sha256 for _, _, review in self.all)

    def apply(self, result: ManifestResult) -> ManifestResult:
        """The result with its matching reviews applied (the same object when none match)."""
        entries = self.by_manifest.get(result.manifest_id or "")
        if not entries:
            return result
        text = result.findings_json  # a worker's result: findings still as the report's text
        if text is not None and not any(_target(review) in text for _, _, review in entries):
            return result  # no finding of any of its rules (and items): nothing to apply
        facts = json.loads(result.facts) if result.facts else {}
        ship = facts.get("ship_date")
        day = self.as_of or (dt.date.fromisoformat(ship) if ship else None)
        findings = list(result.findings)
        added: list[Finding] = []
        applied: list[dict[str, object]] = []
        for source, index, review in entries:
            targets = [
                i
                for i, f in enumerate(findings)
                if f.rule == review.rule and (review.item is None or f.item == review.item)
            ]
            if not targets:
                continue
            self.used.add((source, index))
            who = f"review by {review.reviewer} of {review.date} ({source}, entry {index + 1})"
            for i in targets:
                finding = findings[i]
                if finding.severity.rank >= Severity.FAIL.rank:
                    added.append(
                        _note(
                            finding,
                            f"{who} targets a {finding.severity} finding of "
                            f"{review.rule}: a review never clears a fail or an error",
                        )
                    )
                    continue
                if finding.severity is not Severity.WARN:
                    continue
                problem = self._why_not(review, result, day)
                if problem is not None:
                    added.append(_note(finding, f"{who} is not applied: {problem}"))
                    continue
                findings[i] = finding._replace(
                    severity=Severity.INFO,
                    code="reviewed",
                    message=f"{finding.message} [reviewed: cleared by {review.reviewer} on "
                    f"{review.date}, until {review.expires}: {review.reason}]",
                )
                applied.append(
                    {"rule": review.rule, "item": finding.item, "reviewer": review.reviewer,
                     "date": review.date.isoformat()}
                )  # fmt: skip
        reviewed = ManifestResult.judge(
            result.path, result.manifest_id, [*findings, *added], result.lines, result.facts
        )
        reviewed.digest = result.digest
        if applied:
            facts["reviews"] = applied
            reviewed.facts = json.dumps(facts, ensure_ascii=False, separators=(",", ":"))
        return reviewed

    def _why_not(self, review: Review, result: ManifestResult, day: dt.date | None) -> str | None:
        if day is not None and day > review.expires:
            return f"it expired on {review.expires}, before {day}"
        if review.date > self.today:
            return (
                f"it is dated {review.date}, after today ({self.today}): a decision not yet taken"
            )
        if review.sha256 is not None and review.sha256 != result.digest:
            return "it is bound by sha256 to other bytes than this manifest's"
        return None

    def unused(self) -> list[tuple[str, int, Review]]:
        """The reviews that matched no finding in the run (stale: to be cleaned up)."""
        return [entry for entry in self.all if (entry[0], entry[1]) not in self.used]


def _target(review: Review) -> str:
    """How a finding a review targets begins in the JSON report: its rule, and its item."""
    rule = f'"rule":{json_string(review.rule)},'
    return rule if review.item is None else f'{rule}"item":{review.item},'


def _note(finding: Finding, message: str) -> Finding:
    """A warning about a review, placed where the finding it concerns is."""
    return finding._replace(severity=Severity.WARN, code="review", message=message)
