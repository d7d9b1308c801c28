"""What ``mineralcheck init`` writes: a commented starter configuration and an example manifest."""

from __future__ import annotations

from importlib import resources
from typing import Any

import tomli_w

from mineralcheck.config import CONFIG_FILE
from mineralcheck.discovery import DEFAULT_INCLUDE

# (key, value, comment): tomli-w writes the values, the comments explain them.
STARTER: tuple[tuple[str, Any, str], ...] = (
    ("paths", ["manifests"], "Manifests checked when `mineralcheck verify` is run without paths."),
    (
        "include",
        list(DEFAULT_INCLUDE),
        "Files taken from those directories: globs on the path below the directory "
        "(* also matches /).",
    ),
    ("exclude", [], 'Files left out, for example "drafts/*".'),
    ("rules", [], "Extra rule files or directories, added to the bundled rule pack."),
    (
        "bundled_rules",
        True,
        "false leaves out the rule pack that ships with mineralcheck (China and seven other "
        "exporting countries).",
    ),
    (
        "packs",
        None,
        "Only these countries of the bundled pack (default: all), for example:",
    ),
    (
        "format",
        "auto",
        "auto: GitHub annotations under GitHub Actions, a table on a terminal, plain text "
        "otherwise. Also: table, text, json, sarif, junit, github, markdown.",
    ),
    ("fail_on", "fail", "The verdict that makes the exit code 1: fail, or warn."),
    (
        "outputs",
        [],
        'Extra reports written on every run, as "format:path", for example '
        '"sarif:mineralcheck.sarif" or "junit:mineralcheck.xml".',
    ),
)


def starter_config() -> str:
    """The starter ``mineralcheck.toml``, every key with a comment."""
    lines = [
        "# mineralcheck configuration. The command line and MINERALCHECK_* environment variables",
        "# override these values; paths are relative to this file.",
    ]
    for key, value, comment in STARTER:
        if value is None:  # an example, left commented out: the default is written nowhere
            lines += ["", f"# {comment}", f'# {key} = ["cn", "cd", "id"]']
            continue
        lines += ["", f"# {comment}", tomli_w.dumps({key: value}).rstrip("\n")]
    return "\n".join(lines) + "\n"


def starter_files() -> dict[str, str]:
    """The files ``init`` writes, by path relative to the target directory."""
    example = resources.files("mineralcheck").joinpath("data/example-manifest.yaml")
    return {
        CONFIG_FILE: starter_config(),
        "manifests/example.yaml": example.read_text("utf-8"),
    }
