"""The read-only back-office of quotes: list and page with the audit trail; nothing can be
added, changed or deleted there."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from comptoir.quotes.tests.conftest import Shop, sent

pytestmark = pytest.mark.django_db


def test_staff_see_the_quote_and_its_history(client: Client, shop: Shop, clerk: Any) -> None:
    quote = sent(shop, clerk, discount_percent="5")
    client.force_login(clerk)
    listing = client.get(reverse("admin:quotes_quote_changelist"))
    assert listing.status_code == 200
    assert quote.number in listing.text
    page = client.get(reverse("admin:quotes_quote_change", args=[quote.pk]))
    assert page.status_code == 200
    # the audit trail: the update event with what changed, by whom
    assert "discount_percent" in page.text
    assert "[&quot;0.00&quot;, &quot;5.00&quot;]" in page.text
    assert client.get(reverse("admin:quotes_quote_add")).status_code == 403
    response = client.post(reverse("admin:quotes_quote_delete", args=[quote.pk]), {"post": "yes"})
    assert response.status_code == 403
