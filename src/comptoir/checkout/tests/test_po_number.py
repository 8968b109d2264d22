"""Purchase order number and cost centre at checkout: both kept on the order and shown by
the orders API; a company that requires a PO number gets 400 PO_NUMBER_REQUIRED without
one, and nothing changes."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from comptoir.accounts.services import api_token_create
from comptoir.accounts.tests.factories import UserFactory
from comptoir.cart.models import Cart
from comptoir.catalog.models import ProductVariant
from comptoir.checkout.tests.conftest import APPROVED
from comptoir.companies.tests.factories import CompanyFactory, CompanyMemberFactory
from comptoir.core.testing import problem
from comptoir.inventory.models import Stock
from comptoir.orders.models import Order
from comptoir.payments.models import Payment

pytestmark = pytest.mark.django_db(transaction=True)


def checkout(client: Client, cart: Cart, body: dict[str, Any], token: str) -> Any:
    return client.post(
        f"/api/v1/carts/{cart.token}/checkout",
        data=json.dumps({"payment_method": "test_card", "payment_source": APPROVED, **body}),
        content_type="application/json",
        headers={"Idempotency-Key": "k-1", "Authorization": f"Bearer {token}"},
    )


@pytest.fixture
def buyer() -> tuple[Any, str]:
    user = UserFactory.create()
    company = CompanyFactory.create(legal_name="Atelier Martin", country="FR")
    CompanyMemberFactory.create(company=company, user=user)
    raw, _token = api_token_create(user=user)
    return user, raw


def test_po_number_and_cost_centre_are_kept_and_shown(
    client: Client,
    variants: list[ProductVariant],
    make_cart: Callable[..., Cart],
    buyer: tuple[Any, str],
) -> None:
    user, token = buyer
    cart = make_cart([(variants[0], 1)], user=user)
    response = checkout(client, cart, {"po_number": " PO-77 ", "cost_centre": "CC-ATELIER"}, token)
    assert response.status_code == 201, response.content
    order = Order.objects.get()
    assert (order.po_number, order.cost_centre) == ("PO-77", "CC-ATELIER")
    shown = client.get(
        f"/api/v1/orders/{order.number}", headers={"Authorization": f"Bearer {token}"}
    ).json()
    assert (shown["po_number"], shown["cost_centre"]) == ("PO-77", "CC-ATELIER")


@pytest.mark.parametrize("body", [{}, {"po_number": "   "}, {"cost_centre": "CC-1"}])
def test_a_company_requiring_a_po_number_is_refused_without_one(
    client: Client,
    variants: list[ProductVariant],
    make_cart: Callable[..., Cart],
    buyer: tuple[Any, str],
    body: dict[str, Any],
) -> None:
    user, token = buyer
    user.company_membership.company.__class__.objects.update(po_number_required=True)
    cart = make_cart([(variants[0], 1)], user=user)
    body = problem(checkout(client, cart, body, token), 400, "PO_NUMBER_REQUIRED")
    assert list(body["errors"]) == ["po_number"]
    cart.refresh_from_db()
    assert cart.status == "open"
    assert not Order.objects.exists()
    assert not Payment.objects.exists()
    assert Stock.objects.get(variant=variants[0]).quantity_allocated == 0
    # With one, the same key now places the order (the refusal kept nothing).
    assert checkout(client, cart, {"po_number": "PO-1"}, token).status_code == 201


def test_cost_centre_too_long(
    client: Client,
    variants: list[ProductVariant],
    make_cart: Callable[..., Cart],
    buyer: tuple[Any, str],
) -> None:
    user, token = buyer
    cart = make_cart([(variants[0], 1)], user=user)
    body = problem(checkout(client, cart, {"cost_centre": "x" * 65}, token), 400, "INVALID_INPUT")
    assert list(body["errors"]) == ["cost_centre"]
    assert not Order.objects.exists()
