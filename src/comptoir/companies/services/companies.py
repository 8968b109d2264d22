"""Writes for customer groups, companies and their members.

A company's identifiers are normalised and checked here (VAT number: format and check
digits for its country; SIREN and SIRET for French companies) so that what is stored is
always well formed. Whether VIES knows the VAT number is asked by a Celery task
(`comptoir.companies.tasks.company_vies_check`), scheduled on commit when
settings.COMPTOIR_VIES_CHECK is on and the number is new or changed: never on a request's
path. A changed number is "unchecked" again until that task records VIES' answer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from comptoir.accounts.models import User
from comptoir.companies.models import (
    Company,
    CompanyMember,
    CompanyRole,
    CustomerGroup,
    TaxStatus,
    ViesStatus,
)
from comptoir.companies.selectors import buyers_changed
from comptoir.companies.services.roles import (
    ADMIN_ROLE,
    company_member_delete,
    company_roles_ensure,
    role_builtin,
)
from comptoir.core.errors import Conflict, InvalidInput, NotFound, invalid_from_django
from comptoir.core.text import text_storable
from comptoir.core.validation import UNSET, Unset, given, text_check, text_limit, validate
from comptoir.taxes.vat import ViesResult, siren_clean, siret_clean, vat_number_clean

_DOMAIN = re.compile(r"(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")


def _save_changes(instance: models.Model, changes: Mapping[str, Any]) -> None:
    """Set `changes`, validate and save; on a validation error the instance is left as it
    was."""
    original = {field: getattr(instance, field) for field in changes}
    for field, value in changes.items():
        setattr(instance, field, value)
    try:
        validate(instance)
        with transaction.atomic():
            instance.save()
    except Exception:
        for field, value in original.items():
            setattr(instance, field, value)
        raise


def _taken(field: str, code: str) -> Conflict:
    message = _("This %(field)s is already taken.") % {"field": field}
    return Conflict(message, code=code, errors={field: [message]})


# --- customer groups ----------------------------------------------------------------------


def _group_code_free(code: str, *, exclude_pk: int | None = None) -> None:
    rows = CustomerGroup.objects.filter(code=code)
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    if code and rows.exists():
        raise _taken("code", "GROUP_CODE_TAKEN")


@transaction.atomic
def customer_group_create(*, code: str, name: str, description: str = "") -> CustomerGroup:
    """Create a customer group. The code is a slug (INVALID_INPUT) no other group has
    (Conflict GROUP_CODE_TAKEN)."""
    text_check(code=code, name=name, description=description)
    group = CustomerGroup(code=code.strip(), name=name.strip(), description=description)
    _validate_group(group)
    try:
        with transaction.atomic():
            group.save()
    except IntegrityError:  # created meanwhile by another request
        raise _taken("code", "GROUP_CODE_TAKEN") from None
    return group


def _validate_group(group: CustomerGroup) -> None:
    try:
        group.full_clean(validate_unique=False)
    except DjangoValidationError as exc:
        raise invalid_from_django(exc) from exc
    _group_code_free(group.code, exclude_pk=group.pk)


@buyers_changed
@transaction.atomic
def customer_group_update(
    *,
    group: CustomerGroup,
    code: str | Unset = UNSET,
    name: str | Unset = UNSET,
    description: str | Unset = UNSET,
) -> CustomerGroup:
    """Change the given fields of a group (same rules as `customer_group_create`)."""
    changes = given(code=code, name=name, description=description)
    text_check(**changes)
    for field in ("code", "name"):
        if field in changes:
            changes[field] = changes[field].strip()
    original = {field: getattr(group, field) for field in changes}
    for field, value in changes.items():
        setattr(group, field, value)
    try:
        _validate_group(group)
        with transaction.atomic():
            group.save()
    except IntegrityError:
        for field, value in original.items():
            setattr(group, field, value)
        raise _taken("code", "GROUP_CODE_TAKEN") from None
    except (InvalidInput, Conflict):
        for field, value in original.items():
            setattr(group, field, value)
        raise
    return group


def customer_group_in_use(*, group: CustomerGroup) -> bool:
    """Whether anything refers to the group: companies, or price lists and promotions of
    other domains (every relation to the model is looked at, whichever app declares it).
    Deleting a group a promotion is restricted to would open the promotion to everyone."""
    if group.pk is None:
        return False
    for relation in CustomerGroup._meta.related_objects:
        related = relation.related_model
        if not isinstance(related, type):  # pragma: no cover - a lazy "app.Model" reference
            continue
        if related._default_manager.filter(**{relation.field.name: group.pk}).exists():
            return True
    return False


def _group_in_use(group: CustomerGroup) -> Conflict:
    return Conflict(
        _("The customer group %(name)s is still used by companies, price lists or promotions.")
        % {"name": group.name},
        code="GROUP_IN_USE",
        errors={"customer_group": ["GROUP_IN_USE"]},
    )


@buyers_changed
@transaction.atomic
def customer_group_delete(*, group: CustomerGroup) -> None:
    """Delete a group nothing refers to; Conflict GROUP_IN_USE otherwise (move its
    companies and change its price lists and promotions first)."""
    if customer_group_in_use(group=group):
        raise _group_in_use(group)
    try:
        with transaction.atomic():
            group.delete()
    except ProtectedError:  # a company or price list took the group meanwhile
        raise _group_in_use(group) from None


# --- companies ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CompanyIdentity:
    """A company's identifiers, normalised and checked together."""

    country: str
    vat_number: str
    siren: str
    siret: str


def company_identity_check(
    *, country: str, vat_number: str = "", siren: str = "", siret: str = ""
) -> CompanyIdentity:
    """Normalise and check a company's identifiers (also used by the admin's form).

    - `country`: an ISO 3166 code (INVALID_COUNTRY).
    - `vat_number`: "" or a valid EU VAT number of `country` (INVALID_VAT_NUMBER).
    - `siren`, `siret`: French companies only; valid Luhn keys, the SIRET starting with the
      SIREN (INVALID_SIREN, INVALID_SIRET). A SIRET alone gives the SIREN. A French VAT
      number ends with the SIREN.
    """
    text_check(country=country, vat_number=vat_number, siren=siren, siret=siret)
    country = country.strip().upper()
    if not country or country not in countries:
        message = _("Use an ISO 3166 country code such as FR.")
        raise InvalidInput(message, code="INVALID_COUNTRY", errors={"country": [message]})
    vat_number = vat_number_clean(vat_number, country=country)
    if country != "FR" and (siren.strip() or siret.strip()):
        field, code = ("siren", "INVALID_SIREN") if siren.strip() else ("siret", "INVALID_SIRET")
        message = _("SIREN and SIRET numbers are for French companies only.")
        raise InvalidInput(message, code=code, errors={field: [message]})
    siren = siren_clean(siren)
    siret = siret_clean(siret, siren=siren)
    if siret and not siren:
        siren = siret[:9]
    if vat_number and siren and vat_number[4:] != siren:
        message = _("The French VAT number of a company ends with its SIREN.")
        raise InvalidInput(message, code="INVALID_SIREN", errors={"siren": [message]})
    return CompanyIdentity(country=country, vat_number=vat_number, siren=siren, siret=siret)


def _check_tax_status(tax_status: str) -> None:
    if tax_status not in TaxStatus.values:
        message = _("Use one of: %(values)s.") % {"values": ", ".join(TaxStatus.values)}
        raise InvalidInput(message, code="INVALID_TAX_STATUS", errors={"tax_status": [message]})


def _check_external_ref(external_ref: str | None, *, exclude_pk: int | None = None) -> None:
    if not external_ref:
        return
    rows = Company.objects.filter(external_ref=external_ref)
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    if rows.exists():
        raise _taken("external_ref", "EXTERNAL_REF_TAKEN")


def _external_ref_raced(company: Company, *, external_ref: str | None = None) -> None:
    """After an IntegrityError saving `company`: Conflict EXTERNAL_REF_TAKEN when another
    company holds its external reference now (one created or changed meanwhile by another
    request, committed since). Returns otherwise, for the caller to raise the error: an
    IntegrityError of another constraint is not a taken reference."""
    _check_external_ref(external_ref or company.external_ref, exclude_pk=company.pk)


def _check_metadata(metadata: object) -> None:
    if not isinstance(metadata, dict):
        message = _("Metadata is a JSON object.")
        raise InvalidInput(message, code="INVALID_INPUT", errors={"metadata": [message]})


MAX_EMAIL_DOMAINS = 20


def phone_clean(phone: object) -> str:
    """ "" or a phone number stored as E.164 (400 INVALID_PHONE)."""
    if phone == "":
        return ""
    message = _("Enter a valid phone number, such as +33 1 23 45 67 89.")
    invalid = InvalidInput(message, code="INVALID_PHONE", errors={"phone": [message]})
    if not isinstance(phone, str) or len(phone) > 32 or not text_storable(phone):
        raise invalid
    try:
        number = phonenumbers.parse(phone, "FR")
    except phonenumbers.NumberParseException:
        raise invalid from None
    if not phonenumbers.is_valid_number(number):
        raise invalid
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def email_domains_clean(domains: object) -> list[str]:
    """Lower-case domain names without duplicates (400 INVALID_EMAIL_DOMAIN): users whose
    email is at one of them may ask to join the company."""
    message = _("Give domain names such as atelier-martin.fr (at most %(n)d).") % {
        "n": MAX_EMAIL_DOMAINS
    }
    invalid = InvalidInput(
        message, code="INVALID_EMAIL_DOMAIN", errors={"email_domains": [message]}
    )
    if not isinstance(domains, list) or len(domains) > MAX_EMAIL_DOMAINS:
        raise invalid
    cleaned: list[str] = []
    for domain in domains:
        if not isinstance(domain, str):
            raise invalid
        value = domain.strip().lower().removeprefix("@")
        if len(value) > 253 or not _DOMAIN.fullmatch(value):
            raise invalid
        if value not in cleaned:
            cleaned.append(value)
    return cleaned


def account_manager_check(user: User | None) -> User | None:
    """An active staff account, or None (400 INVALID_ACCOUNT_MANAGER)."""
    if user is not None and not (user.is_staff and user.is_active):
        message = _("The account manager is an active staff member.")
        raise InvalidInput(
            message, code="INVALID_ACCOUNT_MANAGER", errors={"account_manager": [message]}
        )
    return user


def company_vies_check_schedule(*, company: Company) -> bool:
    """Have the VIES check task look at the company's VAT number once the current
    transaction commits. False (nothing scheduled) when it has no number."""
    # Services schedule tasks; tasks are thin adapters calling back into services. The
    # import is local to keep the module import graph acyclic.
    from comptoir.companies.tasks import company_vies_check

    if not company.vat_number:
        return False
    company_id = company.pk
    # robust: a broker that is down is logged by Django, never raised into the request.
    transaction.on_commit(lambda: company_vies_check.delay(company_id), robust=True)
    return True


@transaction.atomic
def company_create(
    *,
    legal_name: str,
    country: str,
    vat_number: str = "",
    siren: str = "",
    siret: str = "",
    customer_group: CustomerGroup | None = None,
    tax_status: str = TaxStatus.STANDARD,
    is_active: bool = True,
    external_ref: str | None = None,
    metadata: dict[str, Any] | None = None,
    phone: str = "",
    email_domains: list[str] | None = None,
    account_manager: User | None = None,
    po_number_required: bool = False,
    allow_assisted_shopping: bool = False,
) -> Company:
    """Create a company, with its built-in roles (`company_roles_ensure`). Identifiers are checked by `company_identity_check`; the tax status
    is standard or exempt (INVALID_TAX_STATUS); `external_ref` is unique
    (Conflict EXTERNAL_REF_TAKEN). With COMPTOIR_VIES_CHECK on, a VAT number is checked in
    VIES by a task after the commit."""
    text_check(legal_name=legal_name, external_ref=external_ref, metadata=metadata)
    identity = company_identity_check(
        country=country, vat_number=vat_number, siren=siren, siret=siret
    )
    _check_tax_status(tax_status)
    metadata = {} if metadata is None else metadata
    _check_metadata(metadata)
    external_ref = external_ref.strip() if external_ref else None
    _check_external_ref(external_ref)
    company = Company(
        legal_name=legal_name.strip(),
        country=identity.country,
        vat_number=identity.vat_number,
        siren=identity.siren,
        siret=identity.siret,
        customer_group=customer_group,
        tax_status=tax_status,
        is_active=is_active,
        external_ref=external_ref,
        metadata=metadata,
        phone=phone_clean(phone),
        email_domains=email_domains_clean(email_domains or []),
        account_manager=account_manager_check(account_manager),
        po_number_required=po_number_required,
        allow_assisted_shopping=allow_assisted_shopping,
    )
    validate(company)
    try:
        with transaction.atomic():
            company.save()
    except IntegrityError:
        _external_ref_raced(company)
        raise
    company_roles_ensure(company=company)
    if settings.COMPTOIR_VIES_CHECK:
        company_vies_check_schedule(company=company)
    return company


@buyers_changed
@transaction.atomic
def company_update(
    *,
    company: Company,
    legal_name: str | Unset = UNSET,
    country: str | Unset = UNSET,
    vat_number: str | Unset = UNSET,
    siren: str | Unset = UNSET,
    siret: str | Unset = UNSET,
    customer_group: CustomerGroup | Unset | None = UNSET,
    tax_status: str | Unset = UNSET,
    is_active: bool | Unset = UNSET,
    external_ref: str | Unset | None = UNSET,
    metadata: dict[str, Any] | Unset = UNSET,
    phone: str | Unset = UNSET,
    email_domains: list[str] | Unset = UNSET,
    account_manager: User | Unset | None = UNSET,
    po_number_required: bool | Unset = UNSET,
    allow_assisted_shopping: bool | Unset = UNSET,
) -> Company:
    """Change the given fields (same rules as `company_create`; the identifiers are checked
    together as they will be stored, e.g. a new country with the old VAT number). A new
    or removed VAT number makes the VIES status "unchecked"; a new one is checked by the
    task when COMPTOIR_VIES_CHECK is on."""
    changes = given(
        legal_name=legal_name,
        country=country,
        vat_number=vat_number,
        siren=siren,
        siret=siret,
        customer_group=customer_group,
        tax_status=tax_status,
        is_active=is_active,
        external_ref=external_ref,
        metadata=metadata,
        po_number_required=po_number_required,
        allow_assisted_shopping=allow_assisted_shopping,
    )
    profile = given(phone=phone, email_domains=email_domains, account_manager=account_manager)
    text_check(**{k: v for k, v in changes.items() if k != "customer_group"})
    if "phone" in profile:
        changes["phone"] = phone_clean(profile["phone"])
    if "email_domains" in profile:
        changes["email_domains"] = email_domains_clean(profile["email_domains"])
    if "account_manager" in profile:
        changes["account_manager"] = account_manager_check(profile["account_manager"])
    identity = company_identity_check(
        country=str(changes.get("country", company.country)),
        vat_number=changes.get("vat_number", company.vat_number),
        siren=changes.get("siren", company.siren),
        siret=changes.get("siret", company.siret),
    )
    changes.update(
        country=identity.country,
        vat_number=identity.vat_number,
        siren=identity.siren,
        siret=identity.siret,
    )
    if "legal_name" in changes:
        changes["legal_name"] = changes["legal_name"].strip()
    if "tax_status" in changes:
        _check_tax_status(changes["tax_status"])
    if "metadata" in changes:
        _check_metadata(changes["metadata"])
    if "external_ref" in changes:
        changes["external_ref"] = (changes["external_ref"] or "").strip() or None
        _check_external_ref(changes["external_ref"], exclude_pk=company.pk)
    stored = Company.objects.filter(pk=company.pk).values_list("vat_number", flat=True).first()
    number_changed = stored != identity.vat_number
    if number_changed:
        changes.update(vies_status=ViesStatus.UNCHECKED, vies_checked_at=None)
    try:
        _save_changes(company, changes)
    except IntegrityError:
        _external_ref_raced(company, external_ref=changes.get("external_ref"))
        raise
    if number_changed and settings.COMPTOIR_VIES_CHECK:
        company_vies_check_schedule(company=company)
    return company


def _company_in_use(company: Company) -> Conflict:
    return Conflict(
        _("The company %(name)s cannot be deleted: records refer to it. Deactivate it instead.")
        % {"name": company.legal_name},
        code="COMPANY_IN_USE",
        errors={"company": ["COMPANY_IN_USE"]},
    )


@buyers_changed
@transaction.atomic
def company_delete(*, company: Company) -> None:
    """Delete a company with its memberships (the users stay) and its contract price
    lists. Refused (Conflict COMPANY_IN_USE) while protected records refer to it."""
    try:
        with transaction.atomic():
            company.delete()
    except ProtectedError:
        raise _company_in_use(company) from None


@buyers_changed
@transaction.atomic
def company_vies_record(*, company: Company, result: ViesResult) -> bool:
    """Store VIES' answer on the company (status and time of the check). The row is locked
    while recording; an answer about another number than the one stored now (it changed
    while VIES was asked) is dropped: False, nothing changed."""
    locked = Company.objects.select_for_update().filter(pk=company.pk).first()
    if locked is None or not locked.vat_number:
        return False
    if result.vat_number and result.vat_number != locked.vat_number:
        return False
    now = timezone.now()
    Company.objects.filter(pk=locked.pk).update(
        vies_status=ViesStatus(result.status), vies_checked_at=now, updated_at=now
    )
    company.vies_status, company.vies_checked_at = ViesStatus(result.status), now
    return True


# --- members ------------------------------------------------------------------------------


def company_member_check(*, company: Company | None, user: User) -> None:
    """Raise the error `company_member_add` would raise for this user (also used by the
    admin's form): USER_INACTIVE, USER_IS_STAFF (400) or ALREADY_MEMBER (409)."""
    if not user.is_active:
        message = _("%(user)s is deactivated and cannot act for a company.") % {"user": user}
        raise InvalidInput(message, code="USER_INACTIVE", errors={"user": [message]})
    if user.is_staff:
        message = _("%(user)s is a staff account; staff cannot act for a company.") % {"user": user}
        raise InvalidInput(message, code="USER_IS_STAFF", errors={"user": [message]})
    current = CompanyMember.objects.filter(user=user).select_related("company").first()
    if current is not None:
        raise _already_member(
            user, current.company, same=company is not None and current.company_id == company.pk
        )


def _already_member(user: User, company: Company, *, same: bool) -> Conflict:
    if same:
        message = _("%(user)s is already a member of this company.") % {"user": user}
    else:
        message = _("%(user)s already acts for another company: %(company)s.") % {
            "user": user,
            "company": company.legal_name,
        }
    return Conflict(message, code="ALREADY_MEMBER", errors={"user": [message]})


@buyers_changed
@transaction.atomic
def company_member_add(
    *, company: Company, user: User, role: CompanyRole | None = None, job_title: str = ""
) -> CompanyMember:
    """Make `user` act for `company` with `role` (default: administrator for a company
    without an active one, buyer otherwise; 400 ROLE_NOT_FOUND for another company's
    role). A user acts for one company at most (Conflict ALREADY_MEMBER); deactivated
    (USER_INACTIVE) and staff accounts (USER_IS_STAFF) are refused."""
    company_member_check(company=company, user=user)
    job_title = text_limit(job_title, field="job_title", limit=100)
    if role is None:
        has_admin = CompanyMember.objects.filter(
            company=company, is_active=True, role__code=ADMIN_ROLE
        ).exists()
        role = role_builtin(company=company, code="buyer" if has_admin else ADMIN_ROLE)
    elif role.company_id != company.pk:
        message = _("Unknown role.")
        raise InvalidInput(message, code="ROLE_NOT_FOUND", errors={"role": [message]})
    member = CompanyMember(company=company, user=user, role=role, job_title=job_title)
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError:  # added meanwhile by another request
        current = CompanyMember.objects.filter(user=user).select_related("company").first()
        raise _already_member(
            user,
            current.company if current is not None else company,
            same=current is None or current.company_id == company.pk,
        ) from None
    return member


def company_member_remove(*, company: Company, user: User) -> None:
    """Stop `user` acting for `company`; NotFound MEMBER_NOT_FOUND when it does not; 409
    LAST_ADMIN for its last active administrator (see `company_member_delete`)."""
    member = CompanyMember.objects.filter(company=company, user=user).first()
    if member is None:
        raise NotFound(
            _("%(user)s is not a member of this company.") % {"user": user},
            code="MEMBER_NOT_FOUND",
        )
    company_member_delete(member=member)
