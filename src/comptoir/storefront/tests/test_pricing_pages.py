"""The caller's prices on the pages: the public tax-included price to a visitor, the
contract tax-excluded price with tiers to a company buyer, reverse charge for a Belgian
company, promotions struck through; never another company's prices; pinned query counts."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from comptoir.accounts.tests.factories import UserFactory
from comptoir.catalog.models import ProductChannelListing, VariantChannelPrice
from comptoir.catalog.tests.factories import ProductFactory, ProductVariantFactory
from comptoir.companies.models import TaxStatus
from comptoir.companies.tests.factories import CompanyFactory, CompanyMemberFactory
from comptoir.core.testing import in_language
from comptoir.pricing.models import PriceListEntry
from comptoir.pricing.tests.scenario import World, build_world
from comptoir.promotions.selectors.active import promotions_version_bump
from comptoir.promotions.tests.factories import PromotionFactory
from comptoir.storefront.shop import SESSION_CHANNEL_KEY

pytestmark = pytest.mark.django_db

NBSP = "\xa0"
PRODUCT = "/p/perceuse/"
CATEGORY = "/c/perceuses/"
JSONLD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)
VARIANT_ROW = re.compile(r"<tr>\s*<td><code>([^<]+)</code></td>(.*?)</tr>", re.S)
SPACES = re.compile(r"[ \t\n]+")  # not \s: it would eat the no-break spaces


@pytest.fixture
def world() -> World:
    return build_world()


def get(client: Client, url: str, language: str = "fr") -> str:
    response = client.get(in_language(url, language))
    assert response.status_code == 200
    return response.content.decode()


def rows(html: str) -> dict[str, str]:
    """The variant table: the text of each row's cells by SKU, whitespace collapsed."""
    return {sku: SPACES.sub(" ", cells).strip() for sku, cells in VARIANT_ROW.findall(html)}


def buy_box(html: str) -> str:
    start = html.index('<div class="product__buy">')
    return SPACES.sub(" ", html[start : html.index("</div>\n\n", start)])


def offers(html: str) -> Any:
    [product] = [
        data for data in map(json.loads, JSONLD.findall(html)) if data["@type"] == "Product"
    ]
    return product["offers"]


def fr(amount: str, label: str) -> str:
    return f"{amount}{NBSP}€ <small>{label}</small>"


class TestVisitor:
    def test_product_page_shows_the_public_price_tax_included(
        self, client: Client, world: World
    ) -> None:
        html = get(client, PRODUCT)

        assert f'<span class="price">à partir de {fr("24,00", "TTC")}</span>' in buy_box(html)
        table = rows(html)
        assert fr("24,00", "TTC") in table["DRILL"]
        assert fr("36,00", "TTC") in table["DRILL-XL"]
        assert 'class="tiers"' not in html
        assert 'class="offer-note"' not in html
        assert 'class="tax-note"' not in html

    def test_listing_shows_the_public_price(self, client: Client, world: World) -> None:
        for url in (CATEGORY, "/search", "/"):
            html = get(client, url)

            assert f'<span class="price">à partir de {fr("24,00", "TTC")}</span>' in html, url

    def test_in_english(self, client: Client, world: World) -> None:
        product = get(client, PRODUCT, "en")
        listing = get(client, CATEGORY, "en")

        assert '<span class="price">from €24.00 <small>incl. VAT</small></span>' in product
        assert '<span class="price">from €24.00 <small>incl. VAT</small></span>' in listing
        assert "Prices include VAT." in product

    def test_json_ld_offers_are_the_public_prices(self, client: Client, world: World) -> None:
        data = offers(get(client, PRODUCT))

        assert (data["@type"], data["lowPrice"], data["highPrice"]) == (
            "AggregateOffer",
            "24.00",
            "36.00",
        )
        assert [(o["sku"], o["price"], o["priceCurrency"]) for o in data["offers"]] == [
            ("DRILL", "24.00", "EUR"),
            ("DRILL-XL", "36.00", "EUR"),
        ]
        assert data["offers"][0]["priceSpecification"]["valueAddedTaxIncluded"] is True

    def test_visitor_on_the_business_channel_gets_base_prices_without_tax(
        self, client: Client, world: World
    ) -> None:
        html = get(client, f"{PRODUCT}?channel=comptoir-pro")

        table = rows(html)
        assert fr("20,00", "HT") in table["DRILL"]
        assert fr("30,00", "HT") in table["DRILL-XL"]
        assert "15,00" not in html
        assert 'class="tiers"' not in html
        # The choice is remembered: the listing stays on the business channel.
        assert fr("20,00", "HT") in get(client, CATEGORY)


class TestCompanyBuyer:
    def test_contract_price_tax_excluded_with_tiers(self, client: Client, world: World) -> None:
        client.force_login(world.buyer)

        html = get(client, PRODUCT)

        assert f'<span class="price">à partir de {fr("15,00", "HT")}</span>' in buy_box(html)
        drill, xl = rows(html)["DRILL"], rows(html)["DRILL-XL"]
        assert fr("15,00", "HT") in drill
        assert f'<span class="tiers__price">14,00{NBSP}€</span> <small>HT</small>' in drill
        assert f'<span class="tiers__price">13,00{NBSP}€</span> <small>HT</small>' in drill
        # The group list prices the XL by 6, at its minimum quantity.
        assert fr("27,00", "HT") in xl
        assert 'class="tiers"' not in xl
        # Domestic sale: no 0 % line; the lists are never named.
        assert 'class="tax-note"' not in html
        assert "contrat-martin" not in html

    def test_in_english(self, client: Client, world: World) -> None:
        client.force_login(world.buyer)

        html = get(client, PRODUCT, "en")

        drill, xl = rows(html)["DRILL"], rows(html)["DRILL-XL"]
        assert '<span class="price">€15.00 <small>excl. VAT</small></span>' in drill
        assert '<span class="offer-note">Your contract price</span>' in drill
        assert '<ul class="tiers" aria-label="Volume prices">' in drill
        assert (
            '<li>from 10: <span class="tiers__price">€14.00</span> <small>excl. VAT</small></li>'
            in drill
        )
        assert (
            '<li>from 50: <span class="tiers__price">€13.00</span> <small>excl. VAT</small></li>'
            in drill
        )
        assert '<span class="offer-note">Your negotiated price</span>' in xl
        assert '<span class="offer-note">Minimum 6, sold by 6</span>' in xl
        assert "Prices exclude VAT." in html

    def test_listing_shows_the_contract_price(self, client: Client, world: World) -> None:
        client.force_login(world.buyer)

        for url in (CATEGORY, "/search", "/"):
            html = get(client, url)

            assert f'<span class="price">à partir de {fr("15,00", "HT")}</span>' in html, url

    def test_json_ld_offers_are_the_buyers_net_prices(self, client: Client, world: World) -> None:
        client.force_login(world.buyer)

        data = offers(get(client, PRODUCT))

        assert (data["lowPrice"], data["highPrice"]) == ("15.00", "27.00")
        assert [(o["sku"], o["price"]) for o in data["offers"]] == [
            ("DRILL", "15.00"),
            ("DRILL-XL", "27.00"),
        ]
        assert data["offers"][0]["priceSpecification"]["valueAddedTaxIncluded"] is False

    def test_maximum_quantity_is_shown(self, client: Client, world: World) -> None:
        PriceListEntry.objects.filter(price_list=world.group_list, variant=world.drill_xl).update(
            max_quantity=60
        )
        client.force_login(world.buyer)

        xl = rows(get(client, PRODUCT, "en"))["DRILL-XL"]

        assert '<span class="offer-note">Minimum 6, sold by 6, maximum 60</span>' in xl

    def test_a_chosen_consumer_channel_is_kept(self, client: Client, world: World) -> None:
        client.force_login(world.buyer)

        chosen = get(client, f"{PRODUCT}?channel=boutique-france")
        later = get(client, CATEGORY)

        # The lists are on the business channel: public prices there.
        assert fr("24,00", "TTC") in rows(chosen)["DRILL"]
        assert "à partir de " + fr("24,00", "TTC") in later
        assert client.session[SESSION_CHANNEL_KEY] == "boutique-france"


class TestBelgianCompany:
    def test_reverse_charge_at_base_prices(self, client: Client, world: World) -> None:
        client.force_login(world.belge_buyer)

        html = get(client, PRODUCT, "en")

        box = buy_box(html)
        assert '<span class="price">from €20.00 <small>excl. VAT</small></span>' in box
        assert '<p class="tax-note__line">VAT 0%: reverse charge</p>' in box
        assert (
            '<p class="tax-note__mention">Reverse charge: VAT to be accounted for by the '
            "customer (Article 196 of Directive 2006/112/EC).</p>" in box
        )
        assert "€20.00 <small>excl. VAT</small>" in rows(html)["DRILL"]
        assert "€30.00 <small>excl. VAT</small>" in rows(html)["DRILL-XL"]

    def test_french_rendering(self, client: Client, world: World) -> None:
        client.force_login(world.belge_buyer)

        box = buy_box(get(client, PRODUCT))

        assert f'<span class="price">à partir de {fr("20,00", "HT")}</span>' in box
        assert "2006/112" in box
        # Babel's French percent: a no-break space before the sign.
        assert f"0{NBSP}%" in box

    def test_never_sees_another_companys_prices(self, client: Client, world: World) -> None:
        client.force_login(world.belge_buyer)

        for language in ("fr", "en"):
            for url in (PRODUCT, CATEGORY, "/search", "/"):
                html = get(client, url, language)

                for amount in ("15,00", "14,00", "13,00", "17,00", "27,00"):
                    assert amount not in html, (url, amount)
                for amount in ("15.00", "14.00", "13.00", "17.00", "27.00"):
                    assert amount not in html, (url, amount)
                assert "contrat-martin" not in html
                assert 'class="tiers"' not in html
                assert 'class="offer-note"' not in html

    def test_exempt_company(self, client: Client, world: World) -> None:
        exempt = CompanyFactory.create(country="FR", tax_status=TaxStatus.EXEMPT)
        member = UserFactory.create()
        CompanyMemberFactory.create(company=exempt, user=member)
        client.force_login(member)

        box = buy_box(get(client, PRODUCT, "en"))

        assert "VAT 0%: VAT-exempt customer" in box
        assert "VAT exempt: the customer is exempt from VAT." in box

    def test_company_outside_the_eu_buys_for_export(self, client: Client, world: World) -> None:
        swiss = CompanyFactory.create(country="CH")
        member = UserFactory.create()
        CompanyMemberFactory.create(company=swiss, user=member)
        client.force_login(member)

        box = buy_box(get(client, PRODUCT, "en"))

        assert '<span class="price">from €20.00 <small>excl. VAT</small></span>' in box
        assert "VAT 0%: export outside the EU" in box
        assert "Article 146 of Directive 2006/112/EC" in box


class TestShopper:
    def test_without_a_company_sees_public_prices(self, client: Client, world: World) -> None:
        client.force_login(world.shopper)

        html = get(client, PRODUCT)

        assert fr("24,00", "TTC") in rows(html)["DRILL"]
        assert "à partir de " + fr("24,00", "TTC") in get(client, CATEGORY)
        assert 'class="offer-note"' not in html

    def test_on_the_business_channel_sees_base_prices(self, client: Client, world: World) -> None:
        client.force_login(world.shopper)

        html = get(client, f"{PRODUCT}?channel=comptoir-pro")

        assert fr("20,00", "HT") in rows(html)["DRILL"]
        assert "15,00" not in html
        assert 'class="tiers"' not in html


class TestPromotion:
    @pytest.fixture(autouse=True)
    def _spring_sale(self, world: World) -> None:
        PromotionFactory.create(code="printemps", reward_value=Decimal("10"))
        promotions_version_bump()

    def test_listing_strikes_the_former_price_through(self, client: Client, world: World) -> None:
        html = get(client, CATEGORY, "en")

        assert (
            '<span class="price">from <del class="price__was"><span class="visually-hidden">'
            'Was </span>€24.00</del> <ins class="price__now"><span class="visually-hidden">'
            "now </span>€21.60</ins> <small>incl. VAT</small></span>" in html
        )

    def test_product_page_in_french(self, client: Client, world: World) -> None:
        html = get(client, PRODUCT)

        drill = rows(html)["DRILL"]
        assert f"24,00{NBSP}€</del>" in drill
        assert f"21,60{NBSP}€</ins> <small>TTC</small>" in drill
        assert f"32,40{NBSP}€</ins> <small>TTC</small>" in rows(html)["DRILL-XL"]
        # The offers are the prices the page shows.
        assert [o["price"] for o in offers(html)["offers"]] == ["21.60", "32.40"]

    def test_contract_prices_get_the_promotion_too(self, client: Client, world: World) -> None:
        client.force_login(world.buyer)

        drill = rows(get(client, PRODUCT, "en"))["DRILL"]

        assert "€15.00</del>" in drill
        assert "€13.50</ins> <small>excl. VAT</small>" in drill
        # Tiers are the prices the buyer pays at those quantities: promotion included.
        assert '<span class="tiers__price">€12.60</span>' in drill
        assert '<span class="offer-note">Your contract price</span>' in drill


def _add_products(world: World, count: int) -> None:
    """Products with two variants priced on both channels, each in Martin's contract."""
    for i in range(count):
        product = ProductFactory.create(category=world.category, slug=f"p{i}")
        for j in range(2):
            variant = ProductVariantFactory.create(product=product, sku=f"P{i}-{j}")
            for channel in (world.b2c, world.b2b):
                VariantChannelPrice.objects.create(
                    variant=variant, channel=channel, amount=Decimal("10.00") + j
                )
            entry = PriceListEntry.objects.create(
                price_list=world.contract, variant=variant, unit_price=Decimal("9.00")
            )
            entry.tiers.create(min_quantity=10, unit_price=Decimal("8.00"))
        for channel in (world.b2c, world.b2b):
            ProductChannelListing.objects.create(
                product=product, channel=channel, is_published=True, price_from=Decimal("10.00")
            )


class TestQueryCounts:
    def count(self, client: Client, url: str) -> int:
        get(client, url)  # warms the navigation, channels, tax rates and promotions copies
        with CaptureQueriesContext(connection) as ctx:
            get(client, url)
        return len(ctx.captured_queries)

    @pytest.mark.parametrize("products", [4, 23])
    def test_listing(self, client: Client, world: World, products: int) -> None:
        _add_products(world, products)
        PromotionFactory.create(code="pro", reward_value=Decimal("5"))
        promotions_version_bump()

        visitor = self.count(client, CATEGORY)
        # The same page on the business channel, chosen (and kept in the session).
        visitor_pro = self.count(client, f"{CATEGORY}?channel=comptoir-pro")
        client.logout()
        client.force_login(world.buyer)
        buyer = self.count(client, CATEGORY)

        # count + page: pricing a visitor's cards needs no query
        assert visitor == 2
        # + the session
        assert visitor_pro == 1 + 2
        # + the user, then the page's variants (the buyer's company and lists are kept in
        # the process once read: membership + price lists, the first time only)
        assert buyer == visitor_pro + 1 + 1
        html = get(client, CATEGORY)
        assert "Comptoir Pro" in html
        assert f"8,55{NBSP}€" in html  # 9.00 contract - 5 %

    def test_home(self, client: Client, world: World) -> None:
        _add_products(world, 10)

        visitor = self.count(client, "/")
        client.force_login(world.buyer)
        buyer = self.count(client, "/")

        # the page of the featured products and of the new arrivals (uncounted); + session and
        # user, the variants of each section's cards
        assert (visitor, buyer) == (2, 2 + 2 + 2)

    def test_product_page(self, client: Client, world: World) -> None:
        visitor = self.count(client, PRODUCT)
        client.force_login(world.buyer)
        buyer = self.count(client, PRODUCT)
        client.force_login(world.shopper)
        shopper = self.count(client, PRODUCT)

        # product, its attributes, variant attributes, documents, variants, images, the
        # variants' free stock, then the rating, the reviews and the questions
        assert visitor == 7 + 3
        # + session and user, the product's variants (company and lists kept), the
        # reader's own review
        assert buyer == visitor + 2 + 1 + 1
        # + session and user (no company: kept too), the reader's own review
        assert shopper == visitor + 2 + 1
