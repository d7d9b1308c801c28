"""The reviews file's schema (Pydantic): it validates reviews files, explains each error with
its place, and writes the JSON Schema. A validated review becomes its plain twin in ``reviews``
(``to_review``), which the reviewer applies."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict

from mineralcheck.fields import Date, PositiveInt, Text, to_twins
from mineralcheck.records import reviews

_HEX64 = re.compile(r"[0-9a-f]{64}")


def _sha256(value: object) -> str:
    text = value.strip().lower() if isinstance(value, str) else value
    if not isinstance(text, str) or not _HEX64.fullmatch(text):
        raise ValueError(f"{value!r} is not a SHA-256 digest (64 hexadecimal digits)")
    return text


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Review(_Strict):
    """One decision on a ``warn`` finding of one manifest."""

    manifest: Text
    rule: Text
    item: PositiveInt | None = None
    reason: Text
    reviewer: Text
    date: Date
    expires: Date
    sha256: Annotated[str, BeforeValidator(_sha256)] | None = None


class ReviewsFile(_Strict):
    """A reviews file: its format version and its entries."""

    reviews: Literal[1, "1"]
    entries: tuple[Review, ...] = ()


def to_review(review: Review) -> reviews.Review:
    """The validated ``review`` as its plain twin."""
    result: reviews.Review = to_twins(review, {Review: reviews.Review})
    return result
