"""Ninja schemas of the taxes staff API. Rates are strings in percent with three decimals
("20.000" is 20 %, "5.500" is 5.5 %)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from ninja import Schema
from pydantic import Field, StringConstraints

# The code is checked by the service (400 INVALID_TAX_CLASS_CODE), not here (422).
Code = Annotated[str, StringConstraints(max_length=100)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=100)]
NameEn = Annotated[str, StringConstraints(max_length=100)]
Position = Annotated[int, Field(ge=0, le=2_147_483_647)]


class TaxClassIn(Schema):
    code: Code = Field(description="A unique slug: letters, digits, hyphens, underscores.")
    name: Name
    name_en: NameEn = ""
    position: Position | None = Field(None, description="After the other classes if omitted.")


class TaxClassPatch(Schema):
    code: Code | None = Field(None, description="The standard class keeps its code.")
    name: Name | None = None
    name_en: NameEn | None = None
    position: Position | None = None


class TaxClassOut(Schema):
    code: str
    name: str
    name_en: str
    position: int
    rates: dict[str, str] = Field(description='Country -> rate in percent ("20.000").')


class TaxClassListOut(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[TaxClassOut]


class TaxRateIn(Schema):
    rate: Decimal | str = Field(
        description='Percent from 0 to 100, at most three decimals: "20.000", "5.5".'
    )


class TaxRateOut(Schema):
    country: str
    tax_class: str = Field(description="The tax class code.")
    rate: str = Field(description='Percent with three decimals: "20.000".')


class TaxRateListOut(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[TaxRateOut]
