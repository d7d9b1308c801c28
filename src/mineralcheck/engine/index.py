"""Indexes that keep matching cheap as packs grow: controls by mineral and HS prefix, by date.

A pack of thousands of controls should cost little more per item than a small one: an item is
only tried against the controls that name one of its minerals or a prefix of its HS code (plus
the few that cover every item), and the controls in force on a day are worked out once per
stretch of days in which no control changes status.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from mineralcheck.engine.match import SUBHEADING, CompiledControl
from mineralcheck.manifest.shipment import Item
from mineralcheck.plain import record
from mineralcheck.ruleset.pack import Status

ONE_DAY = dt.timedelta(days=1)


class ControlIndex:
    """Which controls an item can possibly fall under."""

    def __init__(
        self, controls: list[CompiledControl], positions: Iterable[int] | None = None
    ) -> None:
        """Index ``controls`` (only those at ``positions``, when given: a scoped index)."""
        self.by_mineral: dict[str, set[int]] = defaultdict(set)
        self.by_hs_prefix: dict[str, set[int]] = defaultdict(set)
        self.by_subheading: dict[str, set[int]] = defaultdict(set)  # for items known by code
        self.every_item: set[int] = set()
        self.any_mineral: set[int] = set()  # item-listing controls over every mineral, by form
        chosen = range(len(controls)) if positions is None else positions
        for position in chosen:
            control = controls[position]
            if control.matches is None:
                self.every_item.add(position)
                continue
            for match in control.matches:
                if match.spec.any_mineral:  # the form decides, whatever the mineral
                    self.any_mineral.add(position)
                for mineral in match.minerals | match.all_of:
                    self.by_mineral[mineral].add(position)
                for prefix in match.spec.hs_codes:
                    self.by_hs_prefix[prefix].add(position)
                    if len(prefix) > SUBHEADING:
                        self.by_subheading[prefix[:SUBHEADING]].add(position)
        self.hs_lengths = sorted({len(prefix) for prefix in self.by_hs_prefix})

    def listing(self, item: Item) -> set[int]:
        """The item-listing controls whose matches could cover ``item``."""
        found: set[int] = set(self.any_mineral)
        for mineral in item.mineral or ():
            found |= self.by_mineral.get(mineral, set())
        code = item.hs_code
        if code is not None:
            if not item.mineral:
                found |= self.by_subheading.get(code[:SUBHEADING], set())
            for length in self.hs_lengths:
                if length > len(code):
                    break
                found |= self.by_hs_prefix.get(code[:length], set())
        return found

    def candidates(self, item: Item) -> set[int]:
        """Every control that could apply to ``item``: listing ones and those over all items."""
        return self.listing(item) | self.every_item


@record(frozen=True)
class DayStatus:
    """The controls in force and those suspended during one stretch of days."""

    in_force: frozenset[int]
    suspended: frozenset[int]


class Timeline:
    """The status of every control by day, worked out once per stretch of unchanged days."""

    def __init__(self, controls: list[CompiledControl]) -> None:
        self.controls = controls
        edges: set[dt.date] = set()
        for control in controls:
            loaded = control.loaded
            edges.add(loaded.effective)
            if loaded.rule.ends is not None:
                edges.add(loaded.rule.ends + ONE_DAY)
            for suspension in loaded.suspensions:
                edges.add(suspension.from_)
                edges.add(suspension.until + ONE_DAY)
        self.edges = sorted(edges)
        self.memo: dict[int, DayStatus] = {}
        # controls with the same dates have the same status every day: one is asked for all
        groups: dict[tuple[object, ...], list[int]] = defaultdict(list)
        for position, control in enumerate(controls):
            loaded = control.loaded
            dates = tuple((s.from_, s.until) for s in loaded.suspensions)
            groups[(loaded.effective, loaded.rule.ends, dates)].append(position)
        self.groups = [(controls[p[0]].loaded, p) for p in groups.values()]

    def stretch(self, day: dt.date) -> int:
        """The number of the stretch of days, in which no control changes status, of ``day``."""
        return bisect.bisect_right(self.edges, day)

    def on(self, day: dt.date) -> DayStatus:
        """The controls in force and suspended on ``day``."""
        stretch = bisect.bisect_right(self.edges, day)
        status = self.memo.get(stretch)
        if status is None:
            status = self._compute(day)
            self.memo[stretch] = status
        return status

    def _compute(self, day: dt.date) -> DayStatus:
        in_force: list[int] = []
        suspended: list[int] = []
        for loaded, positions in self.groups:
            state = loaded.status_on(day)
            if state is Status.IN_FORCE:
                in_force += positions
            elif state is Status.SUSPENDED:
                suspended += positions
        return DayStatus(frozenset(in_force), frozenset(suspended))


def in_order(positions: Iterable[int]) -> list[int]:
    """Control positions in pack order, so findings come out in a stable order."""
    return sorted(positions)
