"""The command line: turns options into objects, runs the pipeline, writes output, sets exit codes.

This is the only module that talks to the outside world: it reads standard input, prints, and
decides the exit code (0 pass/warn, 1 fail, 2 error or could not run).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mineralcheck import __version__
from mineralcheck.errors import MineralcheckError, RulePackError, UsageError
from mineralcheck.formats import FORMATS

if TYPE_CHECKING:
    from mineralcheck.ruleset.pack import RulePack

app = typer.Typer(
    name="mineralcheck",
    help="Check shipment manifests of critical minerals against export-control rules.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

FormatName = StrEnum("FormatName", {name: name for name in FORMATS})  # type: ignore[misc]


class FailOn(StrEnum):
    """The lowest verdict that makes ``verify`` exit 1."""

    FAIL = "fail"
    WARN = "warn"


class SchemaName(StrEnum):
    """The JSON Schemas ``mineralcheck schema`` prints."""

    MANIFEST = "manifest"
    RULES = "rules"
    REPORT = "report"


def _parse_as_of(value: str | None) -> dt.date | None:
    if value is None:
        return None
    from mineralcheck.fields import parse_date

    try:
        return parse_date(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--as-of") from None


def _write_output(text: str, output: Path | None) -> None:
    """Write to ``output`` atomically (no half-written file), or to standard output."""
    if output is None:
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except BrokenPipeError:  # the reader stopped early (| head): not our failure
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return
    directory = output.parent if str(output.parent) else Path()
    try:
        handle, temporary = tempfile.mkstemp(
            dir=directory, prefix=f".{output.name}.", suffix=".tmp"
        )
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, output)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from None


def _stderr(message: str) -> None:
    sys.stderr.write(message + "\n")


@app.command()
def verify(
    paths: Annotated[
        list[str],
        typer.Argument(
            help="Manifest files, directories (searched recursively) or - for stdin.",
            metavar="PATH",
            show_default=False,
        ),
    ],
    rules: Annotated[
        list[Path] | None,
        typer.Option(
            "--rules", "-r", help="Rule file or directory to add (repeatable).", metavar="PATH"
        ),
    ] = None,
    no_bundled_rules: Annotated[
        bool,
        typer.Option(
            "--no-bundled-rules", help="Leave out the rule pack that ships with the tool."
        ),
    ] = False,
    output_format: Annotated[
        FormatName, typer.Option("--format", "-f", help="Report format.")
    ] = FormatName["table"],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the report to this file.", metavar="FILE"),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Check on this date (YYYY-MM-DD) instead of each ship date.",
            metavar="DATE",
        ),
    ] = None,
    fail_on: Annotated[
        FailOn, typer.Option("--fail-on", help="Exit 1 on this verdict or worse.")
    ] = FailOn.FAIL,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show info findings and internal tracebacks.")
    ] = False,
) -> int:
    """Check manifests and report a verdict for each: pass, warn, fail or error."""
    from mineralcheck.formats import Style, get
    from mineralcheck.pipeline import STDIN, Checker, Options, discover

    options = Options(
        rule_paths=tuple(rules or ()), bundled=not no_bundled_rules, as_of=_parse_as_of(as_of)
    )
    if not options.bundled and not options.rule_paths:
        raise UsageError("--no-bundled-rules needs at least one --rules path")
    checker = Checker(options)
    results = []
    for path in discover(paths):
        if path == STDIN:
            results.append(checker.check_bytes(STDIN, sys.stdin.buffer.read()))
        else:
            results.append(checker.check_file(path))
    if not results:
        raise UsageError("no manifests found (looked for *.yaml, *.yml and *.json)")
    report = checker.report(results)
    terminal = output is None and sys.stdout.isatty()
    style = Style(
        terminal=terminal,
        color=terminal and not os.environ.get("NO_COLOR"),
        width=None,
        verbose=verbose,
    )
    _write_output(get(str(output_format)).render(report, style), output)
    summary = report.summary
    counts = ", ".join(f"{summary.counts[v]} {v}" for v in summary.counts)
    _stderr(f"mineralcheck: {summary.manifests} manifest(s): {counts}")
    return summary.exit_code(fail_on_warn=fail_on is FailOn.WARN)


@app.command()
def schema(
    name: Annotated[SchemaName, typer.Argument(help="Which schema: manifest, rules or report.")],
) -> int:
    """Print a published JSON Schema."""
    import json

    from mineralcheck.schemas import schema as get_schema

    sys.stdout.write(json.dumps(get_schema(str(name)), indent=2) + "\n")
    return 0


rules_app = typer.Typer(
    help="See and check rule packs: list the measures, show one, lint rule files.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(rules_app, name="rules")

RulesOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--rules", "-r", help="Rule file or directory to add (repeatable).", metavar="PATH"
    ),
]
NoBundledOption = Annotated[
    bool,
    typer.Option("--no-bundled-rules", help="Leave out the rule pack that ships with the tool."),
]
AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="Status on this date (default: today).", metavar="DATE"),
]


def _load_for_rules(rules: list[Path] | None, no_bundled_rules: bool) -> RulePack:
    from mineralcheck.ruleset.loader import load_pack

    if no_bundled_rules and not rules:
        raise UsageError("--no-bundled-rules needs at least one --rules path")
    return load_pack(tuple(rules or ()), bundled=not no_bundled_rules)


class ListFormat(StrEnum):
    """Output formats of ``rules list``."""

    TEXT = "text"
    JSON = "json"


@rules_app.command("list")
def rules_list(
    as_of: AsOfOption = None,
    rules: RulesOption = None,
    no_bundled_rules: NoBundledOption = False,
    output_format: Annotated[
        ListFormat, typer.Option("--format", "-f", help="text or json.")
    ] = ListFormat.TEXT,
) -> int:
    """List every measure: id, effective date, status on a date, reference."""
    import json

    from mineralcheck.ruleset.describe import list_text, measure_rows

    pack = _load_for_rules(rules, no_bundled_rules)
    day = _parse_as_of(as_of) or dt.date.today()
    if output_format is ListFormat.JSON:
        text = json.dumps({"as_of": day.isoformat(), "measures": measure_rows(pack, day)}, indent=2)
        sys.stdout.write(text + "\n")
    else:
        sys.stdout.write(list_text(pack, day))
    return 0


@rules_app.command("show")
def rules_show(
    rule_id: Annotated[
        str, typer.Argument(help="The measure's id (see rules list).", metavar="ID")
    ],
    as_of: AsOfOption = None,
    rules: RulesOption = None,
    no_bundled_rules: NoBundledOption = False,
) -> int:
    """Show one measure: its reference, sources, dates, suspensions and controls."""
    from mineralcheck.ruleset.describe import show_text

    pack = _load_for_rules(rules, no_bundled_rules)
    found = next(((p, r) for p, r in pack.rules if r.id == rule_id), None)
    if found is None:
        known = ", ".join(sorted(r.id for _, r in pack.rules))
        raise UsageError(f"no measure {rule_id!r} in the rule pack; known: {known}")
    day = _parse_as_of(as_of) or dt.date.today()
    sys.stdout.write(show_text(pack, found[1], found[0], day))
    return 0


@rules_app.command("lint")
def rules_lint(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Rule files or directories to check.", metavar="PATH", show_default=False
        ),
    ],
) -> int:
    """Check rule files: schema, dates in order, sources, unique ids, known minerals and countries.

    Exit 0 when clean, 1 when a problem is found, 2 when the lint could not run.
    """
    from mineralcheck.ruleset.loader import load, rule_files

    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise UsageError(f"no such file or directory: {', '.join(missing)}")
    try:
        loaded = load(paths, bundled=False)
    except RulePackError as exc:
        for line in exc.lines():
            sys.stdout.write(line + "\n")
        _stderr(f"mineralcheck: {len(exc.problems)} problem(s) in the rule files")
        return 1
    count = len([p for p in rule_files(paths) if p.name != "pack.yaml"])
    _stderr(
        f"mineralcheck: {count} rule file(s), {len(loaded.pack.controls)} controls: no problems"
    )
    return 0


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"mineralcheck {__version__}\n")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Check shipment manifests of critical minerals against export-control rules."""


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code; every failure to run becomes exit 2."""
    verbose = "-v" in (argv or sys.argv[1:]) or "--verbose" in (argv or sys.argv[1:])
    try:
        result = app(args=argv, prog_name="mineralcheck", standalone_mode=False)
    except RulePackError as exc:
        for line in exc.lines():
            _stderr(line)
        _stderr("mineralcheck: the rule pack is invalid; nothing was checked")
        return 2
    except MineralcheckError as exc:
        _stderr(f"mineralcheck: error: {exc}")
        return 2
    except typer.Exit as exc:
        return int(exc.exit_code)
    except typer.TyperException as exc:  # usage errors: bad option, missing argument
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            _stderr(f"mineralcheck: error: {exc.format_message()}")
        return 2
    except typer.Abort:
        _stderr("mineralcheck: aborted")
        return 2
    except KeyboardInterrupt:
        _stderr("mineralcheck: interrupted")
        return 2
    except Exception as exc:  # the contract: an internal error is exit 2 and one line
        if verbose:
            import traceback

            traceback.print_exc()
        _stderr(
            f"mineralcheck: internal error: {type(exc).__name__}: {exc} (run with -v for details)"
        )
        return 2
    return result if isinstance(result, int) else 0
