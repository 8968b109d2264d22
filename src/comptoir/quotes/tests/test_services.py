"""Quote services: requests priced by the engine, negotiation, sending, acceptance into an
order at the quoted prices, expiry."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone, translation

from comptoir.accounts.models import Address
from comptoir.cart import services as cart_services
from comptoir.companies.models import CompanyAddress
from comptoir.core.errors import Conflict, InvalidInput
from comptoir.core.models import OutboxEvent
from comptoir.inventory.models import Stock
from comptoir.invoicing.tests.factories import account_for
from comptoir.orders.models import Order
from comptoir.payments.providers import on_account
from comptoir.quotes import handlers, services
from comptoir.quotes.models import Quote, QuoteEvent, QuoteRevision, QuoteState
from comptoir.quotes.tests.conftest import (
    ADDRESS,
    Shop,
    assert_ordered_at_quoted_prices,
    expire,
    requested,
    sent,
)

pytestmark = pytest.mark.django_db

S = QuoteState


@pytest.fixture(autouse=True)
def english() -> Any:
    with translation.override("en"):
        yield


def _accept(quote: Quote, user: Any, key: str = "k1", **body: Any) -> tuple[int, dict[str, Any]]:
    return services.quote_accept(
        quote=quote,
        user=user,
        idempotency_key=key,
        body={"payment_method": "on_account", **body},
    )


# --- requests ---------------------------------------------------------------------------------


def test_a_request_is_priced_for_the_company(shop: Shop) -> None:
    quote = services.quote_request(
        user=shop.buyer,
        company=shop.martin,
        channel=shop.b2b,
        lines=[{"sku": "DRILL", "quantity": 10, "target_unit_price": "12.50"}],
        comment="Livraison groupée svp",
        shipping_address=ADDRESS,
    )
    assert quote.number == f"Q-{quote.pk:06d}"
    assert (quote.state, quote.currency, quote.version) == (S.DRAFT, "EUR", 0)
    assert quote.expires_at.date() == (timezone.now() + timedelta(days=30)).date()
    (line,) = quote.lines.all()
    assert (line.sku, line.quantity, line.list_unit_net, line.list_rule) == (
        "DRILL",
        10,
        Decimal("14.00"),
        "tier:10",
    )
    assert (line.target_unit_net, line.unit_net, line.tax_rate) == (
        Decimal("12.50"),
        Decimal("14.00"),
        Decimal("20.000"),
    )
    assert (quote.total_net, quote.total_tax, quote.total_gross) == (
        Decimal("140.00"),
        Decimal("28.00"),
        Decimal("168.00"),
    )
    assert quote.tax_treatment == "domestic"
    assert list(quote.comments.values_list("body", flat=True)) == ["Livraison groupée svp"]
    assert list(quote.events.values_list("kind", flat=True)) == ["created"]


def test_bad_lines_are_all_reported_and_nothing_is_created(shop: Shop) -> None:
    with pytest.raises(InvalidInput) as caught:
        services.quote_request(
            user=shop.buyer,
            company=shop.martin,
            channel=shop.b2b,
            lines=[
                {"sku": "DRILL", "quantity": 10},
                {"sku": "NOPE", "quantity": 1},
                {"sku": "DRILL-XL", "quantity": 5},
            ],
        )
    assert caught.value.code == "QUOTE_LINES_INVALID"
    assert caught.value.errors == {
        "lines.1.sku": ["Unknown SKU: NOPE."],
        "lines.2.quantity": ["DRILL-XL is sold from 6, by 6."],
    }
    assert Quote.objects.count() == 0


@pytest.mark.parametrize(
    ("lines", "errors"),
    [
        ([], {"lines": ["A quote needs at least one line."]}),
        ("DRILL", {"lines": ["A quote needs at least one line."]}),
        (
            [{"sku": "DRILL", "quantity": "2"}],
            {"lines.0.quantity": ["A quantity is a whole number."]},
        ),
        (
            [{"sku": "DRILL", "quantity": True}],
            {"lines.0.quantity": ["A quantity is a whole number."]},
        ),
        (
            [{"sku": "DRILL", "quantity": 0}],
            {"lines.0.quantity": ["A quantity is from 1 to 99999."]},
        ),
        ([{"sku": "", "quantity": 1}], {"lines.0.sku": ["Enter a SKU."]}),
        ([["DRILL", 1]], {"lines.0": ["A line is an object with sku and quantity."]}),
        (
            [{"sku": "DRILL", "quantity": 1}, {"sku": "DRILL", "quantity": 2}],
            {"lines.1.sku": ["This SKU is already on another line."]},
        ),
        (
            [{"sku": "DRILL", "quantity": 1, "target_unit_price": "-1"}],
            {
                "lines.0.target_unit_price": [
                    "A price is a decimal number from 0 with at most two decimals."
                ]
            },
        ),
        (
            [{"sku": "DRILL", "quantity": 1, "target_unit_price": "1.234"}],
            {
                "lines.0.target_unit_price": [
                    "A price is a decimal number from 0 with at most two decimals."
                ]
            },
        ),
        (
            [{"sku": "DRILL", "quantity": 1, "target_unit_price": "NaN"}],
            {
                "lines.0.target_unit_price": [
                    "A price is a decimal number from 0 with at most two decimals."
                ]
            },
        ),
    ],
)
def test_malformed_lines(shop: Shop, lines: Any, errors: dict[str, list[str]]) -> None:
    with pytest.raises(InvalidInput) as caught:
        services.quote_request(user=shop.buyer, company=shop.martin, channel=shop.b2b, lines=lines)
    assert (caught.value.code, caught.value.errors) == ("QUOTE_LINES_INVALID", errors)
    assert Quote.objects.count() == 0


def test_a_request_from_the_cart_takes_its_lines_and_address(shop: Shop) -> None:
    cart = cart_services.cart_create(channel=shop.b2b, user=shop.buyer, language="en")
    cart_services.line_add(cart=cart, sku="DRILL", quantity=3)
    cart_services.line_add(cart=cart, sku="DRILL-XL", quantity=6)
    cart_services.addresses_set(cart=cart, shipping_address=ADDRESS, same_as_shipping=True)
    quote = services.quote_request_from_cart(user=shop.buyer, company=shop.martin, cart=cart)
    assert [(line.sku, line.quantity, line.list_unit_net) for line in quote.lines.all()] == [
        ("DRILL", 3, Decimal("15.00")),
        ("DRILL-XL", 6, Decimal("27.00")),
    ]
    assert quote.language == "en"
    assert (quote.shipping_address or {})["city"] == "Paris"
    assert cart.lines.count() == 2  # the cart is left as it is


def test_an_empty_cart_makes_no_quote(shop: Shop) -> None:
    cart = cart_services.cart_create(channel=shop.b2b, user=shop.buyer, language="fr")
    with pytest.raises(InvalidInput) as caught:
        services.quote_request_from_cart(user=shop.buyer, company=shop.martin, cart=cart)
    assert caught.value.code == "QUOTE_LINES_INVALID"
    assert Quote.objects.count() == 0


# --- transitions ----------------------------------------------------------------------------


def test_submitting_twice_is_an_invalid_transition(shop: Shop) -> None:
    quote = requested(shop)
    assert quote.state == S.REQUESTED
    with pytest.raises(Conflict) as caught:
        services.quote_submit(quote=quote, user=shop.buyer)
    assert caught.value.code == "INVALID_QUOTE_TRANSITION"


def test_a_quote_not_sent_cannot_be_accepted_declined_or_renegotiated(shop: Shop) -> None:
    quote = requested(shop)
    for call in (
        lambda: _accept(quote, shop.buyer),
        lambda: services.quote_decline(quote=quote, user=shop.buyer),
        lambda: services.quote_renegotiate(quote=quote, user=shop.buyer, comment="moins cher"),
    ):
        with pytest.raises(Conflict) as caught:
            call()
        assert caught.value.code == "INVALID_QUOTE_TRANSITION"
    quote.refresh_from_db()
    assert quote.state == S.REQUESTED
    assert Order.objects.count() == 0


# --- negotiation ------------------------------------------------------------------------------


def test_staff_negotiate_discount_shipping_and_prices(shop: Shop, clerk: Any) -> None:
    quote = requested(shop)
    (line,) = quote.lines.all()
    services.quote_line_update(
        quote=quote, actor=clerk, line_id=line.pk, changes={"unit_price": "12.00"}
    )
    quote = services.quote_update(
        quote=quote,
        actor=clerk,
        changes={
            "discount_percent": "10",
            "shipping_method": "messagerie",
            "shipping_price": "15.00",
        },
    )
    assert quote.state == S.IN_NEGOTIATION
    line.refresh_from_db()
    assert (
        line.subtotal_net,
        line.discount_net,
        line.total_net,
        line.total_tax,
        line.total_gross,
    ) == (
        Decimal("120.00"),
        Decimal("12.00"),
        Decimal("108.00"),
        Decimal("21.60"),
        Decimal("129.60"),
    )
    assert (quote.shipping_method_name, quote.shipping_net, quote.shipping_tax) == (
        "Messagerie",
        Decimal("15.00"),
        Decimal("3.00"),
    )
    assert (quote.total_net, quote.total_tax, quote.total_gross) == (
        Decimal("123.00"),
        Decimal("24.60"),
        Decimal("147.60"),
    )
    kinds = list(quote.events.values_list("kind", flat=True))
    assert kinds == ["created", "submitted", "line_changed", "updated"]
    assert quote.events.get(kind="line_changed").data["before"] == {
        "quantity": 10,
        "unit_net": "14.00",
    }
    assert quote.events.get(kind="updated").actor == clerk


def test_staff_add_and_remove_lines(shop: Shop, clerk: Any) -> None:
    quote = requested(shop)
    line = services.quote_line_add(
        quote=quote, actor=clerk, sku="DRILL-XL", quantity=2, unit_price="25.00"
    )
    assert (line.list_unit_net, line.unit_net, line.quantity) == (
        Decimal("27.00"),
        Decimal("25.00"),
        2,
    )
    quote.refresh_from_db()
    assert quote.total_net == Decimal("190.00")
    with pytest.raises(InvalidInput) as caught:
        services.quote_line_add(quote=quote, actor=clerk, sku="DRILL-XL", quantity=1)
    assert caught.value.code == "QUOTE_LINES_INVALID"
    with pytest.raises(InvalidInput) as caught:
        services.quote_line_add(quote=quote, actor=clerk, sku="NOPE", quantity=1)
    assert (caught.value.code, caught.value.errors) == (
        "QUOTE_LINES_INVALID",
        {"sku": ["Unknown SKU: NOPE."]},
    )
    services.quote_line_delete(quote=quote, actor=clerk, line_id=line.pk)
    quote.refresh_from_db()
    assert quote.total_net == Decimal("140.00")
    (last,) = quote.lines.all()
    with pytest.raises(Conflict) as conflict:
        services.quote_line_delete(quote=quote, actor=clerk, line_id=last.pk)
    assert conflict.value.code == "QUOTE_NEEDS_A_LINE"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"discount_percent": "101"}, "INVALID_DISCOUNT"),
        ({"discount_percent": "-1"}, "INVALID_PRICE"),
        ({"shipping_price": "abc"}, "INVALID_PRICE"),
        ({"shipping_method": "colissimo"}, "SHIPPING_METHOD_UNAVAILABLE"),  # a B2C method
        ({"shipping_method": 3}, "SHIPPING_METHOD_UNAVAILABLE"),
        ({"expires_at": "2020-01-01"}, "INVALID_EXPIRY"),
        ({"shipping_address": {"city": "Paris"}}, "ADDRESS_INVALID"),
        ({"colour": "red"}, "INVALID_INPUT"),
        ({"shipping_price": "9.00"}, "SHIPPING_METHOD_REQUIRED"),
    ],
)
def test_bad_negotiation_changes_nothing(shop: Shop, clerk: Any, changes: Any, code: str) -> None:
    quote = requested(shop)
    before = Quote.objects.values().get(pk=quote.pk)
    with pytest.raises(InvalidInput) as caught:
        services.quote_update(quote=quote, actor=clerk, changes=changes)
    assert caught.value.code == code
    assert Quote.objects.values().get(pk=quote.pk) == before


def test_a_sent_quote_is_not_edited(shop: Shop, clerk: Any) -> None:
    quote = sent(shop, clerk)
    with pytest.raises(Conflict) as caught:
        services.quote_update(quote=quote, actor=clerk, changes={"discount_percent": "5"})
    assert caught.value.code == "INVALID_QUOTE_TRANSITION"


def test_send_keeps_a_revision_and_emails_the_buyer(shop: Shop, clerk: Any) -> None:
    quote = requested(shop)
    revision = services.quote_send(quote=quote, actor=clerk, comment="Prix ferme")
    quote.refresh_from_db()
    assert (quote.state, quote.version) == (S.SENT, 1)
    assert (revision.version, revision.author, revision.comment) == (1, clerk, "Prix ferme")
    assert revision.snapshot["total_gross"] == "168.00"
    assert revision.snapshot["lines"][0]["unit_net"] == "14.00"
    event = OutboxEvent.objects.get(topic="quote.sent")
    handlers.quote_sent(event)
    handlers.quote_sent(event)  # redelivered: sent once
    (message,) = mail.outbox
    assert message.to == [shop.buyer.email]
    assert message.subject == f"Votre devis {quote.number} est prêt"
    assert "168,00" not in message.body
    assert "140,00\xa0€" in message.body


def test_renegotiation_then_a_second_revision(shop: Shop, clerk: Any) -> None:
    quote = sent(shop, clerk)
    with pytest.raises(InvalidInput) as caught:
        services.quote_renegotiate(quote=quote, user=shop.buyer, comment="  ")
    assert caught.value.code == "COMMENT_REQUIRED"
    services.quote_renegotiate(quote=quote, user=shop.buyer, comment="Pouvez-vous faire 13 ?")
    (line,) = quote.lines.all()
    services.quote_line_update(
        quote=quote, actor=clerk, line_id=line.pk, changes={"unit_price": "13.00"}
    )
    services.quote_send(quote=quote, actor=clerk)
    revisions = [
        (r.version, r.snapshot["total_net"]) for r in QuoteRevision.objects.filter(quote=quote)
    ]
    assert revisions == [(1, "140.00"), (2, "130.00")]
    assert list(quote.events.values_list("kind", flat=True)) == [
        "created",
        "submitted",
        "sent",
        "renegotiation_requested",
        "line_changed",
        "sent",
    ]


def test_send_needs_a_future_expiry_and_an_address(shop: Shop, clerk: Any) -> None:
    quote = requested(shop)
    expire(quote)
    with pytest.raises(InvalidInput) as caught:
        services.quote_send(quote=quote, actor=clerk)
    assert caught.value.code == "QUOTE_EXPIRY_PAST"
    other = requested(shop, shipping_address=None)
    with pytest.raises(InvalidInput) as caught:
        services.quote_send(quote=other, actor=clerk)
    assert caught.value.code == "QUOTE_ADDRESS_REQUIRED"
    assert Quote.objects.filter(state=S.SENT).count() == 0


# --- acceptance -------------------------------------------------------------------------------


def test_accepting_places_the_order_at_the_quoted_prices(shop: Shop, clerk: Any) -> None:
    quote = sent(
        shop, clerk, discount_percent="10", shipping_method="messagerie", shipping_price="15.00"
    )
    stock = Stock.objects.get(variant=shop.drill)
    status, body = _accept(quote, shop.buyer, po_number="PO-77")
    assert status == 201
    quote.refresh_from_db()
    order = Order.objects.get()
    assert (quote.state, quote.order) == (S.ORDERED, order)
    assert body["order"]["number"] == order.number
    assert body["order"]["total"] == {
        "net": "141.00",
        "tax": "28.20",
        "gross": "169.20",
        "currency": "EUR",
    }
    assert (
        order.company,
        order.user,
        order.payment_method,
        order.payment_status,
        order.po_number,
    ) == (
        shop.martin,
        shop.buyer,
        "on_account",
        "on_account",
        "PO-77",
    )
    assert_ordered_at_quoted_prices(order, quote)
    assert order.shipping_net == Decimal("15.00")
    assert order.tax_breakdown == [{"rate": "20", "net": "141.00", "tax": "28.20"}]
    stock.refresh_from_db()
    assert stock.quantity_allocated == 10
    assert list(quote.events.values_list("kind", flat=True))[-2:] == ["accepted", "ordered"]


def test_a_belgian_company_accepts_under_reverse_charge(shop: Shop, clerk: Any) -> None:
    quote = sent(
        shop,
        clerk,
        ("DRILL", 2),
        buyer=shop.belge_buyer,
        shipping_method="messagerie",
        shipping_price="15.00",
    )
    assert (quote.tax_treatment, quote.total_tax, quote.total_gross) == (
        "reverse_charge",
        Decimal("0.00"),
        Decimal("55.00"),
    )
    assert "2006/112" in quote.legal_mention
    _accept(quote, shop.belge_buyer, payment_method="bank_transfer")
    order = Order.objects.get()
    assert (order.tax_treatment, order.total_tax, order.total_gross, order.payment_status) == (
        "reverse_charge",
        Decimal("0.00"),
        Decimal("55.00"),
        "pending",
    )
    assert "2006/112" in order.legal_mention
    assert order.tax_breakdown == [{"rate": "0", "net": "55.00", "tax": "0.00"}]
    assert order.lines.get().rule == f"quote:{quote.number}"


def test_an_expired_quote_cannot_be_accepted(shop: Shop, clerk: Any) -> None:
    quote = sent(shop, clerk)
    expire(quote)
    with pytest.raises(Conflict) as caught:
        _accept(quote, shop.buyer)
    assert caught.value.code == "QUOTE_EXPIRED"
    quote.refresh_from_db()
    assert (quote.state, quote.order_id) == (S.SENT, None)
    assert Order.objects.count() == 0
    assert Stock.objects.get(variant=shop.drill).quantity_allocated == 0


def test_accept_replays_with_the_same_key(shop: Shop, clerk: Any) -> None:
    quote = sent(shop, clerk)
    first = _accept(quote, shop.buyer, key="same")
    assert _accept(quote, shop.buyer, key="same") == first
    with pytest.raises(Conflict) as caught:
        _accept(quote, shop.buyer, key="same", payment_method="bank_transfer")
    assert caught.value.code == "IDEMPOTENCY_KEY_REUSED"
    with pytest.raises(Conflict) as caught:
        _accept(quote, shop.buyer, key="other")
    assert caught.value.code == "INVALID_QUOTE_TRANSITION"
    assert Order.objects.count() == 1


@pytest.mark.parametrize(
    ("key", "body", "code"),
    [
        (None, {"payment_method": "on_account"}, "IDEMPOTENCY_KEY_REQUIRED"),
        ("k", {"payment_method": "test_card"}, "INVALID_INPUT"),
        ("k", {"payment_method": "on_account", "po_number": "x" * 65}, "INVALID_INPUT"),
        ("k", {"payment_method": "on_account", "coupon": "X"}, "INVALID_INPUT"),
    ],
)
def test_bad_accept_requests(shop: Shop, clerk: Any, key: Any, body: Any, code: str) -> None:
    quote = sent(shop, clerk)
    with pytest.raises(InvalidInput) as caught:
        services.quote_accept(quote=quote, user=shop.buyer, idempotency_key=key, body=body)
    assert caught.value.code == code
    quote.refresh_from_db()
    assert quote.state == S.SENT


def test_a_refused_credit_changes_nothing(
    shop: Shop, clerk: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    quote = sent(shop, clerk)
    seen: list[tuple[int, Decimal]] = []

    def refuse(company_id: int, amount: Decimal) -> None:
        seen.append((company_id, amount))
        raise Conflict("Credit limit exceeded.", code="CREDIT_LIMIT_EXCEEDED")

    monkeypatch.setattr(on_account, "credit_check", refuse)
    with pytest.raises(Conflict) as caught:
        _accept(quote, shop.buyer)
    assert caught.value.code == "CREDIT_LIMIT_EXCEEDED"
    assert seen == [(shop.martin.pk, Decimal("168.00"))]
    quote.refresh_from_db()
    assert quote.state == S.SENT
    assert Order.objects.count() == 0
    assert Stock.objects.get(variant=shop.drill).quantity_allocated == 0
    # the key was released: a retry runs again (and succeeds once credit allows it)
    monkeypatch.undo()
    assert _accept(quote, shop.buyer)[0] == 201


def test_not_enough_stock_changes_nothing(shop: Shop, clerk: Any) -> None:
    quote = requested(shop)
    (line,) = quote.lines.all()
    services.quote_line_update(quote=quote, actor=clerk, line_id=line.pk, changes={"quantity": 150})
    services.quote_send(quote=quote, actor=clerk)
    account_for(quote.company, limit=None)
    with pytest.raises(Conflict) as caught:
        _accept(quote, shop.buyer)
    assert caught.value.code == "INSUFFICIENT_STOCK"
    quote.refresh_from_db()
    assert quote.state == S.SENT
    assert Order.objects.count() == 0


def test_declined_quote_is_closed(shop: Shop, clerk: Any) -> None:
    quote = sent(shop, clerk)
    services.quote_decline(quote=quote, user=shop.buyer, comment="Trop cher")
    quote.refresh_from_db()
    assert quote.state == S.DECLINED
    with pytest.raises(Conflict) as caught:
        services.quote_comment_add(quote=quote, user=shop.buyer, body="encore là ?")
    assert caught.value.code == "QUOTE_CLOSED"
    with pytest.raises(Conflict) as caught:
        services.quote_cancel(quote=quote, actor=clerk)
    assert caught.value.code == "INVALID_QUOTE_TRANSITION"


# --- expiry -----------------------------------------------------------------------------------


def test_expiry_and_reminders_are_idempotent(shop: Shop, clerk: Any) -> None:
    soon = sent(shop, clerk)
    Quote.objects.filter(pk=soon.pk).update(expires_at=timezone.now() + timedelta(days=2))
    later = sent(shop, clerk)
    past = sent(shop, clerk)
    expire(past)
    assert services.quotes_expire() == 1
    assert services.quotes_expire() == 0
    assert services.quote_reminders_send() == 1
    assert services.quote_reminders_send() == 0
    states = dict(Quote.objects.values_list("pk", "state"))
    assert states == {soon.pk: S.SENT, later.pk: S.SENT, past.pk: S.EXPIRED}
    assert QuoteEvent.objects.filter(kind="reminded").count() == 1
    (event,) = OutboxEvent.objects.filter(topic="quote.expiring")
    assert event.aggregate_id == str(soon.pk)
    handlers.quote_expiring(event)
    (message,) = mail.outbox
    assert message.subject == f"Votre devis {soon.number} expire bientôt"


def test_only_an_accepted_quote_is_placed(shop: Shop, clerk: Any) -> None:
    """The seam of the approvals flow: `quote_order_place` refuses any other state."""
    quote = sent(shop, clerk)
    with pytest.raises(Conflict) as caught:
        services.quote_order_place(
            quote=quote, user=shop.buyer, payment_method="on_account", po_number=""
        )
    assert caught.value.code == "INVALID_QUOTE_TRANSITION"
    assert Order.objects.count() == 0


def test_an_accepted_quote_waiting_for_its_order_is_not_withdrawn(shop: Shop, clerk: Any) -> None:
    quote = sent(shop, clerk)
    Quote.objects.filter(pk=quote.pk).update(state=S.ACCEPTED)  # as approvals will leave it
    with pytest.raises(Conflict) as caught:
        services.quote_withdraw(quote=quote, user=shop.buyer)
    assert caught.value.code == "INVALID_QUOTE_TRANSITION"
    assert caught.value.detail == "A quote that is Accepted cannot become Cancelled."
    quote.refresh_from_db()
    assert quote.state == S.ACCEPTED


def test_a_product_deleted_since_the_quote_is_refused(shop: Shop, clerk: Any) -> None:
    quote = sent(shop, clerk)
    quote.lines.update(variant=None)  # the variant was deleted (SET_NULL)
    with pytest.raises(Conflict) as caught:
        _accept(quote, shop.buyer)
    assert (caught.value.code, caught.value.errors) == (
        "QUOTE_PRODUCT_GONE",
        {"DRILL": ["No longer sold."]},
    )
    quote.refresh_from_db()
    assert quote.state == S.SENT
    assert Order.objects.count() == 0


def test_an_unavailable_payment_method_is_refused(
    shop: Shop, clerk: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    quote = sent(shop, clerk)
    monkeypatch.setattr(on_account, "allowed", lambda company_id: False)
    with pytest.raises(InvalidInput) as caught:
        _accept(quote, shop.buyer)
    assert caught.value.code == "PAYMENT_METHOD_UNAVAILABLE"
    quote.refresh_from_db()
    assert quote.state == S.SENT


def test_a_request_without_address_is_delivered_to_the_default_site(shop: Shop) -> None:
    """Without an address (the portal's forms ask none), the company's default shipping
    site, else its first one, else the buyer's default address: staff can send it."""
    site = {"first_name": "Jean", "last_name": "Martin", "company_name": "Atelier Martin"}
    site |= {"street_address_1": "2 rue des Forges", "postal_code": "69007", "country": "FR"}
    assert requested(shop, shipping_address=None).shipping_address is None

    Address.objects.create(user=shop.buyer, is_default_shipping=True, **site, city="Villeurbanne")
    assert (requested(shop, shipping_address=None).shipping_address or {})["city"] == "Villeurbanne"

    CompanyAddress.objects.create(company=shop.martin, kind="billing", **site, city="Paris")
    CompanyAddress.objects.create(company=shop.martin, kind="shipping", **site, city="Lyon")
    assert (requested(shop, shipping_address=None).shipping_address or {})["city"] == "Lyon"
    CompanyAddress.objects.create(
        company=shop.martin, kind="shipping", is_default=True, **site, city="Bron"
    )
    quote = requested(shop, shipping_address=None)
    assert (quote.shipping_address or {})["city"] == "Bron"
    services.quote_send(quote=quote, actor=None)
    quote.refresh_from_db()
    assert quote.state == S.SENT

    CompanyAddress.objects.filter(is_default=True).update(postal_code="not a code")
    assert requested(shop, shipping_address=None).shipping_address is None  # fixed by staff
