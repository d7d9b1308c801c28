"""Output formats: one module each, registered here by name and imported only when used."""

from __future__ import annotations

import importlib

from mineralcheck.formats.interface import Format, Style

__all__ = ["AUTO", "FORMATS", "Format", "Style", "get", "resolve"]

# name -> (module, one-line description). Modules load on demand to keep start-up fast.
FORMATS: dict[str, tuple[str, str]] = {
    "table": ("mineralcheck.formats.table", "a table on a terminal, plain text otherwise"),
    "text": ("mineralcheck.formats.text", "one line per finding: path:line:col: severity ..."),
    "json": ("mineralcheck.formats.json", "the JSON report of spec/cli.md"),
    "sarif": ("mineralcheck.formats.sarif", "SARIF 2.1.0 for GitHub code scanning"),
    "junit": ("mineralcheck.formats.junit", "JUnit XML for GitLab and Jenkins"),
    "github": ("mineralcheck.formats.github", "GitHub Actions annotations"),
    "markdown": ("mineralcheck.formats.markdown", "Markdown for pull requests and job summaries"),
    "html": ("mineralcheck.formats.html", "one self-contained HTML page, with filters"),
}

AUTO = "auto"


def resolve(name: str, *, github_actions: bool, terminal: bool) -> str:
    """The concrete format for ``name``: ``auto`` is github under Actions, else table or text."""
    if name != AUTO:
        return name
    if github_actions:
        return "github"
    return "table" if terminal else "text"


def get(name: str) -> Format:
    """The format module registered as ``name``."""
    module, _ = FORMATS[name]
    loaded: Format = importlib.import_module(module)
    return loaded
