"""The current promotions the home page announces: the catalog promotions live now for the
visitor's channel and customer group (the process's copy: no query), highest priority
first, with what they take off and until when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Final

from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.core.money import Money
from comptoir.pricing.engine import PricingContext
from comptoir.promotions.selectors.active import catalog_promotions
from comptoir.storefront.availability import day_text
from comptoir.storefront.cart_display import rate_text

MAX_PROMOTIONS: Final = 3


@dataclass(frozen=True, slots=True)
class HomePromotion:
    name: str
    # "-20 %" or "-5,00 €" (with a minus sign).
    reward: str
    # "Until Thursday 31 December", or empty for a promotion without an end.
    until: str


def _reward(percentage: bool, value: Decimal, currency: str, locale: str) -> str:
    amount = rate_text(value, locale) if percentage else Money(value, currency).format(locale)
    return f"\u2212{amount}"


def home_promotions(ctx: PricingContext, *, language: str, locale: str) -> list[HomePromotion]:
    found = catalog_promotions(channel_id=ctx.channel_id, customer_group_id=ctx.customer_group_id)
    shown = []
    for promotion in found[:MAX_PROMOTIONS]:
        until = ""
        if promotion.ends_at is not None:
            # The end is exclusive: a promotion ending at midnight ends the day before.
            last_day = timezone.localtime(promotion.ends_at - timedelta(microseconds=1)).date()
            until = _("Until %(date)s") % {"date": day_text(last_day, locale)}
        shown.append(
            HomePromotion(
                name=promotion.label(language),
                reward=_reward(promotion.percentage, promotion.value, promotion.currency, locale),
                until=until,
            )
        )
    return shown
