"""Company orders: a member whose role holds orders.view_all (approver, finance, viewer,
admin) reads every order of the company; a buyer reads their own; nobody reads another
company's (404)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from comptoir.accounts.models import User
from comptoir.accounts.services import api_token_create
from comptoir.channels.models import Channel
from comptoir.companies.tests.factories import CompanyFactory, member_with_role
from comptoir.core.testing import problem
from comptoir.orders.tests.factories import make_order

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders"


def _get(client: Client, user: User, path: str) -> Any:
    raw, _token = api_token_create(user=user)
    return client.get(path, headers={"Authorization": f"Bearer {raw}"})


def test_view_all_roles_read_the_companys_orders(client: Client, channel: Channel) -> None:
    company, other = CompanyFactory.create(), CompanyFactory.create()
    buyer = member_with_role(company, "buyer").user
    colleague = member_with_role(company, "buyer").user
    approver = member_with_role(company, "approver").user
    stranger = member_with_role(other, "admin").user
    own = make_order(channel=channel, user=buyer, company_id=company.pk)
    theirs = make_order(channel=channel, user=colleague, company_id=company.pk)
    foreign = make_order(channel=channel, user=stranger, company_id=other.pk)

    numbers = {o["number"] for o in _get(client, approver, ORDERS).json()["results"]}
    assert numbers == {own.number, theirs.number}
    assert _get(client, approver, f"{ORDERS}/{theirs.number}").status_code == 200

    numbers = {o["number"] for o in _get(client, buyer, ORDERS).json()["results"]}
    assert numbers == {own.number}
    problem(_get(client, buyer, f"{ORDERS}/{theirs.number}"), 404, "ORDER_NOT_FOUND")
    problem(_get(client, approver, f"{ORDERS}/{foreign.number}"), 404, "ORDER_NOT_FOUND")


def test_a_deactivated_member_reads_only_their_own(client: Client, channel: Channel) -> None:
    company = CompanyFactory.create()
    buyer = member_with_role(company, "buyer").user
    finance = member_with_role(company, "finance", is_active=False).user
    order = make_order(channel=channel, user=buyer, company_id=company.pk)
    assert _get(client, finance, ORDERS).json()["count"] == 0
    problem(_get(client, finance, f"{ORDERS}/{order.number}"), 404, "ORDER_NOT_FOUND")
