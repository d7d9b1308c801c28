"""The keys a configuration file may set, as a Pydantic model (loaded only when one exists)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, field_validator

from mineralcheck.config import parse_output
from mineralcheck.formats import AUTO, FORMATS


def _check_format(value: str) -> str:
    if value != AUTO and value not in FORMATS:
        raise ValueError(f"{value!r} is not a format; use one of: {', '.join([AUTO, *FORMATS])}")
    return value


class ConfigFile(BaseModel):
    """The keys a configuration file may set."""

    model_config = ConfigDict(extra="forbid", strict=True)

    paths: list[str] | None = None
    include: list[str] | None = None
    exclude: list[str] | None = None
    rules: list[str] | None = None
    bundled_rules: bool | None = None
    format: str | None = None
    fail_on: Literal["fail", "warn"] | None = None
    outputs: list[str] | None = None
    reviews: list[str] | None = None
    permits: list[str] | None = None
    packs: list[str] | None = None  # bundled jurisdictions to load, e.g. ["cn", "cd"]

    @field_validator("format")
    @classmethod
    def _format(cls, value: str | None) -> str | None:
        return None if value is None else _check_format(value)

    @field_validator("outputs")
    @classmethod
    def _outputs(cls, value: list[str] | None) -> list[str] | None:
        for entry in value or ():
            if not parse_output(entry, "").typed:
                raise ValueError(f"{entry!r} is not 'format:path' (formats: {', '.join(FORMATS)})")
        return value
