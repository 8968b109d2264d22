"""The checkout shop (a channel, a warehouse, five products, a shipping method and carts)
of the checkout tests, for the orders placed on account here; and the seeded payment
terms, put back for each test (a transactional test elsewhere flushes the tables)."""

from __future__ import annotations

import pytest

from comptoir.checkout.tests.conftest import (  # noqa: F401 (fixtures)
    channel,
    make_cart,
    shipping,
    variants,
    warehouse,
)
from comptoir.invoicing.tests.factories import terms_seed


@pytest.fixture(autouse=True)
def seeded_terms(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("django_db"):
        terms_seed()
