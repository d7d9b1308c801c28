"""Settings for a run: the command line, then ``MINERALCHECK_*`` variables, then a config file.

The config file is ``mineralcheck.toml``, or the ``[tool.mineralcheck]`` table of
``pyproject.toml``, found in the working directory or the nearest directory above it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from mineralcheck.discovery import DEFAULT_INCLUDE
from mineralcheck.errors import MineralcheckError
from mineralcheck.formats import AUTO, FORMATS

CONFIG_FILE = "mineralcheck.toml"
PYPROJECT = "pyproject.toml"
ENV_PREFIX = "MINERALCHECK_"
_OUR_TABLE = re.compile(rb"""tool\s*\.\s*["']?mineralcheck""")
KEYS = (
    "paths",
    "include",
    "exclude",
    "rules",
    "bundled_rules",
    "format",
    "fail_on",
    "outputs",
    "reviews",
    "permits",
    "packs",
)

if TYPE_CHECKING:
    from mineralcheck.config_file import ConfigFile


class ConfigError(MineralcheckError):
    """A configuration file or variable is invalid; the message names the file and key."""


class OutputSpec(NamedTuple):
    """A report to write to a file; ``typed`` when it named its format (``sarif:out.sarif``)."""

    format: str
    path: Path
    typed: bool


_FORMAT_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9_-]+")  # two letters or more: not a drive


def parse_output(text: str, default_format: str) -> OutputSpec:
    """``FORMAT:PATH`` is an extra report in FORMAT; a bare PATH takes ``default_format``.

    A prefix that looks like a format but is none (``pdf:r.pdf``) is an error, never a file
    of that name; ``./pdf:r.pdf`` names such a file.
    """
    name, sep, rest = text.partition(":")
    if not text:
        raise ValueError("an output needs a file name")
    if sep and name in FORMATS:
        if not rest:
            raise ValueError(f"{text!r} names no file after '{name}:'")
        return OutputSpec(name, Path(rest), typed=True)
    if sep and _FORMAT_PREFIX.fullmatch(name):
        raise ValueError(
            f"{text!r}: {name!r} is not a format (use one of: {', '.join(FORMATS)}); "
            f"to name a file with a colon, write ./{text}"
        )
    return OutputSpec(default_format, Path(text), typed=False)


class Settings(NamedTuple):
    """Everything a ``verify`` run is configured with, after precedence is applied."""

    paths: tuple[str, ...] = ()
    include: tuple[str, ...] = DEFAULT_INCLUDE
    exclude: tuple[str, ...] = ()
    rules: tuple[Path, ...] = ()
    bundled_rules: bool = True
    format: str = AUTO
    fail_on: str = "fail"
    outputs: tuple[OutputSpec, ...] = ()
    reviews: tuple[Path, ...] = ()
    permits: tuple[Path, ...] = ()
    packs: tuple[str, ...] | None = None  # bundled jurisdictions to load (None: all)
    config_file: Path | None = None


def find_config(start: Path) -> tuple[Path, dict[str, Any]] | None:
    """The nearest config file at or above ``start`` and its raw table, if any."""
    for directory in (start, *start.parents):
        candidate = directory / CONFIG_FILE
        if candidate.is_file():
            return candidate, _read_toml(candidate)
        pyproject = directory / PYPROJECT
        if pyproject.is_file() and _mentions_us(pyproject):
            table = _read_toml(pyproject).get("tool", {}).get("mineralcheck")
            if isinstance(table, dict):
                return pyproject, table
    return None


def _mentions_us(pyproject: Path) -> bool:
    """Whether a pyproject.toml can hold our table at all (most do not: skip parsing them)."""
    try:
        return _OUR_TABLE.search(pyproject.read_bytes()) is not None
    except OSError:
        return True  # let the reader report it


def _read_toml(path: Path) -> dict[str, Any]:
    import tomllib

    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: not UTF-8 at byte {exc.start}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None


def _validate(path: Path, raw: Mapping[str, Any]) -> ConfigFile:
    from pydantic import ValidationError

    from mineralcheck.config_file import ConfigFile

    where = f"{path} [tool.mineralcheck]" if path.name == PYPROJECT else str(path)
    try:
        return ConfigFile.model_validate(dict(raw))
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        key = ".".join(str(part) for part in error["loc"]) or "(top level)"
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown key"
        raise ConfigError(f"{where}: key {key!r}: {message}") from None


def _relative(base: Path, value: str, cwd: Path) -> str:
    """A path from the config file, made relative to the working directory where it can be."""
    path = Path(value)
    if path.is_absolute():
        return value
    joined = (base / path).resolve()
    try:
        return str(joined.relative_to(cwd.resolve())) or "."
    except ValueError:
        return str(joined)


def _env_list(value: str, separator: str) -> list[str]:
    return [part for part in value.split(separator) if part.strip()]


def _from_env(env: Mapping[str, str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key in KEYS:
        name = ENV_PREFIX + key.upper()
        if name not in env:
            continue
        value = env[name]
        if key in ("paths", "rules", "reviews", "permits"):
            found[key] = _env_list(value, os.pathsep)
        elif key in ("include", "exclude", "outputs", "packs"):
            found[key] = _env_list(value, ",")
        elif key == "bundled_rules":
            lowered = value.strip().casefold()
            if lowered not in ("1", "0", "true", "false", "yes", "no"):
                raise ConfigError(f"{name}: {value!r} is not true or false")
            found[key] = lowered in ("1", "true", "yes")
        else:
            found[key] = value.strip()
    if not found:
        return found
    from pydantic import ValidationError

    from mineralcheck.config_file import ConfigFile

    try:
        ConfigFile.model_validate(found)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        name = ENV_PREFIX + str(error["loc"][0]).upper()
        raise ConfigError(f"{name}: {str(error['msg']).removeprefix('Value error, ')}") from None
    return found


def _packs(values: list[str] | str | None) -> tuple[str, ...] | None:
    """Jurisdiction codes, lower case: ``cn,cd`` or a list; ``None`` when not set."""
    if values is None:
        return None
    entries = values.split(",") if isinstance(values, str) else values
    codes = tuple(dict.fromkeys(e.strip().casefold() for e in entries if e.strip()))
    if not codes:
        raise ConfigError("packs: name at least one jurisdiction (cn, cd, id ...)")
    return codes


def _outputs(values: list[str], default_format: str) -> tuple[OutputSpec, ...]:
    try:
        return tuple(parse_output(value, default_format) for value in values)
    except ValueError as exc:
        raise ConfigError(f"--output: {exc}") from None


def resolve(
    cli: Mapping[str, Any],
    env: Mapping[str, str],
    cwd: Path,
    config_path: Path | None = None,
) -> Settings:
    """Settings from the command line (``None`` = not given), then environment, then file."""
    file_values: dict[str, Any] = {}
    config_file: Path | None = None
    variable = env.get(ENV_PREFIX + "CONFIG")
    explicit = config_path or (Path(variable) if variable else None)
    found: tuple[Path, dict[str, Any]] | None
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"{explicit}: no such configuration file")
        raw = _read_toml(explicit)
        if explicit.name == PYPROJECT:
            raw = raw.get("tool", {}).get("mineralcheck", {})
        found = (explicit, raw)
    else:
        found = find_config(cwd)
    if found is not None:
        config_file, raw = found
        parsed = _validate(config_file, raw)
        base = config_file.parent
        file_values = parsed.model_dump(exclude_none=True)
        for key in ("paths", "rules", "reviews", "permits"):
            if key in file_values:
                file_values[key] = [_relative(base, v, cwd) for v in file_values[key]]
        if "outputs" in file_values:
            relocated = []
            for entry in file_values["outputs"]:
                spec = parse_output(entry, "")
                relocated.append(f"{spec.format}:{_relative(base, str(spec.path), cwd)}")
            file_values["outputs"] = relocated
    env_values = _from_env(env)
    merged: dict[str, Any] = {}
    for key in KEYS:
        for values in (cli, env_values, file_values):  # the first layer that sets it wins
            if values.get(key) is not None:
                merged[key] = values[key]
                break
    fmt = merged.get("format", AUTO)
    return Settings(
        paths=tuple(merged.get("paths", ())),
        include=tuple(merged.get("include", DEFAULT_INCLUDE)),
        exclude=tuple(merged.get("exclude", ())),
        rules=tuple(Path(p) for p in merged.get("rules", ())),
        bundled_rules=merged.get("bundled_rules", True),
        format=fmt,
        fail_on=merged.get("fail_on", "fail"),
        outputs=_outputs(merged.get("outputs", ()), fmt),
        reviews=tuple(Path(p) for p in merged.get("reviews", ())),
        permits=tuple(Path(p) for p in merged.get("permits", ())),
        packs=_packs(merged.get("packs")),
        config_file=config_file,
    )
