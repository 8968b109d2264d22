"""The review request: once an order is delivered (outbox `order.delivered`), its customer
is invited, in the order's language, to review each product of the order they have not
reviewed yet. Sent once per order: the `ReviewRequest` row of the order is written after the
mail server accepted the message, and a redelivered event finds it and sends nothing (the
Message-ID, derived from the order, lets a mail client fold the rare duplicate of a worker
that died in between)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from comptoir.catalog.models import Product
from comptoir.orders.emails import order_language
from comptoir.orders.models import Order
from comptoir.reviews.models import Review, ReviewRequest

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Invitation:
    name: str
    url: str


def _invitations(order: Order) -> list[Invitation]:
    """The order's products still on sale that the customer has not reviewed, in the
    order of the lines, each once, named as on the order."""
    names: dict[int, str] = {}
    for line in order.lines.all():
        product_id = line.variant.product_id if line.variant else None
        if product_id is not None and product_id not in names:
            names[product_id] = line.product_name
    reviewed = set(
        Review.objects.filter(user_id=order.user_id or 0, product_id__in=names).values_list(
            "product_id", flat=True
        )
    )
    slugs = dict(
        Product.objects.filter(pk__in=[pk for pk in names if pk not in reviewed]).values_list(
            "pk", "slug"
        )
    )
    # Links to the product pages in the order's language (each language has its own URLs).
    with translation.override(order_language(order)):
        return [
            Invitation(
                name=name,
                url=f"{settings.SITE_URL}{reverse('storefront:product', args=[slugs[pk]])}"
                "#review-form",
            )
            for pk, name in names.items()
            if pk in slugs
        ]


def review_request_email(*, order: Order, invitations: list[Invitation]) -> EmailMultiAlternatives:
    language = order_language(order)
    with translation.override(language):
        context = {
            "order": order,
            "shop_name": order.channel.name,
            "customer_name": (order.billing_address or {}).get("first_name") or "",
            "invitations": invitations,
            "site_url": settings.SITE_URL,
        }
        subject = _("How do you like your order %(number)s?") % {"number": order.number}
        text = render_to_string("reviews/email/request.txt", context).strip() + "\n"
        html = render_to_string("reviews/email/request.html", context)
    domain = urlsplit(settings.SITE_URL).hostname or "comptoir.invalid"
    headers = {
        "Content-Language": language,
        "Auto-Submitted": "auto-generated",
        "Message-ID": f"<order-{order.pk}.review-request@{domain}>",
    }
    message = EmailMultiAlternatives(subject, text, None, [order.email], headers=headers)
    message.attach_alternative(html, "text/html")
    return message


def review_request_send(*, order: Order) -> bool:
    """Invite the customer of the delivered `order` to review its products; False (nothing
    sent) when already done for this order, for a guest order (a review needs an account)
    or when every product is reviewed or gone. Raises what the mail backend raises, for the
    outbox to retry. Call it outside any transaction."""
    if order.user_id is None or ReviewRequest.objects.filter(order=order).exists():
        return False
    invitations = _invitations(order)
    if invitations:
        review_request_email(order=order, invitations=invitations).send(using="default")
    try:
        ReviewRequest.objects.create(order=order, products=[item.name for item in invitations])
    except IntegrityError:  # a concurrent delivery of the same event recorded it first
        logger.info("review request of order %s recorded twice", order.number)
    return bool(invitations)
