"""The order emails: confirmation, payment received and shipment, in the order's language,
as text and HTML, sent by the outbox handlers; over a real SMTP server (aiosmtpd) too,
including a server that is down, then back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email.message import EmailMessage
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django.utils import timezone, translation
from django.utils.translation import gettext
from pytest_django import DjangoCaptureOnCommitCallbacks

from comptoir.accounts.tests.factories import UserFactory
from comptoir.channels.tests.factories import B2BChannelFactory, ChannelFactory
from comptoir.core import outbox
from comptoir.core.models import OutboxEvent
from comptoir.core.testing_smtp import SmtpServer
from comptoir.orders import emails, handlers
from comptoir.orders.models import (
    Fulfilment,
    FulfilmentLine,
    Order,
    OrderEvent,
    OrderLine,
    PaymentStatus,
)

pytestmark = pytest.mark.django_db

SITE = "https://shop.example.test"
NNBSP, NBSP = "\u202f", "\xa0"  # French thousands separator, space before the euro sign
TIMES, DASH = "\u00d7", "\u2013"
DRILL = f"Perceuse-visseuse 18 V {DASH} Sans batterie"
FR_TOTAL, EN_TOTAL = f"1{NNBSP}240,90{NBSP}€", "€1,240.90"

SHIPPING_ADDRESS = {
    "first_name": "Léa",
    "last_name": "Durand",
    "company_name": "",
    "street_address_1": "12 rue des Lilas",
    "street_address_2": "Bâtiment B",
    "postal_code": "75011",
    "city": "Paris",
    "country": "FR",
    "phone": "+33612345678",
}
BILLING_ADDRESS = {
    **SHIPPING_ADDRESS,
    "street_address_2": "",
    "postal_code": "1000",
    "city": "Bruxelles",
    "country": "BE",
}


def make_order(
    *,
    language: str = "fr",
    user: Any = None,
    b2b: bool = False,
    payment_status: str = PaymentStatus.PAID,
    payment_method: str = "card",
    number: str = "BF-000042",
) -> Order:
    """An order written with the ORM (as orders.services.order_create would store it):
    a drill and three drill bits, Colissimo shipping, a coupon; 1,240.90 EUR."""
    channel = B2BChannelFactory.create() if b2b else ChannelFactory.create()
    order = Order.objects.create(
        number=number,
        channel=channel,
        user=user,
        email="lea@example.fr",
        language=language,
        status="placed",
        payment_status=payment_status,
        payment_method=payment_method,
        currency="EUR",
        prices_include_tax=not b2b,
        subtotal_net=Decimal("1028.33"),
        subtotal_tax=Decimal("205.67"),
        subtotal_gross=Decimal("1234.00"),
        discount_gross=Decimal("10.00"),
        shipping_net=Decimal("5.75"),
        shipping_tax=Decimal("1.15"),
        shipping_gross=Decimal("6.90"),
        total_net=Decimal("1034.08"),
        total_tax=Decimal("206.82"),
        total_gross=Decimal("1240.90"),
        amount_paid=Decimal("1240.90") if payment_status == PaymentStatus.PAID else Decimal(0),
        tax_breakdown=[{"rate": "20.000", "net": "1034.08", "tax": "206.82"}],
        shipping_method_code="colissimo",
        shipping_method_name="Colissimo",
        shipping_address=SHIPPING_ADDRESS,
        billing_address=BILLING_ADDRESS,
        discounts=[{"code": "BIENVENUE", "name": "Bienvenue -10 €", "amount": "10.00"}],
        coupon_codes=["BIENVENUE"],
        po_number="PO-7781" if b2b else "",
        placed_at=datetime(2026, 11, 27, 10, 0, tzinfo=UTC),
    )
    OrderLine.objects.create(
        order=order,
        sku="PER-18V",
        product_name="Perceuse-visseuse 18 V",
        variant_name="Sans batterie",
        quantity=1,
        tax_rate=Decimal("20.000"),
        undiscounted_unit_gross=Decimal("1199.00"),
        unit_net=Decimal("990.83"),
        unit_gross=Decimal("1189.00"),
        discount_gross=Decimal("10.00"),
        total_net=Decimal("990.83"),
        total_tax=Decimal("198.17"),
        total_gross=Decimal("1189.00"),
    )
    OrderLine.objects.create(
        order=order,
        sku="FORET-6",
        product_name="Foret béton <6 mm>",
        quantity=3,
        tax_rate=Decimal("20.000"),
        undiscounted_unit_gross=Decimal("15.00"),
        unit_net=Decimal("12.50"),
        unit_gross=Decimal("15.00"),
        total_net=Decimal("37.50"),
        total_tax=Decimal("7.50"),
        total_gross=Decimal("45.00"),
    )
    return order


def ship(
    order: Order, *, quantity: int = 1, url: str = "https://suivi.example/6A123", sequence: int = 1
) -> Fulfilment:
    """A parcel with `quantity` drills (the first line)."""
    line = order.lines.get(sku="PER-18V")
    fulfilment = Fulfilment.objects.create(
        order=order,
        sequence=sequence,
        carrier="Colissimo",
        tracking_number=f"6A12{sequence}",
        tracking_url=url,
        shipped_at=datetime(2026, 11, 28, 15, 0, tzinfo=UTC),
    )
    FulfilmentLine.objects.create(fulfilment=fulfilment, line=line, quantity=quantity)
    OrderLine.objects.filter(pk=line.pk).update(quantity_fulfilled=quantity)
    return fulfilment


def emit(topic: str, order: Order, **payload: Any) -> OutboxEvent:
    with transaction.atomic():
        return outbox.emit(
            topic,
            aggregate="order",
            aggregate_id=order.pk,
            payload={"number": order.number, **payload},
        )


def html_of(message: Any) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return str(html)


@pytest.fixture(autouse=True)
def site() -> Iterator[None]:
    with override_settings(SITE_URL=SITE):
        yield


# --- rendering -------------------------------------------------------------------------------


def test_confirmation_in_french() -> None:
    order = make_order(language="fr")

    message = emails.order_email(order=order, kind="placed", event_id=9)

    with translation.override("fr"):
        subject = gettext("Your order %(number)s at %(shop)s is confirmed") % {
            "number": "BF-000042",
            "shop": "Boutique France",
        }
        paid = gettext("We have received your payment.")
    assert message.subject == subject
    assert message.to == ["lea@example.fr"]
    assert message.extra_headers["Content-Language"] == "fr"
    assert (
        message.extra_headers["Message-ID"]
        == f"<order-{order.pk}.placed.event-9@shop.example.test>"
    )
    text = message.body
    assert "27 novembre 2026" in text
    assert paid in text
    assert f"- 1 {TIMES} {DRILL} (PER-18V): 1{NNBSP}189,00{NBSP}€" in text
    assert (
        f"- 3 {TIMES} Foret béton <6 mm> (FORET-6): 45,00{NBSP}€ (3 {TIMES} 15,00{NBSP}€)" in text
    )
    assert FR_TOTAL in text
    assert f"Bienvenue -10 € (-10,00{NBSP}€)" in text
    assert "Bâtiment B" in text
    assert "1000 Bruxelles\n  Belgique" in text  # the country in the order's language
    assert f"{SITE}/orders/{order.token}/" in text  # a guest: the token link
    html = html_of(message)
    assert '<html lang="fr">' in html
    assert FR_TOTAL in html
    assert "Foret béton &lt;6 mm&gt;" in html  # escaped in HTML, as is in text
    assert f'href="{SITE}/orders/{order.token}/"' in html


def test_confirmation_in_english_for_a_customer_with_an_account() -> None:
    order = make_order(language="en", user=UserFactory.create())

    message = emails.order_email(order=order, kind="placed")

    assert message.subject == "Your order BF-000042 at Boutique France is confirmed"
    assert "Message-ID" not in message.extra_headers
    text = message.body
    assert text.startswith("Hello Léa,\n")
    assert "Thank you for your order of 27 November 2026. Here is what you ordered." in text
    assert "We have received your payment." in text
    assert f"- 1 {TIMES} {DRILL} (PER-18V): €1,189.00" in text
    assert "Subtotal: €1,234.00\nShipping: €6.90\nTotal: €1,240.90\nIncluding VAT: €206.82" in text
    assert (
        "Delivery address:\n  Léa Durand\n  12 rue des Lilas\n  Bâtiment B\n  75011 Paris\n  France"
        in text
    )
    assert "  (Colissimo)" in text
    assert "1000 Bruxelles\n  Belgium" in text
    assert f"View your order: {SITE}/en/account/orders/BF-000042/" in text  # in its language
    html = html_of(message)
    assert '<html lang="en">' in html
    assert "Order BF-000042 confirmed" in html
    assert EN_TOTAL in html
    assert f'href="{SITE}/en/account/orders/BF-000042/"' in html


def test_b2b_confirmation_shows_prices_excluding_vat_and_the_purchase_order() -> None:
    order = make_order(
        language="en",
        b2b=True,
        payment_status=PaymentStatus.ON_ACCOUNT,
        payment_method="on_account",
    )

    message = emails.order_email(order=order, kind="placed")

    assert message.subject == "Your order BF-000042 at Comptoir Pro is confirmed"
    text = message.body
    assert "on account: it will be invoiced on your company's terms" in text
    assert "Your purchase order number: PO-7781" in text
    assert "(PER-18V): €990.83" in text
    assert (
        "Subtotal: €1,028.33\nShipping: €5.75\nTotal excluding VAT: €1,034.08\nVAT: €206.82\n"
        "Total including VAT: €1,240.90"
    ) in text
    assert "Price excl. VAT" in html_of(message)


def test_bank_transfer_confirmation_says_the_order_awaits_the_transfer() -> None:
    order = make_order(
        language="en", payment_status=PaymentStatus.PENDING, payment_method="bank_transfer"
    )

    text = emails.order_email(order=order, kind="placed").body

    assert "as soon as we receive your bank transfer" in text
    assert "We have received your payment." not in text


def test_payment_received_email() -> None:
    order = make_order(language="en")

    message = emails.order_email(order=order, kind="paid")

    assert message.subject == "Payment received for your order BF-000042 at Boutique France"
    assert "We have received your payment of €1,240.90 for order BF-000042." in message.body
    assert "Payment received" in html_of(message)


def test_shipment_email_with_tracking_in_french() -> None:
    order = make_order(language="fr")
    fulfilment = ship(order)

    message = emails.order_email(order=order, kind="shipped", fulfilment=fulfilment)

    with translation.override("fr"):
        subject = gettext("Your order %(number)s at %(shop)s has shipped") % {
            "number": "BF-000042",
            "shop": "Boutique France",
        }
        more = gettext("The rest of your order will follow in another parcel.")
    assert message.subject == subject
    text = message.body
    assert "28 novembre 2026" in text
    assert "https://suivi.example/6A123" in text
    assert "6A121" in text
    assert f"- 1 {TIMES} {DRILL} (PER-18V)\n" in text
    assert "FORET-6" not in text  # not in this parcel
    assert more in text  # the drill bits follow
    assert 'href="https://suivi.example/6A123"' in html_of(message)


def test_shipment_email_lists_every_parcel_and_never_links_a_script() -> None:
    order = make_order(language="en")
    first = ship(order, sequence=1)
    second = Fulfilment.objects.create(
        order=order,
        sequence=2,
        carrier="DPD",
        tracking_number="DPD-9",
        tracking_url="javascript:alert(1)",
        shipped_at=timezone.now(),
    )
    FulfilmentLine.objects.create(
        fulfilment=second, line=order.lines.get(sku="FORET-6"), quantity=3
    )
    OrderLine.objects.filter(sku="FORET-6").update(quantity_fulfilled=3)

    message = emails.order_email(order=order, kind="shipped", fulfilment=second)

    text, html = message.body, html_of(message)
    second_parcel = f"Parcel 2 {DASH} DPD {DASH} tracking number DPD-9"
    assert text.index(second_parcel) < text.index(f"Parcel 1 {DASH} Colissimo")
    assert "Track your parcel: https://suivi.example/6A123" in text
    assert "javascript:" not in text
    assert "javascript:" not in html
    assert "will follow in another parcel" not in text  # everything has shipped
    assert first.pk != second.pk


def test_shipment_email_needs_its_fulfilment() -> None:
    with pytest.raises(ValueError, match="needs its fulfilment"):
        emails.order_email(order=make_order(), kind="shipped")


def test_unknown_language_falls_back_to_the_shop_language() -> None:
    order = make_order(language="de")

    message = emails.order_email(order=order, kind="placed")

    assert message.extra_headers["Content-Language"] == "fr"
    assert FR_TOTAL in message.body


# --- handlers, through the outbox --------------------------------------------------------


def test_order_placed_event_sends_the_confirmation_once(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    order = make_order(language="en")

    with django_capture_on_commit_callbacks(execute=True):
        event = emit("order.placed", order)

    [message] = mail.outbox
    assert message.subject == "Your order BF-000042 at Boutique France is confirmed"
    assert OutboxEvent.objects.get(pk=event.pk).delivered_at is not None
    sent = OrderEvent.objects.get(order=order, kind="email_sent")
    assert sent.data == {"email": "placed", "to": "lea@example.fr", "event": event.pk, "paid": True}
    # Delivered again (a worker died before marking it): no second email.
    handlers.order_placed(OutboxEvent.objects.get(pk=event.pk))
    assert len(mail.outbox) == 1


def test_paid_at_placement_sends_no_separate_payment_email() -> None:
    """Checkout emits order.placed and order.paid together for a card payment: the
    confirmation already says it is paid."""
    order = make_order(language="en")
    emit("order.placed", order)
    emit("order.paid", order)

    assert outbox.deliver_pending() == 2

    assert [m.subject for m in mail.outbox] == [
        "Your order BF-000042 at Boutique France is confirmed"
    ]


def test_payment_received_later_sends_the_payment_email() -> None:
    order = make_order(
        language="en", payment_status=PaymentStatus.PENDING, payment_method="bank_transfer"
    )
    emit("order.placed", order)
    outbox.deliver_pending()
    Order.objects.filter(pk=order.pk).update(
        payment_status=PaymentStatus.PAID, amount_paid=Decimal("1240.90")
    )
    emit("order.paid", order)

    assert outbox.deliver_pending() == 1

    assert [m.subject for m in mail.outbox] == [
        "Your order BF-000042 at Boutique France is confirmed",
        "Payment received for your order BF-000042 at Boutique France",
    ]


def test_order_shipped_event_sends_the_shipment_email() -> None:
    order = make_order(language="en")
    fulfilment = ship(order)
    emit("order.shipped", order, fulfilment_id=fulfilment.pk)

    assert outbox.deliver_pending() == 1

    [message] = mail.outbox
    assert message.subject == "Your order BF-000042 at Boutique France has shipped"
    assert "https://suivi.example/6A123" in message.body


@pytest.mark.parametrize("fulfilment_id", [None, 0, -1, "junk", 10**30, "other-order"])
def test_shipment_event_without_a_fulfilment_of_the_order_sends_nothing(fulfilment_id: Any) -> None:
    order = make_order(language="en")
    if fulfilment_id == "other-order":
        fulfilment_id = ship(make_order(number="BF-000043")).pk
    event = emit("order.shipped", order, fulfilment_id=fulfilment_id)

    assert outbox.deliver_pending() == 1

    assert mail.outbox == []
    assert OutboxEvent.objects.get(pk=event.pk).last_error == ""


def test_event_of_a_deleted_order_sends_nothing() -> None:
    order = make_order()
    event = emit("order.placed", order)
    order.delete()

    assert outbox.deliver_pending() == 1

    assert mail.outbox == []
    assert OutboxEvent.objects.get(pk=event.pk).delivered_at is not None


# --- over SMTP -----------------------------------------------------------------------------


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A running SMTP server that Django's default mailer sends to (pytest-django would
    otherwise keep the in-memory backend)."""
    server = SmtpServer()
    server.start()
    try:
        with override_settings(MAILERS=server.mailers()):
            yield server
    finally:
        server.stop()


def parts(message: EmailMessage) -> tuple[str, str]:
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    assert text is not None
    assert html is not None
    return str(text.get_content()), str(html.get_content())


@pytest.mark.parametrize(
    ("language", "total", "hello"),
    [("fr", FR_TOTAL, "27 novembre 2026"), ("en", EN_TOTAL, "27 November 2026")],
)
def test_confirmation_goes_out_over_smtp(
    smtp: SmtpServer, language: str, total: str, hello: str
) -> None:
    order = make_order(language=language)
    event = emit("order.placed", order)

    assert outbox.deliver_pending() == 1

    [(recipients, message)] = smtp.inbox.messages
    assert recipients == ["lea@example.fr"]
    with translation.override(language):
        subject = gettext("Your order %(number)s at %(shop)s is confirmed") % {
            "number": "BF-000042",
            "shop": "Boutique France",
        }
    assert message["Subject"] == subject
    assert message["From"] == "Comptoir <no-reply@comptoir.test>"
    assert message["Content-Language"] == language
    assert message["Message-ID"] == f"<order-{order.pk}.placed.event-{event.pk}@shop.example.test>"
    text, html = parts(message)
    assert hello in text
    assert total in text
    assert total in html
    prefix = "" if language == "fr" else f"/{language}"
    assert f"{SITE}{prefix}/orders/{order.token}/" in text


def test_smtp_down_keeps_the_event_then_delivers_it_when_the_server_is_back(
    smtp: SmtpServer, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    order = make_order(language="en")
    smtp.stop()

    # The commit delivers in-process (eager tasks, make demo): the failure stays there.
    with django_capture_on_commit_callbacks(execute=True):
        event = emit("order.placed", order)

    event.refresh_from_db()
    assert (event.delivered_at, event.attempts) == (None, 1)
    assert event.last_error.startswith(
        "comptoir.orders.handlers.order_placed: ConnectionRefusedError"
    )
    assert not OrderEvent.objects.filter(kind="email_sent").exists()
    # Not due before its backoff, even with the server back.
    smtp.start()
    assert outbox.deliver_pending() == 0
    assert smtp.inbox.messages == []

    assert outbox.deliver_pending(now=timezone.now() + timedelta(seconds=31)) == 1

    event.refresh_from_db()
    assert event.delivered_at is not None
    [(_recipients, message)] = smtp.inbox.messages
    assert message["Subject"] == "Your order BF-000042 at Boutique France is confirmed"
