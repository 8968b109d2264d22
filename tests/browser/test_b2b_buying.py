"""The B2B "done when" path of the demo, in Chromium, through the pages only: Atelier
Martin's buyer quick-orders by SKU (a bad line is listed with its reason, the good one goes
to the cart), requests a quote from the cart and sends it; the account manager negotiates it
in the back-office (unit price, discount) and sends it; the buyer accepts it on account with
a PO number, which needs approval above 1,000 EUR HT; the director approves; the order is
placed at the quoted prices on account; staff issue its invoice in the back-office, due at
30 days; the director finds it in the portal's invoices and its Factur-X PDF passes the XSD
and the EN 16931 schematron."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import facturx
import pytest
from django.urls import reverse
from django.utils.timezone import localdate
from playwright.sync_api import Browser, BrowserContext, Page, expect

from bench import chromium
from comptoir.approvals.models import OrderApproval
from comptoir.channels.models import Channel
from comptoir.inventory.selectors import available_quantities
from comptoir.invoicing.models import Invoice
from comptoir.invoicing.tests.test_facturx import failed_assertions, needs_saxon
from comptoir.orders.models import Order
from comptoir.pricing.models import PriceListEntry
from comptoir.quotes.models import Quote, QuoteState
from comptoir.storefront.demo_b2b import B2B, CONTRACT
from tests.browser.conftest import TIMEOUT_MS

PASSWORD = "comptoir-demo"
BUYER = "acheteur@atelier-martin.fr"
DIRECTOR = "direction@atelier-martin.fr"
ADMIN = ("admin@comptoir.test", "comptoir-admin")
NEGOTIATED_DISCOUNT = "5"


@pytest.fixture
def contexts() -> Iterator[list[BrowserContext]]:
    """One desktop browser per person (their own cookies), closed at the end."""
    made: list[BrowserContext] = []
    yield made  # filled by `person`
    for context in made:
        context.close()


def person(browser: Browser, live_server: Any, made: list[BrowserContext]) -> Page:
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", **chromium.DESKTOP)
    context.set_default_timeout(TIMEOUT_MS)
    made.append(context)
    return context.new_page()


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    page.goto(reverse("accounts:login"))
    page.locator("input[name=username], input[name=email]").first.fill(email)
    page.locator("input[type=password]").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: reverse("accounts:login") not in url)


def staff_sign_in(page: Page) -> None:
    page.goto(reverse("admin:login"))
    page.locator("#id_username").fill(ADMIN[0])
    page.locator("#id_password").fill(ADMIN[1])
    page.locator("#login-form [type=submit]").click()
    page.wait_for_url(f"**{reverse('admin:index')}")


def contract_line() -> tuple[str, int, Decimal]:
    """A contract SKU sold by one, with its contract price and a quantity worth more than
    1,300 EUR HT that the first warehouses hold."""
    entries = (
        PriceListEntry.objects.filter(
            price_list__code=CONTRACT, increment=1, min_quantity=1, max_quantity__isnull=True
        )
        .select_related("variant")
        .order_by("-unit_price")
    )
    channel = Channel.objects.get(code=B2B)
    free = available_quantities(variant_ids=[e.variant_id for e in entries], channel=channel)
    for entry in entries:
        quantity = int(-(-Decimal("1300") // entry.unit_price))
        if free.get(entry.variant_id, 0) >= quantity:
            return str(entry.variant.sku), quantity, entry.unit_price
    raise AssertionError("the demo contract has no SKU in stock for the test")


@needs_saxon
@pytest.mark.usefixtures("b2b_demo")
def test_the_atelier_martin_buyer_path(
    browser: Browser, live_server: Any, contexts: list[BrowserContext], tmp_path: Path
) -> None:
    sku, quantity, contract_price = contract_line()
    buyer = person(browser, live_server, contexts)
    sign_in(buyer, BUYER)

    # Quick order: one unknown SKU is listed with its reason, the contract line is added.
    buyer.goto(reverse("storefront:quick_order"))
    buyer.locator("textarea[name=lines]").fill(f"NOPE-0000 3\n{sku} {quantity}")
    buyer.locator("form.quick-order button[type=submit]").click()
    expect(buyer.locator("#error-summary")).to_contain_text("Ligne 1")
    expect(buyer.locator(".alert--success")).to_contain_text(
        f"{sku} \N{MULTIPLICATION SIGN} {quantity}"
    )

    # A quote from the cart, sent to the shop.
    buyer.goto(reverse("storefront:cart"))
    buyer.get_by_role("button", name="Demander un devis").click()
    buyer.wait_for_url(re.compile(r"/account/quotes/[^/]+/$"))
    quote = Quote.objects.get(requested_by__email=BUYER, state=QuoteState.DRAFT)
    expect(buyer.get_by_role("heading", level=1)).to_contain_text(quote.number)
    buyer.get_by_role("button", name="Envoyer la demande").click()
    expect(buyer.locator("main")).to_contain_text("Demandé")
    quote.refresh_from_db()
    assert quote.state == QuoteState.REQUESTED
    [(line_sku, line_quantity, quoted)] = quote.lines.values_list("sku", "quantity", "unit_net")
    assert (line_sku, line_quantity) == (sku, quantity)
    assert quoted <= contract_price  # the contract's price, or a better volume tier

    # The account manager lowers the unit price by one euro, adds 5 % off and sends it.
    staff = person(browser, live_server, contexts)
    staff_sign_in(staff)
    staff.goto(reverse("admin:quotes_quote_change", args=[quote.pk]))
    negotiated = quoted - 1
    staff.locator("input[name$='-0-unit_net']").fill(str(negotiated))
    staff.locator("#id_discount_percent").fill(NEGOTIATED_DISCOUNT)
    staff.locator("input[name=_send]").click()
    staff.wait_for_url(f"**{reverse('admin:quotes_quote_changelist')}")
    quote.refresh_from_db()
    assert quote.state == QuoteState.SENT
    expected_net = (negotiated * quantity * Decimal("0.95")).quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )
    assert quote.total_net - quote.shipping_net == expected_net

    # The buyer accepts on account with a PO number: above 1,000 EUR HT, it needs approval.
    buyer.goto(reverse("storefront:quote", args=[quote.number]))
    buyer.locator("input[name=payment_method][value=on_account]").check()
    buyer.locator("#po-number").fill("BC-2026-118")
    buyer.get_by_role("button", name=re.compile("Accepter et commander")).click()
    buyer.wait_for_url(re.compile(r"/account/approvals/\d+/"))
    approval = OrderApproval.objects.get(buyer__email=BUYER)
    expect(buyer.get_by_role("heading", level=1)).to_be_visible()
    assert not Order.objects.filter(company=quote.company, po_number="BC-2026-118").exists()

    # The director approves from the approvals page: the order is placed on account.
    director = person(browser, live_server, contexts)
    sign_in(director, DIRECTOR)
    director.goto(reverse("storefront:account_approvals"))
    director.locator(
        f"a[href='{reverse('storefront:account_approval', args=[approval.pk])}']"
    ).first.click()
    director.get_by_role("button", name="Approuver").click()
    expect(director.locator("main")).to_contain_text("Approuvé")
    order = Order.objects.get(company=quote.company, po_number="BC-2026-118")
    assert order.payment_method == "on_account"
    assert order.user.email == BUYER
    assert order.total_net == quote.total_net
    assert [(line.sku, line.quantity) for line in order.lines.all()] == [(sku, quantity)]

    # Staff issue its invoice in the back-office: Net 30, Factur-X EN 16931.
    staff.goto(reverse("admin:invoicing_invoice_add"))
    staff.locator("#id_order_number").fill(order.number)
    staff.locator("input[type=submit]").click()
    staff.wait_for_url(re.compile(r"/admin/invoicing/invoice/\d+/change/"))
    invoice = Invoice.objects.get(order=order)
    expect(staff.locator("#content")).to_contain_text(invoice.number)
    assert invoice.due_date == localdate(invoice.issued_at) + timedelta(days=30)
    assert invoice.po_number == "BC-2026-118"
    assert invoice.total_net == order.total_net

    pdf_link = staff.get_by_role("link", name="PDF (Factur-X)")
    staff_pdf = staff.request.get(pdf_link.get_attribute("href") or "")
    assert staff_pdf.ok
    assert staff_pdf.headers["content-type"] == "application/pdf"

    # The director finds it in the portal, due at 30 days, and downloads its Factur-X PDF.
    director.goto(reverse("storefront:company_invoices"))
    row = director.locator("tr", has_text=invoice.number)
    expect(row).to_contain_text(invoice.due_date.strftime("%d/%m/%Y"))
    pdf = director.request.get(
        row.locator(f"a[href$='{invoice.number}.pdf']").get_attribute("href") or ""
    )
    assert pdf.ok
    assert pdf.headers["content-type"] == "application/pdf"
    name, xml = facturx.get_xml_from_pdf(pdf.body(), check_xsd=True)
    assert name == "factur-x.xml"
    assert b"urn:cen.eu:en16931:2017" in xml
    assert invoice.number.encode() in xml
    assert b"BC-2026-118" in xml  # the PO number, as the buyer's reference
    assert failed_assertions(xml, tmp_path) == []
