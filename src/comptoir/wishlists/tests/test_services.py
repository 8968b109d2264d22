"""Wishlist services: add (by product or SKU), the limit, remove, move to cart through the
cart's add to cart, share-link regeneration; bad input and another customer's items."""

from __future__ import annotations

import pytest
from django.test import override_settings

from comptoir.cart import services as cart_services
from comptoir.cart.models import Cart, CartLine
from comptoir.core.errors import DomainError, InvalidInput, NotFound
from comptoir.wishlists import selectors, services
from comptoir.wishlists.models import Wishlist, WishlistItem
from comptoir.wishlists.tests.conftest import Store

pytestmark = pytest.mark.django_db


def _items(store: Store) -> list[tuple[str, str | None]]:
    return [
        (item.product.slug, item.variant.sku if item.variant else None)
        for item in WishlistItem.objects.filter(wishlist__user=store.lea).order_by("id")
    ]


class TestAdd:
    def test_the_wishlist_is_created_on_first_add(self, store: Store) -> None:
        assert selectors.wishlist_of(user=store.lea) is None

        item, added = services.wishlist_item_add(
            user=store.lea, channel=store.channel, product="perceuse"
        )

        assert added is True
        wishlist = Wishlist.objects.get(user=store.lea)
        assert len(wishlist.share_token) == 43  # core.ids.new_token: 256 random bits
        # A product with one variant is kept with it.
        assert item.variant_id == store.variant(store.drill).pk
        assert _items(store) == [("perceuse", store.sku(store.drill))]

    def test_adding_again_changes_nothing(self, store: Store) -> None:
        services.wishlist_item_add(user=store.lea, channel=store.channel, product="perceuse")
        _item, added = services.wishlist_item_add(
            user=store.lea, channel=store.channel, sku=store.sku(store.drill)
        )
        assert added is False
        assert WishlistItem.objects.count() == 1

    def test_a_product_with_several_variants_waits_for_the_choice(self, store: Store) -> None:
        item, _added = services.wishlist_item_add(
            user=store.lea, channel=store.channel, product="scie"
        )
        assert item.variant is None
        (entry,) = selectors.wishlist_entries(
            wishlist=item.wishlist, channel=store.channel, language="fr"
        )
        assert entry.needs_variant is True
        assert entry.available is True

        # The product page's choice fills the variant in, in the same row.
        again, added = services.wishlist_item_add(
            user=store.lea, channel=store.channel, sku=store.sku(store.saw, 1)
        )
        assert (again.pk, added) == (item.pk, True)
        assert _items(store) == [("scie", store.sku(store.saw, 1))]
        # The product from a card again: already kept (with its variant).
        assert (
            services.wishlist_item_add(user=store.lea, channel=store.channel, product="scie")[1]
            is False
        )
        # Another variant of it is another item.
        services.wishlist_item_add(user=store.lea, channel=store.channel, sku=store.sku(store.saw))
        assert len(_items(store)) == 2

    @pytest.mark.parametrize(
        ("fields", "code"),
        [
            ({}, "INVALID_INPUT"),
            ({"product": "perceuse", "sku": "X"}, "INVALID_INPUT"),
            ({"product": "nope"}, "UNKNOWN_PRODUCT"),
            ({"product": "secret"}, "UNKNOWN_PRODUCT"),  # not published
            ({"sku": "SECRET-1"}, "UNKNOWN_PRODUCT"),
            ({"sku": "NOPE"}, "UNKNOWN_PRODUCT"),
            ({"sku": "A\x00B"}, "UNKNOWN_PRODUCT"),
            ({"sku": "X" * 65}, "UNKNOWN_PRODUCT"),
            ({"product": "../perceuse"}, "UNKNOWN_PRODUCT"),
            ({"product": "p" * 161}, "UNKNOWN_PRODUCT"),
            ({"product": "<script>"}, "UNKNOWN_PRODUCT"),
        ],
    )
    def test_bad_input_changes_nothing(
        self, store: Store, fields: dict[str, str], code: str
    ) -> None:
        with pytest.raises(InvalidInput) as caught:
            services.wishlist_item_add(user=store.lea, channel=store.channel, **fields)
        assert caught.value.code == code
        assert WishlistItem.objects.count() == 0

    def test_no_channel_sells_nothing(self, store: Store) -> None:
        with pytest.raises(InvalidInput):
            services.wishlist_item_add(user=store.lea, channel=None, product="perceuse")

    @override_settings(COMPTOIR_WISHLIST_MAX_ITEMS=2)
    def test_the_limit(self, store: Store) -> None:
        services.wishlist_item_add(user=store.lea, channel=store.channel, product="perceuse")
        services.wishlist_item_add(user=store.lea, channel=store.channel, product="lampe")
        with pytest.raises(InvalidInput) as caught:
            services.wishlist_item_add(user=store.lea, channel=store.channel, product="scie")
        assert caught.value.code == "WISHLIST_FULL"
        assert "2" in caught.value.detail
        # What is already kept is not refused.
        assert (
            services.wishlist_item_add(user=store.lea, channel=store.channel, product="perceuse")[1]
            is False
        )
        assert len(_items(store)) == 2


class TestRemove:
    def test_remove(self, store: Store) -> None:
        item, _ = services.wishlist_item_add(user=store.lea, channel=store.channel, product="lampe")
        services.wishlist_item_remove(user=store.lea, item_id=item.pk)
        assert WishlistItem.objects.count() == 0

    @pytest.mark.parametrize("item_id", [0, -1, 2**63, 2**70])
    def test_unknown_ids(self, store: Store, item_id: int) -> None:
        with pytest.raises(NotFound):
            services.wishlist_item_remove(user=store.lea, item_id=item_id)

    def test_another_customers_item_is_not_found(self, store: Store) -> None:
        item, _ = services.wishlist_item_add(user=store.lea, channel=store.channel, product="lampe")
        with pytest.raises(NotFound) as caught:
            services.wishlist_item_remove(user=store.marc, item_id=item.pk)
        assert caught.value.code == "WISHLIST_ITEM_NOT_FOUND"
        assert WishlistItem.objects.count() == 1


class TestMoveToCart:
    def _cart(self, store: Store) -> Cart:
        return cart_services.cart_create(channel=store.channel, user=store.lea, language="fr")

    def test_moves_through_the_cart(self, store: Store) -> None:
        item, _ = services.wishlist_item_add(
            user=store.lea, channel=store.channel, product="perceuse"
        )
        cart = self._cart(store)
        line = services.wishlist_item_move_to_cart(
            user=store.lea, item_id=item.pk, cart=cart, quantity=2
        )
        assert (line.variant_id, line.quantity) == (store.variant(store.drill).pk, 2)
        assert WishlistItem.objects.count() == 0

    def test_out_of_stock_stays_in_the_wishlist(self, store: Store) -> None:
        item, _ = services.wishlist_item_add(user=store.lea, channel=store.channel, product="lampe")
        cart = self._cart(store)
        with pytest.raises(DomainError) as caught:
            services.wishlist_item_move_to_cart(user=store.lea, item_id=item.pk, cart=cart)
        assert caught.value.code == "INSUFFICIENT_STOCK"
        assert WishlistItem.objects.filter(pk=item.pk).exists()
        assert CartLine.objects.count() == 0

    def test_more_than_the_stock_stays(self, store: Store) -> None:
        item, _ = services.wishlist_item_add(
            user=store.lea, channel=store.channel, product="perceuse"
        )
        with pytest.raises(DomainError) as caught:
            services.wishlist_item_move_to_cart(
                user=store.lea, item_id=item.pk, cart=self._cart(store), quantity=6
            )
        assert caught.value.code == "INSUFFICIENT_STOCK"
        assert WishlistItem.objects.filter(pk=item.pk).exists()

    def test_a_product_no_longer_sold_stays(self, store: Store) -> None:
        item, _ = services.wishlist_item_add(
            user=store.lea, channel=store.channel, product="perceuse"
        )
        store.drill.channel_listings.update(is_published=False)
        with pytest.raises(DomainError) as caught:
            services.wishlist_item_move_to_cart(
                user=store.lea, item_id=item.pk, cart=self._cart(store)
            )
        assert caught.value.code == "NOT_FOR_SALE"
        assert WishlistItem.objects.filter(pk=item.pk).exists()
        (entry,) = selectors.wishlist_entries(
            wishlist=item.wishlist, channel=store.channel, language="fr"
        )
        assert entry.available is False

    def test_a_variant_must_be_chosen(self, store: Store) -> None:
        item, _ = services.wishlist_item_add(user=store.lea, channel=store.channel, product="scie")
        cart = self._cart(store)
        with pytest.raises(InvalidInput) as caught:
            services.wishlist_item_move_to_cart(user=store.lea, item_id=item.pk, cart=cart)
        assert caught.value.code == "VARIANT_REQUIRED"
        with pytest.raises(InvalidInput) as caught:
            services.wishlist_item_move_to_cart(
                user=store.lea, item_id=item.pk, cart=cart, sku=store.sku(store.drill)
            )
        assert caught.value.code == "UNKNOWN_SKU"
        line = services.wishlist_item_move_to_cart(
            user=store.lea, item_id=item.pk, cart=cart, sku=store.sku(store.saw, 1)
        )
        assert line.variant_id == store.variant(store.saw, 1).pk
        assert WishlistItem.objects.count() == 0

    def test_another_customers_item_is_not_found(self, store: Store) -> None:
        item, _ = services.wishlist_item_add(
            user=store.lea, channel=store.channel, product="perceuse"
        )
        marcs = cart_services.cart_create(channel=store.channel, user=store.marc, language="fr")
        with pytest.raises(NotFound):
            services.wishlist_item_move_to_cart(user=store.marc, item_id=item.pk, cart=marcs)
        assert CartLine.objects.count() == 0


class TestShare:
    def test_regenerating_revokes_the_old_token(self, store: Store) -> None:
        services.wishlist_item_add(user=store.lea, channel=store.channel, product="perceuse")
        old = Wishlist.objects.get(user=store.lea).share_token
        assert selectors.wishlist_by_token(token=old).user_id == store.lea.pk

        new = services.wishlist_share_regenerate(user=store.lea).share_token

        assert new != old
        assert selectors.wishlist_by_token(token=new).user_id == store.lea.pk
        with pytest.raises(NotFound):
            selectors.wishlist_by_token(token=old)

    @pytest.mark.parametrize("token", ["", "x", "a" * 32, "a" * 65, "../../etc", "a\x00" * 16])
    def test_unknown_tokens(self, store: Store, token: str) -> None:
        with pytest.raises(NotFound) as caught:
            selectors.wishlist_by_token(token=token)
        assert caught.value.code == "WISHLIST_NOT_FOUND"
