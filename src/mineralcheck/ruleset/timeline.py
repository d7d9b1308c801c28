"""``rules timeline``: which measures were in force, suspended, ended or unconfirmed, per mineral,
month by month; drawn with Rich for a terminal and as SVG for a memo."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import TYPE_CHECKING

from mineralcheck.plain import record
from mineralcheck.ruleset.describe import _names_mineral
from mineralcheck.ruleset.pack import LoadedControl, RulePack, Status

if TYPE_CHECKING:
    from rich.console import Console


class State(Enum):
    """A measure's state over a stretch of days, as the timeline draws it."""

    NOT_YET = ("not yet in force", " ", "")
    IN_FORCE = ("in force", "█", "green")
    SUSPENDED = ("suspended", "░", "yellow")
    UNCONFIRMED = (
        "unconfirmed (past a suspension's end, or past what the pack knows)",
        "▒",
        "magenta",
    )
    ENDED = ("ended", "─", "bright_black")

    def __init__(self, label: str, mark: str, style: str) -> None:
        self.label = label
        self.mark = mark
        self.style = style


EVERY_ITEM = "every item (listed parties, end-user bans)"


@record
class Row:
    """One measure's states, one per cell."""

    measure: str
    title: str
    states: list[State]


@record
class Group:
    """The measures that bear on one mineral (or on every item)."""

    mineral: str
    rows: list[Row]


def _state(controls: list[LoadedControl], day: dt.date, horizon: dt.date | None) -> State:
    statuses = [c.status_on(day) for c in controls]
    if Status.IN_FORCE in statuses:
        beyond = horizon is not None and day > horizon
        lapsed = any(
            c.unconfirmed_after(day) is not None
            for c, s in zip(controls, statuses, strict=True)
            if s is Status.IN_FORCE
        )
        return State.UNCONFIRMED if beyond or lapsed else State.IN_FORCE
    if Status.SUSPENDED in statuses:
        return State.SUSPENDED
    if statuses and all(s is Status.ENDED for s in statuses):
        return State.ENDED
    return State.NOT_YET


def months(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first day of every month from ``start``'s to ``end``'s."""
    first = start.replace(day=1)
    found = []
    while first <= end:
        found.append(first)
        first = (first + dt.timedelta(days=32)).replace(day=1)
    return found


def cells(start: dt.date, end: dt.date, most: int) -> list[tuple[dt.date, dt.date]]:
    """Stretches of whole months from ``start`` to ``end``, at most ``most`` of them."""
    firsts = months(start, end)
    per = max(1, -(-len(firsts) // max(most, 1)))
    found = []
    for index in range(0, len(firsts), per):
        begin = firsts[index]
        following = index + per
        stop = (
            firsts[following] - dt.timedelta(days=1)
            if following < len(firsts)
            else (firsts[-1] + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        )
        found.append((begin, stop))
    return found


def _cell_state(
    controls: list[LoadedControl], cell: tuple[dt.date, dt.date], horizon: dt.date | None
) -> State:
    """The state that holds on most days of the cell (a short suspension still shows: any
    suspended day in a cell that is otherwise in force marks the cell suspended)."""
    counts: dict[State, int] = {}
    day = cell[0]
    while day <= cell[1]:
        state = _state(controls, day, horizon)
        counts[state] = counts.get(state, 0) + 1
        day += dt.timedelta(days=1)
    if State.SUSPENDED in counts and State.IN_FORCE in counts:
        return State.SUSPENDED
    return max(counts, key=lambda s: counts[s])


def groups(
    pack: RulePack,
    spans: list[tuple[dt.date, dt.date]],
    mineral: str | None = None,
) -> list[Group]:
    """The timeline's groups: per mineral the measures whose controls name it, in order of
    effective date; without ``mineral``, also the measures over every item."""
    reviewed = pack.info.reviewed if pack.info is not None else None
    coverage = pack.info.jurisdictions if pack.info is not None else {}

    def horizon_of(jurisdiction: str) -> dt.date | None:
        known = coverage.get(jurisdiction)
        return known.knowledge_ends if known is not None else reviewed

    rules = sorted(pack.rules, key=lambda pr: (pr[1].effective, pr[1].id))
    named: list[str] = []
    for loaded in sorted(pack.controls, key=lambda c: c.effective):
        for match in loaded.items if isinstance(loaded.items, tuple) else ():
            for name in (*match.minerals, *match.all_of):
                canonical = pack.vocabulary.canonical(name) or name
                if canonical not in named:
                    named.append(canonical)
    # the base minerals: a mixture or compound (an SmCo magnet, natural graphite) shows its
    # measures under the minerals it contains
    base = [n for n in named if not any(m in named for m in pack.vocabulary.expand(n)[1:])]
    wanted = [mineral] if mineral is not None else base
    found: list[Group] = []
    for name in wanted:
        rows = []
        for _, rule in rules:
            controls = [c for c in pack.controls_of(rule.id) if _names_mineral(pack, [c], name)]
            if controls:
                horizon = horizon_of(rule.jurisdiction)
                states = [_cell_state(controls, span, horizon) for span in spans]
                rows.append(Row(rule.id, rule.title, states))
        if not rows:
            continue
        same = next((g for g in found if _same(g.rows, rows)), None)
        if same is not None:  # minerals with the same measures and dates share one picture
            same.mineral += f", {name}"
        else:
            found.append(Group(name, rows))
    if mineral is None:
        rows = []
        for _, rule in rules:
            controls = [c for c in pack.controls_of(rule.id) if c.items is None]
            if controls:
                horizon = horizon_of(rule.jurisdiction)
                states = [_cell_state(controls, span, horizon) for span in spans]
                rows.append(Row(rule.id, rule.title, states))
        if rows:
            found.append(Group(EVERY_ITEM, rows))
    return found


def _same(one: list[Row], other: list[Row]) -> bool:
    return [(r.measure, r.states) for r in one] == [(r.measure, r.states) for r in other]


def draw(
    console: Console,
    found: list[Group],
    spans: list[tuple[dt.date, dt.date]],
    horizon: dt.date | None,
) -> None:
    """Print the timeline: a bar per measure, a year scale above each group, and a legend."""
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    scale = Text()
    last_year = None
    skip = 0
    for begin, _ in spans:
        if begin.year != last_year:
            label = str(begin.year)
            scale.append("│" + label, style="bold")
            last_year = begin.year
            skip = len(label)
        elif skip > 0:
            skip -= 1
            continue
        else:
            scale.append(" ")
    scale.truncate(len(spans))
    for group in found:
        table = Table(
            title=f"[bold]{escape(group.mineral)}[/]",
            title_justify="left",
            show_edge=False,
            box=None,
            pad_edge=False,
            padding=(0, 1, 0, 0),
        )
        table.add_column("measure", no_wrap=True, overflow="ellipsis")
        table.add_column(scale, no_wrap=True)
        for row in group.rows:
            bar = Text()
            for state in row.states:
                bar.append(state.mark, style=state.style)
            table.add_row(escape(row.measure), bar)
        console.print(table)
        console.print()
    legend = Text()
    for state in State:
        if state is State.NOT_YET:
            continue
        legend.append(state.mark * 2, style=state.style)
        legend.append(f" {state.label}   ")
    console.print(legend)
    first, last = spans[0][0], spans[-1][1]
    per = (spans[0][1].year - first.year) * 12 + spans[0][1].month - first.month + 1
    note = f"{first} to {last}, one column per {per} month(s)"
    if horizon is not None:
        note += f"; the pack was last reviewed on {horizon} (pack.yaml: each country's horizon)"
    console.print(note, style="dim")
