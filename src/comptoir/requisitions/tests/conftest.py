"""The cart tests' priced world (`shop`: B2B channel, Atelier Martin and its buyer with a
contract list, the Belgian Bois & Co) plus Paul, a colleague of the buyer at Atelier
Martin, and bearer-token callers of the API (the cart tests' `Caller`)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from comptoir.accounts.tests.factories import UserFactory
from comptoir.cart.tests import conftest as cart_conftest
from comptoir.cart.tests.conftest import Caller, Shop
from comptoir.companies.models import CompanyMember
from comptoir.companies.services import role_builtin
from comptoir.companies.tests.factories import CompanyMemberFactory

shop = cart_conftest.shop  # the cart tests' fixture


@pytest.fixture
def paul(shop: Shop) -> Any:
    user = UserFactory.create(first_name="Paul", last_name="Martin")
    CompanyMemberFactory.create(company=shop.martin, user=user)
    return user


@pytest.fixture
def buyer_api(shop: Shop) -> Caller:
    return Caller(Client(), shop.buyer)


@pytest.fixture
def paul_api(paul: Any) -> Caller:
    return Caller(Client(), paul)


@pytest.fixture
def belge_api(shop: Shop) -> Caller:
    return Caller(Client(), shop.belge_buyer)


@pytest.fixture
def no_share(shop: Shop, paul: Any) -> None:
    """Every member holds the built-in buyer role, without `requisitions.share`."""
    for member in CompanyMember.objects.select_related("company"):
        member.role = role_builtin(company=member.company, code="buyer")
        member.save(update_fields=["role"])
