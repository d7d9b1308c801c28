"""Find, load and check rule files: the bundled pack and any files or directories given."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from mineralcheck.errors import RulePackError
from mineralcheck.plain import field, record
from mineralcheck.problems import Problem, field_path, from_validation_error
from mineralcheck.ruleset import model
from mineralcheck.ruleset.files import PACK_FILE, bundled_pack_dir, rule_files
from mineralcheck.ruleset.model import to_rules
from mineralcheck.ruleset.pack import RulePack
from mineralcheck.ruleset.rules import RuleFile
from mineralcheck.yamlread import Document, Mark, YamlReadError, read_yaml

Located = tuple[str, Problem]
NO_CONTROLS = "no-controls"


def _read(path: Path) -> tuple[Document, bytes]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        problem = Problem("unreadable", exc.strerror or str(exc), None, None)
        raise RulePackError([(str(path), problem)]) from None
    try:
        document = read_yaml(raw)
    except YamlReadError as exc:
        raise RulePackError([(str(path), Problem("yaml", exc.message, None, exc.mark))]) from None
    if not isinstance(document.data, dict):
        problem = Problem("invalid-value", "a rule file is a mapping of keys", None, Mark(1, 1))
        raise RulePackError([(str(path), problem)])
    return document, raw


def _validate(schema: type[BaseModel], path: Path, document: Document) -> Any:
    """The document validated by ``schema``, as its twin of plain dataclasses (``rules``)."""
    try:
        return to_rules(schema.model_validate(document.data))
    except ValidationError as exc:
        raise RulePackError(
            [(str(path), p) for p in from_validation_error(exc, document, schema)]
        ) from None


def _at(document: Document, code: str, message: str, *path: str | int) -> Problem:
    return Problem(code, message, field_path(path), document.locate(path))


def _rule_checks(rule: RuleFile, document: Document) -> list[Problem]:
    """Checks across fields of one rule file, each placed at the field it is about."""
    problems = []
    if rule.announced > rule.effective:
        problems.append(
            _at(
                document,
                "dates",
                f"announced {rule.announced} is after effective {rule.effective}",
                "announced",
            )
        )
    if rule.ends is not None and rule.effective > rule.ends:
        problems.append(
            _at(document, "dates", f"effective {rule.effective} is after ends {rule.ends}", "ends")
        )
    periods = [("suspensions", i, s.from_, s.until) for i, s in enumerate(rule.suspensions)]
    periods += [("suspends", i, e.from_, e.until) for i, e in enumerate(rule.suspends)]
    for key, index, start, end in periods:
        if start > end:
            problems.append(
                _at(document, "dates", f"from {start} is after until {end}", key, index, "until")
            )
    seen: set[str] = set()
    for index, control in enumerate(rule.controls):
        if control.id in seen:
            problems.append(
                _at(
                    document,
                    "duplicate-id",
                    f"control id {control.id!r} is used twice",
                    "controls",
                    index,
                    "id",
                )
            )
        seen.add(control.id)
        if control.source is None and rule.source is None:
            problems.append(
                _at(
                    document,
                    "no-source",
                    f"control {control.id!r} has no source: give "
                    "source here or at the top of the file",
                    "controls",
                    index,
                )
            )
        if control.effective is not None and control.effective < rule.effective:
            problems.append(
                _at(
                    document,
                    "dates",
                    f"control effective {control.effective} is before the "
                    f"measure's effective {rule.effective}",
                    "controls",
                    index,
                    "effective",
                )
            )
    for index, suspension in enumerate(rule.suspensions):
        for name in sorted(set(suspension.controls or ()) - seen):
            problems.append(
                _at(
                    document,
                    "unknown-control",
                    f"suspension names unknown control {name!r}",
                    "suspensions",
                    index,
                    "controls",
                )
            )
    return problems


@record
class Loaded:
    """A pack with what the loader learned about its files (for ``rules lint``)."""

    pack: RulePack
    documents: dict[str, Document] = field(default_factory=dict)


def _same_file(path: Path, others: list[Path]) -> bool:
    try:
        return any(path.samefile(other) for other in others)
    except OSError:
        return False


def load(
    paths: Iterable[Path],
    bundled: bool = True,
    edited: Iterable[Path] = (),
    packs: Iterable[str] | None = None,
) -> Loaded:
    """Load and check rule files; raises ``RulePackError`` listing every problem found.

    ``edited`` rule files (``rules lint FILE``) are checked in the context of the pack they will
    run with: each replaces the file of the pack with the same rule id, or the same file.
    """
    roots = [bundled_pack_dir()] if bundled else []
    roots.extend(paths)
    linted = rule_files(edited)
    files = [*linted, *(p for p in rule_files(roots) if not _same_file(p, linted))]
    chosen = None if packs is None else {code.casefold() for code in packs}
    bundled_files = set(rule_files([bundled_pack_dir()])) if bundled and chosen else set()
    offered: set[str] = set()  # the jurisdictions of the bundled pack
    replaced: set[str] = set()  # rule ids of the edited files
    loaded = Loaded(RulePack())
    pack = loaded.pack
    problems: list[Located] = []
    seen: dict[str, str] = {}
    for position, path in enumerate(files):
        name = str(path)
        try:
            document, raw = _read(path)
            if path.name == PACK_FILE:
                pack.info = _validate(model.PackInfo, path, document)
                continue
            rule: RuleFile = _validate(model.RuleFile, path, document)
        except RulePackError as exc:
            problems.extend(exc.problems)
            continue
        if position < len(linted):
            replaced.add(rule.id)
        elif rule.id in replaced:
            continue  # the pack's own version of a file being edited
        if path in bundled_files:
            offered.add(rule.jurisdiction.casefold())
            if chosen is not None and rule.jurisdiction.casefold() not in chosen:
                pack.add_names(rule)  # its minerals are still names a manifest may use
                continue  # a bundled jurisdiction left out by --pack
        loaded.documents[name] = document
        problems.extend((name, p) for p in _rule_checks(rule, document))
        if rule.id in seen:
            problem = _at(
                document,
                "duplicate-id",
                f"rule id {rule.id!r} is also used by {seen[rule.id]}",
                "id",
            )
            problems.append((name, problem))
            continue
        seen[rule.id] = name
        pack.add(name, rule, raw)
    pack.finish()
    unknown = sorted((chosen or set()) - offered) if bundled_files else []
    if unknown:
        known = ", ".join(sorted(offered))
        message = f"no bundled pack for {', '.join(unknown)} (bundled: {known})"
        problems.append(("--pack", Problem("unknown-pack", message, None, None)))
    problems.extend(_pack_checks(loaded))
    if not problems and not pack.controls:
        where = ", ".join(str(root) for root in roots) or "(no rule path)"
        message = "the rule set holds no control: nothing would be checked"
        problems.append((where, Problem(NO_CONTROLS, message, None, None)))
    if problems:
        raise RulePackError(problems)
    return loaded


def load_pack(
    paths: Iterable[Path], bundled: bool = True, packs: Iterable[str] | None = None
) -> RulePack:
    """Load the bundled pack (unless ``bundled`` is false; only the ``packs`` jurisdictions when
    given) and the rule files under ``paths``."""
    return load(paths, bundled, packs=packs).pack


def _pack_checks(loaded: Loaded) -> list[Located]:
    """Checks across files: minerals every control names, measures every suspension names."""
    pack = loaded.pack
    problems: list[Located] = []
    ids = {rule.id for _, rule in pack.rules}
    control_ids = {c.id for c in pack.controls if isinstance(c.items, tuple)}
    for path, rule in pack.rules:
        document = loaded.documents[path]
        for c_index, control in enumerate(rule.controls):
            for r_index, ref in enumerate(control.items_of or ()):
                if ref not in control_ids and not any(i.startswith(ref + "/") for i in control_ids):
                    problem = _at(
                        document,
                        "unknown-control",
                        f"items_of names {ref!r}, which is no control with items in the pack",
                        "controls",
                        c_index,
                        "items_of",
                        r_index,
                    )
                    problems.append((path, problem))
        for m_index, mineral in enumerate(rule.minerals):
            canonical = pack.vocabulary.canonical(mineral.name) or mineral.name.casefold()
            cycle = pack.vocabulary.cycle(canonical)
            if cycle is not None:
                problem = _at(
                    document,
                    "contains-cycle",
                    f"mineral {mineral.name!r} contains itself: " + " -> ".join(cycle),
                    "minerals",
                    m_index,
                    "contains",
                )
                problems.append((path, problem))
        for index, entry in enumerate(rule.suspends):
            if entry.rule not in ids:
                problems.append(
                    (
                        path,
                        _at(
                            document,
                            "unknown-rule",
                            f"suspends unknown rule {entry.rule!r}",
                            "suspends",
                            index,
                            "rule",
                        ),
                    )
                )
        for c_index, control in enumerate(rule.controls):
            if not isinstance(control.items, tuple):
                continue
            for m_index, match in enumerate(control.items):
                for key in ("minerals", "all_of"):
                    names: Any = getattr(match, key)
                    for n_index, name in enumerate(names):
                        if pack.vocabulary.canonical(name) is None:
                            problem = _at(
                                document,
                                "unknown-mineral",
                                f"unknown mineral {name!r}: use an "
                                "element or a name under minerals:",
                                "controls",
                                c_index,
                                "items",
                                m_index,
                                key,
                                n_index,
                            )
                            problems.append((path, problem))
    return problems
