"""The demo's requisition list: made once, for Atelier Martin's buyer, with quantities the
contract's rules allow (the list goes into the cart whole)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from comptoir.accounts.tests.factories import UserFactory
from comptoir.cart import services as cart_services
from comptoir.cart.tests.conftest import Shop
from comptoir.companies.tests.factories import CompanyMemberFactory
from comptoir.pricing.tests.factories import PriceListEntryFactory
from comptoir.requisitions import demo, services
from comptoir.requisitions.models import RequisitionList, RequisitionListLine

pytestmark = pytest.mark.django_db


def test_demo_list(shop: Shop) -> None:
    buyer = UserFactory.create(email=demo.BUYER)
    CompanyMemberFactory.create(company=shop.martin, user=buyer)
    shop.contract.code = demo.CONTRACT
    shop.contract.save(update_fields=["code"])
    PriceListEntryFactory.create(
        price_list=shop.contract,
        variant=shop.drill_xl,
        unit_price=Decimal("25.00"),
        min_quantity=2,
        increment=4,
    )
    demo.demo_requisitions_load()
    demo.demo_requisitions_load()  # again: nothing more
    rlist = RequisitionList.objects.get()
    assert (rlist.name, rlist.owner_id, rlist.shared) == (demo.LIST_NAME, buyer.pk, True)
    assert list(
        RequisitionListLine.objects.order_by("variant__sku").values_list("variant__sku", "quantity")
    ) == [("DRILL", 5), ("DRILL-XL", 8)]
    cart = cart_services.cart_create(channel=shop.b2b, user=buyer, language="fr")
    result = services.requisition_list_to_cart(user=buyer, list_id=rlist.pk, cart=cart)
    assert result.rejected == ()
