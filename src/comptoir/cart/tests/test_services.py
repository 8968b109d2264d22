"""Cart services: lines, quantities, coupons, addresses, shipping method, merge, lock and
status. Every refusal changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from comptoir.accounts.tests.factories import AddressFactory, UserFactory
from comptoir.cart import selectors, services
from comptoir.cart.models import Cart, CartLine, CartStatus
from comptoir.cart.services import lines as line_services
from comptoir.cart.tests.conftest import ADDRESS, Shop, ready, sellable
from comptoir.core.errors import DomainError
from comptoir.promotions.tests.factories import CouponFactory, CouponPromotionFactory

pytestmark = pytest.mark.django_db


def refused(expected: str, call: Any, /, **kwargs: Any) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call(**kwargs)
    assert caught.value.code == expected, caught.value.errors
    return caught.value


def lines_of(cart: Cart) -> list[tuple[str, int, bool]]:
    return [
        (line.variant.sku, line.quantity, line.saved_for_later)
        for line in CartLine.objects.filter(cart=cart).select_related("variant").order_by("id")
    ]


def address(cart: Cart, role: str = "shipping") -> dict[str, str]:
    found: dict[str, str] | None = getattr(cart, f"{role}_address")
    assert found is not None
    return found


@pytest.fixture
def cart(shop: Shop) -> Cart:
    return services.cart_create(channel=shop.b2c, language="fr")


# --- carts ---------------------------------------------------------------------------------


def test_cart_create(shop: Shop) -> None:
    cart = services.cart_create(channel=shop.b2c, language="", email=" Lea@Example.FR ")
    assert (cart.status, cart.user_id, cart.language, cart.email) == (
        CartStatus.OPEN,
        None,
        "fr",
        "lea@example.fr",
    )
    assert len(cart.token) == 43


def test_a_customer_has_one_cart_per_channel(shop: Shop) -> None:
    first = services.cart_create(channel=shop.b2c, user=shop.shopper, language="en")
    assert services.cart_create(channel=shop.b2c, user=shop.shopper, language="fr") == first
    other = services.cart_create(channel=shop.b2b, user=shop.shopper, language="fr")
    assert other != first
    services.cart_mark(cart=first, status=CartStatus.CHECKING_OUT)
    # A checkout runs on it: still the customer's cart, not a second one.
    assert services.cart_create(channel=shop.b2c, user=shop.shopper, language="fr") == first


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"language": "de"}, "INVALID_INPUT"),
        ({"language": "fr", "email": "pas-un-email"}, "INVALID_EMAIL"),
    ],
)
def test_cart_create_refuses(shop: Shop, kwargs: dict[str, Any], code: str) -> None:
    refused(code, services.cart_create, channel=shop.b2c, **kwargs)
    assert not Cart.objects.exists()


def test_cart_for_scopes_customer_carts(shop: Shop) -> None:
    mine = services.cart_create(channel=shop.b2c, user=shop.shopper, language="fr")
    anonymous = services.cart_create(channel=shop.b2c, language="fr")
    assert selectors.cart_for(token=mine.token, user=shop.shopper) == mine
    assert selectors.cart_for(token=anonymous.token, user=None) == anonymous
    assert selectors.cart_for(token=anonymous.token, user=shop.buyer) == anonymous
    for token, user in (
        (mine.token, None),
        (mine.token, shop.buyer),
        ("x" * 43, None),
        (mine.token[:-1], shop.shopper),
        ("../" + mine.token, shop.shopper),
        ("a" * 65, None),
        ("\x00", None),
    ):
        refused("CART_NOT_FOUND", selectors.cart_for, token=token, user=user)


# --- lines ---------------------------------------------------------------------------------


def test_line_add_adds_to_the_same_line(shop: Shop, cart: Cart) -> None:
    services.line_add(cart=cart, sku="DRILL", quantity=2)
    services.line_add(cart=cart, sku=" DRILL ", quantity=3)
    services.line_add(cart=cart, sku="DRILL-XL", quantity=1)
    assert lines_of(cart) == [("DRILL", 5, False), ("DRILL-XL", 1, False)]


@pytest.mark.parametrize("quantity", [0, -1, 2.5, 2.0, "3", True, None, 10_000, 10**30, [1]])
def test_bad_quantities(shop: Shop, cart: Cart, quantity: Any) -> None:
    refused("INVALID_QUANTITY", services.line_add, cart=cart, sku="DRILL", quantity=quantity)
    assert lines_of(cart) == []


def test_a_line_holds_at_most_9999_units(shop: Shop, cart: Cart) -> None:
    sellable(
        shop.b2c, sku="VIS", price="0.10", stock=0, warehouse=shop.warehouse, allow_backorders=True
    )
    services.line_add(cart=cart, sku="VIS", quantity=9999)
    refused("INVALID_QUANTITY", services.line_add, cart=cart, sku="VIS", quantity=1)
    assert lines_of(cart) == [("VIS", 9999, False)]


@pytest.mark.parametrize("sku", ["NOPE", "", " ", "A" * 65, "DR\x00ILL", 42, None])
def test_unknown_skus(shop: Shop, cart: Cart, sku: Any) -> None:
    refused("UNKNOWN_SKU", services.line_add, cart=cart, sku=sku, quantity=1)


def test_refusals_of_the_engine_and_the_stock(shop: Shop, cart: Cart) -> None:
    sellable(shop.b2b, sku="PRO-SEUL", price="5.00", stock=5, warehouse=shop.warehouse)
    refused("NOT_FOR_SALE", services.line_add, cart=cart, sku="PRO-SEUL", quantity=1)
    error = refused("INSUFFICIENT_STOCK", services.line_add, cart=cart, sku="DRILL", quantity=101)
    assert error.status == 409
    assert "DRILL" in error.errors
    pro = services.cart_create(channel=shop.b2b, user=shop.buyer, language="fr")
    error = refused("QUANTITY_RULE", services.line_add, cart=pro, sku="DRILL-XL", quantity=5)
    assert error.errors["quantity"] == ["DRILL-XL est vendu à partir de 6, par 6."]
    services.line_add(cart=pro, sku="DRILL-XL", quantity=12)
    assert lines_of(cart) == []
    assert lines_of(pro) == [("DRILL-XL", 12, False)]


def test_lowering_a_quantity_is_always_allowed(shop: Shop, cart: Cart) -> None:
    line = services.line_add(cart=cart, sku="DRILL", quantity=10)
    from comptoir.inventory.models import Stock

    Stock.objects.filter(variant=shop.drill).update(quantity_allocated=98)  # 2 left
    updated = services.line_update(cart=cart, line_id=line.pk, quantity=4)
    assert updated.quantity == 4
    refused("INSUFFICIENT_STOCK", services.line_update, cart=cart, line_id=line.pk, quantity=5)


def test_cart_full(shop: Shop, cart: Cart, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(line_services, "MAX_LINES", 1)
    services.line_add(cart=cart, sku="DRILL", quantity=1)
    services.line_add(cart=cart, sku="DRILL", quantity=1)  # the same line: fine
    refused("CART_FULL", services.line_add, cart=cart, sku="DRILL-XL", quantity=1)


def test_save_for_later_and_back(shop: Shop, cart: Cart) -> None:
    line = services.line_add(cart=cart, sku="DRILL", quantity=2)
    saved = services.save_for_later(cart=cart, line_id=line.pk)
    assert (saved.pk, saved.saved_for_later) == (line.pk, True)
    services.line_add(cart=cart, sku="DRILL", quantity=1)
    assert lines_of(cart) == [("DRILL", 2, True), ("DRILL", 1, False)]
    joined = services.move_to_cart(cart=cart, line_id=line.pk)
    assert lines_of(cart) == [("DRILL", 3, False)]
    assert joined.quantity == 3
    moved = services.line_update(cart=cart, line_id=joined.pk, saved_for_later=True, quantity=1)
    assert (moved.quantity, moved.saved_for_later) == (1, True)


def test_line_update_and_delete_refuse_bad_input(shop: Shop, cart: Cart) -> None:
    line = services.line_add(cart=cart, sku="DRILL", quantity=2)
    other = services.cart_create(channel=shop.b2c, language="fr")
    theirs = services.line_add(cart=other, sku="DRILL", quantity=1)
    for line_id in (theirs.pk, 0, -1, 2**70, "1", True):
        refused("LINE_NOT_FOUND", services.line_update, cart=cart, line_id=line_id, quantity=1)
        refused("LINE_NOT_FOUND", services.line_delete, cart=cart, line_id=line_id)
    refused(
        "INVALID_INPUT", services.line_update, cart=cart, line_id=line.pk, saved_for_later="yes"
    )
    refused("INVALID_QUANTITY", services.line_update, cart=cart, line_id=line.pk, quantity=0)
    assert lines_of(cart) == [("DRILL", 2, False)]
    assert lines_of(other) == [("DRILL", 1, False)]
    services.line_delete(cart=cart, line_id=line.pk)
    assert lines_of(cart) == []


def test_a_cart_being_checked_out_refuses_every_change(shop: Shop, cart: Cart) -> None:
    line = services.line_add(cart=cart, sku="DRILL", quantity=2)
    CouponFactory.create(code="DIX")
    services.cart_mark(cart=cart, status=CartStatus.CHECKING_OUT)
    calls: list[tuple[Any, dict[str, Any]]] = [
        (services.line_add, {"sku": "DRILL", "quantity": 1}),
        (services.line_update, {"line_id": line.pk, "quantity": 1}),
        (services.line_delete, {"line_id": line.pk}),
        (services.coupon_apply, {"code": "DIX"}),
        (services.coupon_remove, {"code": "DIX"}),
        (services.addresses_set, {"shipping_address": ADDRESS, "email": "a@example.fr"}),
        (services.shipping_method_set, {"code": "colissimo"}),
    ]
    for call, kwargs in calls:
        assert refused("CART_LOCKED", call, cart=cart, **kwargs).status == 409
    Cart.objects.filter(pk=cart.pk).update(status=CartStatus.COMPLETED)
    for call, kwargs in calls:
        refused("CART_NOT_FOUND", call, cart=cart, **kwargs)
    assert lines_of(cart) == [("DRILL", 2, False)]


# --- coupons -------------------------------------------------------------------------------


def test_coupon_apply_and_remove(shop: Shop, cart: Cart) -> None:
    CouponFactory.create(code="DIX")
    services.line_add(cart=cart, sku="DRILL", quantity=1)
    assert services.coupon_apply(cart=cart, code=" dix ").coupon_codes == ["DIX"]
    assert services.coupon_apply(cart=cart, code="DIX").coupon_codes == ["DIX"]
    assert services.coupon_remove(cart=cart, code="dix").coupon_codes == []
    assert services.coupon_remove(cart=cart, code="JAMAIS").coupon_codes == []


def test_coupon_refusals_keep_the_cart(shop: Shop, cart: Cart) -> None:
    from decimal import Decimal

    services.line_add(cart=cart, sku="DRILL", quantity=1)
    CouponFactory.create(code="ETEINT", is_active=False)
    CouponFactory.create(code="GROS", min_subtotal=Decimal("100.00"))
    for code, expected in (
        ("NEXISTEPAS", "COUPON_NOT_FOUND"),
        ("x" * 41, "COUPON_NOT_FOUND"),
        ("A\x00B", "COUPON_NOT_FOUND"),
        ("ETEINT", "COUPON_EXPIRED"),
        ("GROS", "COUPON_MIN_AMOUNT"),
    ):
        refused(expected, services.coupon_apply, cart=cart, code=code)
    cart.refresh_from_db()
    assert cart.coupon_codes == []


def test_too_many_coupons(shop: Shop, cart: Cart) -> None:
    promotion = CouponPromotionFactory.create()
    for i in range(services.MAX_COUPONS + 1):
        CouponFactory.create(promotion=promotion, code=f"CODE-{i}")
    for i in range(services.MAX_COUPONS):
        services.coupon_apply(cart=cart, code=f"CODE-{i}")
    refused("TOO_MANY_COUPONS", services.coupon_apply, cart=cart, code="CODE-5")


# --- addresses -----------------------------------------------------------------------------


def test_addresses_are_validated_and_normalised(shop: Shop, cart: Cart) -> None:
    cart = services.addresses_set(
        cart=cart,
        shipping_address={**ADDRESS, "country": "fr", "city": "  Paris  "},
        same_as_shipping=True,
        email="Lea@Example.fr",
    )
    assert cart.shipping_address == cart.billing_address
    assert address(cart)["phone"] == "+33612345678"
    assert address(cart)["country"] == "FR"
    assert address(cart)["city"] == "Paris"
    assert address(cart)["company_name"] == ""
    assert cart.email == "lea@example.fr"


@pytest.mark.parametrize(
    ("address", "field"),
    [
        ({**ADDRESS, "postal_code": "ABC"}, "shipping_address.postal_code"),
        ({**ADDRESS, "country": "XX"}, "shipping_address.country"),
        ({**ADDRESS, "phone": "12"}, "shipping_address.phone"),
        ({**ADDRESS, "city": ""}, "shipping_address.city"),
        ({**ADDRESS, "is_default_shipping": True}, "shipping_address.is_default_shipping"),
        ({**ADDRESS, "city": ["Paris"]}, "shipping_address.city"),
        ({**ADDRESS, "city": "Pa\x00ris"}, "shipping_address.city"),
        ("12 rue des Lilas", "shipping_address"),
    ],
)
def test_invalid_addresses(shop: Shop, cart: Cart, address: Any, field: str) -> None:
    error = refused(
        "ADDRESS_INVALID",
        services.addresses_set,
        cart=cart,
        shipping_address=address,
        email="a@example.fr",
    )
    assert field in error.errors
    cart.refresh_from_db()
    assert (cart.shipping_address, cart.email) == (None, "")


def test_a_guest_needs_an_email(shop: Shop, cart: Cart) -> None:
    refused("EMAIL_REQUIRED", services.addresses_set, cart=cart, shipping_address=ADDRESS)
    refused(
        "INVALID_EMAIL",
        services.addresses_set,
        cart=cart,
        shipping_address=ADDRESS,
        email="lea@",
    )
    services.addresses_set(cart=cart, shipping_address=ADDRESS, email="lea@example.fr")
    # Given once, it is kept.
    assert services.addresses_set(cart=cart, billing_address=ADDRESS).email == "lea@example.fr"


def test_saved_addresses_of_the_customer_only(shop: Shop) -> None:
    cart = services.cart_create(channel=shop.b2c, user=shop.shopper, language="fr")
    mine = AddressFactory.create(user=shop.shopper, city="Lyon", postal_code="69007")
    theirs = AddressFactory.create(user=UserFactory.create())
    cart = services.addresses_set(cart=cart, shipping_address_id=mine.pk, billing_address=ADDRESS)
    assert address(cart)["city"] == "Lyon"
    assert address(cart, "billing")["city"] == "Paris"
    assert cart.email == ""  # a customer's cart uses the account's email
    for address_id in (theirs.pk, 0, 2**70):
        refused(
            "ADDRESS_NOT_FOUND", services.addresses_set, cart=cart, shipping_address_id=address_id
        )
    anonymous = services.cart_create(channel=shop.b2c, language="fr")
    refused(
        "ADDRESS_NOT_FOUND",
        services.addresses_set,
        cart=anonymous,
        shipping_address_id=mine.pk,
        email="a@example.fr",
    )
    cart.refresh_from_db()
    assert address(cart)["city"] == "Lyon"


def test_address_and_id_together_or_billing_with_same_as_shipping(shop: Shop, cart: Cart) -> None:
    refused(
        "INVALID_INPUT",
        services.addresses_set,
        cart=cart,
        shipping_address=ADDRESS,
        shipping_address_id=1,
        email="a@example.fr",
    )
    refused(
        "INVALID_INPUT",
        services.addresses_set,
        cart=cart,
        shipping_address=ADDRESS,
        billing_address=ADDRESS,
        same_as_shipping=True,
        email="a@example.fr",
    )


# --- shipping method -----------------------------------------------------------------------


def test_shipping_method_among_the_carts_options(shop: Shop, cart: Cart) -> None:
    services.line_add(cart=cart, sku="DRILL", quantity=1)
    assert services.shipping_method_set(cart=cart, code="retrait").shipping_method_id == (
        shop.pickup.pk
    )
    assert services.shipping_method_set(
        cart=cart, method_id=shop.colissimo.pk
    ).shipping_method_id == (shop.colissimo.pk)
    for kwargs in (
        {"method_id": shop.pro_delivery.pk},
        {"code": "messagerie"},
        {"method_id": 2**70},
    ):
        refused("SHIPPING_METHOD_UNAVAILABLE", services.shipping_method_set, cart=cart, **kwargs)
    refused("INVALID_INPUT", services.shipping_method_set, cart=cart)
    refused("INVALID_INPUT", services.shipping_method_set, cart=cart, method_id=1, code="x")
    cart.refresh_from_db()
    assert cart.shipping_method_id == shop.colissimo.pk


def test_a_country_no_zone_serves_has_no_options(shop: Shop, cart: Cart) -> None:
    services.addresses_set(
        cart=cart,
        shipping_address={**ADDRESS, "country": "DE", "postal_code": "10115", "phone": ""},
        email="a@example.de",
    )
    goods, options = selectors.cart_shipping_options(cart=cart)
    assert (goods.country, options) == ("DE", [])
    refused(
        "SHIPPING_METHOD_UNAVAILABLE", services.shipping_method_set, cart=cart, code="colissimo"
    )


# --- merge ---------------------------------------------------------------------------------


def test_merge_sums_quantities_and_keeps_coupons(shop: Shop) -> None:
    CouponFactory.create(code="DIX")
    mine = services.cart_create(channel=shop.b2c, user=shop.shopper, language="fr")
    services.line_add(cart=mine, sku="DRILL", quantity=1)
    visitor = services.cart_create(channel=shop.b2c, language="fr")
    services.line_add(cart=visitor, sku="DRILL", quantity=2)
    services.line_add(cart=visitor, sku="DRILL-XL", quantity=1)
    services.coupon_apply(cart=visitor, code="DIX")
    ready(visitor, shop)
    merged = services.cart_merge(user=shop.shopper, token=visitor.token)
    assert merged == mine
    assert lines_of(mine) == [("DRILL", 3, False), ("DRILL-XL", 1, False)]
    mine.refresh_from_db()
    visitor.refresh_from_db()
    assert mine.coupon_codes == ["DIX"]
    assert mine.shipping_address == visitor.shipping_address
    assert mine.shipping_method_id == shop.colissimo.pk
    assert visitor.status == CartStatus.MERGED
    assert lines_of(visitor) == []
    # Asking again answers the same cart; the merged cart is read-only.
    assert services.cart_merge(user=shop.shopper, token=visitor.token) == mine
    refused("CART_NOT_FOUND", services.line_add, cart=visitor, sku="DRILL", quantity=1)
    refused("CART_NOT_FOUND", services.cart_merge, user=shop.buyer, token=visitor.token)


def test_merge_without_a_cart_adopts_it(shop: Shop) -> None:
    visitor = services.cart_create(channel=shop.b2c, language="fr")
    services.line_add(cart=visitor, sku="DRILL", quantity=2)
    adopted = services.cart_merge(user=shop.shopper, token=visitor.token)
    assert (adopted.pk, adopted.user_id, adopted.status) == (visitor.pk, shop.shopper.pk, "open")
    assert services.cart_merge(user=shop.shopper, token=visitor.token) == adopted
    refused("CART_NOT_FOUND", selectors.cart_for, token=visitor.token, user=None)


def test_merge_refusals(shop: Shop) -> None:
    theirs = services.cart_create(channel=shop.b2c, user=shop.buyer, language="fr")
    refused("CART_NOT_FOUND", services.cart_merge, user=shop.shopper, token=theirs.token)
    refused("CART_NOT_FOUND", services.cart_merge, user=shop.shopper, token="nope")
    visitor = services.cart_create(channel=shop.b2c, language="fr")
    refused("UNAUTHORIZED", services.cart_merge, user=None, token=visitor.token)
    services.cart_mark(cart=visitor, status=CartStatus.CHECKING_OUT)
    refused("CART_LOCKED", services.cart_merge, user=shop.shopper, token=visitor.token)
    visitor.refresh_from_db()
    assert (visitor.user_id, visitor.status) == (None, CartStatus.CHECKING_OUT)


# --- lock and status -----------------------------------------------------------------------


def test_cart_lock_and_mark(shop: Shop, cart: Cart) -> None:
    from django.db import transaction

    with transaction.atomic():
        locked = services.cart_lock(cart_id=cart.pk)
        assert locked.channel == shop.b2c
        services.cart_mark(cart=locked, status=CartStatus.CHECKING_OUT)
        services.cart_mark(cart=locked, status=CartStatus.CHECKING_OUT)  # again: nothing
        services.cart_mark(cart=locked, status=CartStatus.OPEN)
        services.cart_mark(cart=locked, status=CartStatus.CHECKING_OUT)
        services.cart_mark(cart=locked, status=CartStatus.COMPLETED)
    cart.refresh_from_db()
    assert cart.status == CartStatus.COMPLETED
    refused("INVALID_TRANSITION", services.cart_mark, cart=cart, status=CartStatus.OPEN)
    refused("INVALID_INPUT", services.cart_mark, cart=cart, status="paid")
    refused("CART_NOT_FOUND", services.cart_lock, cart_id=cart.pk + 1000)


def test_reopening_takes_the_lines_of_a_newer_cart(shop: Shop) -> None:
    first = services.cart_create(channel=shop.b2c, user=shop.shopper, language="fr")
    services.line_add(cart=first, sku="DRILL", quantity=1)
    services.cart_mark(cart=first, status=CartStatus.CHECKING_OUT)
    visitor = services.cart_create(channel=shop.b2c, language="fr")
    services.line_add(cart=visitor, sku="DRILL-XL", quantity=2)
    second = services.cart_merge(user=shop.shopper, token=visitor.token)  # adopted: open
    assert second.pk == visitor.pk
    services.cart_mark(cart=first, status=CartStatus.OPEN)  # the payment failed
    assert lines_of(first) == [("DRILL", 1, False), ("DRILL-XL", 2, False)]
    second.refresh_from_db()
    assert second.status == CartStatus.MERGED
    assert selectors.open_cart(user=shop.shopper, channel=shop.b2c) == first


def test_line_writes_touch_the_cart_and_refusals_do_not(cart: Cart, shop: Shop) -> None:
    """Carts left alone are purged by `updated_at`: every line write moves it (the lock
    sets it), a refused one leaves it as it was (rolled back with the refusal)."""

    def stamp() -> Any:
        return Cart.objects.values_list("updated_at", flat=True).get(pk=cart.pk)

    stamps = [stamp()]
    line = services.line_add(cart=cart, sku="DRILL", quantity=1)
    stamps.append(stamp())
    services.line_update(cart=cart, line_id=line.pk, quantity=3)
    stamps.append(stamp())
    services.save_for_later(cart=cart, line_id=line.pk)
    stamps.append(stamp())
    assert stamps == sorted(stamps)
    assert len(set(stamps)) == 4
    refused("UNKNOWN_SKU", services.line_add, cart=cart, sku="NOPE", quantity=1)
    refused("INSUFFICIENT_STOCK", services.line_add, cart=cart, sku="DRILL", quantity=500)
    assert stamp() == stamps[-1]
    services.line_delete(cart=cart, line_id=line.pk)
    assert stamp() > stamps[-1]
    assert lines_of(cart) == []
