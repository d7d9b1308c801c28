"""Find and load rule files: the bundled pack and any files or directories given."""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from mineralcheck.errors import RulePackError
from mineralcheck.problems import Problem, from_validation_error
from mineralcheck.ruleset.model import RuleFile
from mineralcheck.ruleset.pack import RulePack
from mineralcheck.yamlread import Mark, YamlReadError, read_yaml

RULE_SUFFIXES = (".yaml", ".yml")


def bundled_pack_dir() -> Path:
    """The rule pack that ships with mineralcheck (inside the wheel, or the source checkout)."""
    installed = resources.files("mineralcheck").joinpath("rules")
    if installed.is_dir():
        return Path(str(installed))
    return Path(__file__).resolve().parents[3] / "rules"


def rule_files(paths: Iterable[Path]) -> list[Path]:
    """Rule files under ``paths``: files as given, directories searched recursively, sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(p for p in path.rglob("*") if p.suffix in RULE_SUFFIXES and p.is_file())
            )
        elif path.is_file():
            found.append(path)
        else:
            raise RulePackError(
                [(str(path), Problem("not-found", "no such file or directory", None, None))]
            )
    return found


def load_rule_file(path: Path) -> tuple[RuleFile, bytes]:
    """Read and validate one rule file; raises ``RulePackError`` with located problems."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RulePackError(
            [(str(path), Problem("unreadable", exc.strerror or str(exc), None, None))]
        ) from None
    try:
        document = read_yaml(raw)
    except YamlReadError as exc:
        raise RulePackError([(str(path), Problem("yaml", exc.message, None, exc.mark))]) from None
    if not isinstance(document.data, dict):
        raise RulePackError(
            [(str(path), Problem("invalid-value", "a rule file is a mapping", None, Mark(1, 1)))]
        )
    try:
        rule = RuleFile.model_validate(document.data)
    except ValidationError as exc:
        raise RulePackError(
            [(str(path), p) for p in from_validation_error(exc, document)]
        ) from None
    return rule, raw


def load_pack(paths: Iterable[Path], bundled: bool = True) -> RulePack:
    """Load the bundled pack (unless ``bundled`` is false) and the rule files under ``paths``."""
    roots = [bundled_pack_dir()] if bundled else []
    roots.extend(paths)
    pack = RulePack()
    problems: list[tuple[str, Problem]] = []
    seen: dict[str, str] = {}
    for path in rule_files(roots):
        try:
            rule, raw = load_rule_file(path)
        except RulePackError as exc:
            problems.extend(exc.problems)
            continue
        if rule.id in seen:
            problems.append(
                (
                    str(path),
                    Problem(
                        "duplicate-id",
                        f"rule id {rule.id!r} is also used by {seen[rule.id]}",
                        "id",
                        None,
                    ),
                )
            )
            continue
        seen[rule.id] = str(path)
        pack.add(str(path), rule, raw)
    problems.extend(_unknown_minerals(pack))
    if problems:
        raise RulePackError(problems)
    return pack


def _unknown_minerals(pack: RulePack) -> list[tuple[str, Problem]]:
    problems = []
    for control in pack.controls:
        for match in control.items or ():
            for name in (*match.minerals, *match.all_of):
                if pack.vocabulary.canonical(name) is None:
                    problems.append(
                        (
                            control.path,
                            Problem(
                                "unknown-mineral",
                                f"control {control.id} names unknown mineral {name!r}",
                                f"controls.{control.control.id}",
                                None,
                            ),
                        )
                    )
    return problems
