"""Cart promotions on already-priced lines: pure computation, no database.

The cart loads its lines (`CartLine`, amounts in integer minor units, as the channel
enters prices) and the promotions that may apply (`CartPromotion`, from
`comptoir.promotions.selectors.cart.cart_promotions`), then calls `cart_discounts`.

Rules:
- A promotion's *eligible lines* are the lines it targets (products, categories with their
  subcategories, collections), or every line when it targets nothing.
- Conditions, all that are set must hold: `min_subtotal` (the cart's subtotal, before any
  cart discount), `min_quantity` (units of the eligible lines).
- Rewards: percentage off / fixed amount off the eligible lines (an order threshold when
  the promotion targets nothing; quantity-based with `min_quantity`); buy X get Y (for each
  X+Y eligible units, the Y cheapest get `value` percent off, 100 = free); free shipping.
- Stacking: promotions are walked by priority, highest first (then id). An exclusive one
  applies alone, and only when it is the first that applies; cumulative ones add up, each
  computed on what the ones before it left. A discount never exceeds what remains of the
  lines it applies to. A promotion "applies" when its conditions hold and it gives
  something (an amount above zero, or free shipping).
- A percentage is rounded half-up to the minor unit; the amount is spread over the eligible
  lines in proportion to what remains of them (largest remainder: the shares sum exactly to
  the amount and no line goes below zero). Buy X get Y discounts the lines that hold the
  chosen units.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from comptoir.core.money import to_minor

PERCENTAGE = "percentage"
FIXED = "fixed"
FREE_SHIPPING = "free_shipping"
BUY_X_GET_Y = "buy_x_get_y"
HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class CartLine:
    sku: str
    product_id: int
    category_id: int
    quantity: int
    # Integer minor units (cents), as the channel enters prices (gross or net).
    unit_amount: int
    line_amount: int


@dataclass(frozen=True, slots=True)
class CartPromotion:
    id: int
    code: str
    name: str
    name_en: str
    priority: int
    exclusive: bool
    reward_type: str
    # Percent for percentage and buy X get Y; an amount in `currency` for fixed.
    value: Decimal
    # Empty: any currency (a percentage); otherwise only carts in this currency.
    currency: str
    starts_at: datetime | None
    ends_at: datetime | None
    channel_ids: frozenset[int]
    group_ids: frozenset[int]
    # None: every product. Otherwise targeted product ids (direct or through a collection)
    # and category ids (subcategories included).
    product_ids: frozenset[int] | None
    category_ids: frozenset[int]
    min_subtotal: Decimal | None = None
    min_quantity: int | None = None
    buy_quantity: int | None = None
    get_quantity: int | None = None
    # The coupon code that unlocked it ("" for an automatic promotion).
    coupon_code: str = ""

    def is_live(self, now: datetime) -> bool:
        return (self.starts_at is None or self.starts_at <= now) and (
            self.ends_at is None or now < self.ends_at
        )

    def targets(self, line: CartLine) -> bool:
        if self.product_ids is None:
            return True
        return line.product_id in self.product_ids or line.category_id in self.category_ids

    def label(self, language: str) -> str:
        return self.name_en if language == "en" and self.name_en else self.name


@dataclass(frozen=True, slots=True)
class AppliedDiscount:
    promotion_code: str
    coupon_code: str
    label: str
    # Integer minor units; 0 for free shipping alone.
    amount: int
    # One share per cart line, in the order of the lines given; they sum to `amount`.
    allocations: tuple[int, ...]
    free_shipping: bool

    @property
    def rule(self) -> str:
        return f"promotion:{self.promotion_code}"


def percent_of(amount: int, percent: Decimal) -> int:
    """`percent` % of `amount` minor units, rounded half-up."""
    return int((Decimal(amount) * percent / HUNDRED).to_integral_value(rounding=ROUND_HALF_UP))


def allocate(amount: int, weights: Sequence[int]) -> list[int]:
    """Split `amount` in proportion to `weights` (largest remainder, ties to the first): the
    shares sum to `amount`, and none exceeds its weight when `amount <= sum(weights)`."""
    total = sum(weights)
    if amount <= 0 or total <= 0:
        return [0] * len(weights)
    shares = [amount * w // total for w in weights]
    left = amount - sum(shares)
    order = sorted(range(len(weights)), key=lambda i: (-(amount * weights[i] % total), i))
    for i in order[:left]:
        shares[i] += 1
    return shares


def _buy_x_get_y(
    promotion: CartPromotion, lines: Sequence[CartLine], eligible: list[int], remaining: list[int]
) -> list[int]:
    """Per-line discounts: for each X+Y eligible units, the Y cheapest get `value` % off."""
    buy, get = promotion.buy_quantity or 0, promotion.get_quantity or 0
    shares = [0] * len(lines)
    if buy < 1 or get < 1:
        return shares
    units = sum(lines[i].quantity for i in eligible)
    free = (units // (buy + get)) * get
    for i in sorted(eligible, key=lambda i: (lines[i].unit_amount, i)):
        if free <= 0:
            break
        taken = min(free, lines[i].quantity)
        free -= taken
        # The units' share of what earlier (cumulative) promotions left of the line.
        quantity = lines[i].quantity
        worth = (2 * remaining[i] * taken + quantity) // (2 * quantity)
        shares[i] = min(percent_of(worth, promotion.value), remaining[i])
    return shares


def _conditions_hold(
    promotion: CartPromotion,
    lines: Sequence[CartLine],
    eligible: list[int],
    *,
    subtotal: int,
    currency: str,
) -> bool:
    if promotion.currency and promotion.currency != currency:
        return False
    if not eligible:
        return False
    if promotion.min_subtotal is not None and subtotal < to_minor(promotion.min_subtotal, currency):
        return False
    return promotion.min_quantity is None or (
        sum(lines[i].quantity for i in eligible) >= promotion.min_quantity
    )


def _discount(
    promotion: CartPromotion,
    lines: Sequence[CartLine],
    remaining: list[int],
    *,
    subtotal: int,
    currency: str,
) -> tuple[list[int], bool] | None:
    """The per-line shares and the free-shipping flag of a promotion, or None when its
    conditions do not hold."""
    eligible = [i for i, line in enumerate(lines) if promotion.targets(line)]
    if not _conditions_hold(promotion, lines, eligible, subtotal=subtotal, currency=currency):
        return None
    kind = promotion.reward_type
    if kind == FREE_SHIPPING:
        return [0] * len(lines), True
    if kind == BUY_X_GET_Y:
        return _buy_x_get_y(promotion, lines, eligible, remaining), False
    base = sum(remaining[i] for i in eligible)
    if kind == PERCENTAGE:
        amount = percent_of(base, promotion.value)
    elif kind == FIXED:
        amount = to_minor(promotion.value, currency)
    else:
        return None
    chosen = set(eligible)
    weights = [remaining[i] if i in chosen else 0 for i in range(len(lines))]
    return allocate(min(amount, base), weights), False


def cart_discounts(
    *,
    lines: Sequence[CartLine],
    promotions: Sequence[CartPromotion],
    currency: str,
    subtotal: int | None = None,
    language: str = "fr",
) -> list[AppliedDiscount]:
    """The cart promotions that apply to `lines`, after stacking rules, in the order they
    were applied. `subtotal` defaults to the sum of the lines' amounts. The caller passes
    promotions already filtered by channel, customer group and time (`cart_promotions`)."""
    total = sum(line.line_amount for line in lines) if subtotal is None else subtotal
    remaining = [max(line.line_amount, 0) for line in lines]
    applied: list[AppliedDiscount] = []
    for promotion in sorted(promotions, key=lambda p: (-p.priority, p.id)):
        if promotion.exclusive and applied:
            continue
        found = _discount(promotion, lines, remaining, subtotal=total, currency=currency)
        if found is None:
            continue
        shares, free_shipping = found
        amount = sum(shares)
        if amount <= 0 and not free_shipping:
            continue
        for i, share in enumerate(shares):
            remaining[i] -= share
        applied.append(
            AppliedDiscount(
                promotion_code=promotion.code,
                coupon_code=promotion.coupon_code,
                label=promotion.label(language),
                amount=amount,
                allocations=tuple(shares),
                free_shipping=free_shipping,
            )
        )
        if promotion.exclusive:
            break
    return applied
