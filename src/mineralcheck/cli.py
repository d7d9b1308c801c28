"""The command line's commands, read by typer: options into objects, the pipeline, the output.

The program itself (exit codes, signals, and the usual ``verify`` read without typer) is
``entry.py``; what ``verify`` does once its options are read is ``verifying.py``. ``main`` is
``entry.main``, kept here for those who call it by this name.
"""

# No ``from __future__ import annotations`` here: typer reads the commands' annotations, and
# real objects spare it an ``eval`` of every annotation on every run.
import datetime as dt
import os
import shutil
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from mineralcheck import __version__
from mineralcheck.entry import main
from mineralcheck.errors import RulePackError, UsageError
from mineralcheck.formats import AUTO, FORMATS
from mineralcheck.output import check_destinations, write_files
from mineralcheck.verifying import (
    parse_as_of,
    rest_of_repository,
    run_verify,
    setup_checker,
    stderr_line,
)

if TYPE_CHECKING:
    from mineralcheck.ruleset.pack import RulePack

__all__ = ["app", "main"]

# Help and usage errors in click's plain format, which wraps at the terminal's width. Typer 0.19
# escapes "[" for Rich in every help line whenever Rich is importable, even with Rich help off
# ("\\[default: CN]"); telling it Rich is absent keeps the text as written.
typer.core.HAS_RICH = False

app = typer.Typer(
    name="mineralcheck",
    help="Check shipment manifests of critical minerals against export-control rules.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

FormatName = StrEnum("FormatName", {name: name for name in (AUTO, *FORMATS)})  # type: ignore[misc]


class FailOn(StrEnum):
    """The lowest verdict that makes ``verify`` exit 1."""

    FAIL = "fail"
    WARN = "warn"


class SchemaName(StrEnum):
    """The JSON Schemas ``mineralcheck schema`` prints."""

    MANIFEST = "manifest"
    RULES = "rules"
    REPORT = "report"
    RECORD = "record"
    REVIEWS = "reviews"
    REGISTER = "register"


RulesOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--rules", "-r", help="Rule file or directory to add (repeatable).", metavar="PATH"
    ),
]
BundledOption = Annotated[
    bool | None,
    typer.Option(
        "--bundled-rules/--no-bundled-rules",
        help="Use the rule pack that ships with the tool (default) or leave it out.",
        show_default=False,
    ),
]
PackOption = Annotated[
    str | None,
    typer.Option(
        "--pack",
        help="Only these bundled jurisdictions, comma-separated, e.g. cn,cd,id [default: all].",
        metavar="CODES",
        show_default=False,
    ),
]
PermitsOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--permits",
        help="A licence register file or directory: licences drawn down over the run (repeatable).",
        metavar="PATH",
    ),
]
AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="Status on this date (default: today).", metavar="DATE"),
]


ReviewsOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--reviews",
        help="A reviews file or directory: decisions that clear warn findings (repeatable).",
        metavar="PATH",
    ),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", help="Use this configuration file.", metavar="FILE"),
]


@app.command()
def verify(
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            help="Manifest files, directories (searched recursively) or - for stdin "
            "(default: paths from the configuration).",
            metavar="[PATH]...",
            show_default=False,
        ),
    ] = None,
    rules: RulesOption = None,
    bundled_rules: BundledOption = None,
    packs: PackOption = None,
    output_format: Annotated[
        FormatName | None,
        typer.Option("--format", "-f", help="Report format [default: auto].", show_default=False),
    ] = None,
    outputs: Annotated[
        list[str] | None,
        typer.Option(
            "--output",
            "-o",
            help="Write the report to FILE instead of standard output; FORMAT:FILE writes an "
            "extra report in FORMAT (repeatable).",
            metavar="[FORMAT:]FILE",
        ),
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
        FailOn | None,
        typer.Option(
            "--fail-on",
            help="Exit 1 on this verdict or worse [default: fail].",
            show_default=False,
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", help="Use this configuration file.", metavar="FILE"),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            help="Worker processes for large batches [default: the number of CPUs].",
            show_default=False,
        ),
    ] = None,
    cache: Annotated[
        bool,
        typer.Option(
            "--cache/--no-cache",
            help="Reuse verdicts of unchanged manifests (same bytes, rules, version, options); "
            "on by default.",
            show_default=False,
        ),
    ] = True,
    permits: PermitsOption = None,
    reviews: ReviewsOption = None,
    record: Annotated[
        Path | None,
        typer.Option(
            "--record",
            help="Append one hash-chained JSON line per manifest to FILE (the audit record).",
            metavar="FILE",
        ),
    ] = None,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet",
            "-q",
            help="In text and table reports, only the manifests that did not pass (JSON, SARIF "
            "and JUnit keep every manifest).",
        ),
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show info findings and internal tracebacks.")
    ] = False,
) -> int:
    """Check manifests and report a verdict for each: pass, warn, fail or error.

    PATH is a manifest file, a directory (searched recursively for *.yaml, *.yml, *.json in
    any case; hidden entries and other extensions are counted on standard error) or - for
    standard input; with none, the paths of mineralcheck.toml are checked. Exit codes: 0 every
    manifest passes or warns, 1 one fails, 2 one is in error or the tool could not run; 130,
    143, 129 interrupted (SIGINT, SIGTERM, SIGHUP); 141 standard output closed early.
    """
    return run_verify(
        paths=paths,
        rules=rules,
        bundled_rules=bundled_rules,
        packs=packs,
        output_format=None if output_format is None else str(output_format),
        outputs=outputs,
        as_of=as_of,
        fail_on=None if fail_on is None else str(fail_on),
        config=config,
        jobs=jobs,
        cache=cache,
        permits=permits,
        reviews=reviews,
        record=record,
        quiet=quiet,
        verbose=verbose,
    )


class TextOrJson(StrEnum):
    """The formats of the commands that print for a person or a tool: explain, query, permits
    and rules list."""

    TEXT = "text"
    JSON = "json"


TextOrJsonOption = Annotated[TextOrJson, typer.Option("--format", "-f", help="text or json.")]


@app.command()
def explain(
    path: Annotated[str, typer.Argument(help="The manifest file, or - for stdin.", metavar="FILE")],
    item: Annotated[
        int | None,
        typer.Option("--item", help="Only this item (its number, as findings give it).", min=1),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="Check on this date instead of the ship date.", metavar="DATE"
        ),
    ] = None,
    rules: RulesOption = None,
    bundled_rules: BundledOption = None,
    packs: PackOption = None,
    permits: PermitsOption = None,
    reviews: ReviewsOption = None,
    config: ConfigOption = None,
    output_format: TextOrJsonOption = TextOrJson.TEXT,
) -> int:
    """Why each item of a manifest passes, warns or fails: the decision trace.

    Lists every control that lists the item's minerals or HS code (and every control over all
    items) and what was decided: in force or not on the date, in scope (exporter, destination,
    end user, listed party) or not, whether the item falls under it (mineral, HS code, form,
    purity), and each permit tried and why it covered or not. The trace is recorded by the
    same checker that verify runs, with the same reviews and register; the exit code is the one
    verify gives for this manifest.
    """
    from mineralcheck.config import resolve
    from mineralcheck.discovery import STDIN, read_stream
    from mineralcheck.explain import Explanation, dumps, explain, render
    from mineralcheck.pipeline import bytes_of
    from mineralcheck.results import Summary

    cli_values = {
        "rules": [str(r) for r in rules] if rules else None,
        "bundled_rules": bundled_rules,
        "packs": packs,
        "reviews": [str(r) for r in reviews] if reviews else None,
        "permits": [str(p) for p in permits] if permits else None,
    }
    settings = resolve(cli_values, os.environ, Path.cwd(), config)
    setup = setup_checker(settings, as_of, 1, False, False)
    if os.path.isdir(path):
        raise UsageError(f"{path} is a directory: explain takes one manifest file")
    stdin = read_stream(sys.stdin.buffer) if path == STDIN else None
    shown, raw = bytes_of(path, stdin)
    others = rest_of_repository(settings, [path], config) if settings.permits else None
    reviewer = setup.reviewer
    if isinstance(raw, bytes):
        explanation = explain(
            setup.checker, shown, raw, reviewer.apply if reviewer is not None else None, others
        )
    else:  # unreadable: the error result verify gives, with nothing to trace
        explanation = Explanation(raw, None)
    if output_format is TextOrJson.JSON:
        sys.stdout.write(dumps(explanation, item))
    else:
        terminal = sys.stdout.isatty()
        width = shutil.get_terminal_size().columns if terminal else None
        color = terminal and not os.environ.get("NO_COLOR")
        sys.stdout.write(render(explanation, item, color, width))
    summary = Summary()
    summary.add(explanation.result)
    return summary.exit_code()


@app.command()
def query(
    mineral: Annotated[
        list[str] | None,
        typer.Option("--mineral", "-m", help="A mineral the goods are or contain (repeatable)."),
    ] = None,
    destination: Annotated[
        str,
        typer.Option(
            "--destination", "-d", help="The final destination country.", metavar="COUNTRY"
        ),
    ] = "",
    form: Annotated[
        str | None, typer.Option("--form", help="The goods' form (see the README).")
    ] = None,
    hs_code: Annotated[
        str | None, typer.Option("--hs-code", help="The customs commodity code.", metavar="CODE")
    ] = None,
    purity: Annotated[
        str | None, typer.Option("--purity", help="Purity, e.g. 99.99%.", metavar="PERCENT")
    ] = None,
    end_user: Annotated[
        str | None,
        typer.Option(
            "--end-user",
            help="The end user's name (screened against listed parties).",
            metavar="NAME",
        ),
    ] = None,
    military: Annotated[
        bool | None,
        typer.Option(
            "--military/--civil",
            help="A military end user or end use, or not [default: not given: both are weighed].",
            show_default=False,
        ),
    ] = None,
    date: Annotated[
        str | None,
        typer.Option(
            "--date", help="The ship date [default: today].", metavar="DATE", show_default=False
        ),
    ] = None,
    exporter: Annotated[
        str,
        typer.Option("--exporter", help="The exporting country.", metavar="COUNTRY"),
    ] = "CN",
    origin: Annotated[
        str | None,
        typer.Option(
            "--origin",
            help="The goods' country of origin [default: the exporter's].",
            metavar="COUNTRY",
            show_default=False,
        ),
    ] = None,
    rules: RulesOption = None,
    bundled_rules: BundledOption = None,
    packs: PackOption = None,
    config: ConfigOption = None,
    output_format: TextOrJsonOption = TextOrJson.TEXT,
) -> int:
    """What a shipment would need, without a manifest: the controls that apply, what each
    requires, and what cannot be decided from the facts given.

    The facts become a one-item manifest with no permit, checked as verify checks it. A fact
    left out is never assumed away: without --military or --civil, what a military end user
    would add is listed as undecided; without --end-user, the listed parties are not screened
    and the answer says so; without --form, --purity or --hs-code, a control that depends on
    them is undecided. Exit 0 when answered, 2 when the facts cannot be read.
    """
    from mineralcheck.config import resolve
    from mineralcheck.countries import to_alpha2
    from mineralcheck.query import Facts, ask, dumps, render

    if not destination:
        raise UsageError("give --destination COUNTRY")
    if not mineral and hs_code is None:
        raise UsageError("give --mineral NAME or --hs-code CODE")
    try:
        countries = {
            name: to_alpha2(value) if value is not None else None
            for name, value in (
                ("--destination", destination),
                ("--exporter", exporter),
                ("--origin", origin),
            )
        }
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    day = parse_as_of(date, "--date") or dt.date.today()
    cli_values = {
        "rules": [str(r) for r in rules] if rules else None,
        "bundled_rules": bundled_rules,
        "packs": packs,
    }
    settings = resolve(cli_values, os.environ, Path.cwd(), config)
    setup = setup_checker(settings, None, 1, False, False)
    facts = Facts(
        minerals=tuple(mineral or ()),
        form=form,
        hs_code=hs_code,
        purity=purity,
        destination=countries["--destination"] or "",
        end_user=end_user,
        military=military,
        date=day,
        exporter=countries["--exporter"] or "CN",
        origin=countries["--origin"],
    )
    answer = ask(setup.checker, facts)
    if output_format is TextOrJson.JSON:
        sys.stdout.write(dumps(answer))
    else:
        sys.stdout.write(render(answer))
    return 2 if answer.errors else 0


@app.command()
def init(
    directory: Annotated[
        Path, typer.Argument(help="Where to write the files.", show_default=".")
    ] = Path(),
) -> int:
    """Write a commented starter mineralcheck.toml and an example manifest (never overwrites)."""
    from mineralcheck.starter import starter_files

    files = starter_files()
    existing = [str(directory / name) for name in files if (directory / name).exists()]
    if existing:
        raise UsageError(f"not overwriting {', '.join(existing)}")
    for name, text in files.items():
        target = directory / name
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"cannot create {target.parent}: {exc.strerror or exc}") from None
        write_files([(target, text)])
        stderr_line(f"mineralcheck: wrote {target}")
    where = "" if directory.resolve() == Path.cwd().resolve() else f"cd {directory} && "
    stderr_line(f"mineralcheck: now run: {where}mineralcheck verify")
    return 0


@app.command()
def schema(
    name: Annotated[
        SchemaName,
        typer.Argument(help="Which schema: manifest, rules, report, record, reviews or register."),
    ],
) -> int:
    """Print a published JSON Schema."""
    import json

    from mineralcheck.schemas import schema as get_schema

    sys.stdout.write(json.dumps(get_schema(str(name)), indent=2) + "\n")
    return 0


def _command_group(name: str, help_text: str) -> typer.Typer:
    """A group of subcommands (``mineralcheck NAME ...``)."""
    group = typer.Typer(help=help_text, no_args_is_help=True, rich_markup_mode=None)
    app.add_typer(group, name=name)
    return group


rules_app = _command_group(
    "rules", "See and check rule packs: list the measures, show one, lint rule files."
)


def _load_for_rules(
    rules: list[Path] | None, bundled_rules: bool | None, packs: str | None = None
) -> "RulePack":
    from mineralcheck.config import resolve
    from mineralcheck.ruleset.loader import load_pack

    cli_values = {
        "rules": [str(r) for r in rules] if rules else None,
        "bundled_rules": bundled_rules,
        "packs": packs,
    }
    settings = resolve(cli_values, os.environ, Path.cwd())
    if not settings.bundled_rules and not settings.rules:
        raise UsageError("--no-bundled-rules needs at least one --rules path")
    return load_pack(settings.rules, settings.bundled_rules, settings.packs)


@rules_app.command("list")
def rules_list(
    as_of: AsOfOption = None,
    mineral: Annotated[
        str | None,
        typer.Option(
            "--mineral", help="Only measures with a control that names it.", metavar="NAME"
        ),
    ] = None,
    destination: Annotated[
        str | None,
        typer.Option("--destination", help="Only measures that can reach it.", metavar="COUNTRY"),
    ] = None,
    rules: RulesOption = None,
    bundled_rules: BundledOption = None,
    packs: PackOption = None,
    output_format: TextOrJsonOption = TextOrJson.TEXT,
) -> int:
    """List the measures: id, effective date, status on a date, reference and title."""
    import json

    from mineralcheck.countries import to_alpha2
    from mineralcheck.ruleset.describe import list_text, measure_rows

    pack = _load_for_rules(rules, bundled_rules, packs)
    day = parse_as_of(as_of) or dt.date.today()
    name = None
    if mineral is not None:
        name = pack.vocabulary.canonical(mineral)
        if name is None:
            raise UsageError(f"--mineral: unknown mineral {mineral!r}")
    try:
        country = to_alpha2(destination) if destination is not None else None
    except ValueError as exc:
        raise UsageError(f"--destination: {exc}") from None
    rows = measure_rows(pack, day, name, country)
    if output_format is TextOrJson.JSON:
        text = json.dumps({"as_of": day.isoformat(), "measures": rows}, indent=2)
        sys.stdout.write(text + "\n")
    else:
        sys.stdout.write(list_text(pack, day, rows))
    return 0


@rules_app.command("show")
def rules_show(
    rule_id: Annotated[
        str,
        typer.Argument(
            help="A measure's id (see rules list), or any rule id a finding prints "
            "(measure/control, mineralcheck/code).",
            metavar="ID",
        ),
    ],
    as_of: AsOfOption = None,
    rules: RulesOption = None,
    bundled_rules: BundledOption = None,
    packs: PackOption = None,
) -> int:
    """Show one measure: its reference, sources, dates, suspensions and controls."""
    from mineralcheck.formats.sarif import TOOL_RULES
    from mineralcheck.ruleset.describe import show_text

    if rule_id.startswith("mineralcheck/") and rule_id.split("/", 1)[1] in TOOL_RULES:
        code = rule_id.split("/", 1)[1]  # a finding the tool itself produced
        sys.stdout.write(f"{rule_id}: {TOOL_RULES[code]}\n")
        return 0
    pack = _load_for_rules(rules, bundled_rules, packs)
    measure, _, _ = rule_id.partition("/")  # a finding names rule-id/control-id
    found = next(((p, r) for p, r in pack.rules if r.id == measure), None)
    only = rule_id if "/" in rule_id else None
    if found is None or (only and not any(c.id == only for c in pack.controls_of(measure))):
        known = ", ".join(sorted(r.id for _, r in pack.rules))
        raise UsageError(f"no measure or control {rule_id!r} in the rule pack; measures: {known}")
    day = parse_as_of(as_of) or dt.date.today()
    sys.stdout.write(show_text(pack, found[1], found[0], day, only))
    return 0


@rules_app.command("timeline")
def rules_timeline(
    mineral: Annotated[
        str | None,
        typer.Option("--mineral", help="Only the measures that name this mineral.", metavar="NAME"),
    ] = None,
    start: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="First month shown [default: January three years before today].",
            metavar="DATE",
            show_default=False,
        ),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option(
            "--to",
            help="Last month shown [default: a year after today or the last date in the pack].",
            metavar="DATE",
            show_default=False,
        ),
    ] = None,
    svg: Annotated[
        Path | None,
        typer.Option(
            "--svg", help="Also write the picture as an SVG image to FILE.", metavar="FILE"
        ),
    ] = None,
    rules: RulesOption = None,
    bundled_rules: BundledOption = None,
    packs: PackOption = None,
) -> int:
    """Which measures were in force, suspended, ended or unconfirmed, per mineral, month by month.

    Unconfirmed is the horizon: a measure past the end of a suspension whose outcome the pack
    cannot confirm, or any day after the date the pack was last reviewed.
    """
    from rich.console import Console

    from mineralcheck.ruleset.timeline import cells, draw, groups

    pack = _load_for_rules(rules, bundled_rules, packs)
    name = None
    if mineral is not None:
        name = pack.vocabulary.canonical(mineral)
        if name is None:
            raise UsageError(f"--mineral: unknown mineral {mineral!r}")
    dates = [d for c in pack.controls for d in (c.effective, c.rule.ends) if d is not None]
    today = dt.date.today()
    first = parse_as_of(start, "--from") or dt.date(today.year - 3, 1, 1)
    last = parse_as_of(end, "--to") or max([today.replace(year=today.year + 1), *dates])
    if last < first:
        raise UsageError(f"--to {last} is before --from {first}")
    terminal = sys.stdout.isatty()
    width = shutil.get_terminal_size().columns if terminal else 100
    label = max((len(r.id) for _, r in pack.rules), default=10) + 1
    spans = cells(first, last, max(width - label - 1, 12))
    found = groups(pack, spans, name)
    if not found:
        raise UsageError(f"no measure names {name}" if name else "no measure in the rule pack")
    horizon = pack.info.reviewed if pack.info is not None else None
    console = Console(
        width=width,
        force_terminal=terminal,
        no_color=not terminal or bool(os.environ.get("NO_COLOR")),
        highlight=False,
    )
    draw(console, found, spans, horizon)
    if svg is not None:
        check_destinations([svg])
        wide = max(label + len(spans) + 2, 100)
        with open(os.devnull, "w", encoding="utf-8") as nowhere:
            picture = Console(
                record=True, width=wide, file=nowhere, force_terminal=True, highlight=False
            )
            draw(picture, found, spans, horizon)
        title = f"mineralcheck rules timeline{' --mineral ' + name if name else ''}"
        write_files([(svg, picture.export_svg(title=title))])
        stderr_line(f"mineralcheck: wrote {svg}")
    return 0


@rules_app.command("lint")
def rules_lint(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Rule files or directories to check (one or more).",
            metavar="PATH...",
            show_default=False,
        ),
    ] = None,
    rules: RulesOption = None,
    bundled_rules: BundledOption = None,
    packs: PackOption = None,
) -> int:
    """Check rule files: schema, dates in order, sources, unique ids, known minerals and countries.

    Files are checked in the context of the pack they will run with (the bundled pack and the
    configured --rules, as verify uses them): a file replaces the pack's file with the same id.
    Exit 0 when clean, 1 when a problem is found, 2 when the lint could not run or the rule set
    holds no control.
    """
    from mineralcheck.config import resolve
    from mineralcheck.formats.common import printable
    from mineralcheck.ruleset.files import rule_files
    from mineralcheck.ruleset.loader import NO_CONTROLS, load

    if not paths:  # checked here: the help then shows no escaped "[required]"
        raise UsageError("give one or more rule files or directories to lint")
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise UsageError(f"no such file or directory: {', '.join(missing)}")
    cli_values = {
        "rules": [str(r) for r in rules] if rules else None,
        "bundled_rules": bundled_rules,
        "packs": packs,
    }
    settings = resolve(cli_values, os.environ, Path.cwd())
    count = len([p for p in rule_files(paths) if p.name != "pack.yaml"])
    if count == 0:
        shown = ", ".join(str(p) for p in paths)
        stderr_line(f"mineralcheck: no rule file (*.yaml, *.yml) in {shown}: nothing was checked")
        return 2
    try:
        loaded = load(
            settings.rules, bundled=settings.bundled_rules, edited=paths, packs=settings.packs
        )
    except RulePackError as exc:
        for line in exc.lines():
            sys.stdout.write(printable(line) + "\n")
        if any(problem.code == NO_CONTROLS for _, problem in exc.problems):
            stderr_line("mineralcheck: no control in the rule files: nothing was checked")
            return 2
        stderr_line(f"mineralcheck: {len(exc.problems)} problem(s) in the rule files")
        return 1
    context = "the bundled pack" if settings.bundled_rules else "no bundled pack"
    stderr_line(
        f"mineralcheck: {count} rule file(s) checked with {context} "
        f"({len(loaded.pack.controls)} controls in all): no problems"
    )
    return 0


@app.command("permits")
def permits_command(
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            help="Manifests whose uses count (default: the paths of the configuration).",
            metavar="[PATH]...",
            show_default=False,
        ),
    ] = None,
    permits: PermitsOption = None,
    as_of: AsOfOption = None,
    rules: RulesOption = None,
    bundled_rules: BundledOption = None,
    packs: PackOption = None,
    output_format: TextOrJsonOption = TextOrJson.TEXT,
) -> int:
    """Each licence of the registers: route, validity, what is left, who used it, expiry.

    The manifests under PATH (or the configured paths) are drawn down as verify does; licences
    that expire within 30 days of --as-of (default: today) are marked.
    """
    import json

    from mineralcheck.config import resolve
    from mineralcheck.discovery import discover
    from mineralcheck.pipeline import Checker, Options
    from mineralcheck.records.ledger import Ledger

    cli_values = {
        "paths": paths or None,
        "rules": [str(r) for r in rules] if rules else None,
        "bundled_rules": bundled_rules,
        "packs": packs,
        "permits": [str(p) for p in permits] if permits else None,
    }
    settings = resolve(cli_values, os.environ, Path.cwd())
    if not settings.permits:
        raise UsageError("give a licence register with --permits, or set permits in the config")
    day = parse_as_of(as_of) or dt.date.today()
    checker = Checker(
        Options(
            rule_paths=settings.rules,
            bundled=settings.bundled_rules,
            register_paths=settings.permits,
        )
    )
    assert checker.register is not None
    found = list(discover(settings.paths, settings.include, settings.exclude))
    ledger = Ledger(checker.register)
    ledger.draw(list(checker.results(found)))
    rows: list[dict[str, Any]] = []
    for number, account in sorted(ledger.accounts.items()):
        licence = account.licence
        left = account.left()
        days = (licence.valid_until - day).days
        rows.append(
            {
                "number": number,
                "route": licence.route,
                "status": licence.status,
                "valid_from": licence.valid_from.isoformat(),
                "valid_until": licence.valid_until.isoformat(),
                "quantity": str(licence.quantity) if licence.quantity else None,
                "used": format(account.used.normalize(), "f") + " kg",
                "left": None if left is None else format(left.normalize(), "f") + " kg",
                "shipments_left": account.shipments_left(),
                "used_by": [ident for ident, _ in account.users],
                "expires_within_30_days": 0 <= days <= 30,
                "expired": days < 0,
            }
        )
    if output_format is TextOrJson.JSON:
        sys.stdout.write(json.dumps({"as_of": day.isoformat(), "permits": rows}, indent=2) + "\n")
        return 0
    for row in rows:
        flag = (
            " EXPIRED"
            if row["expired"]
            else (" expires soon" if row["expires_within_30_days"] else "")
        )
        left_text = row["left"] if row["left"] is not None else "no quantity limit"
        shipments = row["shipments_left"]
        shipments_text = "" if shipments is None else f", {shipments} shipment(s) left"
        users = ", ".join(row["used_by"]) or "none"
        sys.stdout.write(
            f"{row['number']} ({row['route']}, {row['status']}) valid {row['valid_from']} to "
            f"{row['valid_until']}{flag}: used {row['used']}, left {left_text}{shipments_text}; "
            f"used by {users}\n"
        )
    return 0


record_app = _command_group(
    "record", "The audit record that verify --record keeps: check its hash chain."
)


@record_app.command("verify")
def record_verify(
    path: Annotated[Path, typer.Argument(help="The record file.", metavar="FILE")],
) -> int:
    """Check a record's hash chain and every line's fields.

    Prints the first broken line (its number and what is wrong). Exit 0 when intact, 1 when
    broken, 2 when the file cannot be read.
    """
    from mineralcheck.records.audit import check

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    broken = next(check(data), None)
    if broken is not None:
        sys.stdout.write(f"{path}:{broken.line}: {broken.reason}\n")
        stderr_line(f"mineralcheck: the record is broken at line {broken.line}")
        return 1
    lines = data.count(b"\n")
    stderr_line(f"mineralcheck: {path}: {lines} line(s), the chain is intact")
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
