"""The approval flow end to end through the API: checkout answers 202 with the pending
approval (nothing reserved, cart closed), approvers approve level by level, the order is
placed from the frozen snapshot at the last approval; refusals (own order, not of the
level, another company, decided) change nothing; emails; budgets; no path places an
unapproved order."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from comptoir.approvals.models import ApprovalDecision, OrderApproval
from comptoir.approvals.services import budget_set
from comptoir.approvals.tests.conftest import Team, checkout
from comptoir.cart.models import Cart
from comptoir.catalog.models import ProductVariant, VariantChannelPrice
from comptoir.checkout.services import checkout_reconcile
from comptoir.companies.tests.factories import CompanyFactory, member_with_role
from comptoir.core.testing import problem
from comptoir.inventory.models import Reservation, Stock
from comptoir.orders.models import Order
from comptoir.payments.models import Payment

pytestmark = pytest.mark.django_db(transaction=True)


def nothing_placed(variant: ProductVariant) -> None:
    assert not Order.objects.exists()
    assert not Payment.objects.exists()
    assert not Reservation.objects.exists()
    assert Stock.objects.get(variant=variant).quantity_allocated == 0


def test_checkout_over_a_rule_waits_for_approval_and_reserves_nothing(
    team: Team, variants: list[ProductVariant], make_cart: Callable[..., Cart]
) -> None:
    team.rule()
    cart = make_cart([(variants[0], 3)], user=team.buyer.user)  # 3 x 10.00 TTC

    response = checkout(team.buyer.user, cart)

    assert response.status_code == 202, response.content
    body = response.json()
    approval = OrderApproval.objects.get()
    assert (body["status"], body["code"], body["approval"]["id"]) == (
        "approval_pending",
        "APPROVAL_REQUIRED",
        approval.pk,
    )
    assert body["approval"]["total_net"] == "29.08"  # 3 x 8.33 + 4.08 shipping
    assert body["approval"]["approvers_now"] == ["ines@am.fr", "jo@am.fr"]
    assert body["approval"]["reasons"] == [
        {"kind": "rule", "id": approval.reasons[0]["id"], "name": "Au-delà de 25 € HT"}
    ]
    assert approval.draft["po_number"] == "PO-7"
    nothing_placed(variants[0])
    cart.refresh_from_db()
    assert (cart.status, cart.metadata["approval_id"]) == ("completed", approval.pk)
    # A retry answers the same approval; another attempt finds the cart closed.
    assert checkout(team.buyer.user, cart).json() == body
    problem(checkout(team.buyer.user, cart, key="k2"), 409, "CART_COMPLETED")
    # A card payment cannot wait for an approval: refused, nothing changed.
    other = make_cart([(variants[1], 3)], user=team.buyer.user)
    problem(
        checkout(team.buyer.user, other, method="test_card", key="k3"),
        400,
        "APPROVAL_PAYMENT_METHOD",
    )
    other.refresh_from_db()
    assert other.status == "open"
    assert OrderApproval.objects.count() == 1


def test_under_the_threshold_the_order_is_placed(
    team: Team, variants: list[ProductVariant], make_cart: Callable[..., Cart]
) -> None:
    team.rule()
    cart = make_cart([(variants[0], 2)], user=team.buyer.user)  # 16.67 + 4.08 HT

    assert checkout(team.buyer.user, cart).status_code == 201
    assert Order.objects.get().total_net == Decimal("20.75")
    assert not OrderApproval.objects.exists()


def test_approval_places_the_order_at_the_prices_of_the_request(
    team: Team,
    variants: list[ProductVariant],
    make_cart: Callable[..., Cart],
    django_capture_on_commit_callbacks: Any,
) -> None:
    team.rule()
    cart = make_cart([(variants[0], 3)], user=team.buyer.user)
    with django_capture_on_commit_callbacks(execute=True):
        approval_id = checkout(team.buyer.user, cart).json()["approval"]["id"]
    assert sorted(m.to[0] for m in mail.outbox) == ["ines@am.fr", "jo@am.fr"]
    assert mail.outbox[0].subject == f"La commande n°{approval_id} attend votre approbation"
    page = reverse("storefront:account_approval", args=[approval_id])
    assert f"{settings.SITE_URL}{page}\n" in str(mail.outbox[0].body)
    mail.outbox.clear()
    VariantChannelPrice.objects.filter(variant=variants[0]).update(amount=Decimal("99.00"))

    with django_capture_on_commit_callbacks(execute=True):
        response = team.api(team.approver).post(
            f"approvals/{approval_id}/approve", {"comment": "OK pour moi"}
        )

    assert response.status_code == 200, response.content
    body = response.json()
    order = Order.objects.get()
    assert (body["status"], body["order_number"]) == ("approved", order.number)
    assert (order.total_net, order.total_gross, order.po_number, order.user_id) == (
        Decimal("29.08"),
        Decimal("34.90"),
        "PO-7",
        team.buyer.user_id,
    )
    assert order.company_id == team.company.pk
    assert Stock.objects.get(variant=variants[0]).quantity_allocated == 3
    assert body["decisions"][0]["comment"] == "OK pour moi"
    sent = {m.subject: m for m in mail.outbox}
    assert sorted((m.to[0], s) for s, m in sent.items()) == [
        # The checkout's own confirmation, to the cart's email, as for any order.
        ("lea@example.fr", f"Votre commande {order.number} chez Boutique France est confirmée"),
        ("paul@am.fr", f"Votre commande n°{approval_id} a été approuvée"),
    ]
    approved = str(sent[f"Votre commande n°{approval_id} a été approuvée"].body)
    assert "OK pour moi" in approved
    order_page = reverse("storefront:account_order", args=[order.number])
    assert f"{settings.SITE_URL}{order_page}\n" in approved
    problem(
        team.api(team.approver2).post(f"approvals/{approval_id}/approve", {}),
        409,
        "APPROVAL_NOT_PENDING",
    )
    assert Order.objects.count() == 1


def test_refusals_change_nothing(
    team: Team, variants: list[ProductVariant], make_cart: Callable[..., Cart]
) -> None:
    team.rule(levels=[{"role_id": team.approver.role_id}])
    # The buyer is an approver too: still not for their own order.
    own = member_with_role(team.company, "approver")
    cart = make_cart([(variants[0], 3)], user=own.user)
    approval_id = checkout(own.user, cart).json()["approval"]["id"]
    outsider = member_with_role(CompanyFactory.create(), "approver")

    problem(team.api(own).post(f"approvals/{approval_id}/approve", {}), 403, "OWN_APPROVAL")
    problem(
        team.api(team.buyer).post(f"approvals/{approval_id}/approve", {}), 404, "APPROVAL_NOT_FOUND"
    )
    problem(
        team.api(team.admin).post(f"approvals/{approval_id}/approve", {}), 403, "NOT_AN_APPROVER"
    )
    problem(
        team.api(outsider).post(f"approvals/{approval_id}/approve", {}), 404, "APPROVAL_NOT_FOUND"
    )
    problem(team.api(outsider).get(f"approvals/{approval_id}"), 404, "APPROVAL_NOT_FOUND")
    problem(
        team.api(outsider).post(f"approvals/{approval_id}/reject", {}), 404, "APPROVAL_NOT_FOUND"
    )
    problem(
        team.api(team.approver).post(f"approvals/{approval_id}/approve", {"comment": "x" * 1001}),
        400,
        "INVALID_INPUT",
    )
    assert team.api(outsider).get("approvals").json()["count"] == 0
    assert not ApprovalDecision.objects.exists()
    assert OrderApproval.objects.get().status == "pending"
    nothing_placed(variants[0])
    # Nor does any background path place it.
    assert checkout_reconcile(older_than_seconds=0) == 0
    assert not Order.objects.exists()


def test_rejection_ends_it_and_the_cart_stays_closed(
    team: Team,
    variants: list[ProductVariant],
    make_cart: Callable[..., Cart],
    django_capture_on_commit_callbacks: Any,
) -> None:
    team.rule()
    cart = make_cart([(variants[0], 3)], user=team.buyer.user)
    approval_id = checkout(team.buyer.user, cart).json()["approval"]["id"]

    with django_capture_on_commit_callbacks(execute=True):
        body = (
            team.api(team.approver)
            .post(f"approvals/{approval_id}/reject", {"comment": "Budget épuisé"})
            .json()
        )

    assert (body["status"], body["decisions"][0]["decision"]) == ("rejected", "reject")
    assert [(m.to, m.subject) for m in mail.outbox if m.to == ["paul@am.fr"]] == [
        (["paul@am.fr"], f"Votre commande n°{approval_id} a été refusée")
    ]
    assert "Budget épuisé" in str(mail.outbox[-1].body)
    page = reverse("storefront:account_approval", args=[approval_id])
    assert f"{settings.SITE_URL}{page}\n" in str(mail.outbox[-1].body)
    problem(
        team.api(team.approver2).post(f"approvals/{approval_id}/approve", {}),
        409,
        "APPROVAL_NOT_PENDING",
    )
    cart.refresh_from_db()
    assert cart.status == "completed"
    nothing_placed(variants[0])


def test_levels_in_sequence(
    team: Team, variants: list[ProductVariant], make_cart: Callable[..., Cart]
) -> None:
    team.rule(levels=[{"role_id": team.approver.role_id}, {"member_ids": [team.admin.pk]}])
    cart = make_cart([(variants[0], 3)], user=team.buyer.user)
    approval_id = checkout(team.buyer.user, cart).json()["approval"]["id"]
    problem(
        team.api(team.admin).post(f"approvals/{approval_id}/approve", {}), 403, "NOT_AN_APPROVER"
    )

    first = team.api(team.approver).post(f"approvals/{approval_id}/approve", {}).json()

    assert (first["status"], first["current_level"], first["approvers_now"]) == (
        "pending",
        1,
        ["marie@am.fr"],
    )
    assert not Order.objects.exists()
    problem(
        team.api(team.approver2).post(f"approvals/{approval_id}/approve", {}),
        403,
        "NOT_AN_APPROVER",
    )
    listed = team.api(team.admin).get("approvals").json()
    assert [(a["id"], a["can_act"]) for a in listed["results"]] == [(approval_id, True)]
    assert (
        team.api(team.admin).post(f"approvals/{approval_id}/approve", {}).json()["status"]
        == "approved"
    )
    assert Order.objects.count() == 1


def test_the_buyer_sees_their_approvals_and_approve_is_idempotent(
    team: Team, variants: list[ProductVariant], make_cart: Callable[..., Cart]
) -> None:
    team.rule()
    approval_id = checkout(
        team.buyer.user, make_cart([(variants[0], 3)], user=team.buyer.user)
    ).json()["approval"]["id"]
    mine = team.api(team.buyer).get("approvals").json()
    assert [(a["id"], a["can_act"]) for a in mine["results"]] == [(approval_id, False)]

    api = team.api(team.approver)
    path = f"/api/v1/approvals/{approval_id}/approve"
    headers = {**api.headers, "Idempotency-Key": "a-1"}
    first = api.client.post(path, data="{}", content_type="application/json", headers=headers)
    again = api.client.post(path, data="{}", content_type="application/json", headers=headers)

    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert Order.objects.count() == 1


def test_a_budget_exceeded_needs_an_approver(
    team: Team, variants: list[ProductVariant], make_cart: Callable[..., Cart]
) -> None:
    budget_set(member=team.buyer, period="month", amount="30.00")
    first = make_cart([(variants[0], 2)], user=team.buyer.user)  # 20.75 HT: within
    assert checkout(team.buyer.user, first).status_code == 201

    second = make_cart([(variants[0], 2)], user=team.buyer.user)  # 41.50 HT in the month
    body = checkout(team.buyer.user, second).json()

    assert body["status"] == "approval_pending"
    assert body["approval"]["reasons"] == [
        {"kind": "budget", "name": "Budget", "remaining": "9.25"}
    ]
    assert body["approval"]["levels"][0]["any_approver"] is True
    # Any member holding approvals.approve, the admin included; never the buyer.
    assert body["approval"]["approvers_now"] == ["marie@am.fr", "ines@am.fr", "jo@am.fr"]
