"""Where rule files are: the bundled pack's directory, and the files under given paths.

Kept apart from the loader (and free of Pydantic) so that a run answered from the verdict
cache can fingerprint the rule pack without paying for loading it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from mineralcheck.errors import RulePackError
from mineralcheck.problems import Problem

RULE_SUFFIXES = (".yaml", ".yml")
PACK_FILE = "pack.yaml"


def bundled_pack_dir() -> Path:
    """The rule pack that ships with mineralcheck (inside the wheel, or the source checkout)."""
    package = Path(__file__).resolve().parents[1]
    installed = package / "rules"
    if installed.is_dir():
        return installed
    return package.parents[1] / "rules"


def rule_files(paths: Iterable[Path]) -> list[Path]:
    """Rule files under ``paths``: files as given, directories searched recursively (``.yaml``
    and ``.yml`` in any case), sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(
                    p for p in path.rglob("*") if p.suffix.lower() in RULE_SUFFIXES and p.is_file()
                )
            )
        elif path.is_file():
            found.append(path)
        else:
            problem = Problem("not-found", "no such file or directory", None, None)
            raise RulePackError([(str(path), problem)])
    return found
