"""Accepting a quote goes through the company's approval rules (docs/approvals.md): 202
with the pending approval, the final approval places the order at the quoted prices,
a rejection cancels the quote; no path places an unapproved order."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from comptoir.accounts.tests.factories import UserFactory
from comptoir.approvals import services as approval_services
from comptoir.approvals.models import OrderApproval
from comptoir.companies.models import CompanyMember
from comptoir.companies.tests.factories import member_with_role
from comptoir.core.testing import problem
from comptoir.inventory.models import Stock
from comptoir.orders.models import Order
from comptoir.payments.models import Payment
from comptoir.quotes.models import Quote, QuoteState
from comptoir.quotes.tests.conftest import (
    Caller,
    Shop,
    approval_rule,
    assert_ordered_at_quoted_prices,
    sent,
)

pytestmark = pytest.mark.django_db

S = QuoteState


@pytest.fixture
def approver(shop: Shop) -> CompanyMember:
    """An approver of Atelier Martin, and a rule: orders above 100.00 HT need them."""
    member = member_with_role(shop.martin, "approver", user=UserFactory.create(email="ines@am.fr"))
    approval_rule(shop, role_id=member.role_id, threshold="100.00")
    return member


def _post(user: Any, path: str, body: dict[str, Any], key: str | None = None) -> Any:
    caller = Caller(Client(), user)
    headers = {**caller.headers, **({"Idempotency-Key": key} if key else {})}
    return caller.client.post(
        f"/api/v1/{path}", data=json.dumps(body), content_type="application/json", headers=headers
    )


def _accept(shop: Shop, quote: Quote, key: str = "k1") -> Any:
    return _post(
        shop.buyer,
        f"quotes/{quote.number}/accept",
        {"payment_method": "on_account", "po_number": "PO-77"},
        key=key,
    )


def _quote(shop: Shop, clerk: Any) -> Quote:
    """141.00 HT: 10 drills at 14.00 (10 % off) and 15.00 delivery."""
    return sent(
        shop, clerk, discount_percent="10", shipping_method="messagerie", shipping_price="15.00"
    )


def test_accept_over_the_threshold_waits_for_approval(
    shop: Shop, clerk: Any, approver: CompanyMember
) -> None:
    quote = _quote(shop, clerk)
    response = _accept(shop, quote)
    assert response.status_code == 202, response.content
    body = response.json()
    approval = OrderApproval.objects.get()
    assert (body["quote"], body["state"], body["code"], body["status"]) == (
        quote.number,
        "accepted",
        "APPROVAL_REQUIRED",
        "approval_pending",
    )
    assert (body["approval"]["id"], body["approval"]["status"]) == (approval.pk, "pending")
    assert (approval.total_net, approval.total_gross, approval.checkout_ref) == (
        Decimal("141.00"),
        Decimal("169.20"),
        f"quote-{quote.number}",
    )
    assert [line["rule"] for line in approval.draft["lines"]] == [f"quote:{quote.number}"]
    assert [(r["kind"], r["name"]) for r in approval.reasons] == [
        ("rule", "Au-delà de 100.00 € HT"),
    ]
    quote.refresh_from_db()
    assert (quote.state, quote.order_id) == (S.ACCEPTED, None)
    assert (Order.objects.count(), Payment.objects.count()) == (0, 0)
    assert Stock.objects.get(variant=shop.drill).quantity_allocated == 0
    # A replay answers the same pending approval; another key finds the quote accepted.
    replay = _accept(shop, quote)
    assert (replay.status_code, replay.json()) == (202, body)
    problem(_accept(shop, quote, key="k2"), 409, "INVALID_QUOTE_TRANSITION")
    # The buyer cannot withdraw it either while it waits.
    problem(_post(shop.buyer, f"quotes/{quote.number}/cancel", {}), 409, "INVALID_QUOTE_TRANSITION")
    assert OrderApproval.objects.count() == 1


def test_under_the_threshold_the_order_is_placed_at_once(
    shop: Shop, clerk: Any, approver: CompanyMember
) -> None:
    quote = sent(shop, clerk, ("DRILL", 2))
    assert quote.total_net < Decimal("100.00")
    assert _accept(shop, quote).status_code == 201
    assert (Order.objects.count(), OrderApproval.objects.count()) == (1, 0)


def test_the_final_approval_places_the_order_at_the_quoted_prices(
    shop: Shop, clerk: Any, approver: CompanyMember
) -> None:
    quote = _quote(shop, clerk)
    approval_id = _accept(shop, quote).json()["approval"]["id"]
    # The buyer may not approve their own order, even holding approvals.approve.
    own = member_with_role(shop.martin, "approver")
    CompanyMember.objects.filter(pk=shop.buyer.company_membership.pk).update(role=own.role)
    problem(_post(shop.buyer, f"approvals/{approval_id}/approve", {}), 403, "OWN_APPROVAL")
    assert Order.objects.count() == 0

    response = _post(approver.user, f"approvals/{approval_id}/approve", {"comment": "OK"}, "a1")
    assert response.status_code == 200, response.content
    order = Order.objects.get()
    assert (response.json()["status"], response.json()["order_number"]) == (
        "approved",
        order.number,
    )
    quote.refresh_from_db()
    assert (quote.state, quote.order) == (S.ORDERED, order)
    assert (order.user, order.po_number, order.payment_method, order.checkout_ref) == (
        shop.buyer,
        "PO-77",
        "on_account",
        f"quote-{quote.number}",
    )
    assert_ordered_at_quoted_prices(order, quote)
    assert Stock.objects.get(variant=shop.drill).quantity_allocated == 10
    assert OrderApproval.objects.get().order == order
    assert list(quote.events.values_list("kind", flat=True))[-3:] == [
        "accepted",
        "approval_requested",
        "ordered",
    ]
    # A double POST (same key) makes one order; another approve finds it decided.
    again = _post(approver.user, f"approvals/{approval_id}/approve", {"comment": "OK"}, "a1")
    assert (again.status_code, again.json()) == (200, response.json())
    problem(
        _post(approver.user, f"approvals/{approval_id}/approve", {}), 409, "APPROVAL_NOT_PENDING"
    )
    assert Order.objects.count() == 1


def test_placement_errors_leave_the_approval_pending(
    shop: Shop, clerk: Any, approver: CompanyMember
) -> None:
    quote = _quote(shop, clerk)
    approval_id = _accept(shop, quote).json()["approval"]["id"]
    Stock.objects.filter(variant=shop.drill).update(quantity=3)
    problem(_post(approver.user, f"approvals/{approval_id}/approve", {}), 409, "INSUFFICIENT_STOCK")
    approval = OrderApproval.objects.get()
    quote.refresh_from_db()
    assert (approval.status, approval.decisions.count(), quote.state) == ("pending", 0, S.ACCEPTED)
    assert Order.objects.count() == 0


def test_a_rejection_cancels_the_quote(shop: Shop, clerk: Any, approver: CompanyMember) -> None:
    quote = _quote(shop, clerk)
    approval_id = _accept(shop, quote).json()["approval"]["id"]
    stranger = member_with_role(shop.belge, "approver")
    problem(_post(stranger.user, f"approvals/{approval_id}/reject", {}), 404, "APPROVAL_NOT_FOUND")
    response = _post(approver.user, f"approvals/{approval_id}/reject", {"comment": "Trop cher"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "rejected"
    quote.refresh_from_db()
    assert quote.state == S.CANCELLED
    cancelled = quote.events.get(kind="cancelled")
    assert (cancelled.actor, cancelled.data) == (approver.user, {"comment": "Trop cher"})
    problem(
        _post(approver.user, f"approvals/{approval_id}/approve", {}), 409, "APPROVAL_NOT_PENDING"
    )
    problem(_accept(shop, quote, key="k2"), 409, "INVALID_QUOTE_TRANSITION")
    assert (Order.objects.count(), Payment.objects.count()) == (0, 0)
    assert Stock.objects.get(variant=shop.drill).quantity_allocated == 0


def test_a_budget_applies_to_quotes_too(shop: Shop, clerk: Any) -> None:
    member_with_role(shop.martin, "approver")
    approval_services.budget_set(
        member=shop.buyer.company_membership, period="month", amount="50.00"
    )
    quote = _quote(shop, clerk)
    assert _accept(shop, quote).status_code == 202
    assert OrderApproval.objects.get().reasons[0]["kind"] == "budget"
    assert Order.objects.count() == 0


def test_a_quote_cancelled_by_staff_while_waiting(
    shop: Shop, clerk: Any, approver: CompanyMember
) -> None:
    from comptoir.quotes import services

    quote = _quote(shop, clerk)
    approval_id = _accept(shop, quote).json()["approval"]["id"]
    services.quote_cancel(quote=quote, actor=clerk)
    problem(
        _post(approver.user, f"approvals/{approval_id}/approve", {}),
        409,
        "INVALID_QUOTE_TRANSITION",
    )
    assert OrderApproval.objects.get().status == "pending"
    response = _post(approver.user, f"approvals/{approval_id}/reject", {})
    assert response.json()["status"] == "rejected"
    quote.refresh_from_db()
    assert (quote.state, Order.objects.count()) == (S.CANCELLED, 0)
