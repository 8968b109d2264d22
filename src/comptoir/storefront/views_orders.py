"""Order pages: the confirmation page reached by the order's secret token (guests and
customers: the checkout redirects there, the confirmation email links to it), and the
customer account's orders list and order detail (another customer's order is a 404)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from comptoir.core.errors import NotFound
from comptoir.core.money import Money
from comptoir.orders import selectors as order_selectors
from comptoir.orders.models import Fulfilment, Order, OrderLine
from comptoir.payments.models import PaymentMethod
from comptoir.storefront.cart_display import OrderTaxRow, order_taxes
from comptoir.storefront.templatetags.storefront import babel_locale

ORDERS_PAGE_SIZE = 20
# Carriers whose public tracking page takes the number in its URL.
TRACKING_PAGES = {
    "colissimo": "https://www.laposte.fr/outils/suivre-vos-envois?code={number}",
    "la poste": "https://www.laposte.fr/outils/suivre-vos-envois?code={number}",
    "chronopost": "https://www.chronopost.fr/tracking-no-cms/suivi-page?listeNumerosLT={number}",
    "dpd": "https://trace.dpd.fr/fr/trace/{number}",
    "ups": "https://www.ups.com/track?tracknum={number}",
    "dhl": "https://www.dhl.com/fr-fr/home/tracking.html?tracking-id={number}",
}


@dataclass(frozen=True, slots=True)
class ShownOrderLine:
    line: OrderLine
    unit: Money
    total: Money
    discount: Money | None


@dataclass(frozen=True, slots=True)
class Parcel:
    fulfilment: Fulfilment
    tracking_url: str
    lines: list[tuple[str, str, int]]  # product name, SKU, quantity


@dataclass(frozen=True, slots=True)
class ShownOrder:
    order: Order
    includes_tax: bool
    lines: list[ShownOrderLine]
    items: Money
    discount: Money | None
    shipping: Money
    net: Money
    tax: Money
    gross: Money
    paid: Money
    taxes: list[OrderTaxRow]
    parcels: list[Parcel]
    payment_label: str
    bank_transfer: bool


def tracking_url(fulfilment: Fulfilment) -> str:
    """The parcel's tracking link: the one recorded, else the carrier's public page."""
    if fulfilment.tracking_url:
        return fulfilment.tracking_url
    page = TRACKING_PAGES.get(fulfilment.carrier.strip().lower())
    if page and fulfilment.tracking_number:
        return page.format(number=fulfilment.tracking_number)
    return ""


def _payment_label(method: str) -> str:
    labels: dict[str, str] = {
        PaymentMethod.TEST_CARD: _("Card (test gateway)"),
        PaymentMethod.STRIPE: _("Card"),
        PaymentMethod.BANK_TRANSFER: _("Bank transfer"),
        PaymentMethod.ON_ACCOUNT: _("On account"),
    }
    return labels.get(method, method)


def shown_order(order: Order) -> ShownOrder:
    gross = order.prices_include_tax
    currency = order.currency

    def m(amount: Any) -> Money:
        return Money(amount, currency)

    lines = [
        ShownOrderLine(
            line=line,
            unit=m(line.unit_gross if gross else line.unit_net),
            total=m(line.total_gross if gross else line.total_net),
            discount=m(-line.discount_gross) if line.discount_gross else None,
        )
        for line in order.lines.all()
    ]
    parcels = [
        Parcel(
            fulfilment=fulfilment,
            tracking_url=tracking_url(fulfilment),
            lines=[
                (item.line.product_name, item.line.sku, item.quantity)
                for item in fulfilment.lines.all()
            ],
        )
        for fulfilment in order.fulfilments.all()
    ]
    return ShownOrder(
        order=order,
        includes_tax=gross,
        lines=lines,
        items=m(order.subtotal_gross if gross else order.subtotal_net),
        discount=m(-order.discount_gross) if order.discount_gross and gross else None,
        shipping=m(order.shipping_gross if gross else order.shipping_net),
        net=m(order.total_net),
        tax=m(order.total_tax),
        gross=m(order.total_gross),
        paid=m(order.amount_paid),
        taxes=order_taxes(order, babel_locale()),
        parcels=parcels,
        payment_label=_payment_label(order.payment_method),
        bank_transfer=order.payment_method == PaymentMethod.BANK_TRANSFER
        and order.amount_paid < order.total_gross,
    )


def _render(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    response = render(request, template, context)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
@require_safe
def order_confirmation(request: HttpRequest, token: str) -> HttpResponse:
    try:
        order = order_selectors.order_by_token(token=token)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    return _render(request, "storefront/order_confirmation.html", {"shown": shown_order(order)})


@login_required
@never_cache
@require_safe
def account_orders(request: HttpRequest) -> HttpResponse:
    orders = order_selectors.orders_for_customer(user=request.user)
    raw = request.GET.get("page", "1")
    number = int(raw) if raw.isdigit() and 0 < int(raw) <= 100_000 else 1
    paginator = Paginator(orders, ORDERS_PAGE_SIZE)
    if number > paginator.num_pages:
        raise Http404(_("No such page."))
    page = paginator.page(number)
    rows = list(page.object_list)
    context = {
        "page": page,
        "orders": rows,
        # A role that reads the company's orders sees who placed each.
        "colleagues": any(order.user_id != request.user.pk for order in rows),
        # Business orders show their total tax excluded, saying so on each row.
        "b2b": any(not order.prices_include_tax for order in rows),
        "current_page": "orders",
    }
    return _render(request, "storefront/account/orders.html", context)


@login_required
@never_cache
@require_safe
def account_order(request: HttpRequest, number: str) -> HttpResponse:
    try:
        order = order_selectors.order_for_customer(user=request.user, number=number)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    context = {
        "shown": shown_order(order),
        "current_page": "orders",
        # The reorder form is sent once (a double click replays the first answer).
        "reorder_key": uuid.uuid4().hex,
    }
    return _render(request, "storefront/account/order.html", context)
