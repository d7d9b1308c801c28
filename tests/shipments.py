"""A manifest's data read by ``shipment.build`` and by the schema: the two must agree."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from mineralcheck.manifest import model as manifest_schema
from mineralcheck.manifest.shipment import build
from mineralcheck.ruleset.loader import load_pack

VOCABULARY = load_pack([]).vocabulary


def by_schema(data: Any) -> Any:
    """What the schema makes of ``data``: its twins, or ``None`` when it refuses it."""
    try:
        checked = manifest_schema.Manifest.model_validate(data, context={"vocabulary": VOCABULARY})
    except ValidationError:
        return None
    return manifest_schema.to_shipment(checked)


def assert_agrees(data: Any) -> bool:
    """``build`` reads ``data`` as the schema does, or leaves it to the schema; True if read."""
    built = build(data, VOCABULARY)
    if built is None:
        return False
    expected = by_schema(data)
    assert expected is not None, "build read a manifest the schema refuses"
    # repr too: Decimal("1.0") == Decimal("1"), but a report would print them differently
    assert (built, repr(built)) == (expected, repr(expected))
    return True
