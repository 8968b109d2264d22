"""A company's billing addresses and shipping sites. They follow the accounts' address
rules (`accounts.services.address_clean`: country, postal code format for the country,
phone as E.164, required fields), as the cart's addresses do. One default per kind: making
an address the default takes the flag from the previous one, under the company's lock."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from comptoir.accounts.models import Address
from comptoir.accounts.services import ADDRESS_TEXT_FIELDS, address_clean
from comptoir.companies.models import AddressKind, Company, CompanyAddress
from comptoir.core.errors import InvalidInput
from comptoir.core.validation import text_limit

MAX_ADDRESSES = 200


def _kind_check(kind: object) -> str:
    if kind not in AddressKind.values:
        message = _("Use one of: %(values)s.") % {"values": ", ".join(AddressKind.values)}
        raise InvalidInput(message, code="INVALID_INPUT", errors={"kind": [message]})
    return str(kind)


def _fields_clean(fields: Mapping[str, Any]) -> dict[str, str]:
    """The address fields checked by the accounts' rules (ADDRESS_INVALID per field); the
    company name is required on a company's address."""
    for name, value in fields.items():
        if value is not None and not isinstance(value, str):
            raise InvalidInput(
                _("The address is invalid."),
                code="ADDRESS_INVALID",
                errors={name: [_("Must be text.")]},
            )
    probe = Address(**{name: fields.get(name) or "" for name in ADDRESS_TEXT_FIELDS})
    # The accounts' rules want a person's name; a company's site may have none.
    probe.first_name = probe.first_name or "-"
    probe.last_name = probe.last_name or "-"
    address_clean(probe)
    cleaned = {name: str(getattr(probe, name) or "") for name in ADDRESS_TEXT_FIELDS}
    cleaned["first_name"] = "" if cleaned["first_name"] == "-" else cleaned["first_name"]
    cleaned["last_name"] = "" if cleaned["last_name"] == "-" else cleaned["last_name"]
    if not cleaned["company_name"]:
        message = _("This field is required.")
        raise InvalidInput(
            _("The address is invalid."), code="ADDRESS_INVALID", errors={"company_name": [message]}
        )
    return cleaned


def _take_default(address: CompanyAddress) -> None:
    CompanyAddress.objects.filter(
        company_id=address.company_id, kind=address.kind, is_default=True
    ).exclude(pk=address.pk).update(is_default=False)


def _lock(company_id: int) -> None:
    Company.objects.select_for_update().filter(pk=company_id).values_list("pk").first()


@transaction.atomic
def company_address_create(
    *,
    company: Company,
    kind: str,
    fields: Mapping[str, Any],
    label: str = "",
    is_default: bool = False,
) -> CompanyAddress:
    """A new billing address or shipping site (`kind`); `fields` are the address's text
    fields (ADDRESS_INVALID per field). The first of its kind is the default."""
    kind = _kind_check(kind)
    label = text_limit(label, field="label", limit=100)
    cleaned = _fields_clean(fields)
    _lock(company.pk)
    if CompanyAddress.objects.filter(company=company).count() >= MAX_ADDRESSES:
        message = _("A company has at most %(n)d addresses.") % {"n": MAX_ADDRESSES}
        raise InvalidInput(message, code="TOO_MANY_ADDRESSES", errors={"kind": [message]})
    first = not CompanyAddress.objects.filter(company=company, kind=kind).exists()
    address = CompanyAddress(company=company, kind=kind, label=label, **cleaned)
    address.is_default = bool(is_default) or first
    if address.is_default:
        _take_default(address)
    address.save()
    return address


@transaction.atomic
def company_address_update(
    *,
    address: CompanyAddress,
    fields: Mapping[str, Any] | None = None,
    label: str | None = None,
    is_default: bool | None = None,
) -> CompanyAddress:
    """Change an address: the given text fields over the current ones (checked again as a
    whole), its label, or make it the default of its kind (a default stays one until
    another takes the flag: `is_default: false` is refused, 400 DEFAULT_REQUIRED)."""
    current = {name: str(getattr(address, name) or "") for name in ADDRESS_TEXT_FIELDS}
    cleaned = _fields_clean({**current, **(fields or {})})
    if label is not None:
        label = text_limit(label, field="label", limit=100)
    if is_default is False and address.is_default:
        message = _("Make another address the default instead.")
        raise InvalidInput(message, code="DEFAULT_REQUIRED", errors={"is_default": [message]})
    _lock(address.company_id)
    for name, value in cleaned.items():
        setattr(address, name, value)
    if label is not None:
        address.label = label
    if is_default:
        address.is_default = True
        _take_default(address)
    address.save()
    return address


@transaction.atomic
def company_address_delete(*, address: CompanyAddress) -> None:
    """Delete an address; when it was the default, the oldest other one of its kind takes
    the flag. Orders keep their own copies (snapshots)."""
    _lock(address.company_id)
    was_default = address.is_default
    company_id, kind = address.company_id, address.kind
    address.delete()
    if was_default:
        heir = (
            CompanyAddress.objects.filter(company_id=company_id, kind=kind).order_by("pk").first()
        )
        if heir is not None:
            CompanyAddress.objects.filter(pk=heir.pk).update(is_default=True)
