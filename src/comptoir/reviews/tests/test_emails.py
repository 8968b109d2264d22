"""The review request: a delivered order's `order.delivered` event, delivered by the outbox,
invites its customer (in the order's language) to review each product, once per order; over
the in-memory backend and over a real SMTP server (aiosmtpd)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from comptoir.accounts.models import User
from comptoir.catalog.models import Product, ProductVariant
from comptoir.catalog.tests.factories import published_product
from comptoir.channels.models import Channel
from comptoir.core import outbox
from comptoir.core.models import OutboxEvent
from comptoir.core.testing_smtp import SmtpServer
from comptoir.orders.models import Order
from comptoir.orders.services import fulfilment_create, fulfilment_mark_delivered
from comptoir.orders.tests.factories import make_order
from comptoir.reviews.models import ReviewRequest
from comptoir.reviews.tests.factories import review

pytestmark = pytest.mark.django_db

SITE = "https://shop.example.test"


@pytest.fixture(autouse=True)
def _site() -> Iterator[None]:
    with override_settings(SITE_URL=SITE):
        yield


def delivered(channel: Channel, user: User | None, products: list[Product], language: str) -> Order:
    """A paid order of one unit of each product, shipped in one parcel and delivered; the
    events before `order.delivered` already handled."""
    variants = [ProductVariant.objects.get(product=item) for item in products]
    order = make_order(
        items=[(variant, 1) for variant in variants],
        channel=channel,
        user=user,
        paid=True,
        language=language,
    )
    outbox.deliver_pending()
    mail.outbox.clear()
    parcel = fulfilment_create(order=order, lines=[(line.pk, 1) for line in order.lines.all()])
    fulfilment_mark_delivered(fulfilment=parcel)
    return order


def requests_sent() -> list[Any]:
    return [m for m in mail.outbox if "review-request" in m.extra_headers.get("Message-ID", "")]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_delivery_invites_a_review_of_each_product(
    channel: Channel, product: Product, lea: User, language: str
) -> None:
    saw = published_product(channel=channel, slug="scie", name="Scie sauteuse")
    order = delivered(channel, lea, [product, saw], language)

    outbox.deliver_pending()

    [message] = requests_sent()
    assert message.to == ["lea@example.fr"]
    assert message.extra_headers["Content-Language"] == language
    with translation.override(language):
        subject = gettext("How do you like your order %(number)s?") % {"number": order.number}
        link = f"{SITE}{reverse('storefront:product', args=['scie'])}#review-form"
    assert message.subject == subject
    assert link in message.body
    html = message.alternatives[0].content
    assert link in html
    assert "Scie sauteuse" in message.body
    assert ReviewRequest.objects.get(order=order).products == [
        line.product_name for line in order.lines.all()
    ]


def test_sent_once_per_order(channel: Channel, product: Product, lea: User) -> None:
    order = delivered(channel, lea, [product], "fr")
    [event] = OutboxEvent.objects.filter(topic="order.delivered", aggregate_id=str(order.pk))
    outbox.deliver_pending()
    assert len(requests_sent()) == 1

    # the same event delivered again (a worker died before marking it): nothing more
    OutboxEvent.objects.filter(pk=event.pk).update(delivered_at=None)
    outbox.deliver_pending()
    assert len(requests_sent()) == 1


def test_products_already_reviewed_are_left_out(
    channel: Channel, product: Product, lea: User
) -> None:
    saw = published_product(channel=channel, slug="scie", name="Scie")
    review(product, user=lea)
    delivered(channel, lea, [product, saw], "fr")
    outbox.deliver_pending()
    [message] = requests_sent()
    assert "/p/scie/" in message.body
    assert "/p/perceuse/" not in message.body


def test_nothing_for_a_guest_or_when_all_is_reviewed(
    channel: Channel, product: Product, lea: User
) -> None:
    delivered(channel, None, [product], "fr")
    review(product, user=lea)
    reviewed = delivered(channel, lea, [product], "fr")
    outbox.deliver_pending()
    assert requests_sent() == []
    assert ReviewRequest.objects.filter(order=reviewed).exists()


def test_the_invitation_goes_out_over_smtp(
    channel: Channel, product: Product, lea: User, smtp: SmtpServer
) -> None:
    order = delivered(channel, lea, [product], "en")
    smtp.inbox.messages.clear()

    assert outbox.deliver_pending() == 2  # order.shipped, order.delivered

    [(recipients, message)] = [
        (to, sent) for to, sent in smtp.inbox.messages if "review-request" in sent["Message-ID"]
    ]
    assert recipients == ["lea@example.fr"]
    assert message["Message-ID"] == f"<order-{order.pk}.review-request@shop.example.test>"
    text = message.get_body(("plain",))
    assert text is not None
    assert "Write a review:" in str(text.get_content())
