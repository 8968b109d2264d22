"""Requisition lists API (`/api/v1/requisition-lists...`) and reorder (`POST
/api/v1/orders/{number}/reorder`): company members, bearer token or session (session
writes pass Django's CSRF check). Another company's list, or a colleague's personal list,
is a 404 as a missing one; so is an order the caller may not see."""

from __future__ import annotations

from typing import Any, Final

from django.conf import settings
from django.http import HttpRequest
from ninja import Query, Router, Status

from comptoir.accounts.auth import session_or_bearer
from comptoir.accounts.models import User
from comptoir.cart import selectors as cart_selectors
from comptoir.cart.api.bulk import IDEMPOTENCY_HEADER, REJECTIONS, bulk_answered
from comptoir.cart.schemas import BulkOut
from comptoir.core.staff_api import page_request, paginated, reject_unknown_parameters
from comptoir.core.validation import UNSET
from comptoir.requisitions import selectors, services
from comptoir.requisitions.schemas import (
    AddToCartIn,
    CopyIn,
    ListIn,
    ListLineIn,
    ListLinePatch,
    ListOut,
    ListPageOut,
    ListPatch,
    ReorderIn,
)
from comptoir.requisitions.selectors import ListDetail, ListSummary

router = Router(tags=["requisition lists"], auth=session_or_bearer)

NOT_FOUND: Final = (
    "404 `REQUISITION_LIST_NOT_FOUND` (also another company's list or a colleague's "
    "personal list), `NOT_A_COMPANY_MEMBER`"
)
DENIED: Final = "403 `REQUISITION_SHARE_DENIED` (a shared list without `requisitions.share`)"
LINE_ERRORS: Final = (
    "400 `UNKNOWN_SKU`, `INVALID_QUANTITY` (1 to 9999, also once added up), "
    "`INVALID_INPUT` (note over 255 characters), `INVALID_TEXT`"
)


def _user(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)  # guaranteed by the router's auth
    return user


def _language(request: HttpRequest) -> str:
    return str(getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE))


def _summary_out(summary: ListSummary, user: User) -> dict[str, Any]:
    return {
        "id": summary.id,
        "name": summary.name,
        "shared": summary.shared,
        "owner": summary.owner_name,
        "is_owner": summary.owner_id == user.pk,
        "editable": summary.editable,
        "line_count": summary.line_count,
        "created_at": summary.created_at,
        "updated_at": summary.updated_at,
    }


def _detail_out(detail: ListDetail, user: User) -> dict[str, Any]:
    return {
        **_summary_out(detail.summary, user),
        "lines": [
            {
                "id": line.id,
                "sku": line.sku,
                "product": line.product_slug,
                "product_name": line.product_name,
                "variant_name": line.variant_name,
                "quantity": line.quantity,
                "note": line.note,
            }
            for line in detail.lines
        ],
    }


def _detail(request: HttpRequest, list_id: int) -> dict[str, Any]:
    user = _user(request)
    detail = selectors.requisition_list_detail(
        user=user, list_id=list_id, language=_language(request)
    )
    return _detail_out(detail, user)


@router.get(
    "requisition-lists",
    response=ListPageOut,
    summary="The requisition lists the caller sees",
    description="Their own lists and the company's shared ones, by name. Errors: 400 "
    "`INVALID_PAGINATION`, `UNKNOWN_PARAMETER`; 404 `NOT_A_COMPANY_MEMBER`.",
)
def list_lists(
    request: HttpRequest, page: int | None = Query(None), page_size: int | None = Query(None)
) -> dict[str, Any]:
    reject_unknown_parameters(request, {"page", "page_size"})
    page_req = page_request(page, page_size)
    user = _user(request)
    rows, count = selectors.requisition_lists_page(user=user, page=page_req)
    return paginated(request, page_req, count, [_summary_out(r, user) for r in rows])


@router.post(
    "requisition-lists",
    response={201: ListOut},
    summary="Create a requisition list",
    description="Owned by the caller, personal unless `shared`. Errors: 400 `INVALID_INPUT` "
    f"(name), `INVALID_TEXT`, `REQUISITION_LIST_LIMIT` (100 per member); {DENIED}; 404 "
    "`NOT_A_COMPANY_MEMBER`.",
)
def create_list(request: HttpRequest, payload: ListIn) -> Status[dict[str, Any]]:
    rlist = services.requisition_list_create(
        user=_user(request), name=payload.name, shared=payload.shared
    )
    return Status(201, _detail(request, rlist.pk))


@router.get(
    "requisition-lists/{list_id}",
    response=ListOut,
    summary="A requisition list with its lines",
    description=f"Errors: {NOT_FOUND}.",
)
def get_list(request: HttpRequest, list_id: int) -> dict[str, Any]:
    return _detail(request, list_id)


@router.patch(
    "requisition-lists/{list_id}",
    response=ListOut,
    summary="Rename, share or unshare a list",
    description=f"Errors: 400 `INVALID_INPUT`, `INVALID_TEXT`; {DENIED}; {NOT_FOUND}.",
)
def patch_list(request: HttpRequest, list_id: int, payload: ListPatch) -> dict[str, Any]:
    sent = payload.model_fields_set
    services.requisition_list_update(
        user=_user(request),
        list_id=list_id,
        name=payload.name if "name" in sent else UNSET,  # type: ignore[arg-type]
        shared=payload.shared if "shared" in sent else UNSET,
    )
    return _detail(request, list_id)


@router.delete(
    "requisition-lists/{list_id}",
    response={204: None},
    summary="Delete a list",
    description=f"Errors: {DENIED}; {NOT_FOUND}.",
)
def delete_list(request: HttpRequest, list_id: int) -> Status[None]:
    services.requisition_list_delete(user=_user(request), list_id=list_id)
    return Status(204, None)


@router.post(
    "requisition-lists/{list_id}/copy",
    response={201: ListOut},
    summary="Copy a list into a personal one",
    description="Any list the caller sees. Errors: 400 `INVALID_INPUT`, "
    f"`REQUISITION_LIST_LIMIT`; {NOT_FOUND}.",
)
def copy_list(request: HttpRequest, list_id: int, payload: CopyIn) -> Status[dict[str, Any]]:
    copy = services.requisition_list_copy(user=_user(request), list_id=list_id, name=payload.name)
    return Status(201, _detail(request, copy.pk))


@router.post(
    "requisition-lists/{list_id}/lines",
    response=ListOut,
    summary="Add a SKU to a list",
    description="A SKU already in the list adds to its line (a note given replaces the "
    f"line's). Errors: {LINE_ERRORS}, `REQUISITION_LIST_FULL` (500 lines); {DENIED}; "
    f"{NOT_FOUND}.",
)
def add_line(request: HttpRequest, list_id: int, payload: ListLineIn) -> dict[str, Any]:
    services.requisition_line_add(
        user=_user(request),
        list_id=list_id,
        sku=payload.sku,
        quantity=payload.quantity,
        note=payload.note,
    )
    return _detail(request, list_id)


@router.patch(
    "requisition-lists/{list_id}/lines/{line_id}",
    response=ListOut,
    summary="Change a line's quantity or note",
    description=f"Errors: {LINE_ERRORS}; 404 `LINE_NOT_FOUND`; {DENIED}; {NOT_FOUND}.",
)
def patch_line(
    request: HttpRequest, list_id: int, line_id: int, payload: ListLinePatch
) -> dict[str, Any]:
    sent = payload.model_fields_set
    services.requisition_line_update(
        user=_user(request),
        list_id=list_id,
        line_id=line_id,
        quantity=payload.quantity if "quantity" in sent else UNSET,
        note=payload.note if "note" in sent and payload.note is not None else UNSET,
    )
    return _detail(request, list_id)


@router.delete(
    "requisition-lists/{list_id}/lines/{line_id}",
    response=ListOut,
    summary="Remove a line",
    description=f"Errors: 404 `LINE_NOT_FOUND`; {DENIED}; {NOT_FOUND}.",
)
def delete_line(request: HttpRequest, list_id: int, line_id: int) -> dict[str, Any]:
    services.requisition_line_delete(user=_user(request), list_id=list_id, line_id=line_id)
    return _detail(request, list_id)


@router.post(
    "requisition-lists/{list_id}/add-to-cart",
    response=BulkOut,
    summary="Add a list (or some of its lines) to the cart",
    description=f"{REJECTIONS}; line numbers are the lines' positions in the list. The list "
    "does not change. Errors: 400 `INVALID_INPUT` (a line id not in the list); 404 "
    f"`CART_NOT_FOUND`; 409 `CART_LOCKED`; {NOT_FOUND}.",
    openapi_extra={"parameters": [IDEMPOTENCY_HEADER]},
)
def add_to_cart(request: HttpRequest, list_id: int, payload: AddToCartIn) -> dict[str, Any]:
    user = _user(request)
    cart = cart_selectors.cart_for(token=payload.cart, user=user)
    return bulk_answered(
        request,
        scope=f"requisition-to-cart:{user.pk}:{list_id}",
        fingerprint=payload.model_dump(),
        run=lambda: (
            cart,
            services.requisition_list_to_cart(
                user=user, list_id=list_id, cart=cart, line_ids=payload.line_ids
            ),
        ),
    )


@router.post(
    "orders/{number}/reorder",
    response=BulkOut,
    tags=["orders"],
    summary="Add a past order's lines to the cart",
    description="At today's prices. The caller's order, or their company's when their role "
    f"sees every order of the company (`orders.view_all`). {REJECTIONS}; line numbers are "
    "the order's lines. Errors: 404 `ORDER_NOT_FOUND` (also another customer's or "
    "company's order), `CART_NOT_FOUND`; 409 `CART_LOCKED`.",
    openapi_extra={"parameters": [IDEMPOTENCY_HEADER]},
)
def reorder(request: HttpRequest, number: str, payload: ReorderIn) -> dict[str, Any]:
    user = _user(request)
    given = None if payload.cart is None else cart_selectors.cart_for(token=payload.cart, user=user)
    return bulk_answered(
        request,
        scope=f"reorder:{user.pk}:{number[:100]}",
        fingerprint=payload.model_dump(),
        run=lambda: services.order_reorder(
            user=user, number=number, cart=given, language=_language(request)
        ),
    )
