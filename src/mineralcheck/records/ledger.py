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
from operator import itemgetter
from typing import Any, NamedTuple

from mineralcheck.formats.common import DRAWN
from mineralcheck.records.register import Licence, Register
from mineralcheck.results import (
    Finding,
    ManifestResult,
    Severity,
    encode_findings,
    json_string,
)
from mineralcheck.values import EXACT


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
    of: str | None = None  # " left of <quantity>", once written
    served: int | None = field(init=False)  # how many shipments it may serve (None: any)

    def __post_init__(self) -> None:
        self.served = self.licence.shipment_limit

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

    def balance(self, left: Decimal | None) -> str:
        """What the licence has left after the line that just drew on it: ``left`` kilograms
        (``None``: no quantity limit) and its shipments."""
        shipments = self.shipments_left()
        if self.of is None:  # the licence's terms, as every balance of it shows them
            self.of = f" left of {self.licence.quantity}"
        if shipments is None:
            return "no quantity or shipment limit" if left is None else _kg(left) + self.of
        counted = f"{shipments} shipment(s) left"
        return counted if left is None else f"{_kg(left)}{self.of}, {counted}"

    def shipments_left(self) -> int | None:
        """The shipments left (``None``: no limit)."""
        return None if self.served is None else self.served - len(self.shipments)


class _Use(NamedTuple):
    """One item's draw on a register licence, as the ledger orders and applies it."""

    ship_date: str
    manifest_id: str
    line: int
    number: str
    amount: Decimal
    position: int  # the result's place in the run


class _Spot(NamedTuple):
    """Where a ``covered`` finding's code and message stand in a result's findings text."""

    code: int
    message: int
    end: int
    text: str  # the message as written


class Ledger:
    """Draws the licences of a register down over the results of one run.

    ``add`` takes each result as it arrives (while the workers still check the rest, so the
    reading of uses and the finding of each ``covered`` finding cost the run nothing); ``finish``
    then applies the uses in ship-date order and writes what each licence had left.
    """

    def __init__(self, register: Register) -> None:
        self.accounts = {n: Account(licence) for n, licence in register.licences.items()}
        self.results: list[ManifestResult] = []
        self.uses: list[_Use] = []
        self.spots: dict[tuple[int, int, str], _Spot | None] = {}  # (position, line, number)
        self.texts: dict[int, str] = {}  # findings text of results checked in this process
        # licence number -> the end of its "covered" message, as written and as JSON text
        self.terms: dict[str, tuple[str, str]] = {}

    def draw(self, results: list[ManifestResult]) -> list[ManifestResult]:
        """The results, with a ``fail`` on every use past a licence's limits."""
        for result in results:
            self.add(result)
        return self.finish()

    def add(self, result: ManifestResult) -> None:
        """Take one more result of the run (in the order they are reported)."""
        position = len(self.results)
        self.results.append(result)
        if not result.facts or '"uses"' not in result.facts:
            return
        facts: dict[str, Any] = json.loads(result.facts)
        ident = result.manifest_id or ""
        text = result.findings_json
        if text is None:  # checked in this process: its findings are objects yet
            text = self.texts[position] = encode_findings(result.findings)
        for number, line, kilograms in facts["uses"]:
            self.uses.append(
                _Use(facts["ship_date"], ident, line, number, Decimal(kilograms), position)
            )
            self.spots[(position, line, number)] = self._spot(text, line, number)

    def _spot(self, text: str, line: int, number: str) -> _Spot | None:
        known = self.terms.get(number)
        if known is None:  # what every line's "covered" message says of the licence
            licence = self.accounts[number].licence
            terms = f" is covered by permit {number} "
            terms += f"(valid {licence.valid_from} to {licence.valid_until})"
            # JSON escapes character by character: "item 3" + terms is written as
            # "item 3" + what the terms are written as
            known = self.terms[number] = (terms, json_string(terms)[1:-1])
        terms, written = known
        message = f"item {line}{terms}"
        quoted = f'"item {line}{written}"'
        tail = f',"item":{line},"message":{quoted}'
        at = text.find(tail)
        head = text.rfind(_COVERED, 0, at) if at >= 0 else -1
        if head < 0 or not _RULE.fullmatch(text, head + len(_COVERED), at):
            return None  # no such finding: the line's permit was not this licence
        code = head + len(_COVERED) - len(_COVERED_CODE)
        return _Spot(code, at + len(tail) - len(quoted), at + len(tail), message)

    def finish(self) -> list[ManifestResult]:
        """The results added, with a ``fail`` on every use past a licence's limits and each
        licence's balance after every line it served."""
        results = self.results
        failures: dict[int, list[tuple[int, str, str]]] = {}
        drawn: dict[int, list[tuple[int, str, str]]] = {}
        for use in sorted(self.uses, key=_ORDER):
            number, line, amount, position = use.number, use.line, use.amount, use.position
            account = self.accounts[number]
            licence = account.licence
            new = position not in account.shipments
            served = account.served
            if new and served is not None and len(account.shipments) >= served:
                problem = (
                    f"licence {number} ({licence.route}) serves {served} "
                    f"shipment(s), already used by {account.before()}"
                )
                failures.setdefault(position, []).append((line, number, problem))
                continue
            left = account.left()
            if left is not None and amount > left:
                problem = (
                    f"licence {number} has {_kg(left)} left of {licence.quantity}; item "
                    f"{line} needs {_kg(amount)} (used before by {account.before()})"
                )
                failures.setdefault(position, []).append((line, number, problem))
                continue
            account.used = EXACT.add(account.used, amount)
            if new:
                account.shipments.add(position)
                account.users.append((results[position].manifest_id or "?", results[position].path))
            balance = account.balance(None if left is None else EXACT.subtract(left, amount))
            drawn.setdefault(position, []).append(
                (line, number, f"drew on licence {number} ({licence.route}): {balance}")
            )
        changed = []
        for position, result in enumerate(results):
            if position in failures:
                changed.append(_changed(result, failures[position], drawn.get(position, [])))
            elif position in drawn:
                changed.append(self._balances(position, result, drawn[position]))
            else:
                changed.append(result)
        return changed

    def _balances(
        self, position: int, result: ManifestResult, draws: list[tuple[int, str, str]]
    ) -> ManifestResult:
        """The result with each line a licence served showing what it had left; the verdict
        does not change, so the findings' JSON text is edited where each ``covered`` finding
        stands (decoding and encoding every finding of thousands of manifests costs more)."""
        text = result.findings_json or self.texts[position]
        edits: list[tuple[int, int, str]] = []
        for line, number, balance in draws:
            spot = self.spots.get((position, line, number))
            if spot is None:
                continue
            edits.append((spot.code, spot.code + len(_COVERED_CODE), f'"code":"{DRAWN}"'))
            edits.append((spot.message, spot.end, json_string(f"{spot.text}; {balance}")))
        pieces: list[str] = []
        at = 0
        for begin, finish, replacement in sorted(edits):
            pieces += (text[at:begin], replacement)
            at = finish
        pieces.append(text[at:])
        edited = ManifestResult(
            result.path,
            result.manifest_id,
            result.verdict,
            None,
            result.lines,
            "".join(pieces),
            result.facts,
        )
        edited.digest = result.digest
        return edited


_ORDER = itemgetter(0, 1, 2)  # ship date, manifest id, line


_COVERED_CODE = '"code":"covered"'
_COVERED = '{"severity":"info",' + _COVERED_CODE  # a covered line is always an info finding
_RULE = re.compile(r',"rule":(?:null|"[^"\\{}]*")')


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
