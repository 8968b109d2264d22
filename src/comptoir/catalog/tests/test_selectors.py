"""Catalog reads: category tree, product cards (filters, search, sort, pages), detail."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone, translation

from comptoir.catalog.models import (
    AttributeKind,
    Category,
    CategoryTranslation,
    DocumentKind,
    ProductAttributeValue,
    ProductDocument,
    ProductImage,
    ProductTranslation,
    VariantAttributeValue,
)
from comptoir.catalog.selectors import categories as categories_selectors
from comptoir.catalog.selectors import (
    category_descendant_ids,
    category_get,
    category_tree,
    category_tree_version,
    category_tree_version_bump,
    plain_excerpt,
    product_cards,
    product_detail,
)
from comptoir.catalog.selectors import products as products_selectors
from comptoir.catalog.tests.factories import (
    AttributeChoiceFactory,
    AttributeFactory,
    CategoryFactory,
    ProductFactory,
    ProductTranslationFactory,
    ProductVariantFactory,
    published_product,
)
from comptoir.channels.tests.factories import B2BChannelFactory, ChannelFactory
from comptoir.core.errors import InvalidInput, NotFound
from comptoir.core.money import Money
from comptoir.core.pagination import PageRequest

pytestmark = pytest.mark.django_db

PAGE = PageRequest(page=1, page_size=24)


def slugs(cards: list[Any]) -> list[str]:
    return [c.slug for c in cards]


# --- categories -------------------------------------------------------------------------


@pytest.fixture
def tree() -> dict[str, Any]:
    outillage: Any = CategoryFactory(slug="outillage", name="Outillage", position=1)
    maison: Any = CategoryFactory(slug="maison", name="Maison", position=0)
    perceuses: Any = CategoryFactory(
        slug="perceuses", name="Perceuses", parent=outillage, position=2
    )
    scies: Any = CategoryFactory(slug="scies", name="Scies", parent=outillage, position=1)
    archive: Any = CategoryFactory(slug="archive", name="Archive", is_active=False)
    CategoryFactory(slug="sous-archive", name="Sous-archive", parent=archive)
    CategoryTranslation.objects.create(
        category=outillage, language="en", name="Tools", description="<p>All <b>tools</b></p>"
    )
    return {"outillage": outillage, "maison": maison, "perceuses": perceuses, "scies": scies}


def test_category_tree_is_ordered_and_hides_inactive_subtrees(
    tree: dict[str, Any], django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(1):
        roots = category_tree(language="fr")

    assert [r.slug for r in roots] == ["maison", "outillage"]
    assert [c.slug for c in roots[1].children] == ["scies", "perceuses"]
    assert roots[1].name == "Outillage"
    assert roots[1].children[0].parent_id == tree["outillage"].id


def test_category_tree_in_english_uses_translations_in_two_queries(
    tree: dict[str, Any], django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(2):
        roots = category_tree(language="en-GB")

    outillage = roots[1]
    assert (outillage.name, outillage.description) == ("Tools", "<p>All <b>tools</b></p>")
    # No translation: the base (French) text.
    assert roots[0].name == "Maison"


def test_category_translation_falls_back_within_itself(tree: dict[str, Any]) -> None:
    # Given French SEO texts and English translations: one with a name only, one with a
    # description only
    garden: Any = CategoryFactory(
        slug="jardin", seo_title="Jardin pas cher", seo_description="Outils de jardin"
    )
    CategoryTranslation.objects.create(category=garden, language="en", name="Garden")

    # when read in English
    garden_en = category_get(slug="jardin", language="en")
    tools_en = category_get(slug="outillage", language="en")
    garden_fr = category_get(slug="jardin", language="fr")

    # then the SEO texts come from the translation row, never from the French columns
    assert (garden_en.name, garden_en.description) == ("Garden", "")
    assert (garden_en.seo_title, garden_en.seo_description) == ("Garden", "")
    assert (tools_en.seo_title, tools_en.seo_description) == ("Tools", "All tools")
    assert (garden_fr.seo_title, garden_fr.seo_description) == (
        "Jardin pas cher",
        "Outils de jardin",
    )


def test_category_without_translation_uses_the_base_columns(tree: dict[str, Any]) -> None:
    tree["maison"].seo_title = "Maison et déco"
    tree["maison"].save()

    node = category_get(slug="maison", language="en")

    assert (node.name, node.seo_title) == ("Maison", "Maison et déco")


def test_tree_version_is_stable_until_bumped_and_renewed_when_evicted(clean_cache: None) -> None:
    first = category_tree_version()

    assert category_tree_version() == first
    bumped = category_tree_version_bump()
    assert bumped != first
    assert category_tree_version() == bumped
    assert (category_tree_version_bump(), category_tree_version()) == (bumped + 1, bumped + 1)
    # Evicted (or the cache cleared): a fresh random version, never one seen before, so that
    # no process keeps a copy keyed by an old one.
    cache.delete(categories_selectors.TREE_VERSION_KEY)
    renewed = category_tree_version()
    assert renewed not in (first, bumped, bumped + 1)
    assert category_tree_version() == renewed


def test_plain_excerpt() -> None:
    assert plain_excerpt("") == ""
    assert plain_excerpt("<p>Solide <b>&amp;</b>\n  léger</p><script>alert(1)</script>") == (
        "Solide & léger"
    )
    assert plain_excerpt("mot " * 100) == ("mot " * 40)[:159] + "…"
    assert len(plain_excerpt("x" * 500)) == 160


def test_category_get_returns_the_subtree(tree: dict[str, Any]) -> None:
    node = category_get(slug="outillage", language="en")

    assert node.name == "Tools"
    assert [c.slug for c in node.children] == ["scies", "perceuses"]


@pytest.mark.parametrize("slug", ["nope", "archive", "sous-archive", ""])
def test_category_get_unknown_or_inactive_is_not_found(tree: dict[str, Any], slug: str) -> None:
    with pytest.raises(NotFound) as exc:
        category_get(slug=slug, language="fr")
    assert exc.value.code == "CATEGORY_NOT_FOUND"


def test_category_descendant_ids(tree: dict[str, Any]) -> None:
    ids = category_descendant_ids(slug="outillage")

    assert ids == sorted([tree["outillage"].id, tree["perceuses"].id, tree["scies"].id])
    assert category_descendant_ids(slug="scies") == [tree["scies"].id]
    with pytest.raises(NotFound):
        category_descendant_ids(slug="sous-archive")
    with pytest.raises(NotFound):
        category_descendant_ids(slug="archive")


def test_descendant_ids_are_kept_in_the_process_until_the_tree_version_changes(
    tree: dict[str, Any], django_assert_num_queries: Any
) -> None:
    # Given the tree loaded once
    category_descendant_ids(slug="outillage")
    with django_assert_num_queries(0):
        before = category_descendant_ids(slug="outillage")
    # when "scies" moves under "maison" (a category service bumps the version on commit)
    Category.objects.filter(pk=tree["scies"].pk).update(parent=tree["maison"])
    with django_assert_num_queries(0):
        stale = category_descendant_ids(slug="outillage")
    category_tree_version_bump()

    # then the next call reads the tree again
    with django_assert_num_queries(1):
        after = category_descendant_ids(slug="outillage")
    assert stale == before == sorted([tree[s].id for s in ("outillage", "perceuses", "scies")])
    assert after == sorted([tree["outillage"].id, tree["perceuses"].id])
    assert category_descendant_ids(slug="maison") == sorted([tree["maison"].id, tree["scies"].id])


def test_a_bump_by_another_process_is_seen_at_once_with_a_local_cache(
    tree: dict[str, Any], django_assert_num_queries: Any
) -> None:
    category_descendant_ids(slug="outillage")
    Category.objects.filter(pk=tree["perceuses"].pk).update(is_active=False)

    cache.incr(categories_selectors.TREE_VERSION_KEY)  # another process's bump

    with django_assert_num_queries(1):
        assert category_descendant_ids(slug="outillage") == sorted(
            [tree["outillage"].id, tree["scies"].id]
        )


def test_with_a_shared_cache_the_version_is_read_at_most_every_check_interval(
    tree: dict[str, Any],
    settings: Any,
    tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch,
    django_assert_num_queries: Any,
) -> None:
    # Given a cache outside the process (files here, Redis in production)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path),
        }
    }
    category_tree_version_bump()  # drops the copy made under the local-memory cache
    category_descendant_ids(slug="outillage")
    monkeypatch.setattr(categories_selectors, "VERSION_CHECK_SECONDS", 3600)
    CategoryFactory(slug="meuleuses", parent=tree["outillage"])
    cache.incr(categories_selectors.TREE_VERSION_KEY)  # another process's bump

    # within the interval the copy is used as it is, without reading the cache
    with django_assert_num_queries(0):
        stale = category_descendant_ids(slug="outillage")
    # after it, the version is read again, and the tree with it
    monkeypatch.setattr(categories_selectors, "VERSION_CHECK_SECONDS", 0)
    with django_assert_num_queries(1):
        fresh = category_descendant_ids(slug="outillage")

    assert len(stale) == 3
    assert len(fresh) == 4


def test_the_copy_is_reloaded_after_its_maximum_age(
    tree: dict[str, Any], monkeypatch: pytest.MonkeyPatch, django_assert_num_queries: Any
) -> None:
    category_descendant_ids(slug="outillage")
    monkeypatch.setattr(categories_selectors, "MAX_AGE_SECONDS", 0)

    with django_assert_num_queries(1):
        category_descendant_ids(slug="outillage")


def test_an_unknown_slug_reads_the_tree_again_before_it_is_not_found(
    tree: dict[str, Any], django_assert_num_queries: Any
) -> None:
    category_descendant_ids(slug="outillage")
    garden: Any = CategoryFactory(slug="jardin")  # not bumped (as by another process)

    with django_assert_num_queries(1):
        assert category_descendant_ids(slug="jardin") == [garden.id]
    with django_assert_num_queries(1), pytest.raises(NotFound) as exc:
        category_descendant_ids(slug="inconnue")
    assert exc.value.code == "CATEGORY_NOT_FOUND"


# --- product cards ----------------------------------------------------------------------


@pytest.fixture
def channel() -> Any:
    return ChannelFactory()


def test_cards_list_only_products_published_now_in_the_channel(channel: Any) -> None:
    now = timezone.now()
    visible = published_product(channel=channel, slug="visible")
    past = published_product(channel=channel, slug="deja-publie")
    past.channel_listings.update(published_at=now - timedelta(days=1))
    future = published_product(channel=channel, slug="futur")
    future.channel_listings.update(published_at=now + timedelta(days=1))
    hidden = published_product(channel=channel, slug="masque")
    hidden.channel_listings.update(is_published=False)
    published_product(channel=B2BChannelFactory(), slug="pro-seulement")
    ProductFactory(slug="non-liste")

    cards, count = product_cards(channel=channel, language="fr", page=PAGE)

    assert count == 2
    assert slugs(cards) == [visible.slug, past.slug]


def test_card_fields(channel: Any) -> None:
    product = published_product(
        channel=channel, slug="perceuse", name="Perceuse", brand="Bosch", variants=3
    )
    ProductTranslationFactory(product=product, name="Drill")
    ProductImage.objects.create(product=product, image="p/b.jpg", position=2)
    ProductImage.objects.create(product=product, image="p/a.jpg", thumbnail="p/a-t.jpg", position=1)
    bare = published_product(channel=channel, slug="sans-prix", name="Sans prix")
    bare.channel_listings.update(price_from=None)
    bare_image = ProductImage.objects.create(product=bare, image="p/c.jpg")

    cards, _count = product_cards(channel=channel, language="en", page=PAGE)

    first, second = cards
    assert first.id == product.id
    assert (first.name, first.brand) == ("Drill", "Bosch")
    assert first.category_slug == product.category.slug
    assert first.price == Money(Decimal("19.90"), "EUR")
    assert first.thumbnail_url == "/media/p/a-t.jpg"
    assert (first.variant_count, first.in_stock) == (3, True)
    assert second.name == "Sans prix"  # no English translation: the base name
    assert second.price is None
    assert second.thumbnail_url == f"/media/{bare_image.image.name}"
    assert second.variant_count == 1


def test_cards_leave_out_products_of_hidden_categories(channel: Any, tree: dict[str, Any]) -> None:
    # Given products in an inactive category and under it, in an active subcategory
    archive, below = Category.objects.get(slug="archive"), Category.objects.get(slug="sous-archive")
    published_product(channel=channel, category=tree["scies"], slug="scie", name="Scie sauteuse")
    published_product(channel=channel, category=archive, slug="rangee", name="Scie rangee")
    published_product(channel=channel, category=below, slug="dessous", name="Scie dessous")

    # when listed, searched or filtered, they are left out
    cards, count = product_cards(channel=channel, language="fr", page=PAGE)
    found, found_count = product_cards(channel=channel, language="en", page=PAGE, search="scie")
    sorted_cards, _n = product_cards(channel=channel, language="fr", page=PAGE, sort="-price")

    assert (count, slugs(cards)) == (1, ["scie"])
    assert (found_count, slugs(found)) == (1, ["scie"])
    assert slugs(sorted_cards) == ["scie"]


def test_cards_of_a_category_include_its_descendants(channel: Any, tree: dict[str, Any]) -> None:
    drill = published_product(channel=channel, category=tree["perceuses"], slug="perceuse")
    tool = published_product(channel=channel, category=tree["outillage"], slug="etabli")
    published_product(channel=channel, category=tree["maison"], slug="vase")

    cards, count = product_cards(
        channel=channel, language="fr", page=PAGE, category_slug="outillage"
    )

    assert (count, slugs(cards)) == (2, [drill.slug, tool.slug])
    with pytest.raises(NotFound) as exc:
        product_cards(channel=channel, language="fr", page=PAGE, category_slug="inconnue")
    assert exc.value.code == "CATEGORY_NOT_FOUND"


@pytest.fixture
def searchable(channel: Any) -> dict[str, Any]:
    drill = published_product(
        channel=channel, slug="perceuse", name="Perceuse sans fil", brand="Bosch"
    )
    ProductTranslationFactory(product=drill, name="Cordless drill")
    saw = published_product(channel=channel, slug="scie", name="Scie circulaire", brand="Makita")
    saw.variants.update(sku="MAK-5008")
    lamp = published_product(channel=channel, slug="lampe", name="Lampe 100% LED", brand="Philips")
    return {"drill": drill, "saw": saw, "lamp": lamp}


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("perceuse", ["perceuse"]),
        ("PERCEUSE", ["perceuse"]),
        ("cordless", ["perceuse"]),  # translated name, whatever the language asked
        ("makita", ["scie"]),  # brand
        ("mak-50", ["scie"]),  # SKU
        ("sans bosch", ["perceuse"]),  # every word, anywhere
        ("sans makita", []),
        ("100%", ["lampe"]),  # LIKE wildcards are literal
        ("_", []),
        ("   ", ["perceuse", "scie", "lampe"]),
    ],
)
def test_search(channel: Any, searchable: dict[str, Any], search: str, expected: list[str]) -> None:
    cards, count = product_cards(channel=channel, language="fr", page=PAGE, search=search)

    assert slugs(cards) == expected
    assert count == len(expected)


def test_search_ignores_words_under_three_letters_unless_alone(
    channel: Any, searchable: dict[str, Any]
) -> None:
    cards, _count = product_cards(channel=channel, language="fr", page=PAGE, search="à la scie")
    short, _count = product_cards(channel=channel, language="fr", page=PAGE, search="fil")
    only_short, _count = product_cards(channel=channel, language="fr", page=PAGE, search="ci")

    assert slugs(cards) == ["scie"]
    assert slugs(short) == ["perceuse"]  # three letters are enough
    assert slugs(only_short) == ["scie"]  # "Scie circulaire"


@pytest.mark.postgres
def test_search_ignores_accents_on_postgresql(channel: Any) -> None:
    published_product(channel=channel, slug="etagere", name="Étagère murale")

    cards, _count = product_cards(channel=channel, language="fr", page=PAGE, search="etagere")
    cards_accented, _count = product_cards(
        channel=channel, language="fr", page=PAGE, search="ÉTAGÈRE"
    )

    assert slugs(cards) == slugs(cards_accented) == ["etagere"]


@pytest.mark.parametrize("search", ["x" * 201, "a\x00b", " ".join("abcdefghi")])
def test_bad_search_is_invalid_filter(channel: Any, search: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        product_cards(channel=channel, language="fr", page=PAGE, search=search)
    assert exc.value.code == "INVALID_FILTER"


@pytest.fixture
def attributed(channel: Any) -> dict[str, Any]:
    color: Any = AttributeFactory(slug="couleur", kind=AttributeKind.CHOICE)
    red: Any = AttributeChoiceFactory(attribute=color, slug="rouge", value="Rouge")
    blue: Any = AttributeChoiceFactory(attribute=color, slug="bleu", value="Bleu")
    power: Any = AttributeFactory(slug="puissance", kind=AttributeKind.NUMBER, unit="W")
    cordless: Any = AttributeFactory(slug="sans-fil", kind=AttributeKind.BOOLEAN)
    AttributeFactory(slug="interne", kind=AttributeKind.TEXT, filterable=False)
    material: Any = AttributeFactory(slug="matiere", kind=AttributeKind.TEXT)

    a = published_product(channel=channel, slug="a")
    b = published_product(channel=channel, slug="b")
    c = published_product(channel=channel, slug="c")
    ProductAttributeValue.objects.create(product=a, attribute=power, value_number=Decimal(500))
    ProductAttributeValue.objects.create(product=a, attribute=cordless, value_boolean=True)
    ProductAttributeValue.objects.create(product=a, attribute=material, value_text="Acier")
    ProductAttributeValue.objects.create(product=b, attribute=power, value_number=Decimal(1200))
    ProductAttributeValue.objects.create(product=b, attribute=cordless, value_boolean=False)
    # Colors live on the variants.
    VariantAttributeValue.objects.create(variant=a.variants.get(), attribute=color, choice=red)
    VariantAttributeValue.objects.create(variant=b.variants.get(), attribute=color, choice=blue)
    ProductAttributeValue.objects.create(product=c, attribute=color, choice=red)
    return {"a": a, "b": b, "c": c}


@pytest.mark.parametrize(
    ("attributes", "expected"),
    [
        (["couleur:rouge"], ["a", "c"]),  # on a variant (a) or on the product (c)
        (["couleur:bleu"], ["b"]),
        (["couleur:rouge", "couleur:bleu"], ["a", "b", "c"]),  # one attribute: any value
        (["couleur:rouge", "sans-fil:true"], ["a"]),  # several attributes: all of them
        (["sans-fil:false"], ["b"]),
        (["puissance:500"], ["a"]),
        (["puissance:500.00"], ["a"]),
        (["puissance:600..1200"], ["b"]),
        (["puissance:..600"], ["a"]),
        (["puissance:501.."], ["b"]),
        (["puissance:0..10000"], ["a", "b"]),
        (["matiere:acier"], ["a"]),
    ],
)
def test_attribute_filters(
    channel: Any, attributed: dict[str, Any], attributes: list[str], expected: list[str]
) -> None:
    cards, count = product_cards(channel=channel, language="fr", page=PAGE, attributes=attributes)

    assert slugs(cards) == expected
    assert count == len(expected)


@pytest.mark.parametrize(
    "attributes",
    [
        ["inconnu:x"],
        ["interne:x"],  # not filterable
        ["couleur:vert"],  # unknown choice
        ["sans-fil:peut-etre"],
        ["puissance:beaucoup"],
        ["puissance:NaN"],
        ["puissance:1e400"],
        ["puissance:.."],
        ["puissance:1..x"],
        ["couleur"],
        ["couleur:"],
        [":rouge"],
        ["couleur:rouge"] * 21,
    ],
)
def test_bad_attribute_filters_are_invalid_filter(
    channel: Any, attributed: dict[str, Any], attributes: list[str]
) -> None:
    with pytest.raises(InvalidInput) as exc:
        product_cards(channel=channel, language="fr", page=PAGE, attributes=attributes)
    assert exc.value.code == "INVALID_FILTER"


@pytest.fixture
def sortable(channel: Any) -> None:
    for slug, name, name_en, price in [
        ("b", "Banc", "Zebra bench", "30.00"),
        ("a", "Armoire", "Wardrobe", None),
        ("c", "Chaise", None, "10.00"),
    ]:
        product = published_product(channel=channel, slug=slug, name=name)
        product.channel_listings.update(price_from=price)
        if name_en:
            ProductTranslation.objects.create(product=product, language="en", name=name_en)


@pytest.mark.parametrize(
    ("sort", "language", "expected"),
    [
        (None, "fr", ["b", "a", "c"]),
        ("newest", "fr", ["c", "a", "b"]),
        ("name", "fr", ["a", "b", "c"]),
        ("-name", "fr", ["c", "b", "a"]),
        ("name", "en", ["c", "a", "b"]),  # Chaise, Wardrobe, Zebra bench
        ("price", "fr", ["c", "b", "a"]),  # unpriced last
        ("-price", "fr", ["b", "c", "a"]),  # unpriced last
    ],
)
def test_sort(
    channel: Any, sortable: None, sort: str | None, language: str, expected: list[str]
) -> None:
    cards, _count = product_cards(channel=channel, language=language, page=PAGE, sort=sort)

    assert slugs(cards) == expected


@pytest.mark.parametrize("sort", ["prix", "-newest", "name,price"])
def test_unknown_sort_is_invalid_sort(channel: Any, sort: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        product_cards(channel=channel, language="fr", page=PAGE, sort=sort)
    assert exc.value.code == "INVALID_SORT"


def test_pages(channel: Any) -> None:
    for i in range(5):
        published_product(channel=channel, slug=f"p{i}")

    second, count = product_cards(
        channel=channel, language="fr", page=PageRequest(page=2, page_size=2)
    )
    last, _count = product_cards(
        channel=channel, language="fr", page=PageRequest(page=3, page_size=2)
    )
    beyond, beyond_count = product_cards(
        channel=channel, language="fr", page=PageRequest(page=10**9, page_size=2)
    )

    assert (count, slugs(second), slugs(last)) == (5, ["p2", "p3"], ["p4"])
    assert (beyond, beyond_count) == ([], 5)


@pytest.mark.parametrize(
    ("sort", "language", "category"),
    [
        (None, "fr", None),
        ("name", "en", None),
        ("-name", "fr", None),
        ("price", "fr", None),
        ("-price", "en", "outillage"),
        ("newest", "fr", "outillage"),
        (None, "en", "outillage"),
    ],
)
def test_pages_follow_the_order_of_the_whole_list(
    channel: Any, tree: dict[str, Any], sort: str | None, language: str, category: str | None
) -> None:
    # Given products with equal and distinct names and prices, some unpriced, in and out of
    # the category, some in a hidden category
    archive = Category.objects.get(slug="archive")
    for i in range(9):
        product = published_product(
            channel=channel,
            slug=f"p{i}",
            name=f"Produit {i % 4}",
            category=tree["scies"] if i % 3 else tree["maison"],
        )
        product.channel_listings.update(price_from=None if i % 4 == 0 else f"{10 + i % 3}.00")
        ProductTranslation.objects.create(product=product, language="en", name=f"Item {8 - i}")
    published_product(channel=channel, slug="cache", category=archive)

    def page(number: int, size: int) -> list[str]:
        cards, _count = product_cards(
            channel=channel,
            language=language,
            page=PageRequest(page=number, page_size=size),
            category_slug=category,
            sort=sort,
        )
        return slugs(cards)

    # when read two by two, then the pages are the whole list's, cut
    whole = page(1, 24)
    assert [slug for n in range(1, 6) for slug in page(n, 2)] == whole
    assert len(whole) == (6 if category else 9)


@pytest.mark.parametrize(
    "name", ["p/a.jpg", "p/é è.jpg", "p/a#b?c;d:e%f.jpg", "/p/x.jpg", "p/.x/../y.jpg", "p\\z.jpg"]
)
def test_media_url_is_the_storage_url(name: str, settings: Any) -> None:
    from django.core.files.storage import default_storage

    assert products_selectors.media_url(name) == default_storage.url(name)
    settings.MEDIA_URL = "https://cdn.example.com/m/"
    assert products_selectors.media_url(name) == default_storage.url(name)
    assert str(products_selectors.media_url(name)).startswith("https://cdn.example.com/m/")
    assert products_selectors.media_url("") is None


@pytest.fixture
def clean_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


def test_large_counts_are_cached_small_ones_are_exact(
    channel: Any, clean_cache: None, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    monkeypatch.setattr(products_selectors, "COUNT_CACHE_MIN", 3)
    for i in range(3):
        published_product(channel=channel, slug=f"p{i}")
    _cards, first = product_cards(channel=channel, language="fr", page=PAGE)
    published_product(channel=channel, slug="p3")

    cards, cached = product_cards(channel=channel, language="fr", page=PAGE)
    settings.COMPTOIR_CATALOG_COUNT_CACHE_SECONDS = 0
    _cards, fresh = product_cards(channel=channel, language="fr", page=PAGE)

    assert (first, cached, fresh) == (3, 3, 4)
    assert len(cards) == 4  # the page itself is always read fresh


def test_small_counts_are_not_cached(channel: Any, clean_cache: None) -> None:
    published_product(channel=channel, slug="p0")
    _cards, first = product_cards(channel=channel, language="fr", page=PAGE)
    published_product(channel=channel, slug="p1")

    _cards, second = product_cards(channel=channel, language="fr", page=PAGE)

    assert (first, second) == (1, 2)


@pytest.mark.parametrize("page_size", [5, 48])
def test_card_queries_do_not_grow_with_the_page(
    channel: Any, django_assert_num_queries: Any, page_size: int
) -> None:
    for i in range(50):
        product = published_product(channel=channel, slug=f"p{i}", variants=2)
        ProductTranslation.objects.create(product=product, language="en", name=f"P{i}")
        ProductImage.objects.create(product=product, image=f"p/{i}.jpg")
    page = PageRequest(page=1, page_size=page_size)
    archive: Any = CategoryFactory(slug="archive", is_active=False)
    published_product(channel=channel, slug="hidden", category=archive)

    with django_assert_num_queries(2):  # count + page, hidden categories excluded in both
        cards, _count = product_cards(channel=channel, language="en", page=page, sort="name")
    assert len(cards) == page_size
    assert all(c.thumbnail_url and c.variant_count == 2 for c in cards)


@pytest.mark.parametrize("page_size", [5, 48])
def test_filtered_card_queries_do_not_grow_with_the_page(
    channel: Any, tree: dict[str, Any], django_assert_num_queries: Any, page_size: int
) -> None:
    color: Any = AttributeFactory(slug="couleur", kind=AttributeKind.CHOICE)
    red: Any = AttributeChoiceFactory(attribute=color, slug="rouge")
    for i in range(50):
        product = published_product(channel=channel, slug=f"p{i}", category=tree["scies"])
        ProductAttributeValue.objects.create(product=product, attribute=color, choice=red)

    def cards() -> tuple[list[Any], int]:
        return product_cards(
            channel=channel,
            language="fr",
            page=PageRequest(page=1, page_size=page_size),
            category_slug="outillage",
            attributes=["couleur:rouge"],
            search="produit",
        )

    # categories + attributes + count + page, then the category tree is kept in the process
    with django_assert_num_queries(4):
        cold = cards()
    with django_assert_num_queries(3):
        warm = cards()
    assert (len(cold[0]), cold[1]) == (page_size, 50)
    assert warm == cold


# --- product detail ---------------------------------------------------------------------


@pytest.fixture
def detailed(channel: Any, tree: dict[str, Any]) -> Any:
    product = published_product(
        channel=channel,
        slug="perceuse",
        name="Perceuse",
        brand="Bosch",
        category=tree["outillage"],
        description='<p onclick="x()">Solide<script>alert(1)</script></p>',
        seo_title="Perceuse Bosch",
        model_3d="products/perceuse/3d/p.glb",
        variants=2,
    )
    ProductTranslationFactory(
        product=product, name="Drill", description="<p>Sturdy</p>", seo_title="Bosch drill"
    )
    weight: Any = AttributeFactory(slug="poids", name="Poids", kind=AttributeKind.NUMBER, unit="kg")
    weight.translations.create(language="en", name="Weight")
    cordless: Any = AttributeFactory(slug="sans-fil", name="Sans fil", kind=AttributeKind.BOOLEAN)
    color: Any = AttributeFactory(slug="couleur", name="Couleur", kind=AttributeKind.CHOICE)
    red: Any = AttributeChoiceFactory(attribute=color, slug="rouge", value="Rouge", value_en="Red")
    blue: Any = AttributeChoiceFactory(attribute=color, slug="bleu", value="Bleu")
    ProductAttributeValue.objects.create(
        product=product, attribute=weight, value_number=Decimal("2.5")
    )
    ProductAttributeValue.objects.create(product=product, attribute=cordless, value_boolean=True)
    first, second = product.variants.order_by("position")
    first.name, first.name_en, first.gtin, first.weight_grams = (
        "Rouge",
        "Red",
        "4006381333931",
        2500,
    )
    first.save()
    VariantAttributeValue.objects.create(variant=first, attribute=color, choice=red)
    VariantAttributeValue.objects.create(variant=second, attribute=color, choice=blue)
    unpriced: Any = ProductVariantFactory(product=product, position=5, sku="SANS-PRIX")
    ProductImage.objects.create(
        product=product, image="p/1.jpg", thumbnail="p/1-t.jpg", alt="Vue", alt_en="View"
    )
    ProductImage.objects.create(product=product, image="p/2.jpg", variant=second, position=1)
    ProductDocument.objects.create(
        product=product, kind=DocumentKind.SAFETY_DATA_SHEET, title="FDS", file="d/fds.pdf"
    )
    return {"product": product, "first": first, "second": second, "unpriced": unpriced}


def test_detail_in_french(channel: Any, detailed: dict[str, Any]) -> None:
    product = detailed["product"]

    detail = product_detail(channel=channel, language="fr", slug="perceuse")
    with translation.override("fr"):  # the message catalog decides the words
        french_label = str(DocumentKind.SAFETY_DATA_SHEET.label)

    assert (detail.id, detail.name, detail.brand) == (product.id, "Perceuse", "Bosch")
    assert detail.description == "<p>Solide</p>"
    assert (detail.seo_title, detail.product_type) == ("Perceuse Bosch", "outillage")
    assert (detail.category.slug, detail.category.name) == ("outillage", "Outillage")
    assert detail.price == Money(Decimal("19.90"), "EUR")
    assert [(a.slug, a.name, a.value, a.display) for a in detail.attributes] == [
        ("poids", "Poids", "2.5", "2,5 kg"),
        ("sans-fil", "Sans fil", "true", "Oui"),
    ]
    assert [(v.sku, v.name, v.price) for v in detail.variants] == [
        (detailed["first"].sku, "Rouge", Money(Decimal("19.90"), "EUR")),
        (detailed["second"].sku, "Standard", Money(Decimal("20.90"), "EUR")),
        ("SANS-PRIX", "Standard", None),
    ]
    first = detail.variants[0]
    assert (first.gtin, first.weight_grams, first.length_mm) == ("4006381333931", 2500, None)
    assert [(a.slug, a.value, a.display) for a in first.attributes] == [
        ("couleur", "rouge", "Rouge")
    ]
    assert [(i.url, i.thumbnail_url, i.alt, i.variant_id) for i in detail.images] == [
        ("/media/p/1.jpg", "/media/p/1-t.jpg", "Vue", None),
        ("/media/p/2.jpg", "/media/p/2.jpg", "", detailed["second"].id),
    ]
    assert [(d.kind, d.kind_label, d.title, d.language, d.url) for d in detail.documents] == [
        ("safety_data_sheet", french_label, "FDS", "fr", "/media/d/fds.pdf")
    ]
    assert (detail.model_3d_url, detail.model_3d_usdz_url) == (
        "/media/products/perceuse/3d/p.glb",
        None,
    )


def test_detail_in_english(channel: Any, detailed: dict[str, Any]) -> None:
    detail = product_detail(channel=channel, language="en", slug="perceuse")

    assert (detail.name, detail.description, detail.seo_title) == (
        "Drill",
        "<p>Sturdy</p>",
        "Bosch drill",
    )
    assert detail.category.name == "Tools"
    assert [(a.name, a.display) for a in detail.attributes] == [
        ("Weight", "2.5 kg"),
        ("Sans fil", "Yes"),
    ]
    assert [v.name for v in detail.variants] == ["Red", "Standard", "Standard"]
    assert [a.display for a in detail.variants[0].attributes] == ["Red"]
    assert [a.display for a in detail.variants[1].attributes] == ["Bleu"]  # no English label
    assert detail.images[0].alt == "View"
    assert detail.documents[0].kind_label == "Safety data sheet"


@pytest.mark.parametrize("variants", [1, 5])
def test_detail_queries_do_not_grow_with_variants(
    channel: Any, django_assert_num_queries: Any, variants: int
) -> None:
    color: Any = AttributeFactory(slug="couleur", kind=AttributeKind.CHOICE)
    product = published_product(channel=channel, slug="p", variants=variants)
    for variant in product.variants.all():
        choice: Any = AttributeChoiceFactory(attribute=color)
        VariantAttributeValue.objects.create(variant=variant, attribute=color, choice=choice)
        ProductImage.objects.create(product=product, variant=variant, image="p/x.jpg")
    CategoryFactory(slug="archive", is_active=False)

    with django_assert_num_queries(6):
        detail = product_detail(channel=channel, language="en", slug="p")
    assert len(detail.variants) == variants
    assert all(v.attributes and v.price for v in detail.variants)


def test_unpublished_or_unknown_product_is_not_found(channel: Any) -> None:
    hidden = published_product(channel=channel, slug="masque")
    hidden.channel_listings.update(is_published=False)
    future = published_product(channel=channel, slug="futur")
    future.channel_listings.update(published_at=timezone.now() + timedelta(hours=1))
    ProductFactory(slug="non-liste")
    published_product(channel=B2BChannelFactory(), slug="pro")

    for slug in ["masque", "futur", "non-liste", "pro", "inconnu", "", "a\x00b", "x" * 300]:
        with pytest.raises(NotFound) as exc:
            product_detail(channel=channel, language="fr", slug=slug)
        assert exc.value.code == "PRODUCT_NOT_FOUND"


@pytest.mark.parametrize("category", ["archive", "sous-archive"])
def test_product_of_a_hidden_category_is_not_found(
    channel: Any, tree: dict[str, Any], category: str
) -> None:
    published_product(channel=channel, slug="scie", category=tree["scies"])
    published_product(channel=channel, slug="rangee", category=Category.objects.get(slug=category))

    assert product_detail(channel=channel, language="fr", slug="scie").slug == "scie"
    with pytest.raises(NotFound) as exc:
        product_detail(channel=channel, language="fr", slug="rangee")
    assert exc.value.code == "PRODUCT_NOT_FOUND"


def test_detail_translation_falls_back_within_itself(channel: Any) -> None:
    # Given French SEO texts and an English translation with a name and a description
    product = published_product(
        channel=channel,
        slug="perceuse",
        name="Perceuse",
        seo_title="Perceuse pas chère",
        seo_description="La meilleure perceuse",
    )
    ProductTranslationFactory(
        product=product, name="Drill", description="<p>A <em>sturdy</em> drill &amp; case</p>"
    )

    detail = product_detail(channel=channel, language="en", slug="perceuse")

    # then the SEO texts come from the English row: its name, an excerpt of its description
    assert (detail.name, detail.description) == (
        "Drill",
        "<p>A <em>sturdy</em> drill &amp; case</p>",
    )
    assert (detail.seo_title, detail.seo_description) == ("Drill", "A sturdy drill & case")


def test_detail_without_translation_uses_the_base_columns(channel: Any) -> None:
    published_product(
        channel=channel,
        slug="perceuse",
        name="Perceuse",
        description="<p>Solide</p>",
        seo_title="Perceuse pas chère",
    )

    detail = product_detail(channel=channel, language="en", slug="perceuse")

    assert (detail.name, detail.description, detail.seo_title, detail.seo_description) == (
        "Perceuse",
        "<p>Solide</p>",
        "Perceuse pas chère",
        "",
    )
