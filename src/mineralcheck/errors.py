"""The exceptions that stop a run; the CLI catches them in one place and exits 2."""

from __future__ import annotations

from mineralcheck.problems import Problem


class MineralcheckError(Exception):
    """Something that prevents a check from running at all."""


class UsageError(MineralcheckError):
    """The command line asks for something that cannot be done."""


class ProblemsError(MineralcheckError):
    """Input files the check depends on are invalid; each problem names file, line and column."""

    what = "the input files are invalid"

    def __init__(self, problems: list[tuple[str, Problem]]) -> None:
        self.problems = problems
        first = problems[0]
        super().__init__(f"{len(problems)} problem(s), first in {first[0]}")

    def lines(self) -> list[str]:
        """``path:line:column: message`` for every problem."""
        out = []
        for path, problem in self.problems:
            where = f"{problem.mark.line}:{problem.mark.column}:" if problem.mark else ""
            field = f" [{problem.field}]" if problem.field else ""
            out.append(f"{path}:{where} {problem.message}{field}")
        return out


class RulePackError(ProblemsError):
    """One or more rule files are invalid; a check against a broken pack proves nothing."""

    what = "the rule pack is invalid"
