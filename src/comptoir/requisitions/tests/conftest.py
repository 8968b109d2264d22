"""The cart tests' priced world (`shop`: B2B channel, Atelier Martin and its buyer with a
contract list, the Belgian Bois & Co) plus Paul, a colleague of the buyer at Atelier
Martin, and bearer-token callers of the API."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from comptoir.accounts.services import api_token_create
from comptoir.accounts.tests.factories import UserFactory
from comptoir.cart.tests import conftest as cart_conftest
from comptoir.cart.tests.conftest import Shop
from comptoir.companies.tests.factories import CompanyMemberFactory

API = "/api/v1"

shop = cart_conftest.shop  # the cart tests' fixture


class Caller:
    def __init__(self, user: Any) -> None:
        raw, _token = api_token_create(user=user)
        self.user = user
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {raw}"}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"{API}/{path}", params, headers=self.headers)

    def send(self, method: str, path: str, body: Any = None) -> Any:
        data = body if isinstance(body, str) else json.dumps(body)
        return getattr(self.client, method)(
            f"{API}/{path}", data=data, content_type="application/json", headers=self.headers
        )

    def post(self, path: str, body: Any = None) -> Any:
        return self.send("post", path, {} if body is None else body)

    def patch(self, path: str, body: Any) -> Any:
        return self.send("patch", path, body)

    def delete(self, path: str) -> Any:
        return self.client.delete(f"{API}/{path}", headers=self.headers)


@pytest.fixture
def paul(shop: Shop) -> Any:
    user = UserFactory.create(first_name="Paul", last_name="Martin")
    CompanyMemberFactory.create(company=shop.martin, user=user)
    return user


@pytest.fixture
def buyer_api(shop: Shop) -> Caller:
    return Caller(shop.buyer)


@pytest.fixture
def paul_api(paul: Any) -> Caller:
    return Caller(paul)


@pytest.fixture
def belge_api(shop: Shop) -> Caller:
    return Caller(shop.belge_buyer)


@pytest.fixture
def no_share(monkeypatch: pytest.MonkeyPatch) -> None:
    """Roles without `requisitions.share` (every member holds every permission until the
    companies' roles land)."""
    from comptoir.requisitions import selectors, services

    def member_can(user: Any, permission: str) -> bool:
        return permission != "requisitions.share"

    monkeypatch.setattr(selectors, "member_can", member_can)
    monkeypatch.setattr(services, "member_can", member_can)
