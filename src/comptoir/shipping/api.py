"""API of shipping. Public routes on `router` (none yet: carts list the shipping methods a
cart may use); staff and integration routes on `admin_router`, mounted under
/api/v1/admin/: shipping zones and their methods with weight brackets inline.

Every staff handler checks the caller's Django model permission (shipping.*_shippingzone,
shipping.*_shippingmethod), then calls one service (writes) or a selector (reads). Money
as strings with the currency's decimals ("4.90")."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Model
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from comptoir.accounts.auth import session_or_bearer
from comptoir.channels.models import Channel
from comptoir.core.errors import InvalidInput, NotFound
from comptoir.core.money import quantize
from comptoir.core.staff_api import (
    as_bad_reference,
    page_request,
    paginated,
    patch_changes,
    reject_unknown_parameters,
    staff,
)
from comptoir.core.text import text_storable
from comptoir.inventory.models import Warehouse
from comptoir.shipping import selectors, services
from comptoir.shipping.models import ShippingMethod, ShippingZone
from comptoir.shipping.schemas import (
    ShippingMethodIn,
    ShippingMethodListOut,
    ShippingMethodOut,
    ShippingMethodPatch,
    ShippingZoneIn,
    ShippingZoneListOut,
    ShippingZoneOut,
    ShippingZonePatch,
    WeightBracketsIn,
)
from comptoir.taxes.models import TaxClass

router = Router(tags=["shipping"])
admin_router = Router(tags=["admin: shipping"], auth=session_or_bearer)

ACCESS = "401 UNAUTHORIZED, 403 PERMISSION_DENIED"
ZONE_ERRORS = (
    "400 INVALID_COUNTRY / INVALID_TEXT / INVALID_INPUT, 409 COUNTRY_IN_ANOTHER_ZONE / "
    "EXTERNAL_REF_TAKEN, 422 VALIDATION_ERROR"
)
METHOD_ERRORS = (
    "400 INVALID_PRICE / INVALID_BRACKETS / WEIGHT_BRACKETS_REQUIRED / "
    "PICKUP_WAREHOUSE_REQUIRED / INVALID_PICKUP_WAREHOUSE / INVALID_WEIGHT_RANGE / "
    "INVALID_DELIVERY_DAYS / TAX_CLASS_NOT_FOUND / WAREHOUSE_NOT_FOUND / INVALID_TEXT / "
    "INVALID_INPUT, 409 METHOD_CODE_TAKEN / EXTERNAL_REF_TAKEN, 422 VALIDATION_ERROR"
)
NULLABLE_ZONE = frozenset({"external_ref", "metadata"})
NULLABLE_METHOD = frozenset(
    {"free_over", "min_weight_grams", "max_weight_grams", "tax_class", "pickup_warehouse"}
    | {"external_ref", "metadata"}
)


# --- output -----------------------------------------------------------------------------------


def _amount(value: Decimal | None, currency: str) -> str | None:
    return None if value is None else str(quantize(value, currency))


def method_out(method: ShippingMethod) -> dict[str, Any]:
    channel = method.zone.channel
    currency = channel.currency
    return {
        "id": method.pk,
        "zone": method.zone_id,
        "channel": channel.code,
        "currency": currency,
        "code": method.code,
        "name": method.name,
        "name_en": method.name_en,
        "description": method.description,
        "description_en": method.description_en,
        "kind": method.kind,
        "price": _amount(method.price, currency),
        "free_over": _amount(method.free_over, currency),
        "min_weight_grams": method.min_weight_grams,
        "max_weight_grams": method.max_weight_grams,
        "tax_class": method.tax_class.code if method.tax_class is not None else None,
        "pickup_warehouse": (
            method.pickup_warehouse.code if method.pickup_warehouse is not None else None
        ),
        "delivery_days_min": method.delivery_days_min,
        "delivery_days_max": method.delivery_days_max,
        "position": method.position,
        "is_active": method.is_active,
        "brackets": [
            {"up_to_grams": b.up_to_grams, "price": _amount(b.price, currency)}
            for b in sorted(method.brackets.all(), key=lambda b: b.up_to_grams)
        ],
        "external_ref": method.external_ref,
        "metadata": method.metadata,
    }


def zone_out(zone: ShippingZone) -> dict[str, Any]:
    methods = list(zone.methods.all())
    for method in methods:
        method.zone = zone  # its channel is already loaded
    return {
        "id": zone.pk,
        "channel": zone.channel.code,
        "currency": zone.channel.currency,
        "name": zone.name,
        "countries": list(zone.countries),
        "is_active": zone.is_active,
        "external_ref": zone.external_ref,
        "metadata": zone.metadata,
        "methods": [method_out(m) for m in methods],
    }


# --- references in bodies and queries -------------------------------------------------------


def _by_code[M: Model](model: type[M], code: str, error: str, field: str, label: str) -> M:
    """The row of `model` with `code`; a reference to an unknown one is bad input (400)."""
    found = (
        model._default_manager.filter(code=code).first()
        if len(code) <= 100 and text_storable(code)
        else None
    )
    if found is None:
        message = _("Unknown %(what)s: %(code)s.") % {"what": label, "code": code[:100]}
        raise InvalidInput(message, code=error, errors={field: [message]})
    return found


def _channel(code: str) -> Channel:
    return _by_code(Channel, code, "CHANNEL_NOT_FOUND", "channel", _("channel"))


def _refs(fields: dict[str, Any]) -> dict[str, Any]:
    """Tax class and warehouse codes of a method body turned into rows."""
    out = dict(fields)
    if out.get("tax_class") is not None:
        out["tax_class"] = _by_code(
            TaxClass, out["tax_class"], "TAX_CLASS_NOT_FOUND", "tax_class", _("tax class")
        )
    if out.get("pickup_warehouse") is not None:
        out["pickup_warehouse"] = _by_code(
            Warehouse,
            out["pickup_warehouse"],
            "WAREHOUSE_NOT_FOUND",
            "pickup_warehouse",
            _("warehouse"),
        )
    if out.get("brackets") is not None:
        # model_dump() gives dicts (create), patch_changes() the schema objects (update).
        out["brackets"] = [
            (b["up_to_grams"], b["price"]) if isinstance(b, dict) else (b.up_to_grams, b.price)
            for b in out["brackets"]
        ]
    return out


# --- zones ------------------------------------------------------------------------------------


@admin_router.get(
    "shipping-zones",
    response=ShippingZoneListOut,
    summary="Shipping zones",
    description=(
        "Zones by id, each with its methods and their brackets; `channel` (code) and "
        f"`active` filter them. Errors: {ACCESS}, 400 CHANNEL_NOT_FOUND / INVALID_PAGINATION "
        "/ UNKNOWN_PARAMETER, 422 VALIDATION_ERROR."
    ),
)
def admin_list_shipping_zones(
    request: HttpRequest,
    channel: str | None = Query(None),
    active: bool | None = Query(None),
    page: int | None = Query(None),
    page_size: int | None = Query(None),
) -> dict[str, Any]:
    staff(request, "shipping.view_shippingzone")
    reject_unknown_parameters(request, {"channel", "active", "page", "page_size"})
    page_req = page_request(page, page_size)
    found = _channel(channel) if channel else None
    rows, count = selectors.zone_admin_page(page=page_req, channel=found, active=active)
    return paginated(request, page_req, count, [zone_out(z) for z in rows])


@admin_router.post(
    "shipping-zones",
    response={201: ShippingZoneOut},
    summary="Create a shipping zone",
    description=(
        "A country belongs to at most one active zone of a channel. Errors: "
        f"{ACCESS}, 400 CHANNEL_NOT_FOUND, {ZONE_ERRORS}."
    ),
)
def admin_create_shipping_zone(
    request: HttpRequest, payload: ShippingZoneIn
) -> Status[dict[str, Any]]:
    user = staff(request, "shipping.add_shippingzone")
    data = payload.model_dump()
    data["channel"] = _channel(data["channel"])
    zone = services.shipping_zone_create(actor=user, **data)
    return Status(201, zone_out(selectors.zone_by_id(zone.pk)))


@admin_router.get(
    "shipping-zones/{zone_id}",
    response=ShippingZoneOut,
    summary="A shipping zone",
    description=f"With its methods and their brackets. Errors: {ACCESS}, 404 ZONE_NOT_FOUND.",
)
def admin_get_shipping_zone(request: HttpRequest, zone_id: int) -> dict[str, Any]:
    staff(request, "shipping.view_shippingzone")
    return zone_out(selectors.zone_by_id(zone_id))


@admin_router.patch(
    "shipping-zones/{zone_id}",
    response=ShippingZoneOut,
    summary="Change a shipping zone",
    description=(
        "Only the fields sent change (the channel never does). Errors: "
        f"{ACCESS}, 404 ZONE_NOT_FOUND, {ZONE_ERRORS}."
    ),
)
def admin_update_shipping_zone(
    request: HttpRequest, zone_id: int, payload: ShippingZonePatch
) -> dict[str, Any]:
    user = staff(request, "shipping.change_shippingzone")
    zone = selectors.zone_by_id(zone_id)
    changes = patch_changes(payload, nullable=NULLABLE_ZONE)
    services.shipping_zone_update(zone=zone, actor=user, **changes)
    return zone_out(selectors.zone_by_id(zone_id))


@admin_router.delete(
    "shipping-zones/{zone_id}",
    response={204: None},
    summary="Delete a shipping zone",
    description=f"With its methods. Errors: {ACCESS}, 404 ZONE_NOT_FOUND.",
)
def admin_delete_shipping_zone(request: HttpRequest, zone_id: int) -> Status[None]:
    user = staff(request, "shipping.delete_shippingzone")
    services.shipping_zone_delete(zone=selectors.zone_by_id(zone_id), actor=user)
    return Status(204, None)


# --- methods ----------------------------------------------------------------------------------


@admin_router.get(
    "shipping-methods",
    response=ShippingMethodListOut,
    summary="Shipping methods",
    description=(
        "By zone, then position; `zone` (id) filters them. Errors: "
        f"{ACCESS}, 400 ZONE_NOT_FOUND / INVALID_PAGINATION / UNKNOWN_PARAMETER, "
        "422 VALIDATION_ERROR."
    ),
)
def admin_list_shipping_methods(
    request: HttpRequest,
    zone: int | None = Query(None),
    page: int | None = Query(None),
    page_size: int | None = Query(None),
) -> dict[str, Any]:
    staff(request, "shipping.view_shippingmethod")
    reject_unknown_parameters(request, {"zone", "page", "page_size"})
    page_req = page_request(page, page_size)
    found = None
    if zone is not None:
        try:
            found = selectors.zone_by_id(zone)
        except NotFound as exc:
            raise as_bad_reference(exc, "zone") from None
    rows, count = selectors.method_admin_page(page=page_req, zone=found)
    return paginated(request, page_req, count, [method_out(m) for m in rows])


@admin_router.post(
    "shipping-methods",
    response={201: ShippingMethodOut},
    summary="Create a shipping method",
    description=(
        "In a zone, with its weight brackets when weight-based. Errors: "
        f"{ACCESS}, 400 ZONE_NOT_FOUND, {METHOD_ERRORS}."
    ),
)
def admin_create_shipping_method(
    request: HttpRequest, payload: ShippingMethodIn
) -> Status[dict[str, Any]]:
    user = staff(request, "shipping.add_shippingmethod")
    data = _refs(payload.model_dump())
    try:
        data["zone"] = selectors.zone_by_id(data["zone"])
    except NotFound as exc:
        raise as_bad_reference(exc, "zone") from None
    method = services.shipping_method_create(actor=user, **data)
    return Status(201, method_out(selectors.method_by_id(method.pk)))


@admin_router.get(
    "shipping-methods/{method_id}",
    response=ShippingMethodOut,
    summary="A shipping method",
    description=f"With its brackets. Errors: {ACCESS}, 404 METHOD_NOT_FOUND.",
)
def admin_get_shipping_method(request: HttpRequest, method_id: int) -> dict[str, Any]:
    staff(request, "shipping.view_shippingmethod")
    return method_out(selectors.method_by_id(method_id))


@admin_router.patch(
    "shipping-methods/{method_id}",
    response=ShippingMethodOut,
    summary="Change a shipping method",
    description=(
        "Only the fields sent change; `brackets` replaces all of them. A method that stops "
        "being a pick-up loses its warehouse; one that stops being weight-based loses its "
        f"brackets. Errors: {ACCESS}, 404 METHOD_NOT_FOUND, {METHOD_ERRORS}."
    ),
)
def admin_update_shipping_method(
    request: HttpRequest, method_id: int, payload: ShippingMethodPatch
) -> dict[str, Any]:
    user = staff(request, "shipping.change_shippingmethod")
    method = selectors.method_by_id(method_id)
    changes = _refs(patch_changes(payload, nullable=NULLABLE_METHOD))
    services.shipping_method_update(method=method, actor=user, **changes)
    return method_out(selectors.method_by_id(method_id))


@admin_router.put(
    "shipping-methods/{method_id}/brackets",
    response=ShippingMethodOut,
    summary="Replace the weight brackets of a method",
    description=(
        "A parcel pays the price of the lightest bracket that holds it; heavier parcels "
        f"cannot use the method. Errors: {ACCESS}, 404 METHOD_NOT_FOUND, 400 INVALID_BRACKETS "
        "/ WEIGHT_BRACKETS_REQUIRED / INVALID_PRICE, 422 VALIDATION_ERROR."
    ),
)
def admin_set_shipping_brackets(
    request: HttpRequest, method_id: int, payload: WeightBracketsIn
) -> dict[str, Any]:
    user = staff(request, "shipping.change_shippingmethod")
    method = selectors.method_by_id(method_id)
    brackets = [(b.up_to_grams, b.price) for b in payload.brackets]
    services.weight_brackets_set(method=method, brackets=brackets, actor=user)
    return method_out(selectors.method_by_id(method_id))


@admin_router.delete(
    "shipping-methods/{method_id}",
    response={204: None},
    summary="Delete a shipping method",
    description=f"With its brackets. Errors: {ACCESS}, 404 METHOD_NOT_FOUND.",
)
def admin_delete_shipping_method(request: HttpRequest, method_id: int) -> Status[None]:
    user = staff(request, "shipping.delete_shippingmethod")
    services.shipping_method_delete(method=selectors.method_by_id(method_id), actor=user)
    return Status(204, None)
