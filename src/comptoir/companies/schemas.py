"""Schemas of the companies API. Identifiers (VAT number, SIREN, SIRET, country) are taken
as text and checked by the services, which answer 400 with a precise code."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema


class RoleRefOut(Schema):
    id: int
    code: str | None = Field(description="admin, buyer, approver, finance, viewer; null: custom.")
    name: str


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
    phone: str = ""
    email_domains: list[str] = Field(default_factory=list)
    account_manager_id: int | None = Field(None, description="A staff user's id.")
    po_number_required: bool = Field(
        False, description="Checkout refuses its members' orders without a PO number."
    )
    allow_assisted_shopping: bool = Field(
        False, description="Staff may shop on behalf of its members (opt-in)."
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
    phone: str | None = None
    email_domains: list[str] | None = None
    account_manager_id: int | None = Field(None, description="null removes the manager.")
    po_number_required: bool | None = None
    allow_assisted_shopping: bool | None = None


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
    allow_assisted_shopping: bool
    member_count: int
    phone: str
    email_domains: list[str]
    account_manager_id: int | None
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
    role_id: int | None = Field(
        None, description="Default: admin for a company without one, buyer otherwise."
    )
    job_title: str = ""


class CompanyMemberOut(Schema):
    user_id: int
    email: str
    first_name: str
    last_name: str
    created_at: datetime
    id: int
    role: RoleRefOut
    is_active: bool
    job_title: str


class CompanyMemberListOut(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[CompanyMemberOut]


# --- roles, members, addresses, invitations, join requests ----------------------------------


class RoleIn(Schema):
    name: str = Field(examples=["Acheteur senior"])
    permissions: list[str] = Field(
        description="CompanyPermission codes.", examples=[["orders.place"]]
    )


class RolePatch(Schema):
    name: str | None = None
    permissions: list[str] | None = None


class RoleOut(Schema):
    id: int
    code: str | None
    name: str
    permissions: list[str]
    is_builtin: bool
    member_count: int


class PersonOut(Schema):
    email: str
    first_name: str
    last_name: str


class MemberOut(Schema):
    id: int
    user_id: int
    email: str
    first_name: str
    last_name: str
    role: RoleRefOut
    is_active: bool
    job_title: str
    created_at: datetime


class MemberListOut(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[MemberOut]


class MemberPatch(Schema):
    role_id: int | None = None
    is_active: bool | None = None
    job_title: str | None = None


class CompanyAddressIn(Schema):
    kind: str = Field(description="billing or shipping.")
    label: str = ""
    is_default: bool = False
    first_name: str = ""
    last_name: str = ""
    company_name: str
    street_address_1: str
    street_address_2: str = ""
    postal_code: str
    city: str
    country: str = Field(description="ISO 3166 code.")
    phone: str = ""


class CompanyAddressPatch(Schema):
    label: str | None = None
    is_default: bool | None = None
    first_name: str | None = None
    last_name: str | None = None
    company_name: str | None = None
    street_address_1: str | None = None
    street_address_2: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str | None = None
    phone: str | None = None


class CompanyAddressOut(Schema):
    id: int
    kind: str
    label: str
    is_default: bool
    first_name: str
    last_name: str
    company_name: str
    street_address_1: str
    street_address_2: str
    postal_code: str
    city: str
    country: str
    phone: str


class InvitationIn(Schema):
    email: str
    role_id: int


class InvitationOut(Schema):
    id: int
    email: str
    role: RoleRefOut
    status: str
    expired: bool
    created_at: datetime
    expires_at: datetime


class JoinRequestIn(Schema):
    company_id: int | None = Field(
        None, description="The company to join; omitted: the one company of your email domain."
    )
    message: str = ""


class JoinRequestOut(Schema):
    id: int
    company_id: int
    company_name: str
    user: PersonOut
    message: str
    status: str
    created_at: datetime


class JoinApproveIn(Schema):
    role_id: int | None = Field(None, description="Default: the buyer role.")


class JoinableOut(Schema):
    id: int
    legal_name: str


class ProfileOut(Schema):
    id: int
    legal_name: str
    country: str
    vat_number: str
    siren: str
    siret: str
    phone: str
    email_domains: list[str]
    account_manager: PersonOut | None
    allow_assisted_shopping: bool = Field(
        description="Whether the account manager may shop on behalf of the members."
    )
    my_role: RoleOut
    my_permissions: list[str]


class ProfilePatch(Schema):
    phone: str | None = None
    email_domains: list[str] | None = None
    allow_assisted_shopping: bool | None = None


class AccountManagerMessageIn(Schema):
    subject: str = Field(description="One line, at most 150 characters.")
    message: str = Field(description="At most 5,000 characters.")


class AccountManagerMessageOut(Schema):
    sent_to: PersonOut
