"""The ledger: register licences drawn down over a whole run, in ship-date order.

Each checked manifest reports the register licences its lines drew on (``uses`` in its facts).
The ledger takes every use of the run in ship-date order, then manifest id, then item line, so
the outcome never depends on the order files were given in or on ``--jobs``. A use that would
take a licence past its ``quantity`` or its ``shipments`` (one for a single licence or a voucher)
fails, naming the licence, what was left and the manifests that used it before.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from mineralcheck.fields import EXACT
from mineralcheck.formats.common import DRAWN
from mineralcheck.records.register import Licence, Register
from mineralcheck.results import (
    Finding,
    ManifestResult,
    Severity,
    encode_findings,
    json_string,
)


def _kg(amount: Decimal) -> str:
    return format(amount.normalize(EXACT), "f") + " kg"


@dataclass
class Account:
    """What one licence has given so far in the run."""

    licence: Licence
    used: Decimal = Decimal(0)
    users: list[tuple[str, str]] = field(default_factory=list)  # (manifest id, path) in order
    shipments: set[int] = field(default_factory=set)  # results that drew on it
    limit: Decimal | None = None  # the quantity in kilograms, once worked out

    def left(self) -> Decimal | None:
        """The quantity left, in kilograms (``None``: no quantity limit)."""
        if self.licence.quantity is None:
            return None
        if self.limit is None:
            self.limit = self.licence.quantity.in_kg()
        return EXACT.subtract(self.limit, self.used)

    def before(self) -> str:
        """The manifests that used the licence so far, for a finding."""
        return ", ".join(f"{ident} ({path})" for ident, path in self.users) or "none"

    def shipments_left(self) -> int | None:
        """The shipments left (``None``: no limit)."""
        limit = self.licence.shipment_limit
        return None if limit is None else limit - len(self.shipments)


class Ledger:
    """Draws the licences of a register down over the results of one run."""

    def __init__(self, register: Register) -> None:
        self.accounts = {n: Account(licence) for n, licence in register.licences.items()}

    def draw(self, results: list[ManifestResult]) -> list[ManifestResult]:
        """The results, with a ``fail`` on every use past a licence's limits."""
        uses: list[tuple[str, str, int, str, Decimal, int]] = []
        for position, result in enumerate(results):
            facts: dict[str, Any] = json.loads(result.facts) if result.facts else {}
            for number, line, kilograms in facts.get("uses", ()):
                uses.append(
                    (facts["ship_date"], result.manifest_id or "", line, number,
                     Decimal(kilograms), position)
                )  # fmt: skip
        failures: dict[int, list[tuple[int, str, str]]] = {}
        drawn: dict[int, list[tuple[int, str, str]]] = {}
        validity: dict[str, tuple[object, object]] = {}
        for _, _, line, number, amount, position in sorted(uses, key=lambda u: u[:3]):
            account = self.accounts[number]
            result = results[position]
            new = position not in account.shipments
            left_shipments = account.shipments_left()
            if new and left_shipments is not None and left_shipments <= 0:
                limit = account.licence.shipment_limit
                problem = (
                    f"licence {number} ({account.licence.route}) serves {limit} shipment(s), "
                    f"already used by {account.before()}"
                )
                failures.setdefault(position, []).append((line, number, problem))
                continue
            left = account.left()
            if left is not None and amount > left:
                problem = (
                    f"licence {number} has {_kg(left)} left of {account.licence.quantity}; item "
                    f"{line} needs {_kg(amount)} (used before by {account.before()})"
                )
                failures.setdefault(position, []).append((line, number, problem))
                continue
            account.used = EXACT.add(account.used, amount)
            if new:
                account.shipments.add(position)
                account.users.append((result.manifest_id or "?", result.path))
            left_now, shipments_now = account.left(), account.shipments_left()
            balance = (
                ", ".join(
                    part
                    for part in (
                        f"{_kg(left_now)} left of {account.licence.quantity}"
                        if left_now is not None
                        else "",
                        f"{shipments_now} shipment(s) left" if shipments_now is not None else "",
                    )
                    if part
                )
                or "no quantity or shipment limit"
            )
            drawn.setdefault(position, []).append(
                (line, number, f"drew on licence {number} ({account.licence.route}): {balance}")
            )
            validity[number] = (account.licence.valid_from, account.licence.valid_until)
        changed = []
        for position, result in enumerate(results):
            if position in failures:
                changed.append(_changed(result, failures[position], drawn.get(position, [])))
            elif position in drawn:
                changed.append(_balances(result, drawn[position], validity))
            else:
                changed.append(result)
        return changed


_COVERED = re.compile(
    r'"code":"covered"(,"rule":(?:null|"[^"\\]*")),"item":(\d+),"message":("(?:[^"\\]|\\.)*")'
)


def _balances(
    result: ManifestResult,
    draws: list[tuple[int, str, str]],
    validity: dict[str, tuple[object, object]],
) -> ManifestResult:
    """The result with each line a licence served showing what it had left; the verdict does
    not change, so the findings' JSON text is edited in one pass (a batch of thousands of
    manifests would otherwise decode and encode every finding again)."""
    text = result.findings_json or encode_findings(result.findings)
    wanted: dict[tuple[str, str], str] = {}
    for line, number, balance in draws:
        valid_from, valid_until = validity[number]
        message = f"item {line} is covered by permit {number} (valid {valid_from} to {valid_until})"
        wanted[(str(line), json_string(message))] = json_string(f"{message}; {balance}")

    def edit(match: re.Match[str]) -> str:
        replacement = wanted.get((match.group(2), match.group(3)))
        if replacement is None:
            return match.group(0)
        return f'"code":"{DRAWN}"{match.group(1)},"item":{match.group(2)},"message":{replacement}'

    edited = ManifestResult(
        result.path,
        result.manifest_id,
        result.verdict,
        None,
        result.lines,
        _COVERED.sub(edit, text),
        result.facts,
    )
    edited.digest = result.digest
    return edited


def _changed(
    result: ManifestResult,
    problems: list[tuple[int, str, str]],
    draws: list[tuple[int, str, str]],
) -> ManifestResult:
    """The result with the lines a licence could no longer serve failed, and the lines it
    served showing what the licence had left after them."""
    findings = list(result.findings)
    by_line: dict[int, list[int]] = {}
    for index, finding in enumerate(findings):
        if finding.code == "covered" and finding.item is not None:
            by_line.setdefault(finding.item, []).append(index)

    def covered(line: int, number: str) -> int | None:
        marker = f"permit {number} "
        return next((i for i in by_line.get(line, ()) if marker in findings[i].message), None)

    for line, number, problem in problems:
        spot = covered(line, number)
        if spot is None:
            findings.append(Finding(Severity.FAIL, "licence-drawn", problem, item=line))
        else:
            findings[spot] = findings[spot]._replace(
                severity=Severity.FAIL, code="licence-drawn", message=problem
            )
    for line, number, balance in draws:
        spot = covered(line, number)
        if spot is not None:
            finding = findings[spot]
            findings[spot] = finding._replace(code=DRAWN, message=f"{finding.message}; {balance}")
    changed = ManifestResult.judge(
        result.path, result.manifest_id, findings, result.lines, result.facts
    )
    changed.digest = result.digest
    return changed
