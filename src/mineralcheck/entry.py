"""The ``mineralcheck`` program: exit codes, signals, and the way in to the commands.

Every command is a typer command in ``cli.py``. Importing typer and click, and building the
commands, is about a quarter of what a pre-commit hook's check of one manifest costs, so the
usual ``verify`` invocation is read here instead, without them: ``verify`` with paths and the
options below, each given once, in their plain forms (``--format json``, ``--format=json``,
``-f json``). Anything else (another command, ``--help``, an option this reader does not know,
a value it is not sure of, an option given twice, ``--``, ``-fjson``) goes to typer, which
reads it as it always did, errors included. Both call ``verifying.run_verify`` with the same
values; a property test holds the two readers to that (``tests/test_entry.py``).
"""

import os
import re
import sys
from pathlib import Path
from typing import Any

from mineralcheck.errors import MineralcheckError, ProblemsError
from mineralcheck.formats import AUTO, FORMATS
from mineralcheck.output import StdoutClosed, silence_stdout, utf8_streams
from mineralcheck.verifying import run_verify
from mineralcheck.verifying import stderr_line as _stderr

# verify's options read here. A flag sets its parameter to a value of its own; any other option
# takes the next word (or the text after "=") as a value of its kind.
_FLAGS: dict[str, tuple[str, bool]] = {
    "--bundled-rules": ("bundled_rules", True),
    "--no-bundled-rules": ("bundled_rules", False),
    "--cache": ("cache", True),
    "--no-cache": ("cache", False),
    "--quiet": ("quiet", True),
    "-q": ("quiet", True),
    "--verbose": ("verbose", True),
    "-v": ("verbose", True),
}
_VALUED: dict[str, tuple[str, str]] = {
    "--rules": ("rules", "paths"),
    "-r": ("rules", "paths"),
    "--pack": ("packs", "text"),
    "--format": ("output_format", "format"),
    "-f": ("output_format", "format"),
    "--output": ("outputs", "texts"),
    "-o": ("outputs", "texts"),
    "--as-of": ("as_of", "date"),
    "--fail-on": ("fail_on", "fail-on"),
    "--config": ("config", "path"),
    "--jobs": ("jobs", "count"),
    "-j": ("jobs", "count"),
    "--permits": ("permits", "paths"),
    "--reviews": ("reviews", "paths"),
    "--record": ("record", "path"),
}
_DEFAULTS: dict[str, Any] = {
    "paths": None,
    "rules": None,
    "bundled_rules": None,
    "packs": None,
    "output_format": None,
    "outputs": None,
    "as_of": None,
    "fail_on": None,
    "config": None,
    "jobs": None,
    "cache": True,
    "permits": None,
    "reviews": None,
    "record": None,
    "quiet": False,
    "verbose": False,
}
_DIGITS = re.compile(r"[0-9]+")


class _NotHereError(Exception):
    """The arguments are not ones this reader is sure of: typer reads them."""


def read_verify(args: list[str]) -> dict[str, Any] | None:
    """The keyword arguments of ``run_verify`` for ``args`` (the words after the program's
    name), exactly as typer would pass them; ``None`` when typer must read them."""
    if not args or args[0] != "verify":
        return None
    try:
        return _read(args[1:])
    except _NotHereError:
        return None


def _read(words: list[str]) -> dict[str, Any]:
    values = dict(_DEFAULTS)
    given: set[str] = set()  # parameters set by an option
    paths: list[str] = []
    lists: dict[str, list[Any]] = {}
    rest = iter(words)
    for word in rest:
        if word == "-" or not word.startswith("-"):
            paths.append(word)
            continue
        name, equals, attached = word.partition("=") if word.startswith("--") else (word, "", "")
        if name in _FLAGS and not equals:
            parameter, value = _FLAGS[name]
            if parameter in given:
                raise _NotHereError  # given twice: typer knows which one counts
            given.add(parameter)
            values[parameter] = value
            continue
        if name not in _VALUED:
            raise _NotHereError  # --help, --, -fjson, an option of another command...
        parameter, kind = _VALUED[name]
        text = attached if equals else next(rest, None)
        if not text or text.startswith("-"):
            raise _NotHereError
        if kind in ("paths", "texts"):
            lists.setdefault(parameter, []).append(Path(text) if kind == "paths" else text)
            continue
        if parameter in given:
            raise _NotHereError
        given.add(parameter)
        values[parameter] = _value(kind, text)
    if paths:
        values["paths"] = paths
    values.update(lists)
    return values


def _value(kind: str, text: str) -> Any:
    if kind == "path":
        return Path(text)
    if kind == "text":
        return text
    if kind == "count":
        if not _DIGITS.fullmatch(text):
            raise _NotHereError
        return int(text)
    if kind == "format":
        if text != AUTO and text not in FORMATS:
            raise _NotHereError
        return text
    if kind == "fail-on":
        if text not in ("fail", "warn"):
            raise _NotHereError
        return text
    from mineralcheck.values import parse_date  # kind == "date"

    try:
        parse_date(text)
    except ValueError:
        raise _NotHereError from None  # typer shows the usage error
    return text


class Interrupted(BaseException):
    """A signal asked the run to stop (SIGINT, SIGTERM, SIGHUP): not an error to catch."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _interrupt(signum: int, frame: object) -> None:
    raise Interrupted(signum)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code; every failure to run becomes exit 2.

    An interrupted run (Ctrl-C, SIGTERM, SIGHUP) exits 128 + the signal's number (130, 143,
    129), and one whose standard output was closed early (``| head``) exits 141 as if by SIGPIPE:
    never 0 or 1, which would make a half-checked batch look finished.
    """
    import signal

    # Pydantic looks for plugins among the entry points of every installed distribution the
    # first time it builds a model, on every run; mineralcheck uses none. A variable the user
    # set keeps its value.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    utf8_streams()
    handlers = {}
    # Ctrl-C too: typer would turn a KeyboardInterrupt into a silent exit code.
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        try:
            handlers[signum] = signal.signal(signum, _interrupt)
        except ValueError:  # not the main thread: leave the signals alone
            break
    try:
        return _run(sys.argv[1:] if argv is None else argv)
    finally:
        for signum, handler in handlers.items():
            signal.signal(signum, handler)


def console() -> int:
    """The ``mineralcheck`` program (and ``python -m mineralcheck``): ``main``, after which the
    process ends.

    Whatever the run still holds then (the modules, the rule pack, a ledger's results) is moved
    out of the cycle collector's reach (``gc.freeze``), so that the collection Python makes as
    it exits does not walk it all for nothing: about a tenth of a one-manifest check. Reports,
    output files and the cache are closed before ``main`` returns, and exit still runs as it
    always does (handlers, flushing, freeing); only for a process about to end, never for a
    caller of ``main`` that goes on.
    """
    import gc

    code = main()
    gc.freeze()
    return code


def _interrupted(signum: int) -> int:
    import signal

    name = signal.Signals(signum).name
    _stderr(f"mineralcheck: interrupted ({name}): the check did not finish; no report is complete")
    return 128 + signum


def _invoke(args: list[str]) -> object:
    """Run the command ``args`` name: ``verify`` read here when it can be, else by typer."""
    verify = read_verify(args)
    if verify is not None:
        return run_verify(**verify)
    from mineralcheck.cli import app

    return app(args=args, prog_name="mineralcheck", standalone_mode=False)


def _run(args: list[str]) -> int:
    verbose = "-v" in args or "--verbose" in args
    try:
        result = _invoke(args)
    except ProblemsError as exc:
        for line in exc.lines():
            _stderr(line)
        _stderr(f"mineralcheck: {exc.what}; nothing was checked")
        return 2
    except MineralcheckError as exc:
        _stderr(f"mineralcheck: error: {exc}")
        return 2
    except KeyboardInterrupt:
        return _interrupted(2)  # SIGINT
    except Interrupted as exc:
        return _interrupted(exc.signum)
    except StdoutClosed:
        silence_stdout()
        _stderr("mineralcheck: standard output was closed: stopped before the end of the check")
        return 141
    except Exception as exc:  # the contract: an internal error is exit 2 and one line
        code = _click_outcome(exc)
        if code is not None:
            return code
        if verbose:
            import traceback

            traceback.print_exc()
        _stderr(
            f"mineralcheck: internal error: {type(exc).__name__}: {exc} (run with -v for details)"
        )
        return 2
    return result if isinstance(result, int) else 0


def _click_outcome(exc: Exception) -> int | None:
    """The exit code of click's own exceptions (only typer's reading raises them)."""
    click = sys.modules.get("click")
    if click is None:
        return None
    if isinstance(exc, click.exceptions.Exit):
        return int(exc.exit_code)
    if isinstance(exc, click.ClickException):  # usage errors: bad option, missing argument
        exc.show()
        return 2
    if isinstance(exc, click.exceptions.Abort):
        return _interrupted(2)  # SIGINT
    return None
