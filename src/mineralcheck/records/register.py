"""The licence register: licences that many manifests use (spec/records.md, part 1).

A register is a file given with ``--permits`` (never guessed). Each licence has a route
(``single``: one export to one end user; ``general``: several shipments and end users;
``voucher``: a registration voucher for one export), terms (validity, destinations, end users,
exporter, what it covers) and limits (``quantity``, ``shipments``) that the ledger draws down
over a whole run.

The licences are plain frozen dataclasses, twins of the schema's (``register_schema``). A
register validated once is kept, as its twins, in a sealed entry beside the compiled pack
(``packcache``), keyed by the register files' names and bytes and mineralcheck's own source: a
run with the same register reads the entry back instead of validating every licence again, and
a changed, torn or forged entry is ignored and written anew.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from mineralcheck.errors import ProblemsError
from mineralcheck.manifest.shipment import Quantity
from mineralcheck.plain import record
from mineralcheck.problems import Problem
from mineralcheck.yamlread import Mark

if TYPE_CHECKING:
    from mineralcheck.records.files import Read


@record(frozen=True, kw_only=True)
class Licence:
    """One licence of a register, with its route, terms and limits."""

    number: str
    route: Literal["single", "general", "voucher"] = "single"
    issued_by: str | None = None
    exporter: str | None = None
    valid_from: dt.date
    valid_until: dt.date
    destination: tuple[str, ...]
    end_user: tuple[str, ...] | None = None
    covers: tuple[str, ...]
    quantity: Quantity | None = None
    shipments: int | None = None
    status: Literal["valid", "suspended", "revoked", "returned"] = "valid"
    contract: str | None = None

    @property
    def shipment_limit(self) -> int | None:
        """How many shipments may use the licence (one for a single licence or a voucher)."""
        return 1 if self.route in ("single", "voucher") else self.shipments


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


def load(paths: Iterable[Path], cache_dir: Path | None = None) -> Register:
    """The licences in the register files under ``paths`` (unique numbers across all); with a
    ``cache_dir``, read back from its sealed entry when the files are the same."""
    from mineralcheck.records.files import read_kept

    licences, digest = read_kept(
        paths,
        "register",
        cache_dir,
        _validated,
        lambda kept: isinstance(kept, dict) and all(isinstance(v, Licence) for v in kept.values()),
    )
    return Register(licences, digest)


def _validated(paths: list[Path], files: list[Read]) -> dict[str, Licence]:
    """The licences of the files, validated by the schema; ``RegisterError`` with every
    problem (file, line, column, field) when there is one."""
    from mineralcheck.records.files import validate_all
    from mineralcheck.records.register_schema import RegisterFile, to_licence

    valid, problems = validate_all(files, RegisterFile)
    licences: dict[str, Licence] = {}
    where: dict[str, str] = {}
    for file in valid:
        for index, licence in enumerate(file.model.permits):
            if licence.number in licences:
                mark = file.document.locate(("permits", index, "number"))
                message = f"licence {licence.number!r} is also in {where[licence.number]}"
                problems.append((file.name, Problem("duplicate-permit", message, None, mark)))
                continue
            licences[licence.number] = to_licence(licence)
            where[licence.number] = file.name
    if problems:
        raise RegisterError(problems)
    if not licences:
        shown = ", ".join(str(p) for p in paths)
        raise RegisterError([(shown, Problem("empty", "no licence found", None, Mark(1, 1)))])
    return licences
