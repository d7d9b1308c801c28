"""The ledger: register licences drawn down over a whole run, in ship-date order.

Each checked manifest reports the register licences its lines drew on (``uses`` in its facts).
The ledger takes every use of the run in ship-date order, then manifest id, then item line, so
the outcome never depends on the order files were given in or on ``--jobs``. A use that would
take a licence past its ``quantity`` or its ``shipments`` (one for a single licence or a voucher)
fails, naming the licence, what was left and the manifests that used it before.
"""

from __future__ import annotations

import gc
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from operator import itemgetter
from typing import Any

from mineralcheck.formats.common import DRAWN
from mineralcheck.plain import field, record
from mineralcheck.records.register import Licence, Register
from mineralcheck.results import (
    Finding,
    ManifestResult,
    Severity,
    encode_findings,
    json_string,
)
from mineralcheck.values import EXACT


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cycle collector off for the block, and as it was found afterwards, also when the
    block fails (a collector the caller had turned off stays off).

    A ledger holds every result of the run, and adding and drawing down build tens of
    thousands of tuples and strings, none of them in a cycle: the collector, run again and
    again by those allocations, would walk all of it for nothing (in a run of 2,000 manifests
    with 36,000 uses, about 140 collections and a fifth of the time drawing down takes).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _units(kilograms: str) -> tuple[int, int]:
    """Kilograms as the ledger counts them: a whole number of units and the places of the
    unit (``"12.5"`` is 125 tenths: ``(125, 1)``). Whole numbers are exact, and subtracting
    and writing them costs a fraction of what decimals do (tens of thousands of uses a run).
    The text is the facts' plain decimal; anything else is an error, never a guess."""
    whole, point, fraction = kilograms.partition(".")
    if not (kilograms.isascii() and whole.isdigit() and (fraction.isdigit() or not point)):
        raise ValueError(f"not a plain number of kilograms: {kilograms!r}")
    return int(whole + fraction), len(fraction)


def _scaled(amount: Decimal, places: int) -> int:
    """``amount`` in units of ``places`` decimal places (exact: it has no more places)."""
    return int(amount.scaleb(places, EXACT))


def _text(units: int, places: int) -> str:
    """The number of kilograms ``units`` of ``places`` places make, written as a decimal
    normalized is (``150`` of 2 places: ``"1.5"``; no trailing zeros, no point when whole)."""
    if not places:
        return str(units)
    digits = str(units).rjust(places + 1, "0")
    whole, fraction = digits[:-places], digits[-places:].rstrip("0")
    return f"{whole}.{fraction}" if fraction else whole


@record
class Account:
    """What one licence has given so far in the run."""

    licence: Licence
    used: Decimal = Decimal(0)
    users: list[tuple[str, str]] = field(default_factory=list)  # (manifest id, path) in order
    shipments: set[int] = field(default_factory=set)  # results that drew on it
    limit: Decimal | None = None  # the quantity in kilograms, once worked out
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

    def parts(self, json: bool = False) -> tuple[str, str, str]:
        """What a line that drew on the licence says of it, in three parts: the head, what
        follows the kilograms left and what follows the shipments left (see ``balance``); with
        ``json``, as the text of a JSON string (the licence's number, route and quantity
        escaped; the figures and the fixed words never need it)."""
        licence = self.licence
        head = f"drew on licence {licence.number} ({licence.route}): "
        of = f" kg left of {licence.quantity}"
        if json:
            head, of = json_string(head)[1:-1], json_string(of)[1:-1]
        if self.served is None and licence.quantity is None:
            return head + "no quantity or shipment limit", "", ""
        counted = " shipment(s) left"
        return head, of + ", " if self.served is not None else of, counted

    def balance(self, kilograms: str | None, shipments: int | None) -> str:
        """What a line that drew on the licence says of it, with ``kilograms`` (written) and
        ``shipments`` left after it (``None``: no such limit)."""
        head, after_kilograms, after_shipments = self.parts()
        if kilograms is not None:
            head += kilograms + after_kilograms
        return head if shipments is None else f"{head}{shipments}{after_shipments}"

    def shipments_left(self) -> int | None:
        """The shipments left (``None``: no limit)."""
        return None if self.served is None else self.served - len(self.shipments)


# One item's draw on a register licence, as the ledger orders and applies it: ship date,
# manifest id, line, the use's place among all uses of the run, kilograms (as ``_units``
# gives them: units, places), the result's place in the run and where the line's ``covered``
# finding stands in its text (``None``: not found). Plain tuples: there are tens of thousands
# in a large run.
_Spot = tuple[int, int]  # where a covered finding's code begins and its message ends
_Use = tuple[str, str, int, int, int, int, int, "_Spot | None"]


class Ledger:
    """Draws the licences of a register down over the results of one run.

    ``add`` takes each result as it arrives (while the workers still check the rest), reading
    its uses and where each line's ``covered`` finding stands in its findings text; ``finish``
    then applies the uses in ship-date order and writes what each licence had left into that
    text (a result a licence failed is rebuilt from its findings instead).
    """

    def __init__(self, register: Register) -> None:
        self.accounts = {n: Account(licence) for n, licence in register.licences.items()}
        self.results: list[ManifestResult] = []
        self.uses: dict[str, list[_Use]] = {}  # by licence number, in the order they came
        self.count = 0  # uses so far
        self.texts: dict[int, str] = {}  # findings text of results checked in this process
        # licence number -> the end of its "covered" message as JSON text
        self.terms: dict[str, str] = {}

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
        ship_date = facts["ship_date"]
        ident = result.manifest_id or ""
        text = result.findings_json
        if text is None:  # checked in this process: its findings are objects yet
            text = self.texts[position] = encode_findings(result.findings)
        # every covered finding of the result, in one pass: message as JSON -> spot (the
        # pattern holds only findings whose message begins with their own item's number)
        spots: dict[str, _Spot] = {}
        for found in _COVERED.finditer(text):
            key = found.group(2)  # the message literal
            if key not in spots:  # the first, as _changed takes the first
                spots[key] = (found.start() + _CODE_AT, found.end())
        uses = self.uses
        count = self.count
        for number, line, kilograms in facts["uses"]:
            written = self.terms.get(number)
            if written is None:  # what every line's "covered" message says of the licence
                licence = self.accounts[number].licence
                terms = f" is covered by permit {number} "
                terms += f"(valid {licence.valid_from} to {licence.valid_until})"
                # JSON escapes character by character: "item 3" + terms is written as
                # "item 3" + what the terms are written as
                written = self.terms[number] = json_string(terms)[1:-1]
            # None: no such finding, the line's permit was not this licence
            spot = spots.get(f'"item {line}{written}"')
            if kilograms.isdigit() and kilograms.isascii():  # whole kilograms, the usual
                use = (ship_date, ident, line, count, int(kilograms), 0, position, spot)
            else:
                use = (ship_date, ident, line, count, *_units(kilograms), position, spot)
            count += 1
            if number in uses:
                uses[number].append(use)
            else:
                uses[number] = [use]
        self.count = count

    def finish(self) -> list[ManifestResult]:
        """The results added, with a ``fail`` on every use past a licence's limits and each
        licence's balance after every line it served."""
        with collector_paused():
            return self._finish()

    def _finish(self) -> list[ManifestResult]:
        results = self.results
        failures: dict[int, list[tuple[int, int, str, str]]] = {}
        drawn: dict[int, list[_Drawn]] = {}
        # Each licence's account depends on its own uses only: they are taken licence by
        # licence, each licence's in ship-date order (then manifest id, line; then as they
        # came), as one ordering of all uses would give them.
        for number, uses in self.uses.items():
            account = self.accounts[number]
            self._draw(number, account, sorted(uses, key=_ORDER), drawn, failures)
        changed = []
        for position, result in enumerate(results):
            if position in failures:  # rebuilt from its findings, uses in the run's order
                problems = [(p[1], p[2], p[3]) for p in sorted(failures[position])]
                draws = sorted(drawn.get(position, []), key=itemgetter(0))
                balances = [(d[1], d[2], d[4].balance(d[5], d[6])) for d in draws]
                changed.append(_changed(result, problems, balances))
            elif position in drawn:
                changed.append(self._balances(position, result, drawn[position]))
            else:
                changed.append(result)
        return changed

    def _draw(
        self,
        number: str,
        account: Account,
        ordered: list[_Use],
        drawn: dict[int, list[_Drawn]],
        failures: dict[int, list[tuple[int, int, str, str]]],
    ) -> None:
        """Draw the uses on the licence in order, failing each that its limits no longer
        serve. Kilograms are counted in whole units of as many decimal places as the licence's
        quantity or any use needs, so every sum is exact."""
        results = self.results
        licence = account.licence
        served = account.served
        shipments = account.shipments
        limit = account.left()  # None: no quantity limit
        places = max((use[5] for use in ordered), default=0)
        if limit is not None:
            exponent = limit.as_tuple().exponent
            places = max(places, -exponent if isinstance(exponent, int) else 0)
        left = start = None if limit is None else _scaled(limit, places)
        used = 0  # units drawn, where there is no quantity to draw from
        head, after_kilograms, after_shipments = account.parts(json=True)  # as JSON text
        for _, _, line, index, units, own, position, spot in ordered:
            amount = units if own == places else units * 10 ** (places - own)
            new = position not in shipments
            if new and served is not None and len(shipments) >= served:
                problem = (
                    f"licence {number} ({licence.route}) serves {served} "
                    f"shipment(s), already used by {account.before()}"
                )
                failures.setdefault(position, []).append((index, line, number, problem))
                continue
            kilograms = None
            if left is not None:
                if amount > left:
                    problem = (
                        f"licence {number} has {_text(left, places)} kg left of "
                        f"{licence.quantity}; item {line} needs {_text(amount, places)} kg "
                        f"(used before by {account.before()})"
                    )
                    failures.setdefault(position, []).append((index, line, number, problem))
                    continue
                left -= amount
                kilograms = str(left) if not places else _text(left, places)
            else:
                used += amount
            if new:
                shipments.add(position)
                account.users.append((results[position].manifest_id or "?", results[position].path))
            # the balance as JSON text: what Account.balance writes, without the call
            balance = head if kilograms is None else head + kilograms + after_kilograms
            left_shipments = None
            if served is not None:
                left_shipments = served - len(shipments)
                balance = f"{balance}{left_shipments}{after_shipments}"
            draw = (index, line, number, spot, account, kilograms, left_shipments, balance)
            slot = drawn.get(position)
            if slot is None:
                drawn[position] = [draw]
            else:
                slot.append(draw)
        if start is not None and left is not None:  # with a quantity: what is no longer left
            used = start - left
        account.used = EXACT.add(account.used, Decimal(used).scaleb(-places, EXACT))

    def _balances(
        self, position: int, result: ManifestResult, draws: list[_Drawn]
    ) -> ManifestResult:
        """The result with each line a licence served showing what it had left; the verdict
        does not change, so the findings' JSON text is edited where each ``covered`` finding
        stands (decoding and encoding every finding of thousands of manifests costs more)."""
        text = result.findings_json or self.texts[position]
        # each covered finding's code becomes "drawn", and "; " and the balance go before its
        # message's closing quote: the text between is kept as it is
        edits = sorted([(d[3], d[7]) for d in draws if d[3] is not None])  # (spot, balance)
        pieces: list[str] = []
        at = 0
        for (code, end), balance in edits:
            # from the code's end to the message's closing quote, kept
            pieces += (text[at:code], _DRAWN_CODE, text[code + _SKIP : end - 1], "; ", balance)
            at = end - 1
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


# a line a licence served: the use's place among all uses, line, number, where its covered
# finding stands, the account, the kilograms (written) and shipments the licence had left
# after it, and the balance as JSON text
_Drawn = tuple[int, int, str, "_Spot | None", Account, "str | None", "int | None", str]

_ORDER = itemgetter(0, 1, 2)  # ship date, manifest id, line


_COVERED_CODE = '"code":"covered"'
_DRAWN_CODE = f'"code":"{DRAWN}"'
_SKIP = len(_COVERED_CODE)
_CODE_AT = len('{"severity":"info",')  # a covered line is always an info finding
# a covered finding as the JSON report writes it, up to its message, which begins with the
# finding's own item ("item 3 is covered ..." of item 3): the message literal
_COVERED = re.compile(
    r'\{"severity":"info","code":"covered","rule":(?:null|"[^"\\{}]*"),'
    r'"item":(\d+),"message":("item \1 [^"\\]*(?:\\.[^"\\]*)*")'
)


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
