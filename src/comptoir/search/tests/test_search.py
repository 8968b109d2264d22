"""Product search: the index, both engines (SQLite FTS5 and PostgreSQL full text), and the
outbox keeping the index current."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings

from comptoir.catalog.models import Product, ProductTranslation
from comptoir.catalog.services import product_create, product_delete, product_update
from comptoir.catalog.tests.factories import (
    CategoryFactory,
    ProductChannelListingFactory,
    ProductTypeFactory,
    published_product,
)
from comptoir.channels.models import Channel
from comptoir.channels.tests.factories import ChannelFactory
from comptoir.core import outbox
from comptoir.core.models import OutboxEvent
from comptoir.search.backends import query_words
from comptoir.search.models import SearchDocument
from comptoir.search.selectors import product_search, product_suggestions
from comptoir.search.services import search_index, search_reindex_all

pytestmark = pytest.mark.django_db


def product(channel: Channel, name: str, *, english: str = "", **kwargs: Any) -> Product:
    made = published_product(channel=channel, name=name, **kwargs)
    if english:
        ProductTranslation.objects.create(product=made, language="en", name=english)
    return made


@pytest.fixture
def channel() -> Channel:
    return ChannelFactory.create()


@pytest.fixture
def catalog(channel: Channel) -> dict[str, Product]:
    made = {
        "drill": product(
            channel,
            "Perceuse visseuse sans fil",
            english="Cordless drill driver",
            brand="Bosch",
            description="<p>Pour le bois et le métal.</p>",
        ),
        "saw": product(channel, "Scie circulaire", english="Circular saw", brand="Makita"),
        "bits": product(
            channel,
            "Coffret de forets",
            english="Drill bit set",
            description="<p>Pour perceuse et visseuse.</p>",
        ),
        "kettle": product(channel, "Bouilloire électrique", english="Electric kettle"),
    }
    search_reindex_all()
    return made


def found(channel: Channel, text: str, language: str = "fr") -> list[int]:
    return product_search(channel=channel, language=language, text=text)


class TestQueryWords:
    def test_only_letters_and_digits_reach_an_engine(self) -> None:
        assert query_words('  "Perçeuse" & (18V) | !foo:* NEAR/2 ') == [
            "perceuse",
            "18v",
            "foo",
            "near",
            "2",
        ]

    def test_bounded(self) -> None:
        assert len(query_words("mot " * 50)) == 8
        assert query_words("a" * 500) == ["a" * 40]
        assert query_words("&&& ||| ***") == []


class TestSearch:
    def test_french_stemming_and_accents(self, channel: Channel, catalog: dict) -> None:
        assert found(channel, "perceuses")[0] == catalog["drill"].pk
        assert found(channel, "BOUILLOIRES ELECTRIQUES") == [catalog["kettle"].pk]

    def test_english_stemming(self, channel: Channel, catalog: dict) -> None:
        assert found(channel, "drills", "en")[0] in {catalog["drill"].pk, catalog["bits"].pk}
        assert set(found(channel, "drill", "en")) == {catalog["drill"].pk, catalog["bits"].pk}
        assert found(channel, "kettles", "en") == [catalog["kettle"].pk]

    def test_prefix_as_the_shopper_types(self, channel: Channel, catalog: dict) -> None:
        assert found(channel, "circu") == [catalog["saw"].pk]

    def test_every_word_must_match(self, channel: Channel, catalog: dict) -> None:
        assert found(channel, "scie bosch") == []
        assert found(channel, "perceuse bosch") == [catalog["drill"].pk]

    def test_names_rank_above_descriptions(self, channel: Channel, catalog: dict) -> None:
        assert found(channel, "perceuse") == [catalog["drill"].pk, catalog["bits"].pk]

    def test_brand_and_sku(self, channel: Channel, catalog: dict) -> None:
        sku = catalog["saw"].variants.get().sku
        assert found(channel, "makita") == [catalog["saw"].pk]
        assert found(channel, sku.lower()) == [catalog["saw"].pk]

    def test_only_the_channel_s_published_products(self, channel: Channel, catalog: dict) -> None:
        other = ChannelFactory.create(code="ailleurs")
        elsewhere = product(other, "Perceuse à colonne")
        search_index(product_ids=[elsewhere.pk])

        assert elsewhere.pk not in found(channel, "perceuse")
        assert found(other, "perceuse") == [elsewhere.pk]

    def test_within_a_category(self, channel: Channel, catalog: dict) -> None:
        garden = CategoryFactory.create(slug="jardin")
        mower = product(channel, "Perceuse de jardin", category=garden)
        search_index(product_ids=[mower.pk])

        assert product_search(
            channel=channel, language="fr", text="perceuse", category_slug="jardin"
        ) == [mower.pk]

    def test_nothing_to_search(self, channel: Channel, catalog: dict) -> None:
        assert found(channel, "") == []
        assert found(channel, "  &&& ") == []

    @override_settings(COMPTOIR_SEARCH_MAX_HITS=2)
    def test_hits_are_capped(self, channel: Channel, catalog: dict) -> None:
        for i in range(3):
            product(channel, f"Perceuse {i}")
        search_reindex_all()

        assert len(found(channel, "perceuse")) == 2

    def test_suggestions(self, channel: Channel, catalog: dict) -> None:
        [suggestion] = product_suggestions(channel=channel, language="en", text="kett")

        assert (suggestion.name, suggestion.slug) == ("Electric kettle", catalog["kettle"].slug)
        assert product_suggestions(channel=channel, language="en", text="k") == []


class TestTypos:
    """On both engines: trigram similarity on PostgreSQL, close index terms on SQLite."""

    def test_a_misspelt_name_still_finds_it(self, channel: Channel, catalog: dict) -> None:
        assert found(channel, "perseuse") == [catalog["drill"].pk]
        assert found(channel, "bouiloire") == [catalog["kettle"].pk]
        assert found(channel, "cordles", "en") == [catalog["drill"].pk]

    def test_a_misspelt_word_with_a_right_one(self, channel: Channel, catalog: dict) -> None:
        assert found(channel, "perseuse visseuse") == [catalog["drill"].pk]

    def test_nothing_close_finds_nothing(self, channel: Channel, catalog: dict) -> None:
        assert found(channel, "xylophone") == []
        assert found(channel, "perseuse xylophone") == []

    def test_short_words_are_not_corrected(self, channel: Channel, catalog: dict) -> None:
        # Three letters are close to too many words ("bol" to "Bouilloire").
        assert found(channel, "bol") == []
        assert found(channel, "perseuse xyz") == []


class TestIndex:
    def test_a_document_per_product_in_both_languages(self, catalog: dict) -> None:
        document = SearchDocument.objects.get(product=catalog["drill"])

        assert document.name_fr == "Perceuse visseuse sans fil"
        assert document.name_en == "Cordless drill driver"
        assert "Bosch" in document.codes
        assert catalog["drill"].variants.get().sku in document.codes
        assert "Pour le bois et le métal." in document.text_fr
        assert "<p>" not in document.text_fr

    def test_reindex_drops_deleted_products_and_is_idempotent(self, catalog: dict) -> None:
        Product.objects.filter(pk=catalog["kettle"].pk).delete()

        assert search_reindex_all() == 3
        assert search_reindex_all() == 3
        assert SearchDocument.objects.count() == 3

    def test_command(self, catalog: dict, capsys: pytest.CaptureFixture[str]) -> None:
        SearchDocument.objects.all().delete()

        call_command("search_reindex")

        assert "4 product documents indexed." in capsys.readouterr().out
        assert SearchDocument.objects.count() == 4


@pytest.mark.django_db(transaction=True)
class TestOutbox:
    """Catalog changes reach the index through the outbox (delivered here by hand, by the
    worker in production)."""

    def test_create_update_delete_follow(self) -> None:
        channel = ChannelFactory.create()
        category = CategoryFactory.create()
        product_type = ProductTypeFactory.create()
        made = product_create(product_type=product_type, category=category, name="Ponceuse")
        ProductChannelListingFactory(product=made, channel=channel, price_from=Decimal("10"))
        assert OutboxEvent.objects.filter(topic="catalog.product.changed").count() == 1

        outbox.deliver_pending()
        assert found(channel, "ponceuse") == [made.pk]

        product_update(product=made, name="Raboteuse")
        outbox.deliver_pending()
        assert found(channel, "ponceuse") == []
        assert found(channel, "raboteuse") == [made.pk]

        product_delete(product=made)
        outbox.deliver_pending()
        assert not SearchDocument.objects.exists()

    def test_a_second_delivery_changes_nothing(self) -> None:
        channel = ChannelFactory.create()
        made = product(channel, "Ponceuse")
        search_index(product_ids=[made.pk])
        search_index(product_ids=[made.pk])

        assert SearchDocument.objects.filter(product=made).count() == 1
