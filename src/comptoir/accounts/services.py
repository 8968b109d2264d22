"""Accounts: registration, login throttling, API tokens, password reset, addresses.

Design choices:
- Registration with an email that already has an account answers `EMAIL_TAKEN` (as Saleor
  does): the person registering must learn they should log in or reset their password
  instead, and a generic failure would not hide it (logging in or a reset would tell them).
  What must not leak is elsewhere: login answers the same `INVALID_CREDENTIALS` for an
  unknown email and for a wrong password (and spends the same hashing time), and a password
  reset request behaves the same whether the email exists or not.
- Login throttling counts failures per email and per client address in the Django cache
  (Redis in production, so every web process shares the counters) with atomic `incr`.
- Password reset links are built from `settings.SITE_URL`, never from the request. The email
  is rendered and sent by a Celery task scheduled on commit, not in the request: its cost
  would otherwise tell, by the response time, that an account exists.
- Every password change (reset, admin, `user_set_password`) revokes the user's API tokens.
"""

from __future__ import annotations

import hashlib
import math
import secrets
import time
from datetime import timedelta
from typing import Any

import phonenumbers
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django_countries import countries

from comptoir.accounts.models import Address, ApiToken, User
from comptoir.accounts.postal_codes import PostalCodeError, postal_code_normalize
from comptoir.accounts.selectors import address_get, password_reset_user
from comptoir.core.errors import InvalidInput, Throttled, Unauthorized, errors_from_django
from comptoir.core.text import text_storable

API_TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)


# --- users -------------------------------------------------------------------------------


def email_normalize(email: str) -> str:
    return User.objects.normalize_email(email.strip()).lower()


def _unstorable_errors(**fields: str) -> dict[str, list[str]]:
    return {
        name: [_("This text contains characters that are not allowed.")]
        for name, value in fields.items()
        if not text_storable(value)
    }


def _language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def _password_errors(password: str, user: User) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return [str(m) for m in exc.messages]
    return []


@transaction.atomic
def user_register(
    *,
    email: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    language: str = "fr",
) -> User:
    """Create a customer account. Raises InvalidInput with code INVALID_INPUT (malformed
    fields), EMAIL_TAKEN (an account exists for this email, case-insensitively) or
    PASSWORD_INVALID (Django's password validators said no); nothing is saved then."""
    if bad := _unstorable_errors(
        email=email, first_name=first_name, last_name=last_name, language=language
    ):
        raise InvalidInput(_("Some fields are invalid."), errors=bad)
    if not text_storable(password):
        raise InvalidInput(
            _("Invalid password."),
            code="PASSWORD_INVALID",
            errors={"password": [_("This text contains characters that are not allowed.")]},
        )
    user = User(
        email=email_normalize(email),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        language=language,
    )
    errors: dict[str, list[str]] = {}
    try:
        validate_email(user.email)
    except ValidationError:
        errors["email"] = [_("Enter a valid email address.")]
    if language not in _language_codes():
        errors["language"] = [_("Unsupported language.")]
    try:
        user.full_clean(exclude=["password", "email", "language"], validate_unique=False)
    except ValidationError as exc:
        errors.update(errors_from_django(exc))
    if errors:
        raise InvalidInput(_("Some fields are invalid."), errors=errors)

    taken = InvalidInput(
        _("An account already exists for this email address."),
        code="EMAIL_TAKEN",
        errors={"email": [_("An account already exists for this email address.")]},
    )
    if User.objects.filter(email__iexact=user.email).exists():
        raise taken
    if password_errors := _password_errors(password, user):
        raise InvalidInput(
            password_errors[0], code="PASSWORD_INVALID", errors={"password": password_errors}
        )
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # a concurrent registration won the race
        raise taken from None
    return user


@transaction.atomic
def user_profile_update(*, user: User, first_name: str, last_name: str, language: str) -> User:
    """Change the customer's name and language (fr, en). Raises InvalidInput INVALID_INPUT
    with errors per field; nothing is saved then. The email is not changed here."""
    if bad := _unstorable_errors(first_name=first_name, last_name=last_name, language=language):
        raise InvalidInput(_("Some fields are invalid."), errors=bad)
    errors: dict[str, list[str]] = {}
    if language not in _language_codes():
        errors["language"] = [_("Unsupported language.")]
    user.first_name = " ".join(first_name.split())
    user.last_name = " ".join(last_name.split())
    try:
        user.full_clean(
            exclude=["password", "email", "language", "external_ref"], validate_unique=False
        )
    except ValidationError as exc:
        errors.update(errors_from_django(exc))
    if errors:
        user.refresh_from_db(fields=["first_name", "last_name"])
        raise InvalidInput(_("Some fields are invalid."), errors=errors)
    user.language = language
    user.save(update_fields=["first_name", "last_name", "language"])
    return user


@transaction.atomic
def user_deactivate(*, user: User) -> User:
    """Block logins and revoke every API token of the user."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    api_token_revoke_all(user=user)
    return user


@transaction.atomic
def user_activate(*, user: User) -> User:
    user.is_active = True
    user.save(update_fields=["is_active"])
    return user


def _password_store(user: User, password: str | None) -> None:
    """Save the new password (None: password login disabled) and revoke every API token:
    a token obtained with the old password must not outlive it."""
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save(update_fields=["password"])
    api_token_revoke_all(user=user)


@transaction.atomic
def user_set_password(*, user: User, password: str | None) -> User:
    """Set the user's password, or disable password login with `password=None`, and revoke
    all the user's API tokens. Raises InvalidInput PASSWORD_INVALID (errors on `password`)
    when Django's password validators say no; nothing is changed then."""
    if password is not None:
        if not text_storable(password):
            raise InvalidInput(
                _("Invalid password."),
                code="PASSWORD_INVALID",
                errors={"password": [_("This text contains characters that are not allowed.")]},
            )
        if password_errors := _password_errors(password, user):
            raise InvalidInput(
                password_errors[0], code="PASSWORD_INVALID", errors={"password": password_errors}
            )
    _password_store(user, password)
    return user


# --- throttling ----------------------------------------------------------------------------


def _cache_key(kind: str, value: str) -> str:
    # Hashed: emails and IPv6 addresses hold characters some cache backends reject in keys.
    return f"comptoir:{kind}:{hashlib.sha256(value.encode('utf-8', 'surrogatepass')).hexdigest()}"


def _throttle_retry_after(keys: list[str], *, limit: int, window: int) -> int | None:
    """Seconds until the first exhausted counter among `keys` resets, or None if none is."""
    values = cache.get_many([k for key in keys for k in (key, f"{key}:start")])
    now = time.time()
    waits = [
        max(1, math.ceil(float(values.get(f"{key}:start", now)) + window - now))
        for key in keys
        if int(values.get(key, 0)) >= limit
    ]
    return max(waits) if waits else None


def _throttle_hit(key: str, *, window: int) -> int:
    """Count one event in the window that started with the first event; atomic incr."""
    cache.add(f"{key}:start", time.time(), timeout=window)
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:  # the counter expired between add() and incr()
        cache.add(key, 1, timeout=window)
        return 1


def _throttle_clear(key: str) -> None:
    cache.delete_many([key, f"{key}:start"])


def _login_keys(*, email: str, client_ip: str | None) -> list[str]:
    keys = [_cache_key("login-fail-email", email)]
    if client_ip:
        keys.append(_cache_key("login-fail-ip", client_ip))
    return keys


def login_check(*, email: str, password: str, client_ip: str | None) -> User:
    """Return the active user with these credentials, or raise.

    Raises Throttled (LOGIN_THROTTLED, with retry_after) once LOGIN_THROTTLE_ATTEMPTS
    failures were counted for this email or this client address within
    LOGIN_THROTTLE_WINDOW seconds, even if the password is right; otherwise Unauthorized
    (INVALID_CREDENTIALS) for an unknown email, a wrong password or an inactive account
    alike. A success clears the per-email counter (not the per-address one).
    """
    email = email_normalize(email)
    limit, window = settings.LOGIN_THROTTLE_ATTEMPTS, settings.LOGIN_THROTTLE_WINDOW
    keys = _login_keys(email=email, client_ip=client_ip)
    if (retry_after := _throttle_retry_after(keys, limit=limit, window=window)) is not None:
        raise Throttled(
            _("Too many failed login attempts. Try again later."),
            code="LOGIN_THROTTLED",
            retry_after=retry_after,
        )
    user = None
    if text_storable(email) and text_storable(password):
        user = authenticate(None, email=email, password=password)
    if user is None:
        for key in keys:
            _throttle_hit(key, window=window)
        raise Unauthorized(_("Invalid email or password."), code="INVALID_CREDENTIALS")
    _throttle_clear(keys[0])
    return user


# --- API tokens ----------------------------------------------------------------------------


def _token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def api_token_create(*, user: User) -> tuple[str, ApiToken]:
    """A new bearer token; the raw secret is returned once and only its digest is stored."""
    raw = secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        digest=_token_digest(raw),
        expires_at=timezone.now() + timedelta(seconds=settings.API_TOKEN_TTL),
    )
    token.full_clean()
    token.save()
    return raw, token


def api_token_authenticate(*, raw: str) -> User | None:
    """The active user owning this unexpired token, else None. Records the last use, at
    most once a minute so that a busy client does not write on every request."""
    if not raw or len(raw) > 256:
        return None
    token = ApiToken.objects.select_related("user").filter(digest=_token_digest(raw)).first()
    now = timezone.now()
    if token is None or token.expires_at <= now or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= API_TOKEN_TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token.user


def api_token_revoke(*, raw: str) -> bool:
    """Delete the token with this secret; True if there was one."""
    deleted, _rows = ApiToken.objects.filter(digest=_token_digest(raw)).delete()
    return deleted > 0


def api_token_delete(*, token: ApiToken) -> None:
    token.delete()


def api_token_revoke_all(*, user: User) -> int:
    deleted, _rows = ApiToken.objects.filter(user=user).delete()
    return deleted


def api_token_purge_expired() -> int:
    deleted, _rows = ApiToken.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted


# --- password reset ------------------------------------------------------------------------


def password_reset_link(*, user: User) -> str:
    """Absolute link to the reset page, from settings.SITE_URL (never the Host header)."""
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("accounts:password_reset_confirm", kwargs={"uidb64": uidb64, "token": token})
    return f"{settings.SITE_URL}{path}"


def password_reset_email_send(*, email: str) -> bool:
    """Render the reset email in the user's language and send it. Called by the task
    `comptoir.accounts.tasks.password_reset_email_send`, outside any request, for every
    well-formed email asked for, whether an account has it or not.

    Returns False, sending nothing, when no active account with a usable password has this
    email (the lookup is done here, in the worker, not in the request). Raises OSError
    (smtplib errors included) when the mail server fails, for the task to retry.
    """
    user = User.objects.filter(email__iexact=email_normalize(email), is_active=True).first()
    if user is None or not user.has_usable_password():
        return False
    context = {
        "user": user,
        "link": password_reset_link(user=user),
        "site_url": settings.SITE_URL,
        "timeout_minutes": max(1, settings.PASSWORD_RESET_TIMEOUT // 60),
    }
    language = user.language if user.language in _language_codes() else settings.LANGUAGE_CODE
    with translation.override(language):
        subject = render_to_string("accounts/email/password_reset_subject.txt", context)
        body = render_to_string("accounts/email/password_reset_body.txt", context)
    message = EmailMultiAlternatives(" ".join(subject.split()), body, None, [user.email])
    message.send(using="default")
    return True


def password_reset_request(*, email: str) -> None:
    """Have a reset link emailed if an active account with a usable password has this email.

    Returns nothing and raises nothing whatever the email, and does the same work for known
    and unknown addresses: it checks the email's shape, counts the request against the
    per-email throttle and schedules the Celery task with the normalised email once the
    current transaction commits. It never looks the account up: the task does (so neither
    the response time nor the response tells whether the account exists; SMTP failures are
    retried by the task, never raised here). Requests for one email beyond
    LOGIN_THROTTLE_ATTEMPTS in LOGIN_THROTTLE_WINDOW are silently dropped (no mail bombing).
    """
    # Services schedule tasks; tasks are thin adapters calling back into services. The
    # import is local to keep the module import graph acyclic.
    from comptoir.accounts.tasks import password_reset_email_send as send_task

    email = email_normalize(email)
    if len(email) > 254 or not text_storable(email):
        return
    try:
        validate_email(email)
    except ValidationError:
        return
    count = _throttle_hit(
        _cache_key("password-reset", email), window=settings.LOGIN_THROTTLE_WINDOW
    )
    if count > settings.LOGIN_THROTTLE_ATTEMPTS:
        return
    # robust: a broker that is down is logged by Django, not raised into the request.
    transaction.on_commit(lambda: send_task.delay(email), robust=True)


@transaction.atomic
def password_reset_confirm(*, uidb64: str, token: str, new_password: str) -> User:
    """Set a new password with a reset token. The token is single-use (it hashes the
    password and last login) and expires after PASSWORD_RESET_TIMEOUT seconds.
    Raises InvalidInput RESET_TOKEN_INVALID or PASSWORD_INVALID. Revokes the API tokens
    and clears the login throttle of the email."""
    user = password_reset_user(uidb64=uidb64, token=token)
    if user is None:
        raise InvalidInput(
            _("This password reset link is invalid or has expired."), code="RESET_TOKEN_INVALID"
        )
    if not text_storable(new_password):
        raise InvalidInput(
            _("Invalid password."),
            code="PASSWORD_INVALID",
            errors={"new_password": [_("This text contains characters that are not allowed.")]},
        )
    if password_errors := _password_errors(new_password, user):
        raise InvalidInput(
            password_errors[0], code="PASSWORD_INVALID", errors={"new_password": password_errors}
        )
    _password_store(user, new_password)
    _throttle_clear(_login_keys(email=user.email, client_ip=None)[0])
    return user


# --- addresses -----------------------------------------------------------------------------

ADDRESS_TEXT_FIELDS = (
    "first_name",
    "last_name",
    "company_name",
    "street_address_1",
    "street_address_2",
    "postal_code",
    "city",
    "country",
    "phone",
)
ADDRESS_FIELDS = frozenset((*ADDRESS_TEXT_FIELDS, "is_default_shipping", "is_default_billing"))


def address_values(address: Address) -> dict[str, str]:
    """The address's text fields as a dict of strings: the snapshot carts and orders keep."""
    return {field: str(getattr(address, field) or "") for field in ADDRESS_TEXT_FIELDS}


def address_clean(address: Address) -> None:
    """Normalise and validate in place: country code, postal code format for the country,
    phone number parsed with the country as region and stored as E.164.
    Raises InvalidInput ADDRESS_INVALID with errors per field. The address book's rules,
    also applied to the addresses a cart is given (`cart.services.addresses_set`)."""
    for field in ADDRESS_TEXT_FIELDS:
        value = getattr(address, field)
        setattr(address, field, "" if value is None else " ".join(str(value).split()))
    errors = _unstorable_errors(**{f: str(getattr(address, f)) for f in ADDRESS_TEXT_FIELDS})
    if errors:
        raise InvalidInput(_("The address is invalid."), code="ADDRESS_INVALID", errors=errors)
    country = str(address.country).upper()
    address.country = country
    if not countries.alpha2(country):
        errors["country"] = [_("Unknown country.")]
    else:
        if address.postal_code:
            try:
                address.postal_code = postal_code_normalize(
                    country=country, value=address.postal_code
                )
            except PostalCodeError as exc:
                errors["postal_code"] = [
                    _("Invalid postal code for this country (for example: %(examples)s).")
                    % {"examples": ", ".join(exc.examples)}
                ]
        if address.phone:
            try:
                number = phonenumbers.parse(address.phone, country)
                if not phonenumbers.is_valid_number(number):
                    raise phonenumbers.NumberParseException(0, "invalid")
                address.phone = phonenumbers.format_number(
                    number, phonenumbers.PhoneNumberFormat.E164
                )
            except phonenumbers.NumberParseException:
                errors["phone"] = [_("Invalid phone number for this country.")]
    try:
        address.full_clean(exclude=["user", *errors], validate_constraints=False)
    except ValidationError as exc:
        errors.update(errors_from_django(exc))
    if errors:
        raise InvalidInput(_("The address is invalid."), code="ADDRESS_INVALID", errors=errors)


def _lock_user(user: User) -> None:
    """Serialise address writes of one customer (default flags must stay unique)."""
    User.objects.select_for_update().filter(pk=user.pk).first()


def _address_save(address: Address) -> Address:
    others = Address.objects.filter(user_id=address.user_id).exclude(pk=address.pk)
    if address.is_default_shipping:
        others.filter(is_default_shipping=True).update(is_default_shipping=False)
    if address.is_default_billing:
        others.filter(is_default_billing=True).update(is_default_billing=False)
    address.save()
    return address


@transaction.atomic
def address_create(
    *,
    user: User,
    first_name: str,
    last_name: str,
    street_address_1: str,
    postal_code: str,
    city: str,
    country: str,
    company_name: str = "",
    street_address_2: str = "",
    phone: str = "",
    is_default_shipping: bool = False,
    is_default_billing: bool = False,
) -> Address:
    """Add an address to the user's book. The first address becomes the default shipping
    and billing address; setting a default unsets the previous one."""
    _lock_user(user)
    address = Address(
        user=user,
        first_name=first_name,
        last_name=last_name,
        company_name=company_name,
        street_address_1=street_address_1,
        street_address_2=street_address_2,
        postal_code=postal_code,
        city=city,
        country=country,
        phone=phone,
        is_default_shipping=is_default_shipping,
        is_default_billing=is_default_billing,
    )
    address_clean(address)
    if not Address.objects.filter(user=user).exists():
        address.is_default_shipping = address.is_default_billing = True
    return _address_save(address)


@transaction.atomic
def address_update(*, user: User, address_id: int, **fields: Any) -> Address:
    """Change some fields of one of the user's addresses (another user's: NotFound)."""
    unknown = sorted(set(fields) - ADDRESS_FIELDS)
    if unknown:
        raise InvalidInput(
            _("The address is invalid."),
            code="ADDRESS_INVALID",
            errors={name: [_("Unknown field.")] for name in unknown},
        )
    _lock_user(user)
    address = address_get(user=user, address_id=address_id)
    for name, value in fields.items():
        setattr(address, name, value)
    address_clean(address)
    return _address_save(address)


@transaction.atomic
def address_delete(*, user: User, address_id: int) -> None:
    _lock_user(user)
    address_get(user=user, address_id=address_id).delete()
