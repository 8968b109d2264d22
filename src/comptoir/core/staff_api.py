"""Plumbing of the staff endpoints under /api/v1/admin/, shared by every app's staff API:
the access check, page-number pagination, query parameter and PATCH body checks.

Here rather than in comptoir.catalog.api.common (which re-exports it) because taxes,
companies and promotions may not import the catalog."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.core.errors import InvalidInput, NotFound, PermissionDenied
from comptoir.core.pagination import PageRequest, page_links


def staff(request: HttpRequest, *permissions: str) -> User:
    """The authenticated caller if active staff with `permissions`; PermissionDenied
    (PERMISSION_DENIED) otherwise."""
    user = request.auth  # type: ignore[attr-defined]
    if not isinstance(user, User) or not user.is_active or not user.is_staff:
        raise PermissionDenied(_("Staff only."), code="PERMISSION_DENIED")
    if not user.has_perms(permissions):
        raise PermissionDenied(
            _("Missing permission: %(perms)s") % {"perms": ", ".join(permissions)},
            code="PERMISSION_DENIED",
        )
    return user


def page_request(page: int | None, page_size: int | None) -> PageRequest:
    """`?page=&page_size=` checked (INVALID_PAGINATION)."""
    return PageRequest.parse(page, page_size)


def paginated(
    request: HttpRequest, page: PageRequest, count: int, results: list[Any]
) -> dict[str, Any]:
    """The `{count, next, previous, results}` body of a list, its links keeping the other
    query parameters of the request."""
    query = {
        key: request.GET.getlist(key) for key in request.GET if key not in ("page", "page_size")
    }
    nxt, prev = page_links(path=request.path, query=query, request=page, count=count)
    return {"count": count, "next": nxt, "previous": prev, "results": results}


def reject_unknown_parameters(request: HttpRequest, allowed: set[str]) -> None:
    """InvalidInput(UNKNOWN_PARAMETER) naming the query parameters not in `allowed`."""
    unknown = sorted(set(request.GET) - allowed)
    if unknown:
        detail = _("Unknown query parameters: %(names)s.") % {"names": ", ".join(unknown)[:200]}
        raise InvalidInput(
            detail,
            code="UNKNOWN_PARAMETER",
            errors={name[:100]: [_("Unknown parameter.")] for name in unknown[:20]},
        )


def patch_changes(payload: Any, *, nullable: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The fields a PATCH body sets. null is refused (INVALID_INPUT) except for the fields
    in `nullable`, where it means "none"."""
    fields = {name: getattr(payload, name) for name in payload.model_fields_set}
    refused = sorted(n for n, v in fields.items() if v is None and n not in nullable)
    if refused:
        raise InvalidInput(
            _("These fields cannot be null: %(fields)s") % {"fields": ", ".join(refused)},
            code="INVALID_INPUT",
            errors={name: [_("Cannot be null.")] for name in refused},
        )
    return fields


def as_bad_reference(exc: NotFound, field: str) -> InvalidInput:
    """A reference in a request body to something unknown is bad input (400), not a 404."""
    return InvalidInput(exc.detail, code=exc.code, errors={field: [exc.detail]})
