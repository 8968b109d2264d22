"""axe-core on the B2B portal's pages, signed in as Atelier Martin's director (the
company's administrator: every page of the portal), at phone and desktop widths: no
serious or critical violation, and no sideways scrolling on the phone."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Browser

from bench import chromium
from comptoir.channels.models import Channel
from comptoir.companies.models import Company
from comptoir.invoicing.models import Invoice
from comptoir.orders.models import Order
from comptoir.quotes import services as quotes
from comptoir.storefront.demo_b2b import B2B
from tests.browser.conftest import TIMEOUT_MS
from tests.browser.test_accessibility import audit
from tests.browser.test_b2b_buying import DIRECTOR, contract_line, sign_in


def portal_pages() -> dict[str, str]:
    martin = Company.objects.get(legal_name="Atelier Martin SARL")
    director = martin.members.get(user__email=DIRECTOR).user
    sku, quantity, _price = contract_line()
    quote = quotes.quote_request(
        user=director,
        company=martin,
        channel=Channel.objects.get(code=B2B),
        lines=[{"sku": sku, "quantity": quantity}],
    )
    order = Order.objects.filter(company=martin).order_by("pk").first()
    invoice = Invoice.objects.filter(company=martin).order_by("pk").first()
    assert order is not None, "the demo has no order of Atelier Martin"
    assert invoice is not None, "the demo has no invoice of Atelier Martin"
    return {
        "overview": reverse("storefront:account"),
        "orders": reverse("storefront:account_orders"),
        "order": reverse("storefront:account_order", args=[order.number]),
        "quick order": reverse("storefront:quick_order"),
        "requisition lists": reverse("storefront:requisition_lists"),
        "quotes": reverse("storefront:quotes"),
        "new quote": reverse("storefront:quote_new"),
        "quote": reverse("storefront:quote", args=[quote.number]),
        "approvals": reverse("storefront:account_approvals"),
        "approval rules": reverse("storefront:company_approvals"),
        "company": reverse("storefront:company_profile"),
        "company addresses": reverse("storefront:company_addresses"),
        "members": reverse("storefront:company_members"),
        "roles": reverse("storefront:company_roles"),
        "documents": reverse("storefront:portal_documents"),
        "invoices": reverse("storefront:company_invoices"),
        "invoice": reverse("storefront:company_invoice", args=[invoice.number]),
        "statement": reverse("storefront:company_statement"),
        "account manager": reverse("storefront:company_contact"),
    }


@pytest.mark.usefixtures("b2b_demo")
def test_portal_pages_have_no_serious_violations(browser: Browser, live_server: Any) -> None:
    pages = portal_pages()
    found: dict[str, Any] = {}
    for label, options in [("phone", chromium.PHONE), ("desktop", chromium.DESKTOP)]:
        context = browser.new_context(base_url=live_server.url, locale="fr-FR", **options)
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        sign_in(page, DIRECTOR)
        for name, problems in audit(page, pages).items():
            found[f"{label} {name}"] = problems
        if label == "phone":
            for name, url in pages.items():
                page.goto(url)
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > 360:
                    found[f"phone {name}"] = f"scrolls sideways: {width} px wide"
        context.close()

    assert not found, json.dumps(found, indent=1, ensure_ascii=False)
