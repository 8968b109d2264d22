"""Staff reads of price lists (the admin API and the admin): lists filtered and paginated,
one list by code, its entries with their variant and tiers, in a constant number of
queries."""

from __future__ import annotations

import re
from typing import Final

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from comptoir.channels.models import Channel
from comptoir.core.errors import NotFound
from comptoir.core.pagination import PageRequest
from comptoir.core.text import text_storable
from comptoir.pricing.models import PriceList, PriceListEntry, PriceTier

_CODE: Final = re.compile(r"^[-a-zA-Z0-9_]{1,50}$")
MAX_ID: Final = 2**63 - 1
SEARCH_MAX: Final = 100


def _clean_search(search: str | None) -> str:
    return (search or "").replace("\x00", "").strip()[:SEARCH_MAX]


def _page[M: PriceList | PriceListEntry](
    queryset: QuerySet[M], page: PageRequest
) -> tuple[list[M], int]:
    count = queryset.count()
    if page.offset >= count:
        return [], count
    return list(queryset[page.offset : page.offset + page.page_size]), count


def _price_lists() -> QuerySet[PriceList]:
    return PriceList.objects.select_related("channel", "company", "customer_group").annotate(
        entry_count=Count("entries")
    )


def price_list_admin_list(
    *,
    page: PageRequest,
    channel: str | None = None,
    company: int | None = None,
    customer_group: str | None = None,
    search: str | None = None,
) -> tuple[list[PriceList], int]:
    """Every price list (active or not) ordered by code, filtered by channel code, company
    id, customer group code, and a search on code, name and external reference; each with
    `entry_count`. Two queries. A channel or group code no column can hold (a NUL
    character...) matches nothing, as an unknown code does."""
    rows = _price_lists().order_by("code")
    if channel:
        rows = rows.filter(channel__code=channel) if text_storable(channel) else rows.none()
    if company is not None:
        rows = rows.filter(company_id=company) if 0 < company <= MAX_ID else rows.none()
    if customer_group:
        rows = (
            rows.filter(customer_group__code=customer_group)
            if text_storable(customer_group)
            else rows.none()
        )
    if text := _clean_search(search):
        rows = rows.filter(
            Q(code__icontains=text) | Q(name__icontains=text) | Q(external_ref__icontains=text)
        )
    return _page(rows, page)


def price_list_by_code(*, code: str) -> PriceList:
    """Any price list by code, with `entry_count`; NotFound PRICE_LIST_NOT_FOUND."""
    price_list = _price_lists().filter(code=code).first() if _CODE.match(code or "") else None
    if price_list is None:
        raise NotFound(
            _("Unknown price list: %(code)s") % {"code": (code or "")[:50]},
            code="PRICE_LIST_NOT_FOUND",
        )
    return price_list


def _entries() -> QuerySet[PriceListEntry]:
    return PriceListEntry.objects.select_related("variant", "variant__product").prefetch_related(
        Prefetch("tiers", queryset=PriceTier.objects.order_by("min_quantity"))
    )


def price_list_entry_list(
    *, price_list: PriceList, page: PageRequest, search: str | None = None
) -> tuple[list[PriceListEntry], int]:
    """The entries of a list ordered by SKU, with variant, product and tiers; `search` on
    the SKU (prefix). Three queries."""
    rows = _entries().filter(price_list=price_list).order_by("variant__sku")
    if text := _clean_search(search):
        rows = rows.filter(variant__sku__istartswith=text)
    return _page(rows, page)


def price_list_entry_by_sku(*, price_list: PriceList, sku: str) -> PriceListEntry:
    """The entry of the variant `sku` in the list; NotFound PRICE_LIST_ENTRY_NOT_FOUND."""
    entry = (
        _entries().filter(price_list=price_list, variant__sku=sku).first()
        if 0 < len(sku) <= 64 and text_storable(sku)
        else None
    )
    if entry is None:
        raise NotFound(
            _("No entry for SKU %(sku)s in this price list.") % {"sku": sku[:64]},
            code="PRICE_LIST_ENTRY_NOT_FOUND",
        )
    return entry


def channel_by_code(*, code: str) -> Channel:
    """Any channel (active or not) by code; NotFound CHANNEL_NOT_FOUND."""
    channel = Channel.objects.filter(code=code).first() if _CODE.match(code or "") else None
    if channel is None:
        raise NotFound(
            _("Unknown channel: %(code)s") % {"code": (code or "")[:50]}, code="CHANNEL_NOT_FOUND"
        )
    return channel
