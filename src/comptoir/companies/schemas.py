"""Schemas of the companies API. Identifiers (VAT number, SIREN, SIRET, country) are taken
as text and checked by the services, which answer 400 with a precise code."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema

# --- customer groups ----------------------------------------------------------------------


class CustomerGroupIn(Schema):
    code: str = Field(description="Slug, unique.", examples=["installateurs"])
    name: str = Field(examples=["Installateurs"])
    description: str = ""


class CustomerGroupPatch(Schema):
    code: str | None = None
    name: str | None = None
    description: str | None = None


class CustomerGroupOut(Schema):
    id: int
    code: str
    name: str
    description: str
    company_count: int


class CustomerGroupListOut(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[CustomerGroupOut]


# --- companies ----------------------------------------------------------------------------


class CompanyListQuery(Schema):
    search: str | None = Field(
        None, description="Words of the legal name, or a VAT number, SIREN, SIRET or reference."
    )
    country: str | None = Field(None, description="ISO 3166 code.")
    customer_group: str | None = Field(None, description="Code of a customer group.")
    is_active: bool | None = None
    page: int | None = Field(None, description="1 or more.")
    page_size: int | None = Field(None, description="1 to 100, default 24.")


class CompanyIn(Schema):
    legal_name: str = Field(examples=["Dupont Outillage SAS"])
    country: str = Field(description="ISO 3166 code.", examples=["FR"])
    vat_number: str = Field(
        "", description="EU VAT number of the company's country.", examples=["FR40303265045"]
    )
    siren: str = Field("", description="French companies only.", examples=["303265045"])
    siret: str = Field("", description="French companies only; starts with the SIREN.")
    customer_group: str | None = Field(None, description="Code of the customer group.")
    tax_status: str = Field("standard", description="standard or exempt.")
    is_active: bool = True
    external_ref: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    po_number_required: bool = Field(
        False, description="Checkout refuses its members' orders without a PO number."
    )


class CompanyPatch(Schema):
    legal_name: str | None = None
    country: str | None = None
    vat_number: str | None = Field(None, description='"" removes the number.')
    siren: str | None = None
    siret: str | None = None
    customer_group: str | None = Field(None, description="Group code; null removes the group.")
    tax_status: str | None = None
    is_active: bool | None = None
    external_ref: str | None = None
    metadata: dict[str, Any] | None = None
    po_number_required: bool | None = None


class CompanyOut(Schema):
    id: int
    legal_name: str
    country: str
    vat_number: str
    siren: str
    siret: str
    customer_group: str | None = Field(description="Code of the customer group.")
    tax_status: str
    vies_status: str = Field(description="unchecked, valid, invalid or unavailable.")
    vies_checked_at: datetime | None
    is_active: bool
    po_number_required: bool
    member_count: int
    external_ref: str | None
    metadata: dict[str, Any]
    created_at: datetime
    updated_at: datetime


class CompanyListOut(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[CompanyOut]


# --- members ------------------------------------------------------------------------------


class CompanyMemberIn(Schema):
    email: str | None = Field(None, description="The account's email (or give `user_id`).")
    user_id: int | None = None


class CompanyMemberOut(Schema):
    user_id: int
    email: str
    first_name: str
    last_name: str
    created_at: datetime


class CompanyMemberListOut(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[CompanyMemberOut]
