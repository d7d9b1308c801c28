"""Screen a shipment's parties against the parties a control lists: exact, contained, or close.

Names are compared on a normalised form: legal-form suffixes (Inc., Co., Ltd., GmbH, 株式会社,
有限公司...), case, punctuation and word order dropped. Then:

- **exact**: the consignee's or end user's normalised name is a listed name or alias;
- **contained**: it contains every word of a listed name of two or more words ("Lockheed
  Martin Space" contains "Lockheed Martin"): the listing names one legal entity, so an
  affiliate is for a person to confirm;
- **close**: a fuzzy score (rapidfuzz) at or above ``CLOSE`` ("Huntington Ingals Industries").

Only an exact match of a confirmed name gives the listing's outcome; every other hit is a
warning that names the listed party. To keep a check cheap, a name is scored only against the
listed names it shares a word (or, for Chinese and Japanese names, two characters) with, and
rapidfuzz is imported only then.
"""

from __future__ import annotations

import re
import unicodedata
from enum import Enum
from functools import lru_cache

from mineralcheck.manifest.shipment import Manifest
from mineralcheck.plain import record
from mineralcheck.ruleset.rules import Party

CLOSE = 88  # rapidfuzz token_sort_ratio at or above which a name is close to a listed one

_NOT_WORD = re.compile(r"[\W_]+")


@lru_cache(maxsize=1)
def _cjk_characters() -> re.Pattern[str]:
    # compiled on first use: a class of these ranges costs about 3 ms to compile, on every run
    return re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")


def _has_cjk(text: str) -> bool:
    """Whether ``text`` has kana or CJK ideographs (names written in Chinese or Japanese)."""
    return not text.isascii() and _cjk_characters().search(text) is not None


# Legal forms and their like in Chinese and Japanese names, longest first.
_CJK_FORMS = (
    "股份有限公司",
    "有限责任公司",
    "有限責任公司",
    "有限公司",
    "株式会社",
    "集团",
    "集團",
    "公司",
)
# Generic words that say nothing of which company a name is: never enough to score a name.
_GENERIC = frozenset(
    [
        "the",
        "and",
        "of",
        "for",
        "company",
        "co",
        "corp",
        "corporation",
        "inc",
        "incorporated",
        "ltd",
        "limited",
        "llc",
        "group",
        "holding",
        "holdings",
        "international",
        "technologies",
        "technology",
        "systems",
        "industries",
        "industry",
        "services",
        "solutions",
        "aerospace",
        "defense",
        "defence",
        "engineering",
        "electric",
        "electronics",
        "global",
        "america",
        "american",
        "us",
        "usa",
        "japan",
        "de",
        "gmbh",
        "ag",
        "sa",
        "spa",
        "srl",
        "bv",
        "as",
    ]
)


class Kind(Enum):
    """How a name matched a listed party."""

    EXACT = "exact"
    CONTAINED = "contained"
    CLOSE = "close"


@record(frozen=True)
class Hit:
    """A listed party that a shipment's party matched, how, and the shipment's name."""

    party: Party
    kind: Kind
    name: str
    score: float = 100.0


@lru_cache(maxsize=4096)  # bounded: a batch of many names must not grow memory
def normalise(name: str) -> str:
    """A name reduced for matching: legal forms, case, punctuation and word order dropped."""
    text = unicodedata.normalize("NFKC", name)
    if _has_cjk(text):
        text = text.casefold()
        for form in _CJK_FORMS:
            if text.endswith(form) and len(text) > len(form) + 1:
                text = text[: -len(form)]
                break
        return "".join(_NOT_WORD.sub(" ", text).split())
    words = _NOT_WORD.sub(" ", text.casefold().replace(".", "")).split()
    kept = [word for word in words if word not in _legal_forms()]
    return " ".join(sorted(kept or words))


@lru_cache(maxsize=1)
def _legal_forms() -> frozenset[str]:
    """One-word legal forms (Inc, Co, Ltd, GmbH, AG, LLC, s.r.o....), from cleanco's data:
    dropped wherever they stand ("CSBC Corporation, Taiwan"; "Co., Ltd.")."""
    from cleanco.clean import prepare_default_terms  # loaded only when a pack lists parties

    return frozenset(parts[0] for size, parts in prepare_default_terms() if size == 1)


def _keys(text: str) -> set[str]:
    """What a name must share with a listed name to be scored: a word, or two CJK characters."""
    if _has_cjk(text):
        return {text[i : i + 2] for i in range(len(text) - 1)}
    return {word for word in text.split() if word not in _GENERIC and len(word) > 2}


class Screen:
    """The listed parties of one control, indexed for exact, contained and close matching."""

    def __init__(self, parties: tuple[Party, ...]) -> None:
        self.exact: dict[str, Party] = {}
        self.by_key: dict[str, set[str]] = {}
        self.party_of: dict[str, Party] = {}
        for party in parties:
            for name in (party.name, *party.aliases):
                normal = normalise(name)
                if not normal:
                    continue
                self.exact.setdefault(normal, party)
                self.party_of.setdefault(normal, party)
                for key in _keys(normal):
                    self.by_key.setdefault(key, set()).add(normal)

    def __bool__(self) -> bool:
        return bool(self.exact)

    def match(self, name: str) -> Hit | None:
        """The best hit for one name of the shipment, if any."""
        normal = normalise(name)
        if not normal:
            return None
        party = self.exact.get(normal)
        if party is not None:
            return Hit(party, Kind.EXACT, name)
        candidates: set[str] = set()
        for key in _keys(normal):
            candidates |= self.by_key.get(key, set())
        if not candidates:
            return None
        words = set(normal.split())
        for listed in sorted(candidates):
            listed_words = set(listed.split())
            if len(listed_words) >= 2 and listed_words <= words:
                return Hit(self.party_of[listed], Kind.CONTAINED, name)
        from rapidfuzz.fuzz import ratio, token_sort_ratio  # only for a name worth scoring

        scorer = ratio if _has_cjk(normal) else token_sort_ratio
        best = max(candidates, key=lambda listed: (scorer(normal, listed), listed))
        score = scorer(normal, best)
        if score >= CLOSE:
            return Hit(self.party_of[best], Kind.CLOSE, name, round(score, 1))
        return None

    def screen(self, manifest: Manifest) -> Hit | None:
        """The strongest hit among the consignee and the end user (exact before the rest)."""
        hits = [
            hit
            for name in dict.fromkeys((manifest.consignee.name, manifest.final_end_user.name))
            if (hit := self.match(name)) is not None
        ]
        order = {Kind.EXACT: 0, Kind.CONTAINED: 1, Kind.CLOSE: 2}
        return min(hits, key=lambda hit: (order[hit.kind], -hit.score), default=None)
