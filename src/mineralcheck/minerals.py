"""The mineral vocabulary: element names and symbols, plus the names a rule pack defines."""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache

from mineralcheck.plain import field, record

# periodictable (the source of data/elements.json) spells these the American way; the IUPAC
# spellings are just as common on trade documents.
_IUPAC_SPELLINGS = {"aluminium": "aluminum", "caesium": "cesium", "sulphur": "sulfur"}


@record(frozen=True)
class Element:
    """A chemical element: atomic number, symbol and lower-case English name."""

    number: int
    symbol: str
    name: str


@cache
def elements() -> tuple[Element, ...]:
    """All 118 elements, from the data file generated from the periodictable package."""
    from importlib import resources  # imports tempfile and shutil: not for a pack from cache

    raw = resources.files("mineralcheck").joinpath("data/elements.json").read_text("utf-8")
    return tuple(Element(**entry) for entry in json.loads(raw))


@record
class Vocabulary:
    """Maps every accepted spelling (case-insensitive) to one canonical mineral name."""

    spellings: dict[str, str] = field(default_factory=dict)
    contents: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # what ``values.parse_minerals`` made of each text or list of texts, emptied by ``add``
    parsed: dict[object, tuple[str, ...]] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def with_elements(cls) -> Vocabulary:
        """A vocabulary that knows every element by name and symbol."""
        vocab = cls()
        for element in elements():
            vocab.add(element.name, [element.symbol])
        for spelling, name in _IUPAC_SPELLINGS.items():
            vocab.add(name, [spelling])
        return vocab

    def add(self, name: str, aliases: Iterable[str] = (), contains: Iterable[str] = ()) -> None:
        """Define ``name`` (its aliases, and the minerals it always contains) as a mineral."""
        self.parsed.clear()
        canonical = name.casefold()
        self.spellings.setdefault(canonical, canonical)
        for alias in aliases:
            self.spellings.setdefault(alias.casefold(), canonical)
        inside = tuple(c.casefold() for c in contains)
        if inside:
            self.contents[canonical] = tuple(
                dict.fromkeys((*self.contents.get(canonical, ()), *inside))
            )

    def expand(self, name: str) -> tuple[str, ...]:
        """``name`` followed by every mineral it always contains (an SmCo magnet: Sm, Co),
        depth first; a mineral reached twice (a cycle, which lint rejects) is listed once."""
        found = [name]
        stack = list(reversed(self.contents.get(name, ())))
        while stack:
            part = stack.pop()
            canonical = self.canonical(part) or part
            if canonical in found:
                continue
            found.append(canonical)
            stack.extend(reversed(self.contents.get(canonical, ())))
        return tuple(found)

    def cycle(self, name: str) -> list[str] | None:
        """A chain of ``contains`` that leads from ``name`` back to it, if there is one."""
        path = [name]
        branches = [iter(self.contents.get(name, ()))]
        seen = {name}
        while branches:
            part = next(branches[-1], None)
            if part is None:
                branches.pop()
                path.pop()
                continue
            canonical = self.canonical(part) or part
            if canonical == name:
                return [*path, canonical]
            if canonical not in seen:
                seen.add(canonical)
                path.append(canonical)
                branches.append(iter(self.contents.get(canonical, ())))
        return None

    def canonical(self, text: str) -> str | None:
        """The canonical name of ``text``, or ``None`` when it names no known mineral."""
        return self.spellings.get(" ".join(text.split()).casefold())
