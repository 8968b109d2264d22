"""Accounts API schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Schema


class TokenIn(Schema):
    email: str = Field(..., max_length=254)
    password: str = Field(..., max_length=4096)


class TokenOut(Schema):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - the auth scheme, not a secret
    expires_in: int = Field(..., description="Seconds until the token expires.")


class RegisterIn(Schema):
    email: str = Field(..., max_length=254)
    password: str = Field(..., max_length=4096)
    first_name: str = Field("", max_length=150)
    last_name: str = Field("", max_length=150)
    language: str | None = Field(
        None, max_length=8, description="fr or en; defaults to the request's language."
    )


class UserOut(Schema):
    id: int
    email: str
    first_name: str
    last_name: str
    language: str
    date_joined: datetime


class PasswordResetIn(Schema):
    email: str = Field(..., max_length=254)


class PasswordResetConfirmIn(Schema):
    uid: str = Field(..., max_length=64)
    token: str = Field(..., max_length=128)
    new_password: str = Field(..., max_length=4096)


class DetailOut(Schema):
    detail: str


class AddressIn(Schema):
    first_name: str = Field(..., max_length=150)
    last_name: str = Field(..., max_length=150)
    company_name: str = Field("", max_length=200)
    street_address_1: str = Field(..., max_length=255)
    street_address_2: str = Field("", max_length=255)
    postal_code: str = Field(..., max_length=20)
    city: str = Field(..., max_length=120)
    country: str = Field(..., min_length=2, max_length=2, description="ISO 3166-1 alpha-2")
    phone: str = Field("", max_length=32, description="Stored in E.164 (+33612345678).")
    is_default_shipping: bool = False
    is_default_billing: bool = False


class AddressUpdateIn(Schema):
    """PATCH: only the fields sent are changed."""

    first_name: str = Field("", max_length=150)
    last_name: str = Field("", max_length=150)
    company_name: str = Field("", max_length=200)
    street_address_1: str = Field("", max_length=255)
    street_address_2: str = Field("", max_length=255)
    postal_code: str = Field("", max_length=20)
    city: str = Field("", max_length=120)
    country: str = Field("", min_length=2, max_length=2, description="ISO 3166-1 alpha-2")
    phone: str = Field("", max_length=32)
    is_default_shipping: bool = False
    is_default_billing: bool = False


class AddressOut(Schema):
    id: int
    first_name: str
    last_name: str
    company_name: str
    street_address_1: str
    street_address_2: str
    postal_code: str
    city: str
    country: str
    phone: str
    is_default_shipping: bool
    is_default_billing: bool

    @staticmethod
    def resolve_country(obj: object) -> str:
        return str(obj.country)  # type: ignore[attr-defined]
