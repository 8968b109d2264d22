"""Reads of the staff API and admin: warehouses, stock rows, the ledger and reservations,
filtered and paginated, each list in a fixed number of queries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.catalog.models import ProductVariant
from comptoir.core.errors import InvalidInput, NotFound
from comptoir.core.pagination import PageRequest
from comptoir.core.text import text_storable
from comptoir.core.validation import text_check
from comptoir.inventory.models import MovementKind, Reservation, Stock, StockMovement, Warehouse


def _page(queryset: QuerySet[Any], page: PageRequest) -> tuple[list[Any], int]:
    count = queryset.count()
    if page.offset >= count:  # past the end; also keeps an offset over 2**63 out of SQL
        return [], count
    return list(queryset[page.offset : page.offset + page.page_size]), count


def warehouse_admin_list(
    *, page: PageRequest, active: bool | None = None
) -> tuple[list[Warehouse], int]:
    """Warehouses by priority then id, with their channels (two queries and a count)."""
    queryset = Warehouse.objects.prefetch_related("channels").order_by("priority", "pk")
    if active is not None:
        queryset = queryset.filter(is_active=active)
    return _page(queryset, page)


def warehouse_by_code(*, code: str) -> Warehouse:
    """The warehouse with `code`; 404 WAREHOUSE_NOT_FOUND (also for text no column can
    hold, which PostgreSQL would refuse to compare)."""
    warehouse = (
        Warehouse.objects.prefetch_related("channels").filter(code=code).first()
        if text_storable(code)
        else None
    )
    if warehouse is None:
        raise NotFound(
            _("Unknown warehouse: %(code)s.") % {"code": code[:50]}, code="WAREHOUSE_NOT_FOUND"
        )
    return warehouse


def variant_by_sku(*, sku: str) -> ProductVariant:
    """The variant with `sku`; 404 VARIANT_NOT_FOUND (also for text no column can hold)."""
    variant = ProductVariant.objects.filter(sku=sku).first() if text_storable(sku) else None
    if variant is None:
        raise NotFound(_("Unknown SKU: %(sku)s.") % {"sku": sku[:64]}, code="VARIANT_NOT_FOUND")
    return variant


def stock_get(*, stock_id: int) -> Stock:
    """One stock row with its warehouse and variant; 404 STOCK_NOT_FOUND."""
    stock = Stock.objects.select_related("warehouse", "variant").filter(pk=stock_id).first()
    if stock is None:
        raise NotFound(_("Unknown stock."), code="STOCK_NOT_FOUND")
    return stock


def stock_admin_list(
    *,
    page: PageRequest,
    warehouse: str | None = None,
    sku: str | None = None,
    low: bool | None = None,
) -> tuple[list[Stock], int]:
    """Stock rows by SKU then warehouse priority. `warehouse`: a code; `sku`: exact;
    `low=true`: rows whose free quantity is at or below their threshold, `low=false`:
    the others. One query and a count. Filters holding a NUL or a lone surrogate are 400
    INVALID_TEXT (PostgreSQL refuses them in a query)."""
    text_check(warehouse=warehouse, sku=sku)
    queryset = Stock.objects.select_related("warehouse", "variant").order_by(
        "variant__sku", "warehouse__priority", "warehouse_id"
    )
    if warehouse is not None:
        queryset = queryset.filter(warehouse__code=warehouse)
    if sku is not None:
        queryset = queryset.filter(variant__sku=sku)
    if low is not None:
        is_low = {
            "low_stock_threshold__isnull": False,
            "free__lte": F("low_stock_threshold"),
        }
        queryset = queryset.alias(free=F("quantity") - F("quantity_allocated"))
        queryset = queryset.filter(**is_low) if low else queryset.exclude(**is_low)
    return _page(queryset, page)


def movement_admin_list(
    *,
    page: PageRequest,
    warehouse: str | None = None,
    sku: str | None = None,
    kind: str | None = None,
) -> tuple[list[StockMovement], int]:
    """The ledger, newest first. `kind`: one of the movement kinds (400 INVALID_INPUT
    otherwise); text filters as `stock_admin_list`. One query and a count."""
    text_check(warehouse=warehouse, sku=sku)
    if kind is not None and kind not in MovementKind.values:
        raise InvalidInput(
            _("Unknown movement kind."),
            code="INVALID_INPUT",
            errors={"kind": [_("One of: %(kinds)s.") % {"kinds": ", ".join(MovementKind.values)}]},
        )
    queryset = StockMovement.objects.select_related(
        "stock__warehouse", "stock__variant", "actor"
    ).order_by("-created_at", "-pk")
    if warehouse is not None:
        queryset = queryset.filter(stock__warehouse__code=warehouse)
    if sku is not None:
        queryset = queryset.filter(stock__variant__sku=sku)
    if kind is not None:
        queryset = queryset.filter(kind=kind)
    return _page(queryset, page)


def reservation_admin_list(
    *,
    page: PageRequest,
    token: str | None = None,
    warehouse: str | None = None,
    sku: str | None = None,
    expired: bool | None = None,
    now: datetime | None = None,
) -> tuple[list[Reservation], int]:
    """Reservations, soonest expiry first; `expired=true`: only those past their expiry at
    `now` (not released yet), `false`: the others; text filters as `stock_admin_list`. One
    query and a count."""
    text_check(token=token, warehouse=warehouse, sku=sku)
    queryset = Reservation.objects.select_related("stock__warehouse", "stock__variant").order_by(
        "expires_at", "pk"
    )
    if token is not None:
        queryset = queryset.filter(token=token)
    if warehouse is not None:
        queryset = queryset.filter(stock__warehouse__code=warehouse)
    if sku is not None:
        queryset = queryset.filter(stock__variant__sku=sku)
    if expired is not None:
        past = {"expires_at__lte": now or timezone.now()}
        queryset = queryset.filter(**past) if expired else queryset.exclude(**past)
    return _page(queryset, page)
