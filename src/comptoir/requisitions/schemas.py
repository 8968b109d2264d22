"""Ninja schemas of the requisition lists API. Quantities and flags are read as any JSON
value and checked by the services (400 with a code rather than a 422)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field, WithJsonSchema

from comptoir.cart.schemas import Quantity

Flag = Annotated[Any, WithJsonSchema({"type": "boolean"})]


class ListIn(Schema):
    name: str = Field(max_length=1000, description="1 to 100 characters.")
    shared: Flag = Field(
        False, description="Shared with every member (needs `requisitions.share`)."
    )


class ListPatch(Schema):
    name: str | None = Field(None, max_length=1000)
    shared: Flag = None


class CopyIn(Schema):
    name: str = Field("", max_length=1000, description='Default: "<name> (copy)".')


class ListSummaryOut(Schema):
    id: int
    name: str
    shared: bool
    owner: str = Field(description="The owner's name, else email.")
    is_owner: bool
    editable: bool = Field(description="The caller may rename it and change its lines.")
    line_count: int
    created_at: datetime
    updated_at: datetime


class ListPageOut(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[ListSummaryOut]


class ListLineOut(Schema):
    id: int
    sku: str
    product: str = Field(description="The product's slug.")
    product_name: str
    variant_name: str
    quantity: int
    note: str


class ListOut(ListSummaryOut):
    lines: list[ListLineOut]


class ListLineIn(Schema):
    sku: str = Field(max_length=1000)
    quantity: Quantity = Field(1, description="1 to 9999; adds to the line of this SKU if any.")
    note: str = Field("", max_length=1000, description="At most 255 characters.")


class ListLinePatch(Schema):
    quantity: Quantity = None
    note: str | None = Field(None, max_length=1000)


class AddToCartIn(Schema):
    cart: str = Field(description="The caller's cart (its token).")
    line_ids: list[int] | None = Field(None, description="Only these lines (default: all).")


class ReorderIn(Schema):
    cart: str | None = Field(
        None,
        description="The caller's cart (its token); default: the caller's cart in the "
        "order's channel (created when there is none).",
    )
