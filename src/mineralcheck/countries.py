"""ISO 3166-1 countries: codes and names normalised to alpha-2.

Names come from maintained sources, never from a table typed here: pycountry (ISO 3166-1 names,
common and official names) first, then the alternative spellings of the ``countryinfo`` data
(``UK``, ``Republic of Korea``...). A spelling that two sources give to different countries is
ambiguous and refused, never guessed.
"""

from __future__ import annotations

from functools import cache


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def iso_records(standard: str) -> list[dict[str, str]]:
    """The entries of one of pycountry's ISO databases (``"3166-1"``, ``"4217"``), read from
    its data file without importing pycountry (whose import looks up its own version among
    every installed distribution, on every run); through pycountry's own objects when the file
    is not where pycountry keeps it or not as it writes it."""
    import importlib.util
    import json
    from pathlib import Path

    spec = importlib.util.find_spec("pycountry")
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    if folders:
        try:
            with (Path(folders[0]) / "databases" / f"iso{standard}.json").open("rb") as handle:
                records = json.load(handle)[standard]
        except (OSError, ValueError, KeyError, TypeError):
            records = None
        if isinstance(records, list) and records and all(isinstance(r, dict) for r in records):
            return records
    return pycountry_records(standard)


def pycountry_records(standard: str) -> list[dict[str, str]]:
    """The entries of one of pycountry's ISO databases, through pycountry itself."""
    import pycountry

    database = {"3166-1": pycountry.countries, "4217": pycountry.currencies}[standard]
    return [dict(record._fields) for record in database]


@cache
def _index() -> dict[str, str]:
    index: dict[str, str] = {}
    for country in iso_records("3166-1"):
        for attr in ("official_name", "common_name", "name", "alpha_3", "alpha_2"):
            text = country.get(attr)
            if text:
                index[text.casefold()] = country["alpha_2"]
                index.setdefault(text, country["alpha_2"])
    return index


@cache
def _aliases() -> dict[str, frozenset[str]]:
    """Alternative spellings from countryinfo: spelling -> the alpha-2 codes it is given to."""
    from countryinfo import all_countries  # only when an ISO name did not match

    found: dict[str, set[str]] = {}
    for country in all_countries():
        try:
            code = str(country.iso(2)).upper()
            names = [str(country.name()), *map(str, country.alt_spellings() or ())]
        except (KeyError, TypeError, AttributeError):  # an entry without the field
            continue
        for name in names:
            found.setdefault(_key(name), set()).add(code)
    return {name: frozenset(codes) for name, codes in found.items()}


def to_alpha2(text: str) -> str:
    """The upper-case alpha-2 code of a country given by code, ISO name or common alternative."""
    index = _index()
    key = _key(text)
    code = index.get(text) or index.get(key)
    if code is not None:
        return code
    codes = _aliases().get(key, frozenset())
    iso = {c for c in codes if c in index}
    if len(iso) == 1:
        return iso.pop()
    if len(iso) > 1:
        raise ValueError(
            f"ambiguous country {text!r}: it can mean {' or '.join(sorted(iso))}; "
            "use the ISO 3166-1 alpha-2 code"
        )
    import difflib

    names = [name for name in index if name.islower() and len(name) > 3]
    close = difflib.get_close_matches(key, names, n=1, cutoff=0.85)
    hint = f"; did you mean {close[0]!r} ({index[close[0]]})?" if close else ""
    raise ValueError(
        f"unknown country {text!r}: use an ISO 3166-1 alpha-2 or alpha-3 code "
        f"or the English name{hint}"
    )
