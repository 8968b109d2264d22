"""The home page's sections: best sellers from real orders, new arrivals, current
promotions."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from comptoir.orders.models import Order
from comptoir.orders.selectors import best_selling_product_ids
from comptoir.promotions.models import RewardType
from comptoir.promotions.selectors.active import promotions_version_bump
from comptoir.promotions.tests.factories import PromotionFactory
from comptoir.storefront.tests.conftest import Store, add_to_cart, checkout_data

pytestmark = pytest.mark.django_db


def buy(store: Store, product: object, quantity: int, email: str) -> Order:
    """An order placed through the web checkout."""
    client = Client()
    assert add_to_cart(client, store, product, quantity).status_code == 302  # type: ignore[arg-type]
    response = client.post("/checkout/", checkout_data(client, email=email))
    assert response.status_code == 302, response.content
    return Order.objects.get(email=email)


def section(html: str, title_id: str) -> str:
    return html.split(f'id="{title_id}"', 1)[1].split("</section>", 1)[0]


@pytest.mark.django_db(transaction=True)  # the checkout pays outside any transaction
class TestBestSellers:
    def test_the_most_units_sold_first(self, client: Client, store: Store) -> None:
        buy(store, store.drill, 3, "a@example.fr")
        buy(store, store.saw, 1, "b@example.fr")
        buy(store, store.saw, 1, "c@example.fr")
        cache.clear()

        html = client.get("/").content.decode()

        best = section(html, "best-title")
        assert "Meilleures ventes" in html
        assert best.index("Perceuse") < best.index("Scie")
        assert "Lampe" not in best  # never sold

    def test_cancelled_orders_and_other_channels_do_not_count(self, store: Store) -> None:
        order = buy(store, store.drill, 5, "a@example.fr")
        buy(store, store.saw, 1, "b@example.fr")
        Order.objects.filter(pk=order.pk).update(status="cancelled")
        cache.clear()

        assert best_selling_product_ids(channel_id=store.channel.pk) == [store.saw.pk]
        cache.clear()
        assert best_selling_product_ids(channel_id=store.channel.pk + 1000) == []

    def test_only_the_last_thirty_days(self, store: Store) -> None:
        order = buy(store, store.drill, 2, "a@example.fr")
        Order.objects.filter(pk=order.pk).update(placed_at=timezone.now() - timedelta(days=31))
        cache.clear()

        assert best_selling_product_ids(channel_id=store.channel.pk) == []

    def test_kept_in_the_cache(self, store: Store, django_assert_num_queries: object) -> None:
        cache.clear()
        best_selling_product_ids(channel_id=store.channel.pk)

        with django_assert_num_queries(0):  # type: ignore[operator]
            best_selling_product_ids(channel_id=store.channel.pk)


class TestPromotions:
    def test_current_promotions_with_their_reward_and_end(
        self, client: Client, store: Store
    ) -> None:
        ends = timezone.now() + timedelta(days=10)
        PromotionFactory.create(
            name="Soldes d'hiver", name_en="Winter sale", reward_value=Decimal(20), ends_at=ends
        )
        PromotionFactory.create(
            name="Remise atelier",
            reward_type=RewardType.FIXED,
            reward_value=Decimal(5),
            currency="EUR",
        )
        PromotionFactory.create(name="Pas encore", starts_at=timezone.now() + timedelta(days=1))
        PromotionFactory.create(name="Éteinte", is_active=False)
        promotions_version_bump()

        html = client.get("/").content.decode()

        shown = section(html, "promotions-title")
        assert "Soldes d&#x27;hiver" in shown
        assert "\u221220\u00a0%" in shown
        assert "Remise atelier" in shown
        assert "\u22125,00\u00a0€" in shown
        assert "Jusqu\u2019au" in shown
        assert "Pas encore" not in shown
        assert "Éteinte" not in shown
        english = section(client.get("/en/").content.decode(), "promotions-title")
        assert "Winter sale" in english
        assert "Until" in english
