"""ISO 3166-1 countries from pycountry: codes and English names normalised to alpha-2."""

from __future__ import annotations

from functools import cache


@cache
def _index() -> dict[str, str]:
    import pycountry  # imported on first use: loading its database costs start-up time

    index: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("official_name", "common_name", "name", "alpha_3", "alpha_2"):
            text = getattr(country, attr, None)
            if text:
                index[text.casefold()] = country.alpha_2
                index.setdefault(text, country.alpha_2)
    return index


def to_alpha2(text: str) -> str:
    """The upper-case alpha-2 code of a country given by alpha-2, alpha-3 or English name."""
    index = _index()
    code = index.get(text) or index.get(" ".join(text.split()).casefold())
    if code is None:
        import difflib

        names = [key for key in index if key.islower() and len(key) > 3]
        close = difflib.get_close_matches(
            " ".join(text.split()).casefold(), names, n=1, cutoff=0.85
        )
        hint = f"; did you mean {close[0]!r} ({index[close[0]]})?" if close else ""
        raise ValueError(
            f"unknown country {text!r}: use an ISO 3166-1 alpha-2 or alpha-3 code "
            f"or the English short name{hint}"
        )
    return code
