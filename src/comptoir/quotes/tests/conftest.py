"""The cart tests' priced world (`shop`: B2C and B2B channels, the drill and its XL
variant, Atelier Martin with a contract list and tiers, the `pros` group list selling the
XL by 6, the Belgian Bois & Co under reverse charge, 100 of each drill in stock, a 15.00
net delivery on the business channel), and helpers to walk a quote through its states."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from comptoir.accounts.tests.factories import StaffFactory
from comptoir.cart.tests.conftest import ADDRESS, Caller, Shop, shop
from comptoir.invoicing.tests.factories import account_for
from comptoir.quotes import services
from comptoir.quotes.models import Quote

__all__ = ["ADDRESS", "Caller", "Shop", "shop"]


BE_ADDRESS = {
    "first_name": "Jan",
    "last_name": "Peeters",
    "street_address_1": "Rue Neuve 1",
    "postal_code": "1000",
    "city": "Bruxelles",
    "country": "BE",
}


@pytest.fixture
def clerk() -> Any:
    return StaffFactory.create(is_superuser=True)


def requested(shop: Shop, *lines: tuple[str, int], buyer: Any = None, **kw: Any) -> Quote:
    """A quote of `lines` by Atelier Martin's buyer (or `buyer`), submitted."""
    user = buyer or shop.buyer
    company = shop.belge if user == shop.belge_buyer else shop.martin
    address = BE_ADDRESS if company == shop.belge else ADDRESS
    quote = services.quote_request(
        user=user,
        company=company,
        channel=shop.b2b,
        lines=[{"sku": sku, "quantity": qty} for sku, qty in lines or (("DRILL", 10),)],
        shipping_address=kw.pop("shipping_address", address),
        **kw,
    )
    return services.quote_submit(quote=quote, user=user)


def sent(
    shop: Shop, clerk: Any, *lines: tuple[str, int], buyer: Any = None, **changes: Any
) -> Quote:
    """A quote requested, negotiated with `changes` (quote_update) and sent."""
    quote = requested(shop, *lines, buyer=buyer)
    if changes:
        services.quote_update(quote=quote, actor=clerk, changes=changes)
    services.quote_send(quote=quote, actor=clerk)
    # Its company may accept on account (a billing account allowing it, no credit limit).
    account_for(quote.company, limit=None)
    return Quote.objects.get(pk=quote.pk)


def expire(quote: Quote) -> None:
    Quote.objects.filter(pk=quote.pk).update(expires_at=timezone.now() - timedelta(minutes=1))


def buyer_api(client: Client, user: Any) -> Caller:
    return Caller(client, user)


def assert_ordered_at_quoted_prices(order: Any, quote: Quote) -> None:
    """The order of a quote sent with 10 % off 10 drills and a 15.00 delivery: 141.00 HT,
    its line at the negotiated 14.00 with the rule `quote:<number>`."""
    assert (order.total_net, order.total_tax, order.total_gross) == (
        Decimal("141.00"),
        Decimal("28.20"),
        Decimal("169.20"),
    )
    (line,) = order.lines.all()
    assert (line.sku, line.quantity, line.unit_net, line.total_net, line.rule) == (
        "DRILL",
        10,
        Decimal("14.00"),
        Decimal("126.00"),
        f"quote:{quote.number}",
    )


def approval_rule(shop: Shop, *, role_id: int, threshold: str) -> Any:
    """Atelier Martin's rule: orders above `threshold` HT need the role's approval."""
    from comptoir.approvals import services as approval_services

    return approval_services.rule_create(
        company=shop.martin,
        name=f"Au-delà de {threshold} € HT",
        condition="order_total",
        threshold=threshold,
        levels=[{"role_id": role_id}],
    )
