"""Read a manifest file into a validated shipment, or into errors that say where and why."""

from __future__ import annotations

from mineralcheck.manifest.shipment import Manifest, build
from mineralcheck.minerals import Vocabulary
from mineralcheck.plain import record
from mineralcheck.problems import Problem, field_path, from_validation_error
from mineralcheck.results import Finding, Severity
from mineralcheck.yamlread import Document, Mark, YamlReadError, read_yaml


@record(frozen=True)
class ReadResult:
    """A manifest and its document, or the errors that kept it from being read."""

    manifest: Manifest | None
    document: Document | None
    errors: tuple[Finding, ...]


def _error(problem: Problem) -> Finding:
    return Finding(
        Severity.ERROR,
        problem.code,
        problem.message,
        line=problem.mark.line if problem.mark else None,
        column=problem.mark.column if problem.mark else None,
        field=problem.field,
    )


def read_manifest(raw: bytes, vocabulary: Vocabulary) -> ReadResult:
    """Parse and validate one manifest file's bytes."""
    try:
        document = read_yaml(raw)
    except YamlReadError as exc:
        return ReadResult(None, None, (_error(Problem("yaml", exc.message, None, exc.mark)),))
    if not isinstance(document.data, dict):
        kind = "empty" if document.data is None else "not a mapping"
        problem = Problem(
            "invalid-value",
            f"a manifest is a mapping of keys; this file is {kind}",
            None,
            document.locate(()) or Mark(1, 1),
        )
        return ReadResult(None, document, (_error(problem),))
    manifest = build(document.data, vocabulary)
    if manifest is None:  # something unusual: the schema decides, and says where and why
        from pydantic import ValidationError

        from mineralcheck.manifest import model

        try:
            checked = model.Manifest.model_validate(
                document.data, context={"vocabulary": vocabulary}
            )
        except ValidationError as exc:
            problems = from_validation_error(exc, document, model.Manifest)
            return ReadResult(None, document, tuple(_error(p) for p in problems))
        manifest = model.to_shipment(checked)
    problems = _cross_checks(manifest, document)
    if problems:
        return ReadResult(None, document, tuple(_error(p) for p in problems))
    return ReadResult(manifest, document, ())


def _cross_checks(manifest: Manifest, document: Document) -> list[Problem]:
    """Checks that span several fields: unique line numbers and permit numbers."""
    problems = []
    lines: dict[int, int] = {}
    for index in range(len(manifest.items)):
        number = manifest.line_of(index)
        if number in lines:
            path = ("items", index, "line") if manifest.items[index].line else ("items", index)
            problems.append(
                Problem(
                    "duplicate-line",
                    f"line number {number} is already used by item {lines[number] + 1}",
                    field_path(path),
                    document.locate(path),
                )
            )
        lines.setdefault(number, index)
    numbers: set[str] = set()
    for index, permit in enumerate(manifest.permits):
        if permit.number in numbers:
            path = ("permits", index, "number")
            problems.append(
                Problem(
                    "duplicate-permit",
                    f"permit number {permit.number!r} is defined more than once",
                    field_path(path),
                    document.locate(path),
                )
            )
        numbers.add(permit.number)
    return problems
