"""Accounts API: `/auth/...` (tokens, registration, password reset) and `/account/...`
(the caller's profile and address book). Handlers parse, call one service, shape output."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from comptoir.accounts import selectors, services
from comptoir.accounts.auth import bearer_auth, bearer_token, client_ip, session_or_bearer
from comptoir.accounts.models import Address, User
from comptoir.accounts.schemas import (
    AddressIn,
    AddressOut,
    AddressUpdateIn,
    DetailOut,
    PasswordResetConfirmIn,
    PasswordResetIn,
    RegisterIn,
    TokenIn,
    TokenOut,
    UserOut,
)

router = Router(tags=["auth"])
account_router = Router(tags=["account"], auth=session_or_bearer)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # guaranteed by the router's auth
    return user


@router.post(
    "/token",
    response=TokenOut,
    summary="Get a bearer token",
    description="Exchange an email and password for a bearer token. Bad credentials: 401 "
    "`INVALID_CREDENTIALS`; too many failures for the email or the client address: 429 "
    "`LOGIN_THROTTLED` with `Retry-After`.",
)
def token_create(request: HttpRequest, payload: TokenIn) -> TokenOut:
    user = services.login_check(
        email=payload.email, password=payload.password, client_ip=client_ip(request)
    )
    raw, _token = services.api_token_create(user=user)
    return TokenOut(access_token=raw, expires_in=settings.API_TOKEN_TTL)


@router.post("/register", response={201: UserOut}, summary="Create a customer account")
def register(request: HttpRequest, payload: RegisterIn) -> Status[User]:
    language = payload.language or getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
    user = services.user_register(
        email=payload.email,
        password=payload.password,
        first_name=payload.first_name,
        last_name=payload.last_name,
        language=language,
    )
    return Status(201, user)


@router.post(
    "/password-reset",
    response={202: DetailOut},
    summary="Ask for a password reset email",
    description="Always 202, whether an account exists for the email or not.",
)
def password_reset(request: HttpRequest, payload: PasswordResetIn) -> Status[DetailOut]:
    services.password_reset_request(email=payload.email)
    return Status(
        202,
        DetailOut(
            detail=_("If an account exists for this email, a reset link has been sent to it.")
        ),
    )


@router.post(
    "/password-reset/confirm",
    response=DetailOut,
    summary="Set a new password with a reset token",
    description="`uid` and `token` come from the emailed link. A used, expired or forged "
    "token: 400 `RESET_TOKEN_INVALID`; a weak password: 400 `PASSWORD_INVALID`.",
)
def password_reset_confirm(request: HttpRequest, payload: PasswordResetConfirmIn) -> DetailOut:
    services.password_reset_confirm(
        uidb64=payload.uid, token=payload.token, new_password=payload.new_password
    )
    return DetailOut(detail=_("Your password has been set. You can now log in."))


@router.post("/logout", response={204: None}, auth=bearer_auth, summary="Revoke the bearer token")
def logout(request: HttpRequest) -> Status[None]:
    raw = bearer_token(request)
    if raw:
        services.api_token_revoke(raw=raw)
    return Status(204, None)


@account_router.get("/me", response=UserOut, summary="The caller's account")
def me(request: HttpRequest) -> User:
    return _user(request)


@account_router.get("/addresses", response=list[AddressOut], summary="The caller's addresses")
def address_list(request: HttpRequest) -> list[Address]:
    return list(selectors.address_list(user=_user(request)))


@account_router.post("/addresses", response={201: AddressOut}, summary="Add an address")
def address_create(request: HttpRequest, payload: AddressIn) -> Status[Address]:
    return Status(201, services.address_create(user=_user(request), **payload.dict()))


@account_router.get("/addresses/{address_id}", response=AddressOut, summary="One address")
def address_get(request: HttpRequest, address_id: int) -> Address:
    return selectors.address_get(user=_user(request), address_id=address_id)


@account_router.patch("/addresses/{address_id}", response=AddressOut, summary="Change an address")
def address_update(request: HttpRequest, address_id: int, payload: AddressUpdateIn) -> Address:
    return services.address_update(
        user=_user(request), address_id=address_id, **payload.dict(exclude_unset=True)
    )


@account_router.delete("/addresses/{address_id}", response={204: None}, summary="Delete an address")
def address_delete(request: HttpRequest, address_id: int) -> Status[None]:
    services.address_delete(user=_user(request), address_id=address_id)
    return Status(204, None)
