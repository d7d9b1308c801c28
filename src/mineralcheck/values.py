"""Values shared by manifests and rule files: text in, exact typed values out.

The YAML reader hands every scalar over as the string the author wrote, so each parser here
decides for itself what text it accepts. Nothing is guessed: ``NO`` is Norway, ``0710`` keeps its
zero, ``1_000`` and ``1e3`` are not numbers, and a boolean is ``true`` or ``false``.

Plain Python, without Pydantic: the check of a manifest runs on these alone
(``manifest.build``); ``fields`` wraps them as the Pydantic field types of the schemas.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

from mineralcheck import countries
from mineralcheck.forms import canonical_form, unknown_form

if TYPE_CHECKING:
    from mineralcheck.minerals import Vocabulary

_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_POSITIVE_INT = re.compile(r"[1-9][0-9]*")
_HS_STRIP = re.compile(r"[.\s]")
_PERCENT = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*%?")


_Parsed = TypeVar("_Parsed")


def memo(parse: Callable[[Any], _Parsed]) -> Callable[[Any], _Parsed]:
    """``parse``, remembering what it made of each string (a batch repeats the same minerals,
    countries, codes, dates and quantities in many files). Only results are kept: a string it
    refuses is refused again, with the same error, every time. ``parse`` must return values
    that nothing changes (strings, numbers, dates, frozen models)."""
    known: dict[str, _Parsed] = {}

    def parsed(value: Any) -> _Parsed:
        if type(value) is str:
            found = known.get(value)
            if found is None:
                found = parse(value)
                if len(known) >= 4096:  # bounded: a batch of unique values must not grow it
                    known.clear()
                known[value] = found
            return found
        return parse(value)

    parsed.__doc__ = parse.__doc__
    parsed.__wrapped__ = parse  # type: ignore[attr-defined]
    return parsed


def _text(value: Any, what: str) -> str:
    if type(value) is str:  # the usual case, from the YAML reader
        return value.strip()
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise ValueError(f"expected {what}, got {_kind(value)}")
    return str(value).strip()


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


MAX_DIGITS = 30
# Every sum and product of quantities is computed in this context, so it is exact: with at most
# MAX_DIGITS digits a number, no result comes near the precision, and if one ever did, the
# Inexact trap would stop the check rather than round a quantity silently.
EXACT = decimal.Context(
    prec=8 * MAX_DIGITS,
    traps=[decimal.Inexact, decimal.Rounded, decimal.InvalidOperation, decimal.Overflow],
)


def parse_decimal(value: Any, what: str = "a plain decimal number") -> Decimal:
    """A non-negative decimal written plainly (``1200``, ``0.5``); no signs, exponents or ``_``,
    and at most ``MAX_DIGITS`` digits, so that every comparison and sum of it is exact."""
    if isinstance(value, Decimal):
        return value
    text = _text(value, what)
    if not _DECIMAL.fullmatch(text):
        raise ValueError(f"{text!r} is not {what}")
    if len(text) - ("." in text) > MAX_DIGITS:
        raise ValueError(f"{text!r} has more than {MAX_DIGITS} digits: write at most {MAX_DIGITS}")
    return Decimal(text)


@memo
def parse_date(value: Any) -> dt.date:
    """A calendar date written ``YYYY-MM-DD``; impossible dates are errors."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    text = _text(value, "a date YYYY-MM-DD")
    if not _DATE.fullmatch(text):
        raise ValueError(f"{text!r} is not a date YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a real calendar date") from None


@memo
def parse_country(value: Any) -> str:
    """An ISO 3166-1 country (alpha-2, alpha-3 or English short name) as upper-case alpha-2."""
    return countries.to_alpha2(_text(value, "a country"))


def parse_countries(value: Any) -> tuple[str, ...]:
    """One country or a non-empty list of countries, as alpha-2 codes."""
    if isinstance(value, list | tuple):
        if not value:
            raise ValueError("expected at least one country")
        return tuple(parse_country(v) for v in value)
    return (parse_country(value),)


def _hs_digits(value: Any, shortest: int, what: str) -> str:
    text = _HS_STRIP.sub("", _text(value, what))
    if not text.isascii() or not text.isdigit() or not shortest <= len(text) <= 10:
        raise ValueError(f"{value!r} is not {what} of {shortest} to 10 digits")
    return text


@memo
def parse_hs_code(value: Any) -> str:
    """A customs commodity code: 4 to 10 digits after dots and spaces are dropped."""
    return _hs_digits(value, 4, "an HS code")


def parse_hs_prefix(value: Any) -> str:
    """An HS code or prefix of 2 to 10 digits (dots and spaces dropped)."""
    return _hs_digits(value, 2, "an HS code prefix")


@memo
def parse_positive_int(value: Any) -> int:
    """A positive whole number written without sign, leading zeros or separators."""
    text = _text(value, "a positive whole number")
    if not _POSITIVE_INT.fullmatch(text):
        raise ValueError(f"{text!r} is not a positive whole number")
    return int(text)


def parse_bool(value: Any) -> bool:
    """``true`` or ``false`` (any letter case); ``yes``, ``no``, ``on`` and ``off`` are errors."""
    if isinstance(value, bool):
        return value
    text = _text(value, "true or false").casefold()
    if text == "true":
        return True
    if text == "false":
        return False
    raise ValueError(f"{value!r} is not true or false")


@memo
def parse_percent(value: Any) -> Decimal:
    """A percentage in (0, 100]: ``99.99%``, ``99.99 %`` or ``99.99``."""
    text = _text(value, "a percentage")
    match = _PERCENT.fullmatch(text)
    if match is None:
        raise ValueError(f"{text!r} is not a percentage such as 99.99%")
    number = Decimal(match.group(1))
    if not 0 < number <= 100:
        raise ValueError(f"{text!r} is not a percentage above 0 and at most 100")
    return number


def parse_text(value: Any) -> str:
    """Non-empty free text."""
    text = _text(value, "text")
    if not text:
        raise ValueError("expected text, got an empty value")
    return text


def non_empty_list(value: Any) -> Any:
    """A list with at least one entry (checked before its entries, so errors don't pile up)."""
    if isinstance(value, list | tuple) and not value:
        raise ValueError("expected at least one entry, got an empty list")
    return value


def parse_minerals(value: Any, vocabulary: Vocabulary | None) -> tuple[str, ...]:
    """One mineral or a list, each an element name, symbol or a name the rule pack defines
    (without a vocabulary: each name as written, case-folded)."""
    raw = value if isinstance(value, list | tuple) else [value]
    if not raw:
        raise ValueError("expected at least one mineral")
    key: object = None  # texts seen before are not looked up again
    if vocabulary is not None and all(type(entry) is str for entry in raw):
        key = value if type(value) is str else tuple(raw)
        found: tuple[str, ...] | None = vocabulary.parsed.get(key)
        if found is not None:
            return found
    names: list[str] = []
    for entry in raw:
        text = _text(entry, "a mineral name or element symbol")
        if vocabulary is None:
            names.append(text.casefold())
            continue
        name = vocabulary.canonical(text)
        if name is None:
            import difflib

            close = difflib.get_close_matches(text.casefold(), list(vocabulary.spellings), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ValueError(
                f"unknown mineral {text!r}: use an element name or symbol, "
                f"or a name defined in the rule pack{hint}"
            )
        for part in vocabulary.expand(name):
            if part not in names:
                names.append(part)
    if key is not None:
        assert vocabulary is not None
        if len(vocabulary.parsed) >= 4096:  # bounded, as ``memo``
            vocabulary.parsed.clear()
        vocabulary.parsed[key] = tuple(names)
    return tuple(names)


def parse_content(value: Any, vocabulary: Vocabulary | None) -> tuple[tuple[str, Decimal], ...]:
    """The share of each mineral in the goods by weight (``{cobalt: 30%}``): the metal content a
    quota counts. The minerals as ``mineral`` takes them; the shares at most 100 % together."""
    if not isinstance(value, dict) or not value:
        raise ValueError("expected a mapping of minerals to percentages, such as {cobalt: 30%}")
    shares: dict[str, Decimal] = {}
    for key, share in value.items():
        name = parse_minerals(key, vocabulary)[0]  # the mineral itself, not what it contains
        if name in shares:
            raise ValueError(f"{key!r} is given twice")
        shares[name] = parse_percent(share)
    if sum(shares.values()) > 100:
        raise ValueError("the shares add up to more than 100 %")
    return tuple(shares.items())


def positive_decimal(value: Any) -> Decimal:
    """A plain decimal greater than 0."""
    number = parse_decimal(value)
    if number <= 0:
        raise ValueError(f"{value!r} must be greater than 0")
    return number


@cache
def currencies() -> frozenset[str]:
    """The ISO 4217 currency codes."""
    return frozenset(currency["alpha_3"] for currency in countries.iso_records("4217"))


@memo
def parse_currency(value: Any) -> str:
    """An ISO 4217 currency code, in any letter case."""
    code = parse_text(value).upper()
    if code not in currencies():
        raise ValueError(f"{value!r} is not an ISO 4217 currency code")
    return code


@memo
def parse_form(value: Any) -> str:
    """A form of the vocabulary, or a synonym, as its canonical name."""
    text = parse_text(value)
    name = canonical_form(text)
    if name is None:
        raise ValueError(unknown_form(text))
    return name
