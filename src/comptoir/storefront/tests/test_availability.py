"""The product page's stock and delivery dates, and the variant selector's status part."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.test import Client, override_settings

from comptoir.catalog.models import Product
from comptoir.shipping.models import ShippingMethod
from comptoir.shipping.selectors import shipping_version_bump
from comptoir.storefront.availability import (
    availability,
    delivery_dates,
    dispatch_day,
)
from comptoir.storefront.tests.conftest import Store

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
STATUS = re.compile(r'<p class="stock stock--(\w+)">([^<]*)</p>')


def at(year: int, month: int, day: int, hour: int) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=PARIS)


class TestDispatchDay:
    @pytest.mark.parametrize(
        ("now", "leaves"),
        [
            (at(2026, 12, 1, 9), dt.date(2026, 12, 1)),  # a Tuesday morning: the same day
            (at(2026, 12, 1, 14), dt.date(2026, 12, 2)),  # at the cut-off: the next day
            (at(2026, 12, 4, 16), dt.date(2026, 12, 7)),  # Friday afternoon: Monday
            (at(2026, 12, 5, 9), dt.date(2026, 12, 7)),  # Saturday: Monday
            (at(2026, 12, 24, 15), dt.date(2026, 12, 28)),  # Christmas Eve: past Christmas
            (at(2026, 11, 11, 9), dt.date(2026, 11, 12)),  # Armistice Day is off
        ],
    )
    def test_french_business_days(self, now: dt.datetime, leaves: dt.date) -> None:
        assert dispatch_day(now, "FR") == leaves

    @override_settings(COMPTOIR_DISPATCH_CUTOFF_HOUR=10)
    def test_the_cutoff_is_a_setting(self) -> None:
        assert dispatch_day(at(2026, 12, 1, 11), "FR") == dt.date(2026, 12, 2)

    def test_holidays_are_the_country_s(self) -> None:
        # 26 December is a day off in Germany, not in France.
        assert dispatch_day(at(2026, 12, 24, 15), "DE") == dt.date(2026, 12, 28)
        assert dispatch_day(at(2026, 12, 25, 15), "FR") == dt.date(2026, 12, 28)

    def test_an_unknown_country_has_weekends_only(self) -> None:
        assert dispatch_day(at(2026, 12, 24, 15), "ZZ") == dt.date(2026, 12, 25)


class TestAvailability:
    @pytest.mark.parametrize(
        ("free", "backorders", "status"),
        [
            (6, False, "in_stock"),
            (5, False, "low"),
            (1, False, "low"),
            (0, True, "backorder"),
            (-2, True, "backorder"),
            (0, False, "out"),
        ],
    )
    def test_status(self, free: int, backorders: bool, status: str) -> None:
        assert availability(free, backorders).status == status


class TestDeliveryDates:
    def test_by_method_fastest_first_in_business_days(self, store: Store) -> None:
        zone = store.colissimo.zone
        ShippingMethod.objects.create(
            zone=zone,
            code="express",
            name="Express",
            kind="flat",
            price=12,
            delivery_days_min=1,
            delivery_days_max=1,
        )
        ShippingMethod.objects.create(
            zone=zone, code="retrait", name="Retrait", kind="pickup", price=0
        )
        shipping_version_bump()

        # Thursday 3 December, 10:00: leaves the same day.
        dates = delivery_dates(
            channel=store.channel, locale="fr_FR", language="fr", now=at(2026, 12, 3, 10)
        )

        assert [(d.method, d.earliest, d.latest) for d in dates] == [
            ("Express", dt.date(2026, 12, 4), dt.date(2026, 12, 4)),
            # 1 to 3 business days: Friday, then over the weekend to Tuesday
            ("Colissimo", dt.date(2026, 12, 4), dt.date(2026, 12, 8)),
        ]
        assert dates[0].text == "livré vendredi 4 décembre"
        assert dates[1].text == "livré entre vendredi 4 décembre et mardi 8 décembre"

    def test_english(self, store: Store) -> None:
        from django.utils import translation

        with translation.override("en"):
            dates = delivery_dates(
                channel=store.channel, locale="en_GB", language="en", now=at(2026, 12, 3, 10)
            )

        assert dates[0].text == "delivered between Friday 4 December and Tuesday 8 December"

    def test_no_zone_for_the_channel_s_country(self, store: Store) -> None:
        store.colissimo.zone.countries = ["BE"]
        store.colissimo.zone.save()
        shipping_version_bump()

        assert delivery_dates(channel=store.channel, locale="fr_FR", language="fr") == []


def product_html(client: Client, product: Product, query: str = "", **headers: str) -> str:
    response = client.get(f"/p/{product.slug}/{query}", headers=headers)
    assert response.status_code == 200
    return response.content.decode()


class TestProductPage:
    def test_in_stock_with_delivery_dates(self, client: Client, store: Store) -> None:
        html = product_html(client, store.drill)

        assert STATUS.findall(html) == [("in_stock", "En stock")]
        assert '<span class="delivery-dates__method">Colissimo</span> <time datetime=' in html
        assert "livré" in html

    def test_only_a_few_left(self, client: Client, store: Store) -> None:
        html = product_html(client, store.lamp)

        assert STATUS.findall(html) == [("low", "Plus que 1 en stock")]
        assert "https://schema.org/LimitedAvailability" in html

    def test_out_of_stock(self, client: Client, store: Store) -> None:
        store.lamp.variants.get().stocks.update(quantity=0)

        html = product_html(client, store.lamp)

        assert STATUS.findall(html) == [("out", "Rupture de stock")]
        assert "delivery-dates" not in html
        assert "https://schema.org/OutOfStock" in html

    def test_backorder(self, client: Client, store: Store) -> None:
        store.lamp.variants.get().stocks.update(quantity=0)
        Product.objects.filter(pk=store.lamp.pk).update(allow_backorders=True)

        html = product_html(client, store.lamp)

        assert STATUS.findall(html)[0][0] == "backorder"
        assert "delivery-dates" not in html
        assert "https://schema.org/BackOrder" in html

    def test_english(self, client: Client, store: Store) -> None:
        response = client.get(f"/en/p/{store.lamp.slug}/")

        assert STATUS.findall(response.content.decode()) == [("low", "Only 1 left")]


class TestVariantSelector:
    def test_the_select_asks_for_the_status_part(self, client: Client, store: Store) -> None:
        html = product_html(client, store.saw)

        select = re.search(r"<select[^>]*>", html)
        assert select is not None
        assert 'hx-get="/p/scie/"' in select.group(0)
        assert 'hx-target="#variant-status"' in select.group(0)

    def test_the_status_part_of_a_variant(self, client: Client, store: Store) -> None:
        second = store.sku(store.saw, 1)
        second_variant = store.saw.variants.get(sku=second)
        second_variant.stocks.update(quantity=2)

        html = product_html(
            client,
            store.saw,
            f"?sku={second}",
            **{"HX-Request": "true", "HX-Target": "variant-status"},
        )

        # The inside of the live region (kept on the page, so that its change is announced).
        assert 'id="variant-status"' not in html
        assert "<html" not in html
        assert "31,00" in html  # the second variant's price
        assert STATUS.findall(html) == [("low", "Plus que 2 en stock")]

    def test_without_javascript_the_chosen_variant_is_selected(
        self, client: Client, store: Store
    ) -> None:
        second = store.sku(store.saw, 1)

        html = product_html(client, store.saw, f"?sku={second}")

        assert f'<option value="{second}" selected>' in html
        assert "<html" in html

    @pytest.mark.parametrize("sku", ["INCONNU", "<script>", "x" * 500])
    def test_an_unknown_sku_shows_the_first_variant(
        self, client: Client, store: Store, sku: str
    ) -> None:
        html = product_html(client, store.saw, f"?sku={sku}")

        assert f'<option value="{store.sku(store.saw, 0)}" selected>' in html
        assert "<script>" not in html.split("<main", 1)[1].split("</main>")[0]

    def test_the_sku_of_another_product_is_ignored(self, client: Client, store: Store) -> None:
        html = product_html(client, store.saw, f"?sku={store.sku(store.drill)}")

        assert "19,90" not in html.split('id="variant-status"', 1)[1].split("</div>")[0]
