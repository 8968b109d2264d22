"""A variant or a product with stock (and its movement ledger) cannot be deleted: 409,
nothing deleted. Without stock, deleting still works."""

from __future__ import annotations

import pytest

from comptoir.catalog.models import Product, ProductVariant
from comptoir.catalog.services import product_delete, variant_delete
from comptoir.catalog.tests.factories import ProductFactory, ProductVariantFactory
from comptoir.core.errors import Conflict
from comptoir.inventory.models import Stock, StockMovement
from comptoir.inventory.services import stock_receive
from comptoir.inventory.tests.factories import WarehouseFactory

pytestmark = pytest.mark.django_db


def test_a_variant_with_stock_is_kept() -> None:
    product = ProductFactory.create()
    variant = ProductVariantFactory.create(product=product)
    stock_receive(warehouse=WarehouseFactory.create(), variant=variant, quantity=5)
    with pytest.raises(Conflict) as caught:
        variant_delete(variant=variant)
    assert caught.value.code == "VARIANT_IN_USE"
    with pytest.raises(Conflict) as caught:
        product_delete(product=product)
    assert caught.value.code == "PRODUCT_IN_USE"
    assert ProductVariant.objects.filter(pk=variant.pk).exists()
    assert Product.objects.filter(pk=product.pk).exists()
    assert Stock.objects.get().quantity == 5
    assert StockMovement.objects.count() == 1


def test_a_variant_without_stock_is_deleted() -> None:
    variant = ProductVariantFactory.create()
    variant_delete(variant=variant)
    assert not ProductVariant.objects.filter(pk=variant.pk).exists()
