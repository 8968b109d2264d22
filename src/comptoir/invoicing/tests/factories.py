"""Orders to invoice and companies with billing accounts, for the invoicing tests."""

from __future__ import annotations

import importlib
from dataclasses import replace
from decimal import Decimal
from typing import Any

from django.apps import apps

from comptoir.catalog.tests.factories import ProductVariantFactory
from comptoir.companies.models import Company
from comptoir.companies.tests.factories import CompanyFactory, FrenchCompanyFactory
from comptoir.invoicing import services
from comptoir.invoicing.models import BillingAccount
from comptoir.orders.models import Order, PaymentStatus
from comptoir.orders.services import order_create
from comptoir.orders.tests.factories import draft_line, make_draft

BELGIAN_ADDRESS = {
    "first_name": "Jan",
    "last_name": "Peeters",
    "street_address_1": "Rue Royale 12",
    "postal_code": "1000",
    "city": "Bruxelles",
    "country": "BE",
}


def belgian_company() -> Company:
    return CompanyFactory.create(
        legal_name="Atelier Bruxellois SRL", country="BE", vat_number="BE0403019261"
    )


_SEED = importlib.import_module("comptoir.invoicing.migrations.0002_seed_payment_terms")


def terms_seed() -> None:
    """The payment terms the data migration seeds (a transactional test flushes them)."""
    _SEED.seed(apps, None)


def account_for(
    company: Company, *, limit: str | None = "1000.00", terms: str = "net-30"
) -> BillingAccount:
    """A billing account allowing payment on account up to `limit` (None: no limit)."""
    terms_seed()
    return services.billing_account_set(
        company=company, actor=None, terms=terms, credit_limit=limit, on_account_allowed=True
    )


def order_for(
    company: Company | None = None,
    *,
    unit_gross: str = "120.00",
    quantity: int = 2,
    shipping_gross: str = "0.00",
    on_account: bool = True,
    payment_status: str | None = None,
    reverse_charge: bool = False,
    **overrides: Any,
) -> Order:
    """An order of `quantity` x `unit_gross` (20 % VAT, or 0 % under reverse charge)."""
    variant = ProductVariantFactory.create()
    rate = Decimal("0") if reverse_charge else Decimal("20.000")
    line = draft_line(variant, quantity, unit_gross=Decimal(unit_gross), tax_rate=rate)
    status = payment_status or (PaymentStatus.ON_ACCOUNT if on_account else PaymentStatus.PAID)
    fields: dict[str, Any] = {
        "company_id": company.pk if company else None,
        "payment_method": "on_account" if on_account else "test_card",
        "po_number": "PO-77",
    }
    if reverse_charge:
        fields |= {
            "tax_treatment": "reverse_charge",
            "billing_address": BELGIAN_ADDRESS,
            "shipping_address": BELGIAN_ADDRESS,
        }
    draft = make_draft(
        lines=[line],
        shipping_gross=Decimal(shipping_gross),
        payment_status=status,
        **(fields | overrides),
    )
    if reverse_charge:
        net = draft.subtotal_net + draft.shipping_net
        draft = replace(
            draft,
            shipping_tax=Decimal("0.00"),
            shipping_net=draft.shipping_gross,
            total_net=draft.subtotal_net + draft.shipping_gross,
            total_tax=Decimal("0.00"),
            tax_breakdown=[{"rate": "0.000", "net": f"{net:.2f}", "tax": "0.00"}],
        )
    return order_create(draft=draft)


__all__ = ["FrenchCompanyFactory", "account_for", "belgian_company", "order_for", "terms_seed"]
