"""Quick order: many lines at once (`lines_add_bulk`) and the text and CSV it reads
(`lines_from_text`, `lines_from_csv`). Exact results, query counts pinned, refusals of
the whole call change nothing."""

from __future__ import annotations

from typing import Any

import pytest

from comptoir.cart import selectors, services
from comptoir.cart.models import Cart, CartLine, CartStatus
from comptoir.cart.services import BulkLine
from comptoir.cart.tests.conftest import Shop, sellable
from comptoir.catalog.tests.factories import ProductFactory, ProductVariantFactory
from comptoir.core.errors import DomainError

pytestmark = pytest.mark.django_db


def lines_of(cart: Cart) -> list[tuple[str, int, bool]]:
    return [
        (line.variant.sku, line.quantity, line.saved_for_later)
        for line in CartLine.objects.filter(cart=cart).select_related("variant").order_by("id")
    ]


def rejected(result: services.BulkResult) -> list[tuple[tuple[int, ...], str, str]]:
    return [(r.lines, r.sku, r.code) for r in result.rejected]


def added(result: services.BulkResult) -> list[tuple[tuple[int, ...], str, int, int]]:
    return [(a.lines, a.sku, a.quantity, a.line_quantity) for a in result.added]


def given(*pairs: tuple[Any, Any]) -> list[BulkLine]:
    return [BulkLine(line=i, sku=s, quantity=q) for i, (s, q) in enumerate(pairs, start=1)]


@pytest.fixture
def cart(shop: Shop) -> Cart:
    return services.cart_create(channel=shop.b2c, language="fr")


@pytest.fixture
def extra(shop: Shop) -> dict[str, Any]:
    """A screw with 2 in stock, a glove sold beyond stock, a hidden (unpublished) hammer."""
    screw = sellable(shop.b2c, sku="VIS", price="1.00", stock=2, warehouse=shop.warehouse)
    glove = sellable(shop.b2c, sku="GANT", price="5.00", stock=0, warehouse=shop.warehouse)
    glove.product.allow_backorders = True
    glove.product.save(update_fields=["allow_backorders"])
    hidden = ProductFactory.create()
    ProductVariantFactory.create(product=hidden, sku="MARTEAU")
    return {"screw": screw, "glove": glove}


def test_every_line_added_or_rejected_with_its_reason(
    shop: Shop, cart: Cart, extra: dict[str, Any]
) -> None:
    services.line_add(cart=cart, sku="DRILL", quantity=1)
    result = services.lines_add_bulk(
        cart=cart,
        lines=given(
            ("DRILL", 2),  # 1: joins the cart's line
            ("NOPE", 1),  # 2
            ("VIS", 3),  # 3: 2 in stock
            ("GANT", 40),  # 4: backorders
            ("MARTEAU", 1),  # 5: not published
            ("DRILL-XL", 0),  # 6
            ("DRILL", 4),  # 7: merged with line 1
            ("", 2),  # 8
            ("VIS", "2"),  # 9: a string is no quantity
        ),
    )
    assert added(result) == [((1, 7), "DRILL", 6, 7), ((4,), "GANT", 40, 40)]
    assert rejected(result) == [
        ((2,), "NOPE", "UNKNOWN_SKU"),
        ((3,), "VIS", "INSUFFICIENT_STOCK"),
        ((5,), "MARTEAU", "NOT_FOR_SALE"),
        ((6,), "DRILL-XL", "INVALID_QUANTITY"),
        ((8,), "", "UNKNOWN_SKU"),
        ((9,), "VIS", "INVALID_QUANTITY"),
    ]
    messages = {r.code: r.message for r in result.rejected}
    assert messages["INSUFFICIENT_STOCK"] == "Seulement 2 unités de VIS en stock."
    assert result.rejected[0].message == "Référence (SKU) inconnue : NOPE."
    assert result.rejected[0].value == "NOPE 1"
    assert lines_of(cart) == [("DRILL", 7, False), ("GANT", 40, False)]
    assert result.added[0].line_id == CartLine.objects.get(variant__sku="DRILL").pk
    assert result.units == 46


def test_quantity_rules_apply_to_what_the_line_would_hold(shop: Shop) -> None:
    # Atelier Martin's group list sells the XL by 6 from 6.
    cart = services.cart_create(channel=shop.b2b, user=shop.buyer, language="fr")
    result = services.lines_add_bulk(
        cart=cart, lines=given(("DRILL-XL", 4), ("DRILL", 3)), user=shop.buyer
    )
    assert rejected(result) == [((1,), "DRILL-XL", "QUANTITY_RULE")]
    assert result.rejected[0].message == "DRILL-XL est vendu à partir de 6, par 6."
    result = services.lines_add_bulk(
        cart=cart, lines=given(("DRILL-XL", 2), ("DRILL-XL", 4)), user=shop.buyer
    )
    assert added(result) == [((1, 2), "DRILL-XL", 6, 6)]
    assert lines_of(cart) == [("DRILL", 3, False), ("DRILL-XL", 6, False)]


def test_a_saved_for_later_line_is_left_alone(shop: Shop, cart: Cart) -> None:
    line = services.line_add(cart=cart, sku="DRILL", quantity=2)
    services.save_for_later(cart=cart, line_id=line.pk)
    result = services.lines_add_bulk(cart=cart, lines=given(("DRILL", 1)))
    assert added(result) == [((1,), "DRILL", 1, 1)]
    assert lines_of(cart) == [("DRILL", 2, True), ("DRILL", 1, False)]


def test_a_line_over_9999_units_is_refused(shop: Shop, cart: Cart) -> None:
    services.line_add(cart=cart, sku="DRILL", quantity=50)
    result = services.lines_add_bulk(cart=cart, lines=given(("DRILL", 9990)))
    assert rejected(result) == [((1,), "DRILL", "INVALID_QUANTITY")]
    assert lines_of(cart) == [("DRILL", 50, False)]


def test_a_full_cart_takes_no_new_line(
    shop: Shop, cart: Cart, monkeypatch: pytest.MonkeyPatch, extra: dict[str, Any]
) -> None:
    from comptoir.cart.services import bulk

    monkeypatch.setattr(bulk, "MAX_LINES", 2)
    services.line_add(cart=cart, sku="DRILL", quantity=1)
    result = services.lines_add_bulk(cart=cart, lines=given(("VIS", 1), ("GANT", 1), ("DRILL", 1)))
    assert added(result) == [((1,), "VIS", 1, 1), ((3,), "DRILL", 1, 2)]
    assert rejected(result) == [((2,), "GANT", "CART_FULL")]


@pytest.mark.parametrize("status", [CartStatus.CHECKING_OUT, CartStatus.COMPLETED])
def test_a_cart_that_cannot_change_refuses_everything(shop: Shop, cart: Cart, status: str) -> None:
    Cart.objects.filter(pk=cart.pk).update(status=status)
    with pytest.raises(DomainError) as caught:
        services.lines_add_bulk(cart=cart, lines=given(("DRILL", 1)))
    assert caught.value.code == {"checking_out": "CART_LOCKED"}.get(status, "CART_NOT_FOUND")
    assert lines_of(cart) == []


def test_too_many_lines(shop: Shop, cart: Cart) -> None:
    with pytest.raises(DomainError) as caught:
        services.lines_add_bulk(cart=cart, lines=given(*[("DRILL", 1)] * 501))
    assert (caught.value.code, caught.value.status) == ("TOO_MANY_LINES", 400)
    assert lines_of(cart) == []


def test_query_count_does_not_grow_with_the_lines(
    shop: Shop, cart: Cart, django_assert_num_queries: Any
) -> None:
    skus = [
        sellable(shop.b2c, sku=f"S{i}", price="2.00", stock=10, warehouse=shop.warehouse).sku
        for i in range(12)
    ]
    services.line_add(cart=cart, sku="DRILL", quantity=1)
    cart = selectors.cart_for(token=cart.token, user=None)
    selectors.cart_view(cart=cart)  # warms the process's copies (channels, rates, promotions)
    # savepoint, lock, lines, engine rows, free stock, upsert, release
    with django_assert_num_queries(7):
        result = services.lines_add_bulk(cart=cart, lines=given(*[(s, 2) for s in skus[:3]]))
    assert len(result.added) == 3
    with django_assert_num_queries(7):
        result = services.lines_add_bulk(cart=cart, lines=given(*[(s, 2) for s in skus[3:]]))
    assert len(result.added) == 9


# --- reading text and CSV -------------------------------------------------------------------


def parsed(lines: list[BulkLine]) -> list[tuple[int, object, object, str]]:
    return [(b.line, b.sku, b.quantity, b.value) for b in lines]


def test_pasted_text() -> None:
    text = "sku quantity\nDRILL 2\n\n# a comment\nVIS\t10\nGANT,3\nDRILL-XL ; 6\nX 2.5\nSEUL\n"
    assert parsed(services.lines_from_text(text)) == [
        (2, "DRILL", 2, "DRILL 2"),
        (5, "VIS", 10, "VIS\t10"),
        (6, "GANT", 3, "GANT,3"),
        (7, "DRILL-XL", 6, "DRILL-XL ; 6"),
        (8, "X", "2.5", "X 2.5"),
        (9, "SEUL", 1, "SEUL"),
    ]


def test_csv_with_semicolons_and_bom() -> None:
    data = "\ufeffSKU;Quantity\r\nDRILL;2\r\n\r\nVIS;-1\r\nGANT;\r\n".encode()
    assert parsed(services.lines_from_csv(data)) == [
        (2, "DRILL", 2, "DRILL;2"),
        (4, "VIS", "-1", "VIS;-1"),
        (5, "GANT", "", "GANT;"),
    ]


@pytest.mark.parametrize(
    ("data", "code", "status"),
    [
        (b"", "INVALID_CSV", 400),
        (b"sku,qty\nDRILL,1\n", "INVALID_CSV", 400),
        (b'sku,quantity\n"DRILL,1\n', "INVALID_CSV", 400),
        (b"sku,quantity\nPERCEUSE-\xe9,1\n", "INVALID_CSV", 400),
        (b"sku,quantity\nA\x00,1\n", "INVALID_CSV", 400),
        (b"sku,quantity\n" + b"DRILL,1\n" * 501, "TOO_MANY_LINES", 400),
        (b"sku,quantity\n" + b"x" * (1024 * 1024), "CSV_TOO_LARGE", 413),
    ],
)
def test_csv_refused_as_a_whole(data: bytes, code: str, status: int) -> None:
    with pytest.raises(DomainError) as caught:
        services.lines_from_csv(data)
    assert (caught.value.code, caught.value.status) == (code, status)


def test_text_limits() -> None:
    with pytest.raises(DomainError) as caught:
        services.lines_from_text("DRILL 1\n" * 501)
    assert caught.value.code == "TOO_MANY_LINES"
    assert len(services.lines_from_text("DRILL 1\n" * 500)) == 500
