"""A company with a buyer, two approvers and an admin, in the checkout tests' small shop
(their fixtures: channel, warehouse, shipping, variants, make_cart)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from comptoir.accounts.tests.factories import UserFactory
from comptoir.approvals import services
from comptoir.approvals.models import ApprovalRule
from comptoir.cart.models import Cart
from comptoir.checkout.tests.conftest import (  # noqa: F401 - fixtures
    channel,
    make_cart,
    shipping,
    variants,
    warehouse,
)
from comptoir.companies.models import Company, CompanyMember
from comptoir.companies.tests.factories import CompanyFactory, member_with_role
from comptoir.core.testing import BUYER, Api, api_for
from comptoir.invoicing.tests.factories import account_for


@dataclass
class Team:
    company: Company
    admin: CompanyMember
    buyer: CompanyMember
    approver: CompanyMember
    approver2: CompanyMember

    def api(self, member: CompanyMember) -> Api:
        return api_for(member.user, Client(), base=BUYER)

    def rule(self, **fields: Any) -> ApprovalRule:
        """An active rule: above 25.00 HT, approved by the approver role."""
        values: dict[str, Any] = {
            "name": "Au-delà de 25 € HT",
            "condition": "order_total",
            "threshold": "25.00",
            "levels": [{"role_id": self.approver.role_id}],
        }
        values.update(fields)
        return services.rule_create(company=self.company, **values)


@pytest.fixture(autouse=True)
def _rates_and_fresh_copies() -> None:
    """Transactional tests flush the tables, the VAT rates of the data migrations too:
    put the French standard rate back (amounts HT are asserted here), and drop the
    processes' copies of rates and buyers (ids come back after a flush)."""
    from comptoir.pricing.selectors import context
    from comptoir.taxes import selectors as taxes
    from comptoir.taxes.models import TaxClass, TaxRate

    standard, _created = TaxClass.objects.get_or_create(
        code="standard", defaults={"name": "Taux normal", "name_en": "Standard rate"}
    )
    TaxRate.objects.get_or_create(tax_class=standard, country="FR", defaults={"rate": "20"})
    taxes._memo.reset()
    context._buyers.reset()


@pytest.fixture
def team() -> Team:
    company = CompanyFactory.create(legal_name="Atelier Martin")
    account_for(company, limit=None)  # buys on account (docs/invoicing.md)
    return Team(
        company=company,
        admin=member_with_role(company, "admin", user=UserFactory.create(email="marie@am.fr")),
        buyer=member_with_role(
            company, "buyer", user=UserFactory.create(email="paul@am.fr", first_name="Paul")
        ),
        approver=member_with_role(company, "approver", user=UserFactory.create(email="ines@am.fr")),
        approver2=member_with_role(company, "approver", user=UserFactory.create(email="jo@am.fr")),
    )


def checkout(user: Any, cart: Cart, *, key: str = "k1", method: str = "on_account") -> Any:
    client = Client()
    client.force_login(user)
    return client.post(
        f"/api/v1/carts/{cart.token}/checkout",
        data=json.dumps({"payment_method": method, "po_number": "PO-7"}),
        content_type="application/json",
        headers={"Idempotency-Key": key},
    )
