"""Reads for accounts. Every fetch of a customer's address is scoped to that customer."""

from __future__ import annotations

from django.contrib.auth.tokens import default_token_generator
from django.db.models import QuerySet
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _

from comptoir.accounts.models import Address, User
from comptoir.core.errors import NotFound


def address_list(*, user: User) -> QuerySet[Address]:
    return Address.objects.filter(user=user).order_by("id")


def address_get(*, user: User, address_id: int) -> Address:
    """One of the user's addresses; another user's address is NotFound, as a missing one."""
    address = Address.objects.filter(user=user, pk=address_id).first()
    if address is None:
        raise NotFound(_("Address not found."), code="ADDRESS_NOT_FOUND")
    return address


def password_reset_user(*, uidb64: str, token: str) -> User | None:
    """The active user a password reset link was made for, if its token is still valid."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError, UnicodeDecodeError):
        return None
    if not 0 < pk < 2**63:
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or not default_token_generator.check_token(user, token):
        return None
    return user
