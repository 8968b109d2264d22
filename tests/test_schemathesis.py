"""Property-based API tests: Schemathesis generates requests from the OpenAPI document
(valid and invalid ones) and checks that none gets a server error (5xx).

Bounded and deterministic (derandomized Hypothesis, a few examples per operation) so it runs
inside `make test` on SQLite and PostgreSQL. Requests go to the Django WSGI app in-process,
inside the test's database transaction, with a staff bearer token so that the admin
operations are exercised past authentication.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from comptoir.accounts.services import api_token_create
from comptoir.accounts.tests.factories import StaffFactory, UserFactory
from comptoir.catalog.models import AttributeKind, ProductAttributeValue
from comptoir.catalog.tests.factories import (
    AttributeChoiceFactory,
    AttributeFactory,
    CategoryFactory,
    published_product,
)
from comptoir.channels.tests.factories import B2BChannelFactory, ChannelFactory

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())

EXAMPLES_PER_OPERATION = 15


@pytest.fixture
def keep_test_connection() -> Iterator[None]:
    """The WSGI handler closes the database connection after each request when it is not in
    autocommit mode, which a test transaction never is: keep it open, as Django's test
    client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def staff_token(db: None, keep_test_connection: None) -> str:
    """A small catalog to find, and a staff bearer token."""
    channel = ChannelFactory()
    B2BChannelFactory()
    tools = CategoryFactory(slug="outillage", name="Outillage")
    CategoryFactory(slug="perceuses", name="Perceuses", parent=tools)
    color: Any = AttributeFactory(slug="couleur", kind=AttributeKind.CHOICE)
    red: Any = AttributeChoiceFactory(attribute=color, slug="rouge")
    for i in range(3):
        product = published_product(
            channel=channel, slug=f"produit-{i}", category=tools, price=Decimal("9.90")
        )
        ProductAttributeValue.objects.create(product=product, attribute=color, choice=red)
    UserFactory(email="lea@example.fr")
    user: Any = StaffFactory(email="admin@comptoir.test")
    raw, _token = api_token_create(user=user)
    return raw


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_error(case: Any, staff_token: str) -> None:
    headers = {"Authorization": f"Bearer {staff_token}"}
    if case.headers and "Authorization" in case.headers:
        headers = {}  # let a generated Authorization header through as it is
    case.call_and_validate(headers=headers, checks=[not_a_server_error])
