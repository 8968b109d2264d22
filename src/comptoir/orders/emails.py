"""The order emails: confirmation (order.placed), payment received (order.paid) and shipment
with tracking (order.shipped), sent by the outbox handlers (`comptoir.orders.handlers`) from
a worker, never from a request.

Each email is rendered in the order's language (French or English), as plain text with an
HTML alternative, from the order's snapshot: lines, totals with the currency formatted for
the language (Babel through `core.money.Money`), addresses, a link to the order (built from
`settings.SITE_URL`) and the tracking links. Prices are shown as the channel shows them:
tax included on a B2C channel, excluded on a B2B one.

Sending is at-least-once (the outbox retries until the mail server accepts the message), so
each email sent is written to the order's timeline (`OrderEvent` kind `email_sent`, with the
outbox event id): a redelivered event sends nothing twice, except when the worker died
between the mail server's acceptance and that write. The Message-ID is derived from the
event id too, so a mail client shows such a duplicate once.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal
from urllib.parse import urlsplit

from babel.dates import format_date
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_countries import countries

from comptoir.core.locales import babel_locale
from comptoir.core.money import Money
from comptoir.orders.models import (
    Fulfilment,
    FulfilmentStatus,
    Order,
    OrderEvent,
    PaymentStatus,
)

logger = logging.getLogger(__name__)

Kind = Literal["placed", "paid", "shipped"]
EMAIL_SENT = "email_sent"  # OrderEvent kind of a sent email
DASH = " \u2013 "  # between a product's and its variant's names


@dataclass(frozen=True, slots=True)
class EmailLine:
    name: str
    sku: str
    quantity: int
    unit: str
    total: str


@dataclass(frozen=True, slots=True)
class Amount:
    label: str
    amount: str
    strong: bool = False


@dataclass(frozen=True, slots=True)
class Tracking:
    label: str
    carrier: str
    number: str
    url: str


def order_language(order: Order) -> str:
    codes = [code for code, _name in settings.LANGUAGES]
    return order.language if order.language in codes else settings.LANGUAGE_CODE


def order_link(order: Order) -> str:
    """Where the email sends the customer: the order in their account for a customer with an
    account, the unguessable token link for a guest. Absolute, from SITE_URL (the pages are
    the storefront's, named routes, so orders imports nothing of it)."""
    if order.user_id is not None:
        path = reverse("storefront:account_order", args=[order.number])
    else:
        path = reverse("storefront:order_confirmation", args=[order.token])
    return f"{settings.SITE_URL}{path}"


def _money(amount: Decimal, order: Order, locale: str) -> str:
    return Money(amount, order.currency).format(locale)


def _address_lines(address: dict[str, Any] | None) -> list[str]:
    """An address snapshot as the lines of a postal address (country name translated)."""
    if not address:
        return []
    name = " ".join(
        str(address.get(key) or "").strip() for key in ("first_name", "last_name")
    ).strip()
    city = " ".join(str(address.get(key) or "").strip() for key in ("postal_code", "city")).strip()
    country = str(address.get("country") or "")
    lines = [
        name,
        str(address.get("company_name") or ""),
        str(address.get("street_address_1") or ""),
        str(address.get("street_address_2") or ""),
        city,
        str(countries.name(country) or country) if country else "",
    ]
    return [line.strip() for line in lines if line and line.strip()]


def _pickup_lines(order: Order) -> list[str]:
    warehouse = order.pickup_warehouse
    if warehouse is None:
        return []
    city = f"{warehouse.postal_code} {warehouse.city}".strip()
    return [line for line in (warehouse.name, warehouse.street_address, city) if line]


def _payment_note(order: Order) -> str:
    status = order.payment_status
    if status == PaymentStatus.PAID:
        return _("We have received your payment.")
    if status == PaymentStatus.AUTHORIZED:
        return _("Your payment is authorised; it will be taken when your order ships.")
    if status == PaymentStatus.ON_ACCOUNT:
        return _("This order is on account: it will be invoiced on your company's terms.")
    if order.payment_method == "bank_transfer":
        return _("We will prepare your order as soon as we receive your bank transfer.")
    return _("Your order is awaiting payment.")


def _totals(order: Order, locale: str) -> list[Amount]:
    gross = order.prices_include_tax
    rows = [
        Amount(
            _("Subtotal"),
            _money(order.subtotal_gross if gross else order.subtotal_net, order, locale),
        ),
    ]
    if order.shipping_method_name or order.shipping_gross:
        shipping = order.shipping_gross if gross else order.shipping_net
        rows.append(
            Amount(_("Shipping"), _money(shipping, order, locale) if shipping else _("Free"))
        )
    if gross:
        rows.append(Amount(_("Total"), _money(order.total_gross, order, locale), strong=True))
        rows.append(Amount(_("Including VAT"), _money(order.total_tax, order, locale)))
    else:
        rows.append(Amount(_("Total excluding VAT"), _money(order.total_net, order, locale)))
        rows.append(Amount(_("VAT"), _money(order.total_tax, order, locale)))
        rows.append(
            Amount(_("Total including VAT"), _money(order.total_gross, order, locale), strong=True)
        )
    return rows


def _discounts(order: Order, locale: str) -> list[Amount]:
    """The order's promotions and coupons (already included in the subtotal)."""
    rows = []
    for discount in order.discounts or []:
        label = str(discount.get("name") or discount.get("code") or "")
        try:
            amount = Decimal(str(discount.get("amount") or "0"))
        except ArithmeticError:
            continue
        if label and amount:
            rows.append(Amount(label, _money(-abs(amount), order, locale)))
    return rows


def _lines(order: Order, locale: str) -> list[EmailLine]:
    gross = order.prices_include_tax
    return [
        EmailLine(
            name=DASH.join(part for part in (line.product_name, line.variant_name) if part),
            sku=line.sku,
            quantity=line.quantity,
            unit=_money(line.unit_gross if gross else line.unit_net, order, locale),
            total=_money(line.total_gross if gross else line.total_net, order, locale),
        )
        for line in order.lines.all()
    ]


def _safe_url(url: str) -> str:
    """A tracking URL only if it is an http(s) link (never a javascript: or data: one)."""
    return url if urlsplit(url).scheme in {"http", "https"} else ""


def _tracking(order: Order, fulfilment: Fulfilment) -> list[Tracking]:
    """This shipment's tracking first, then the other parcels of the order that have one."""
    parcels = [fulfilment] + [
        other
        for other in order.fulfilments.exclude(status=FulfilmentStatus.CANCELLED).order_by(
            "sequence"
        )
        if other.pk != fulfilment.pk
    ]
    found = []
    for parcel in parcels:
        if not (parcel.tracking_number or parcel.tracking_url):
            continue
        found.append(
            Tracking(
                label=_("Parcel %(n)d") % {"n": parcel.sequence},
                carrier=parcel.carrier,
                number=parcel.tracking_number,
                url=_safe_url(parcel.tracking_url),
            )
        )
    return found


def _shipped_lines(fulfilment: Fulfilment) -> list[EmailLine]:
    return [
        EmailLine(
            name=DASH.join(
                part for part in (item.line.product_name, item.line.variant_name) if part
            ),
            sku=item.line.sku,
            quantity=item.quantity,
            unit="",
            total="",
        )
        for item in fulfilment.lines.select_related("line")
    ]


def _subject(kind: Kind, order: Order) -> str:
    values = {"number": order.number, "shop": order.channel.name}
    if kind == "placed":
        return _("Your order %(number)s at %(shop)s is confirmed") % values
    if kind == "paid":
        return _("Payment received for your order %(number)s at %(shop)s") % values
    return _("Your order %(number)s at %(shop)s has shipped") % values


def _context(
    kind: Kind, order: Order, fulfilment: Fulfilment | None, locale: str
) -> dict[str, Any]:
    context: dict[str, Any] = {
        "kind": kind,
        "order": order,
        "shop_name": order.channel.name,
        "customer_name": (order.billing_address or {}).get("first_name") or "",
        "placed_on": format_date(timezone.localtime(order.placed_at), "long", locale=locale),
        "lines": _lines(order, locale),
        "totals": _totals(order, locale),
        "discounts": _discounts(order, locale),
        "prices_include_tax": order.prices_include_tax,
        "payment_note": _payment_note(order),
        "amount_paid": _money(order.amount_paid, order, locale),
        "shipping_method": order.shipping_method_name,
        "shipping_address": _address_lines(order.shipping_address),
        "pickup": _pickup_lines(order),
        "billing_address": _address_lines(order.billing_address),
        "legal_mention": order.legal_mention,
        "po_number": order.po_number,
        "cost_centre": order.cost_centre,
        "order_url": order_link(order),
        "site_url": settings.SITE_URL,
    }
    if fulfilment is not None:
        remaining = sum(
            max(line.quantity - line.quantity_fulfilled - line.quantity_refunded, 0)
            for line in order.lines.all()
        )
        context.update(
            shipped_lines=_shipped_lines(fulfilment),
            tracking=_tracking(order, fulfilment),
            more_to_come=remaining > 0,
            shipped_on=format_date(
                timezone.localtime(fulfilment.shipped_at), "long", locale=locale
            ),
        )
    return context


def _tidy(text: str) -> str:
    """Plain text without the blank lines the templates' tags leave (two at most)."""
    return (
        re.sub(r"\n{3,}", "\n\n", "\n".join(line.rstrip() for line in text.splitlines())).strip()
        + "\n"
    )


def order_email(
    *, order: Order, kind: Kind, fulfilment: Fulfilment | None = None, event_id: int | None = None
) -> EmailMultiAlternatives:
    """The email `kind` of `order`, rendered in the order's language (text + HTML).
    `fulfilment` is required for "shipped"; `event_id` (the outbox event) makes the
    Message-ID stable across redeliveries."""
    if kind == "shipped" and fulfilment is None:
        raise ValueError("A shipment email needs its fulfilment.")
    language = order_language(order)
    locale = babel_locale(language)
    with translation.override(language):
        context = _context(kind, order, fulfilment, locale)
        subject = _subject(kind, order)
        text = _tidy(render_to_string(f"orders/email/{kind}.txt", context))
        html = render_to_string(f"orders/email/{kind}.html", context)
    headers = {"Content-Language": language, "Auto-Submitted": "auto-generated"}
    if event_id is not None:
        domain = urlsplit(settings.SITE_URL).hostname or "comptoir.invalid"
        headers["Message-ID"] = f"<order-{order.pk}.{kind}.event-{event_id}@{domain}>"
    message = EmailMultiAlternatives(
        " ".join(subject.split()), text, None, [order.email], headers=headers
    )
    message.attach_alternative(html, "text/html")
    return message


def _already_sent(order: Order, kind: Kind, event_id: int | None) -> bool:
    if event_id is None:
        return False
    return OrderEvent.objects.filter(
        order=order, kind=EMAIL_SENT, data__email=kind, data__event=event_id
    ).exists()


def order_email_send(
    *, order: Order, kind: Kind, fulfilment: Fulfilment | None = None, event_id: int | None = None
) -> bool:
    """Send the email `kind` of `order` and write it to the order's timeline; False (nothing
    sent) when the email for this outbox event was already sent. Raises what the mail
    backend raises (OSError, smtplib errors) for the outbox to retry. Call it outside any
    transaction: the mail server is not called while a lock is held."""
    if _already_sent(order, kind, event_id):
        return False
    message = order_email(order=order, kind=kind, fulfilment=fulfilment, event_id=event_id)
    message.send(using="default")
    data: dict[str, Any] = {"email": kind, "to": order.email, "event": event_id}
    if kind == "placed":
        data["paid"] = order.payment_status == PaymentStatus.PAID
    if fulfilment is not None:
        data["fulfilment"] = fulfilment.pk
    OrderEvent.objects.create(order=order, kind=EMAIL_SENT, data=data)
    return True


def payment_confirmed_at_placement(order: Order) -> bool:
    """True when the confirmation email already told the customer the order was paid (a
    card payment settled before the order was made), so no "payment received" email
    follows it."""
    return OrderEvent.objects.filter(
        order=order, kind=EMAIL_SENT, data__email="placed", data__paid=True
    ).exists()
