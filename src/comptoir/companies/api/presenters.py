"""Shapes of company objects in the API, and the address writes from their schemas,
shared by the buyer and staff routes."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from comptoir.accounts.services import ADDRESS_TEXT_FIELDS
from comptoir.companies import selectors, services
from comptoir.companies.models import (
    Company,
    CompanyAddress,
    CompanyInvitation,
    CompanyJoinRequest,
    CompanyMember,
    CompanyRole,
)
from comptoir.companies.permissions import role_label
from comptoir.core.staff_api import patch_changes


def role_ref(role: CompanyRole) -> dict[str, Any]:
    return {"id": role.pk, "code": role.code or None, "name": role_label(role.code, role.name)}


def role_out(role: CompanyRole) -> dict[str, Any]:
    return role_ref(role) | {
        "permissions": sorted(role.permissions),
        "is_builtin": role.is_builtin,
        "member_count": getattr(role, "member_count", 0),
    }


def member_out(member: CompanyMember) -> dict[str, Any]:
    return {
        "id": member.pk,
        "user_id": member.user_id,
        "email": member.user.email,
        "first_name": member.user.first_name,
        "last_name": member.user.last_name,
        "role": role_ref(member.role),
        "is_active": member.is_active,
        "job_title": member.job_title,
        "created_at": member.created_at,
    }


def person_out(user: Any) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"email": user.email, "first_name": user.first_name, "last_name": user.last_name}


def address_out(address: CompanyAddress) -> dict[str, Any]:
    return {
        "id": address.pk,
        "kind": address.kind,
        "label": address.label,
        "is_default": address.is_default,
        **{field: str(getattr(address, field) or "") for field in ADDRESS_TEXT_FIELDS},
    }


def invitation_out(invitation: CompanyInvitation) -> dict[str, Any]:
    return {
        "id": invitation.pk,
        "email": invitation.email,
        "role": role_ref(invitation.role),
        "status": invitation.status,
        "expired": invitation.expires_at <= timezone.now(),
        "created_at": invitation.created_at,
        "expires_at": invitation.expires_at,
    }


def join_request_out(request: CompanyJoinRequest) -> dict[str, Any]:
    return {
        "id": request.pk,
        "company_id": request.company_id,
        "company_name": request.company.legal_name,
        "user": person_out(request.user),
        "message": request.message,
        "status": request.status,
        "created_at": request.created_at,
    }


def address_create_from(company: Company, payload: Any) -> dict[str, Any]:
    """`company_address_create` from a CompanyAddressIn; the new address's body."""
    data = payload.model_dump()
    address = services.company_address_create(
        company=company,
        kind=data["kind"],
        label=data["label"],
        is_default=data["is_default"],
        fields={name: data[name] for name in ADDRESS_TEXT_FIELDS},
    )
    return address_out(address)


def address_update_from(address: CompanyAddress, payload: Any) -> dict[str, Any]:
    """`company_address_update` from a CompanyAddressPatch; the address's body."""
    changes = patch_changes(payload)
    updated = services.company_address_update(
        address=address,
        label=changes.pop("label", None),
        is_default=changes.pop("is_default", None),
        fields=changes,
    )
    return address_out(updated)


def role_body(company: Company, role_id: int) -> dict[str, Any]:
    """A role of the company as listed (with its member count)."""
    return role_out(
        next(r for r in selectors.company_role_list(company=company) if r.pk == role_id)
    )
