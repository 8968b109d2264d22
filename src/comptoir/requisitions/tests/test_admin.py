"""The requisition lists admin is read-only and shows the lines."""

from __future__ import annotations

import pytest
from django.test import Client

from comptoir.accounts.tests.factories import StaffFactory
from comptoir.cart.tests.conftest import Shop
from comptoir.requisitions import services

pytestmark = pytest.mark.django_db


def test_staff_see_lists_read_only(client: Client, shop: Shop) -> None:
    rlist = services.requisition_list_create(user=shop.buyer, name="Atelier")
    services.requisition_line_add(user=shop.buyer, list_id=rlist.pk, sku="DRILL", quantity=3)
    client.force_login(StaffFactory.create(is_superuser=True))
    listing = client.get("/admin/requisitions/requisitionlist/")
    assert listing.status_code == 200
    assert "Atelier" in listing.content.decode()
    page = client.get(f"/admin/requisitions/requisitionlist/{rlist.pk}/change/")
    assert page.status_code == 200
    assert "DRILL" in page.content.decode()
    assert client.get("/admin/requisitions/requisitionlist/add/").status_code == 403
