"""The back-office of quotes: list and page with the audit trail; nothing added or deleted
there; staff negotiate (lines, discount, shipping, expiry) and send through the services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comptoir.accounts.tests.factories import StaffFactory
from comptoir.quotes.models import Quote, QuoteState
from comptoir.quotes.tests.conftest import Shop, requested, sent

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


# --- negotiating in the admin (through the services) -------------------------------------


@pytest.fixture
def negotiator(client: Client) -> Client:
    staff = StaffFactory.create(is_superuser=False)
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_quote", "change_quote"])
    )
    client.force_login(staff)
    return client


def _form(client: Client, quote: Quote, **changes: Any) -> dict[str, Any]:
    """The change form's data as rendered, with `changes`."""
    page = client.get(reverse("admin:quotes_quote_change", args=[quote.pk]))
    assert page.status_code == 200
    form = page.context["adminform"].form
    data: dict[str, Any] = {
        name: form[name].value() for name in form.fields if form[name].value() is not None
    }
    data["expires_at_0"], data["expires_at_1"] = (
        timezone.localtime(quote.expires_at).strftime("%Y-%m-%d"),
        timezone.localtime(quote.expires_at).strftime("%H:%M:%S"),
    )
    data.pop("expires_at", None)
    for formset in page.context["inline_admin_formsets"]:
        fs = formset.formset
        prefix = fs.prefix
        data[f"{prefix}-TOTAL_FORMS"] = fs.total_form_count()
        data[f"{prefix}-INITIAL_FORMS"] = fs.initial_form_count()
        for i, row in enumerate(fs.forms):
            for name in row.fields:
                value = row[name].value()
                if value is not None and value is not False:
                    data[f"{prefix}-{i}-{name}"] = value
    data.update(changes)
    return data


def test_staff_negotiate_and_send_in_the_admin(negotiator: Client, shop: Shop, clerk: Any) -> None:
    quote = requested(shop, ("DRILL", 10))
    line = quote.lines.get()
    url = reverse("admin:quotes_quote_change", args=[quote.pk])
    data = _form(
        negotiator,
        quote,
        discount_percent="10",
        **{"lines-0-unit_net": "12.00", "lines-0-quantity": "20", "_send": "1"},
    )
    response = negotiator.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    quote.refresh_from_db()
    line.refresh_from_db()
    assert (quote.state, quote.version, quote.discount_percent) == (
        QuoteState.SENT,
        1,
        Decimal("10.00"),
    )
    assert (line.quantity, line.unit_net) == (20, Decimal("12.00"))
    assert quote.subtotal_net == Decimal("240.00")
    assert quote.total_net == Decimal("216.00")
    kinds = list(quote.events.order_by("id").values_list("kind", flat=True))
    assert kinds[-3:] == ["updated", "line_changed", "sent"]
    updated = quote.events.get(kind="updated")
    assert updated.data["changes"] == {"discount_percent": ["0.00", "10.00"]}
    assert updated.actor is not None
    assert quote.revisions.get().version == 1


def test_a_refusal_is_shown_on_the_form_and_nothing_changes(
    negotiator: Client, shop: Shop, clerk: Any
) -> None:
    quote = requested(shop, ("DRILL", 10))
    url = reverse("admin:quotes_quote_change", args=[quote.pk])
    response = negotiator.post(url, _form(negotiator, quote, discount_percent="150"))
    assert response.status_code == 200
    assert "Une remise va de 0 à 100 %." in response.text, response.context["adminform"].form.errors
    quote.refresh_from_db()
    assert (quote.state, quote.discount_percent) == (QuoteState.REQUESTED, Decimal("0.00"))
    assert not quote.events.filter(kind="updated").exists()
    response = negotiator.post(url, _form(negotiator, quote, **{"lines-0-quantity": "0"}))
    assert response.status_code == 200
    assert quote.lines.get().quantity == 10
    # A sent quote cannot be negotiated: the refusal is on the form.
    other = sent(shop, clerk)
    response = negotiator.post(
        reverse("admin:quotes_quote_change", args=[other.pk]),
        _form(negotiator, other, discount_percent="5"),
    )
    assert response.status_code == 200
    other.refresh_from_db()
    assert (other.state, other.discount_percent) == (QuoteState.SENT, Decimal("0.00"))


def test_the_send_action(negotiator: Client, shop: Shop, clerk: Any) -> None:
    quote = requested(shop)
    done = sent(shop, clerk)
    response = negotiator.post(
        reverse("admin:quotes_quote_changelist"),
        {"action": "send_to_buyer", "_selected_action": [quote.pk, done.pk]},
        follow=True,
    )
    assert response.status_code == 200
    quote.refresh_from_db()
    done.refresh_from_db()
    assert (quote.state, quote.version) == (QuoteState.SENT, 1)
    assert done.version == 1  # refused (already sent): unchanged, said in a message
    texts = [str(m) for m in response.context["messages"]]
    assert f"Devis {quote.number} envoyé à l\u2019acheteur." in texts
    assert any(t.startswith(f"{done.number}: ") for t in texts)
