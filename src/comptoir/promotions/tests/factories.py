from decimal import Decimal

import factory

from comptoir.promotions.models import Coupon, Promotion, PromotionKind, RewardType


class PromotionFactory(factory.django.DjangoModelFactory[Promotion]):
    class Meta:
        model = Promotion

    code = factory.Sequence(lambda n: f"promo-{n}")
    name = factory.Sequence(lambda n: f"Promotion {n}")
    kind = PromotionKind.CATALOG
    reward_type = RewardType.PERCENTAGE
    reward_value = Decimal("10")


class CouponFactory(factory.django.DjangoModelFactory[Coupon]):
    class Meta:
        model = Coupon

    promotion = factory.SubFactory(PromotionFactory, kind=PromotionKind.CART, requires_coupon=True)
    code = factory.Sequence(lambda n: f"CODE{n:04d}")


class CartPromotionFactory(PromotionFactory):
    kind = PromotionKind.CART


class CouponPromotionFactory(PromotionFactory):
    """A cart promotion that needs a coupon code."""

    kind = PromotionKind.CART
    requires_coupon = True
