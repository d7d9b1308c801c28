"""Output formats: one module each, registered here by name and imported only when used."""

from __future__ import annotations

import importlib

from mineralcheck.formats.interface import Format, Style

__all__ = ["FORMATS", "Format", "Style", "get"]

# name -> (module, one-line description). Modules load on demand to keep start-up fast.
FORMATS: dict[str, tuple[str, str]] = {
    "table": ("mineralcheck.formats.table", "a table on a terminal, plain text otherwise"),
    "text": ("mineralcheck.formats.text", "one line per finding: path:line:col: severity ..."),
    "json": ("mineralcheck.formats.json", "the JSON report of spec/cli.md"),
}


def get(name: str) -> Format:
    """The format module registered as ``name``."""
    module, _ = FORMATS[name]
    loaded: Format = importlib.import_module(module)
    return loaded
