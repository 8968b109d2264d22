"""The demo's buying data (`comptoir demo`: warehouses, stock, shipping, Léa's shipped
order) and the development mailbox page (/_dev/mail/, DEBUG only)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.mail import EmailMultiAlternatives
from django.core.management import call_command
from django.test import Client

from comptoir.accounts.tests.factories import UserFactory
from comptoir.catalog.models import Product, ProductVariant
from comptoir.catalog.tests.factories import published_product
from comptoir.channels.tests.factories import ChannelFactory
from comptoir.inventory.models import Stock, StockMovement, Warehouse
from comptoir.inventory.selectors import ledger_mismatches
from comptoir.orders.models import Order
from comptoir.storefront import demo
from comptoir.storefront.mailbox import FILE_BACKEND, mail_list


def html_of(response: Any) -> str:
    return str(response.content.decode())


@pytest.fixture
def mailbox(settings: Any, tmp_path: Path) -> Path:
    """DEBUG on, and mail written to files under `tmp_path` as in development."""
    settings.DEBUG = True
    settings.MAILERS = {
        "default": {"BACKEND": FILE_BACKEND, "OPTIONS": {"file_path": str(tmp_path)}}
    }
    return tmp_path


def send(subject: str, to: str, html: str = "") -> None:
    message = EmailMultiAlternatives(
        subject, "Hello,\nyour order: http://127.0.0.1:8000/orders/abc/\n", to=[to]
    )
    if html:
        message.attach_alternative(html, "text/html")
    message.send()


class TestMailbox:
    def test_is_404_without_debug(self, client: Client, db: None, settings: Any) -> None:
        settings.DEBUG = False
        assert client.get("/_dev/mail/").status_code == 404
        assert client.get("/_dev/mail/20260101-000000-1.0/").status_code == 404

    def test_lists_and_shows_the_messages(self, client: Client, db: None, mailbox: Path) -> None:
        send(
            "Votre commande BF-000001",
            "lea@example.fr",
            "<p>Merci <b>Léa</b></p><script>x()</script>",
        )
        send("Expédiée", "guest@example.fr")

        response = client.get("/_dev/mail/", headers={"accept-language": "en"})

        assert response.status_code == 200
        html = html_of(response)
        assert "lea@example.fr" in html
        assert "Votre commande BF-000001" in html
        assert html.index("Expédiée") < html.index("Votre commande")  # newest first
        (found,) = [m for m in mail_list() if m.subject.startswith("Votre commande")]
        link = f"{found.id}/"
        assert f'href="/_dev/mail/{link}"' in html
        detail = client.get(f"/_dev/mail/{link}", headers={"accept-language": "en"})
        assert detail.status_code == 200
        page = html_of(detail)
        assert 'sandbox="allow-popups allow-popups-to-escape-sandbox"' in page
        assert "srcdoc=" in page
        assert "<script>x()</script>" not in page  # escaped inside srcdoc
        assert '<a href="http://127.0.0.1:8000/orders/abc/"' in page  # the text part, linked

    @pytest.mark.parametrize(
        "message_id", ["nope", "../../etc/passwd.0", "20260101-000000-1.99", "a.b", "x" * 300]
    )
    def test_unknown_messages_are_404(
        self, client: Client, db: None, mailbox: Path, message_id: str
    ) -> None:
        send("One", "a@example.fr")
        assert client.get(f"/_dev/mail/{message_id}/").status_code == 404

    def test_says_so_when_mail_goes_elsewhere(
        self, client: Client, db: None, settings: Any
    ) -> None:
        settings.DEBUG = True
        settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
        response = client.get("/_dev/mail/", headers={"accept-language": "en"})
        assert response.status_code == 200
        assert "EMAIL_URL" in html_of(response)


class TestDemoStock:
    def test_seeds_stock_whose_ledger_balances_once(self, db: None) -> None:
        channel = ChannelFactory.create()
        for i in range(12):
            published_product(channel=channel, slug=f"p{i}", variants=2)
        bench = published_product(channel=channel, slug="banc")
        ProductVariant.objects.filter(product=bench).update(sku=demo.BACKORDER_SKU)

        assert demo.ensure_stock() == 25

        assert list(Warehouse.objects.values_list("code", "priority")) == [
            ("entrepot-lyon", 1),
            ("magasin-paris", 2),
        ]
        assert ledger_mismatches() == []
        assert set(Stock.objects.values_list("variant_id", flat=True)) == set(
            ProductVariant.objects.values_list("id", flat=True)
        )
        quantities = {
            s.variant.sku: s.quantity
            for s in Stock.objects.select_related("variant").filter(warehouse__code="entrepot-lyon")
        }
        assert quantities[demo.BACKORDER_SKU] == 0
        assert Product.objects.get(pk=bench.pk).allow_backorders is True
        assert 0 in quantities.values()  # some sold out
        assert any(0 < q <= 5 for q in quantities.values())  # some low
        assert Stock.objects.filter(warehouse__code="magasin-paris", quantity__gt=0).exists()
        movements = StockMovement.objects.count()
        # Again: nothing more.
        assert demo.ensure_stock() == 0
        assert StockMovement.objects.count() == movements


@pytest.mark.django_db(transaction=True)
class TestDemoOrder:
    def test_lea_gets_a_shipped_order_with_tracking(self, client: Client) -> None:
        channel = ChannelFactory.create()
        lea = UserFactory.create(email=demo.LEA)
        for sku, _quantity in demo.LEA_ORDER:
            product = published_product(channel=channel, price=Decimal("20.00"), slug=sku.lower())
            ProductVariant.objects.filter(product=product).update(sku=sku)
        demo.ensure_stock()
        demo.ensure_shipping()

        order = demo.ensure_lea_order()

        assert order is not None
        order.refresh_from_db()
        assert order.user == lea
        assert order.payment_status == "paid"
        assert order.status == "fulfilled"
        assert order.shipping_address is not None
        assert order.shipping_address["city"] == "Lyon"
        assert ledger_mismatches() == []
        # Once only.
        assert demo.ensure_lea_order() is None
        assert Order.objects.count() == 1
        client.force_login(lea)
        html = html_of(client.get(f"/en/account/orders/{order.number}/"))
        assert demo.TRACKING_NUMBER in html
        assert "Colissimo" in html
        assert "Track the parcel" in html

    def test_the_demo_command_runs_twice(self) -> None:
        call_command("demo", products=6, verbosity=0)
        movements = StockMovement.objects.count()
        assert movements > 0
        assert ledger_mismatches() == []
        call_command("demo", products=6, verbosity=0)
        assert StockMovement.objects.count() == movements
