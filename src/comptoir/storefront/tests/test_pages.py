"""Home, category, search and error pages, in French and in English."""

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client

from comptoir.accounts.tests.factories import UserFactory
from comptoir.catalog.models import Category
from comptoir.catalog.selectors import category_tree_version_bump
from comptoir.catalog.services import category_update, product_update
from comptoir.catalog.tests.factories import CategoryFactory, published_product
from comptoir.channels.tests.factories import B2BChannelFactory
from comptoir.core.testing import in_language
from comptoir.search.services import search_reindex_all
from comptoir.storefront.tests.conftest import Shop

pytestmark = pytest.mark.django_db

NNBSP = "\u202f"  # Babel's French thousands separator
NBSP = "\xa0"


def get(client: Client, url: str, language: str = "fr") -> Any:
    """The page at `url` in `language` (its path chooses it: `/en/...` for English)."""
    return client.get(in_language(url, language))


class TestHome:
    def test_renders_in_french(self, client: Client, shop: Shop) -> None:
        response = get(client, "/", "fr")

        assert response.status_code == 200
        html = response.content.decode()
        assert '<html lang="fr">' in html
        assert response.headers["Content-Language"] == "fr"
        assert '<a href="/c/outillage/">Outillage</a>' in html  # nav and tiles
        assert '<a href="/p/perceuse-visseuse/">Perceuse visseuse</a>' in html
        assert f"19,90{NBSP}€" in html
        assert '<a href="/accounts/login/">' in html
        assert 'action="/i18n/setlang/"' in html

    def test_renders_in_english(self, client: Client, shop: Shop) -> None:
        response = get(client, "/", "en")

        assert response.status_code == 200
        html = response.content.decode()
        assert '<html lang="en">' in html
        assert '<a href="/en/c/outillage/">Tools</a>' in html
        assert '<a href="/en/p/perceuse-visseuse/">Cordless drill</a>' in html
        assert "€19.90" in html
        assert "incl. VAT" in html

    def test_features_eight_products(self, client: Client, shop: Shop) -> None:
        for i in range(9):
            published_product(channel=shop.channel, category=shop.drills, name=f"Vis {i}")

        html = get(client, "/").content.decode()

        featured = html.split('id="featured-title"', 1)[1]
        assert featured.count('class="card"') == 8
        # New arrivals: the eight newest, newest first.
        new = html.split('id="new-title"', 1)[1].split('id="featured-title"', 1)[0]
        assert new.count('class="card"') == 8
        assert new.index("Vis 8") < new.index("Vis 7")
        assert "Meilleures ventes" not in html  # nothing sold yet
        assert "Promotions du moment" not in html  # none running

    def test_empty_store_renders(self, client: Client, db: None) -> None:
        response = get(client, "/")

        assert response.status_code == 200
        assert '<p class="empty">' in response.content.decode()

    def test_only_get_and_head(self, client: Client, shop: Shop) -> None:
        assert client.post("/").status_code == 405


class TestCategory:
    def test_renders_in_french(self, client: Client, shop: Shop) -> None:
        response = get(client, "/c/outillage/", "fr")

        assert response.status_code == 200
        html = response.content.decode()
        assert "<title>Outillage | Comptoir</title>" in html
        assert "<h1>Outillage</h1>" in html
        assert '<meta name="description" content="Outils">' in html
        assert '<div class="lead description"><p>Outils</p></div>' in html
        # Subcategory, breadcrumb, current nav entry, the drill of the subcategory
        assert '<li><a href="/c/perceuses/">Perceuses</a></li>' in html
        assert '<span aria-current="page">Outillage</span>' in html
        assert '<a href="/c/outillage/" aria-current="page">Outillage</a>' in html
        assert '<a href="/p/perceuse-visseuse/">Perceuse visseuse</a>' in html
        assert f"19,90{NBSP}€" in html

    def test_renders_in_english(self, client: Client, shop: Shop) -> None:
        response = get(client, "/c/perceuses/", "en")

        assert response.status_code == 200
        html = response.content.decode()
        assert "<h1>Drills</h1>" in html
        # Breadcrumb: Home > Tools > Drills
        assert '<li><a href="/en/c/outillage/">Tools</a></li>' in html
        assert '<span aria-current="page">Drills</span>' in html
        assert '<a href="/en/c/outillage/" aria-current="true">Tools</a>' in html  # nav: a parent
        assert '<meta name="description" content="Drills">' in html
        assert '<a href="/en/p/perceuse-visseuse/">Cordless drill</a>' in html

    def test_english_translation_with_a_name_only_shows_no_french(
        self, client: Client, shop: Shop
    ) -> None:
        # Given French SEO texts on "Perceuses", translated in English by a name only
        Category.objects.filter(pk=shop.drills.pk).update(
            seo_title="Perceuses pas chères", seo_description="Toutes nos perceuses"
        )

        english = get(client, "/c/perceuses/", "en").content.decode()
        french = get(client, "/c/perceuses/", "fr").content.decode()

        # then the English page is titled and described in English
        assert "<title>Drills | Comptoir</title>" in english
        assert '<meta name="description" content="Drills">' in english
        assert '<meta property="og:title" content="Drills">' in english
        assert "<title>Perceuses pas chères | Comptoir</title>" in french
        assert '<meta name="description" content="Toutes nos perceuses">' in french

    def test_english_meta_description_is_an_excerpt_of_the_english_description(
        self, client: Client, shop: Shop
    ) -> None:
        Category.objects.filter(pk=shop.tools.pk).update(seo_description="Tous nos outils")

        html = get(client, "/c/outillage/", "en").content.decode()

        assert "<title>Tools | Comptoir</title>" in html
        assert '<meta name="description" content="Tools for all">' in html

    def test_products_of_an_inactive_subcategory_are_not_listed(
        self, client: Client, shop: Shop
    ) -> None:
        # Given a product in a deactivated subcategory, under an active category
        Category.objects.filter(pk=shop.drills.pk).update(is_active=False)
        published_product(channel=shop.channel, category=shop.tools, slug="etabli", name="Etabli")

        html = get(client, "/c/outillage/").content.decode()

        assert '<a href="/p/etabli/">Etabli</a>' in html
        assert "/p/perceuse-visseuse/" not in html

    def test_seo_links(self, client: Client, shop: Shop) -> None:
        html = get(client, "/c/outillage/?page=1", "en").content.decode()

        assert '<link rel="canonical" href="http://127.0.0.1:8000/en/c/outillage/">' in html
        assert (
            '<link rel="alternate" hreflang="en" href="http://127.0.0.1:8000/en/c/outillage/">'
            in html
        )
        assert (
            '<link rel="alternate" hreflang="fr" href="http://127.0.0.1:8000/c/outillage/">' in html
        )
        assert (
            '<link rel="alternate" hreflang="x-default" href="http://127.0.0.1:8000/c/outillage/">'
            in html
        )
        assert '<meta property="og:title" content="Outillage">' not in html
        assert '<meta property="og:title" content="Tools">' in html
        assert '<meta property="og:locale" content="en_GB">' in html

    def test_unknown_category_is_404(self, client: Client, shop: Shop) -> None:
        response = get(client, "/c/nope/")

        assert response.status_code == 404
        html = response.content.decode()
        assert '<p class="code" aria-hidden="true">404</p>' in html
        assert 'action="/search"' in html
        assert '<meta name="robots" content="noindex">' in html

    def test_inactive_category_is_404(self, client: Client, shop: Shop) -> None:
        Category.objects.filter(pk=shop.drills.pk).update(is_active=False)

        assert get(client, "/c/perceuses/").status_code == 404

    def test_empty_category(self, client: Client, shop: Shop) -> None:
        CategoryFactory(slug="jardin", name="Jardin")

        response = get(client, "/c/jardin/", "en")

        assert response.status_code == 200
        assert "No products in this category yet." in response.content.decode()


class TestNavigationCache:
    def test_a_tree_version_bump_refreshes_the_cached_navigation(
        self, client: Client, shop: Shop
    ) -> None:
        # Given the navigation cached, then a category renamed and a new one added
        assert '<a href="/c/outillage/">Outillage</a>' in get(client, "/").content.decode()
        Category.objects.filter(pk=shop.tools.pk).update(name="Outils")
        CategoryFactory(slug="jardin", name="Jardin")
        stale = get(client, "/").content.decode()

        # when the catalog bumps the tree version
        category_tree_version_bump()
        fresh = get(client, "/").content.decode()

        # then the next page shows the new tree, without waiting for the cache to expire
        assert '<a href="/c/outillage/">Outillage</a>' in stale
        assert '<a href="/c/jardin/">' not in stale
        assert '<a href="/c/outillage/">Outils</a>' in fresh
        assert '<a href="/c/jardin/">Jardin</a>' in fresh

    def test_a_bump_hides_a_deactivated_category_from_the_navigation(
        self, client: Client, shop: Shop
    ) -> None:
        assert '<a href="/en/c/outillage/">Tools</a>' in get(client, "/", "en").content.decode()
        Category.objects.filter(pk=shop.tools.pk).update(is_active=False)

        category_tree_version_bump()

        assert 'href="/c/outillage/"' not in get(client, "/", "en").content.decode()


def searched(client: Client, url: str, language: str = "fr") -> Any:
    """The search page, once the index holds the catalogue as the test built it (the outbox
    worker keeps it current in production)."""
    search_reindex_all()
    return get(client, url, language)


class TestSearch:
    def test_finds_by_name(self, client: Client, shop: Shop) -> None:
        published_product(channel=shop.channel, category=shop.drills, name="Marteau")

        response = searched(client, "/search?q=perceuse")

        assert response.status_code == 200
        html = response.content.decode()
        assert '<a href="/p/perceuse-visseuse/">Perceuse visseuse</a>' in html
        assert "Marteau" not in html
        assert 'value="perceuse"' in html
        assert '<meta name="robots" content="noindex, follow">' in html

    def test_finds_by_english_name(self, client: Client, shop: Shop) -> None:
        html = searched(client, "/search?q=cordless", "en").content.decode()

        assert '<a href="/en/p/perceuse-visseuse/">Cordless drill</a>' in html

    def test_no_result(self, client: Client, shop: Shop) -> None:
        response = searched(client, "/search?q=tondeuse", "en")

        assert response.status_code == 200
        html = response.content.decode()
        assert 'class="card"' not in html
        assert "No product matches “tondeuse”." in html

    def test_empty_query_lists_everything(self, client: Client, shop: Shop) -> None:
        html = searched(client, "/search", "en").content.decode()

        assert "All products" in html
        assert html.count('class="card"') == 1

    def test_query_is_escaped(self, client: Client, shop: Shop) -> None:
        html = searched(client, "/search?q=<script>alert(1)</script>").content.decode()

        assert "<script>alert(1)" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html

    def test_nul_character_is_dropped(self, client: Client, shop: Shop) -> None:
        response = searched(client, "/search?q=perce%00use")

        assert response.status_code == 200
        assert response.content.decode().count('class="card"') == 1

    def test_oversize_query_is_cut_not_an_error(self, client: Client, shop: Shop) -> None:
        response = searched(client, "/search?q=" + "perceuse " * 60)

        assert response.status_code == 200
        assert response.content.decode().count('class="card"') == 1

    def test_typo_and_accents(self, client: Client, shop: Shop) -> None:
        html = searched(client, "/search?q=PERCÉUSE").content.decode()

        assert '<a href="/p/perceuse-visseuse/">Perceuse visseuse</a>' in html

    def test_plural_and_prefix(self, client: Client, shop: Shop) -> None:
        assert searched(client, "/search?q=perceuses").content.decode().count('class="card"') == 1
        assert searched(client, "/search?q=perc").content.decode().count('class="card"') == 1

    def test_operators_are_plain_words(self, client: Client, shop: Shop) -> None:
        for query in ['"perceuse', "perceuse & | !", "perceuse:*", "NEAR(perceuse)", "(((", "*"]:
            response = searched(client, "/search?" + urlencode({"q": query}))

            assert response.status_code == 200, query

    def test_suggestions(self, client: Client, shop: Shop) -> None:
        search_reindex_all()

        html = client.get("/en/search/suggestions?q=cordl").content.decode()

        assert '<a href="/en/p/perceuse-visseuse/">Cordless drill</a>' in html
        assert 'href="/en/search?q=cordl"' in html
        assert client.get("/search/suggestions?q=c").content.decode().strip() == ""
        assert client.get("/search/suggestions?q=zzzzzz").content.decode().strip() == ""


class TestLanguage:
    def test_switch_goes_to_the_page_in_the_chosen_language(
        self, client: Client, shop: Shop
    ) -> None:
        response = client.post(
            "/i18n/setlang/", {"language": "en", "next": "/c/outillage/?sort=name"}
        )

        assert response.status_code == 302
        assert response.headers["Location"] == "/en/c/outillage/?sort=name"
        assert response.cookies["django_language"].value == "en"
        html = client.get(response.headers["Location"]).content.decode()
        assert '<html lang="en">' in html
        assert "<h1>Tools</h1>" in html

    def test_switch_back_to_the_default_language(self, client: Client, shop: Shop) -> None:
        response = client.post("/i18n/setlang/", {"language": "fr", "next": "/en/c/outillage/"})

        assert response.headers["Location"] == "/c/outillage/"

    def test_the_path_not_the_cookie_or_header_chooses_the_language(
        self, client: Client, shop: Shop
    ) -> None:
        client.cookies["django_language"] = "en"

        response = client.get("/c/outillage/", headers={"accept-language": "en"})

        assert response.headers["Content-Language"] == "fr"
        assert "<h1>Outillage</h1>" in response.content.decode()

    def test_switch_form_marks_the_current_language(self, client: Client, shop: Shop) -> None:
        html = get(client, "/c/outillage/?sort=price", "en").content.decode()

        assert '<input type="hidden" name="next" value="/en/c/outillage/?sort=price">' in html
        assert 'name="language" value="en" lang="en" title="English" aria-pressed="true"' in html
        assert 'name="language" value="fr" lang="fr" title="Français" aria-pressed="false"' in html

    def test_an_old_lang_parameter_moves_permanently_to_the_localized_path(
        self, client: Client, shop: Shop
    ) -> None:
        response = client.get("/c/outillage/?lang=en&sort=name")

        assert response.status_code == 301
        assert response.headers["Location"] == "/en/c/outillage/?sort=name"
        assert client.get("/en/c/outillage/?lang=fr").headers["Location"] == "/c/outillage/"

    def test_unknown_lang_parameter_is_dropped(self, client: Client, shop: Shop) -> None:
        response = client.get("/c/outillage/?lang=de")

        assert (response.status_code, response.headers["Location"]) == (301, "/c/outillage/")

    def test_the_api_and_the_admin_still_negotiate_the_language(
        self, client: Client, shop: Shop
    ) -> None:
        response = client.get("/api/v1/nowhere", headers={"accept-language": "en"})

        assert response.headers["Content-Language"] == "en"


class TestChannel:
    def test_channel_parameter_is_remembered(self, client: Client, shop: Shop) -> None:
        pro = B2BChannelFactory()
        published_product(
            channel=pro,
            price=Decimal("1234.50"),
            category=shop.drills,
            slug="etabli-pro",
            name="Établi pro",
        )

        first = get(client, "/?channel=comptoir-pro", "fr").content.decode()
        then = get(client, "/c/perceuses/", "fr").content.decode()

        for html in (first, then):
            assert "Établi pro" in html
            assert "Perceuse visseuse" not in html  # not published in the pro channel
            assert f"1{NNBSP}234,50{NBSP}€" in html
            assert "<small>HT</small>" in html  # "excl. VAT" in French
            assert "Comptoir Pro" in html

    def test_unknown_channel_falls_back_to_default(self, client: Client, shop: Shop) -> None:
        response = get(client, "/?channel=nope")

        assert response.status_code == 200
        assert "Perceuse visseuse" in response.content.decode()
        assert "storefront_channel" not in client.session


class TestAccountLinks:
    def test_anonymous_sees_login_and_register(self, client: Client, shop: Shop) -> None:
        html = get(client, "/").content.decode()

        assert '<a href="/accounts/login/">' in html
        assert '<a class="wide-only" href="/accounts/register/">' in html
        assert 'href="/accounts/password-reset/"' in html
        assert 'action="/accounts/logout/"' not in html

    def test_customer_sees_a_logout_form(self, client: Client, shop: Shop) -> None:
        client.force_login(UserFactory.create())

        html = get(client, "/").content.decode()

        assert '<form method="post" action="/accounts/logout/">' in html
        assert '<a href="/accounts/login/">' not in html


class TestSlugChanges:
    def test_a_renamed_product_moves_permanently(self, client: Client, shop: Shop) -> None:
        product_update(product=shop.drill, slug="perceuse-18v")

        response = client.get("/p/perceuse-visseuse/?channel=x")

        assert response.status_code == 301
        assert response.headers["Location"] == "/p/perceuse-18v/?channel=x"
        english = client.get("/en/p/perceuse-visseuse/")
        assert english.headers["Location"] == "/en/p/perceuse-18v/"
        assert client.get("/p/perceuse-18v/").status_code == 200

    def test_renamed_twice_and_back(self, client: Client, shop: Shop) -> None:
        product_update(product=shop.drill, slug="b")
        product_update(product=shop.drill, slug="c")

        assert client.get("/p/perceuse-visseuse/").headers["Location"] == "/p/c/"
        assert client.get("/p/b/").headers["Location"] == "/p/c/"

        product_update(product=shop.drill, slug="perceuse-visseuse")

        assert client.get("/p/perceuse-visseuse/").status_code == 200
        assert client.get("/p/c/").headers["Location"] == "/p/perceuse-visseuse/"

    def test_a_renamed_category_moves_permanently(self, client: Client, shop: Shop) -> None:
        category_update(category=shop.tools, slug="outils")

        response = client.get("/c/outillage/?sort=name")

        assert (response.status_code, response.headers["Location"]) == (
            301,
            "/c/outils/?sort=name",
        )

    def test_unknown_slugs_stay_404(self, client: Client, shop: Shop) -> None:
        assert client.get("/p/jamais-vu/").status_code == 404
        assert client.get("/c/jamais-vu/").status_code == 404
