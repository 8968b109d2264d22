"""A targeted promotion never widens to the whole catalog when its targets disappear."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from comptoir.catalog.tests.factories import CategoryFactory, ProductFactory
from comptoir.channels.tests.factories import ChannelFactory
from comptoir.promotions.selectors.active import catalog_promotions, promotions_version_bump
from comptoir.promotions.services import promotion_create, promotion_update

pytestmark = pytest.mark.django_db


def test_deleting_the_last_target_leaves_a_promotion_that_applies_to_nothing() -> None:
    channel = ChannelFactory.create()
    product = ProductFactory.create(category=CategoryFactory.create())
    promotion = promotion_create(
        code="cible",
        name="Ciblée",
        kind="catalog",
        reward_type="percentage",
        reward_value=Decimal("10"),
        products=[product.pk],
    )
    assert promotion.applies_to_all is False
    everything = promotion_create(
        code="tout",
        name="Tout",
        kind="catalog",
        reward_type="percentage",
        reward_value=Decimal("5"),
    )
    assert everything.applies_to_all is True
    category_id = product.category_id
    product.delete()  # the link row goes with it (cascade), no promotion service involved
    promotions_version_bump()
    live = {p.code: p for p in catalog_promotions(channel_id=channel.pk, customer_group_id=None)}
    assert live["cible"].product_ids == frozenset()
    assert not live["cible"].applies_to(product.pk or 0, category_id)
    assert live["tout"].product_ids is None


def test_moving_a_category_under_a_promoted_one_reaches_the_promotion(
    django_capture_on_commit_callbacks: Any,
) -> None:
    from comptoir.catalog.services.categories import category_update

    channel = ChannelFactory.create()
    garden, tools = CategoryFactory.create(), CategoryFactory.create()
    promotion_create(
        code="jardin",
        name="Jardin",
        kind="catalog",
        reward_type="percentage",
        reward_value=Decimal("10"),
        categories=[garden.pk],
    )
    promotions_version_bump()
    (live,) = catalog_promotions(channel_id=channel.pk, customer_group_id=None)
    assert not live.applies_to(0, tools.pk)
    with django_capture_on_commit_callbacks(execute=True):
        category_update(category=tools, parent=garden)
    (live,) = catalog_promotions(channel_id=channel.pk, customer_group_id=None)
    assert live.applies_to(0, tools.pk)


def test_fixed_amounts_have_the_currencys_decimals() -> None:
    from comptoir.core.errors import InvalidInput
    from comptoir.promotions.models import Promotion

    with pytest.raises(InvalidInput) as caught:
        promotion_create(
            code="yen",
            name="Yen",
            kind="catalog",
            reward_type="fixed",
            reward_value=Decimal("100.50"),
            currency="JPY",
        )
    assert caught.value.code == "INVALID_PROMOTION"
    assert "reward_value" in caught.value.errors
    assert not Promotion.objects.filter(code="yen").exists()


def test_saving_a_promotion_whose_targets_were_deleted_keeps_it_narrow(
    client: Any,
) -> None:
    from comptoir.accounts.tests.factories import StaffFactory
    from comptoir.promotions.models import Promotion

    product = ProductFactory.create(category=CategoryFactory.create())
    promotion = promotion_create(
        code="cible",
        name="Ciblée",
        kind="catalog",
        reward_type="percentage",
        reward_value=Decimal("10"),
        products=[product.pk],
    )
    product.delete()
    # The admin posts every target list, empty ones included, with the new name.
    client.force_login(StaffFactory.create())
    response = client.post(
        f"/admin/promotions/promotion/{promotion.pk}/change/",
        {
            "code": "cible",
            "name": "Ciblée, renommée",
            "kind": "catalog",
            "reward_type": "percentage",
            "reward_value": "10",
            "priority": "0",
            "stacking": "cumulative",
            "is_active": "on",
            "metadata": "{}",
            "coupons-TOTAL_FORMS": "0",
            "coupons-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    promotion = Promotion.objects.get(pk=promotion.pk)
    assert promotion.name == "Ciblée, renommée"
    assert promotion.applies_to_all is False
    # Adding then removing a target through the service is a real change: whole catalog.
    promotion_update(promotion=promotion, categories=[CategoryFactory.create().pk])
    assert Promotion.objects.get(pk=promotion.pk).applies_to_all is False
    promotion_update(promotion=promotion, categories=[])
    assert Promotion.objects.get(pk=promotion.pk).applies_to_all is True
