"""The licence register: licences that many manifests use (spec/records.md, part 1).

A register is a file given with ``--permits`` (never guessed). Each licence has a route
(``single``: one export to one end user; ``general``: several shipments and end users;
``voucher``: a registration voucher for one export), terms (validity, destinations, end users,
exporter, what it covers) and limits (``quantity``, ``shipments``) that the ledger draws down
over a whole run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from mineralcheck.errors import ProblemsError
from mineralcheck.fields import Countries, Date, NonEmpty, PositiveInt, Text
from mineralcheck.manifest.model import QuantityField
from mineralcheck.problems import Problem
from mineralcheck.values import parse_text
from mineralcheck.yamlread import Mark


def _names(value: Any) -> Any:
    if isinstance(value, str):
        return (parse_text(value),)
    return value


class Licence(BaseModel):
    """One licence of a register, with its route, terms and limits."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    number: Text
    route: Literal["single", "general", "voucher"] = "single"
    issued_by: Text | None = None
    exporter: Text | None = None
    valid_from: Date
    valid_until: Date
    destination: Countries
    end_user: Annotated[tuple[Text, ...], BeforeValidator(_names)] | None = None
    covers: Annotated[tuple[Text, ...], NonEmpty]
    quantity: QuantityField | None = None
    shipments: PositiveInt | None = None
    status: Literal["valid", "suspended", "revoked", "returned"] = "valid"
    contract: Text | None = None

    @model_validator(mode="after")
    def _route_and_dates(self) -> Licence:
        if self.valid_from > self.valid_until:
            raise ValueError(
                f"valid_from {self.valid_from} is after valid_until {self.valid_until}"
            )
        if self.route in ("single", "voucher"):
            if self.shipments not in (None, 1):
                raise ValueError(f"a {self.route} licence serves one shipment: shipments is 1")
            if self.end_user is not None and len(self.end_user) > 1:
                raise ValueError(f"a {self.route} licence names at most one end user")
        return self

    @property
    def shipment_limit(self) -> int | None:
        """How many shipments may use the licence (one for a single licence or a voucher)."""
        return 1 if self.route in ("single", "voucher") else self.shipments


class RegisterFile(BaseModel):
    """A register file: its format version and its licences."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # "register" is the key in the file; BaseModel has a method of that name
    version: Literal[1, "1"] = Field(alias="register")
    permits: tuple[Licence, ...] = ()


class RegisterError(ProblemsError):
    """A register cannot be read or is invalid: no licence it holds can be trusted."""

    what = "the licence register is invalid"


class Register:
    """Every licence of the registers given, by number, and a digest of their files."""

    def __init__(self, licences: dict[str, Licence], digest: str) -> None:
        self.licences = licences
        self.digest = digest

    def get(self, number: str) -> Licence | None:
        """The licence with ``number``, if a register holds it."""
        return self.licences.get(number)


def load(paths: Iterable[Path]) -> Register:
    """The licences in the register files under ``paths`` (unique numbers across all)."""
    from mineralcheck.records.files import read_all

    files, problems = read_all(paths, RegisterFile)
    licences: dict[str, Licence] = {}
    where: dict[str, str] = {}
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.name.encode("utf-8", "surrogateescape") + b"\0" + file.raw + b"\0")
        for index, licence in enumerate(file.model.permits):
            if licence.number in licences:
                mark = file.document.locate(("permits", index, "number"))
                message = f"licence {licence.number!r} is also in {where[licence.number]}"
                problems.append((file.name, Problem("duplicate-permit", message, None, mark)))
                continue
            licences[licence.number] = licence
            where[licence.number] = file.name
    if problems:
        raise RegisterError(problems)
    if not licences:
        shown = ", ".join(str(p) for p in paths)
        raise RegisterError([(shown, Problem("empty", "no licence found", None, Mark(1, 1)))])
    return Register(licences, digest.hexdigest())
