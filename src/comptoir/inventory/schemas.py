"""Ninja schemas of the staff inventory API. Quantities are JSON integers (strict: "5",
5.0 and true are refused with 422); their ranges are the services' (400
INVALID_QUANTITY)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field, StrictInt, StringConstraints

Code = Annotated[str, StringConstraints(min_length=1, max_length=50)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=120)]
Street = Annotated[str, StringConstraints(max_length=255)]
PostalCode = Annotated[str, StringConstraints(max_length=20)]
City = Annotated[str, StringConstraints(max_length=120)]
Country = Annotated[str, StringConstraints(min_length=2, max_length=2)]
Priority = Annotated[StrictInt, Field(ge=-2_147_483_648, le=2_147_483_647)]
ExternalRef = Annotated[str, StringConstraints(max_length=100)]
ChannelCodes = Annotated[list[Code], Field(max_length=100)]
Sku = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Reference = Annotated[str, StringConstraints(max_length=100)]
Note = Annotated[str, StringConstraints(max_length=1000)]


class PageOut(Schema):
    count: int
    next: str | None
    previous: str | None


class PageQuery(Schema):
    page: int | None = Field(None, description="1 or more.")
    page_size: int | None = Field(None, description="1 to 100, default 24.")


class StockQuery(PageQuery):
    warehouse: str | None = Field(None, description="Warehouse code.")
    sku: str | None = None
    low: bool | None = Field(
        None, description="true: free stock at or below the row's threshold; false: the others."
    )


class MovementQuery(PageQuery):
    warehouse: str | None = Field(None, description="Warehouse code.")
    sku: str | None = None
    kind: str | None = Field(
        None, description="receipt, adjustment, sale, return, transfer_in or transfer_out."
    )


class ReservationQuery(PageQuery):
    token: str | None = Field(None, description="The checkout holding the stock.")
    warehouse: str | None = Field(None, description="Warehouse code.")
    sku: str | None = None
    expired: bool | None = Field(
        None, description="true: past their expiry, not released yet; false: the others."
    )


# --- warehouses ---------------------------------------------------------------------------


class WarehouseIn(Schema):
    code: Code = Field(description="Slug, unique.")
    name: Name
    street_address: Street = ""
    postal_code: PostalCode = ""
    city: City = ""
    country: Country = "FR"
    priority: Priority = Field(0, description="Lower numbers are allocated from first.")
    is_active: bool = True
    channels: ChannelCodes = Field(
        default_factory=list, description="Channel codes; none: every channel."
    )
    external_ref: ExternalRef | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)


class WarehousePatch(Schema):
    code: Code | None = None
    name: Name | None = None
    street_address: Street | None = None
    postal_code: PostalCode | None = None
    city: City | None = None
    country: Country | None = None
    priority: Priority | None = None
    is_active: bool | None = None
    channels: ChannelCodes | None = None
    external_ref: ExternalRef | None = None
    metadata: dict[str, Any] | None = None


class WarehouseOut(Schema):
    id: int
    code: str
    name: str
    street_address: str
    postal_code: str
    city: str
    country: str
    priority: int
    is_active: bool
    channels: list[str]
    external_ref: str | None
    metadata: dict[str, Any]


class WarehouseListOut(PageOut):
    results: list[WarehouseOut]


# --- stock --------------------------------------------------------------------------------


class StockOut(Schema):
    id: int | None = Field(description="Null for a count of 0 where no stock row existed.")
    warehouse: str = Field(description="Warehouse code.")
    sku: str
    variant_id: int
    quantity: int = Field(description="On hand.")
    allocated: int = Field(description="Promised to orders and open checkouts.")
    free: int = Field(description="On hand minus allocated.")
    low_stock_threshold: int | None
    low: bool = Field(description="Free stock at or below the threshold.")


class StockListOut(PageOut):
    results: list[StockOut]


class StockPatch(Schema):
    low_stock_threshold: Annotated[StrictInt, Field(ge=0, le=2_000_000_000)] | None = Field(
        description="Null: no threshold."
    )


class MovementOut(Schema):
    id: int
    stock_id: int
    warehouse: str
    sku: str
    kind: str
    quantity: int = Field(description="Signed.")
    reference: str
    note: str
    actor: str | None = Field(description="Email of the staff member, if any.")
    created_at: datetime


class MovementListOut(PageOut):
    results: list[MovementOut]


class StockChangeOut(Schema):
    stock: StockOut
    movement: MovementOut | None = Field(description="Null when nothing changed.")


class ReceiveIn(Schema):
    warehouse: Code
    sku: Sku
    quantity: StrictInt = Field(description="1 to 1,000,000.")
    reference: Reference = Field("", description="Purchase order, delivery note.")
    note: Note = ""


class AdjustIn(Schema):
    warehouse: Code
    sku: Sku
    counted: StrictInt | None = Field(
        None, description="Units counted (0 to 2,000,000,000). Give this or `delta`."
    )
    delta: StrictInt | None = Field(
        None, description="Signed change (non-zero, at most 1,000,000 either way)."
    )
    reference: Reference = ""
    note: Note = Field("", description="Why (the reason is kept in the ledger).")


class TransferIn(Schema):
    sku: Sku
    source: Code = Field(description="Warehouse code.")
    destination: Code = Field(description="Warehouse code.")
    quantity: StrictInt = Field(description="1 to 1,000,000 free units.")
    reference: Reference = Field("", description="Default: a new transfer id.")
    note: Note = ""


class TransferOut(Schema):
    reference: str
    source: StockOut
    destination: StockOut


class StockImportOut(Schema):
    rows: int
    received: int
    adjusted: int
    unchanged: int
    reference: str = Field(description="Shared by the movements of this import.")


# --- reservations -------------------------------------------------------------------------


class ReservationOut(Schema):
    id: int
    token: str = Field(description="The checkout holding the stock.")
    warehouse: str
    sku: str
    quantity: int
    expires_at: datetime
    expired: bool = Field(description="Past its expiry, not released yet.")
    created_at: datetime


class ReservationListOut(PageOut):
    results: list[ReservationOut]
