"""The read-only cart admin."""

from __future__ import annotations

import pytest
from django.test import Client

from comptoir.accounts.tests.factories import StaffFactory
from comptoir.cart import services
from comptoir.cart.tests.conftest import Shop

pytestmark = pytest.mark.django_db


def test_carts_are_read_only_in_the_admin(client: Client, shop: Shop) -> None:
    cart = services.cart_create(channel=shop.b2c, user=shop.shopper, language="fr")
    services.line_add(cart=cart, sku="DRILL", quantity=2)
    client.force_login(StaffFactory.create())
    listing = client.get("/admin/cart/cart/")
    assert listing.status_code == 200
    assert shop.shopper.email in listing.content.decode()
    for query in ("abc", str(cart.pk), "example"):
        assert client.get("/admin/cart/cart/", {"q": query}).status_code == 200
    page = client.get(f"/admin/cart/cart/{cart.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "DRILL" in html
    assert cart.token not in html
    assert client.get("/admin/cart/cart/add/").status_code == 403
    response = client.post(f"/admin/cart/cart/{cart.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    cart.refresh_from_db()
    assert cart.lines.count() == 1
