"""The licence register's schema (Pydantic): it validates register files, explains each
error with its place, and writes the JSON Schema. A validated licence becomes its plain twin in
``register`` (``to_licence``), which the judge and the ledger read.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from mineralcheck.fields import Countries, Date, NonEmpty, PositiveInt, Text, to_twins
from mineralcheck.manifest import model as manifest_schema
from mineralcheck.manifest import shipment
from mineralcheck.manifest.model import QuantityField
from mineralcheck.records import register
from mineralcheck.values import parse_text


def _names(value: Any) -> Any:
    if isinstance(value, str):
        return (parse_text(value),)
    return value


class Licence(BaseModel):
    """One licence of a register, with its route, terms and limits."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    number: Text
    route: Literal["single", "general", "voucher"] = "single"
    issued_by: Text | None = None
    exporter: Text | None = None
    valid_from: Date
    valid_until: Date
    destination: Countries
    end_user: Annotated[tuple[Text, ...], BeforeValidator(_names)] | None = None
    covers: Annotated[tuple[Text, ...], NonEmpty]
    quantity: QuantityField | None = None
    shipments: PositiveInt | None = None
    status: Literal["valid", "suspended", "revoked", "returned"] = "valid"
    contract: Text | None = None

    @model_validator(mode="after")
    def _route_and_dates(self) -> Licence:
        if self.valid_from > self.valid_until:
            raise ValueError(
                f"valid_from {self.valid_from} is after valid_until {self.valid_until}"
            )
        if self.route in ("single", "voucher"):
            if self.shipments not in (None, 1):
                raise ValueError(f"a {self.route} licence serves one shipment: shipments is 1")
            if self.end_user is not None and len(self.end_user) > 1:
                raise ValueError(f"a {self.route} licence names at most one end user")
        return self


class RegisterFile(BaseModel):
    """A register file: its format version and its licences."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # "register" is the key in the file; BaseModel has a method of that name
    version: Literal[1, "1"] = Field(alias="register")
    permits: tuple[Licence, ...] = ()


_TWINS: dict[type[BaseModel], type] = {
    Licence: register.Licence,
    manifest_schema.Quantity: shipment.Quantity,
}


def to_licence(licence: Licence) -> register.Licence:
    """The validated ``licence`` as its plain twin."""
    result: register.Licence = to_twins(licence, _TWINS)
    return result
