"""What `cart.selectors.cart_view` returns: the cart as the customer sees it, every amount
recomputed by the price engine, in integer minor units. Checkout snapshots exactly this
into the order, so the review page and the order never disagree."""

from __future__ import annotations

from dataclasses import dataclass, field

from comptoir.pricing.records import Price


@dataclass(frozen=True, slots=True)
class ViewLine:
    line_id: int
    variant_id: int
    product_id: int
    sku: str
    product_name: str
    variant_name: str
    quantity: int
    saved_for_later: bool
    # None when the line cannot be bought now: `problem` says why (UNKNOWN_SKU,
    # NOT_FOR_SALE, QUANTITY_RULE, INSUFFICIENT_STOCK). Saved-for-later lines are priced
    # but never count in totals.
    unit: Price | None
    undiscounted_unit: Price | None
    # Line total before cart promotions, and after them (`total`).
    subtotal: Price | None
    discount: int  # cart-promotion share of this line, in the channel's entry mode
    total: Price | None
    tax_rate: int  # thousandths of a percent (20 % -> 20000)
    rule: str
    available: int | None  # free stock in the channel's warehouses; None: not tracked
    backorder: bool  # the product accepts orders beyond stock
    weight_grams: int
    problem: str | None = None
    # Added: the unit price as the channel enters it (before tax treatment), the cart
    # promotions' share of the line as net/tax/gross (None when it has none), and whether
    # the line counts in the totals (active, priced and without a problem).
    entered_unit: int = 0
    discount_price: Price | None = None
    counted: bool = False
    product_slug: str = ""  # the product page's address


@dataclass(frozen=True, slots=True)
class ViewDiscount:
    promotion_code: str
    coupon_code: str
    label: str
    amount: int  # in the channel's entry mode (gross for B2C, net for B2B)
    free_shipping: bool
    # Added: the discount as net/tax/gross, summed over the lines it lowered.
    price: Price | None = None


@dataclass(frozen=True, slots=True)
class ViewShipping:
    method_id: int
    code: str
    name: str
    kind: str
    price: Price  # after free shipping (promotion or threshold)
    tax_rate: int
    pickup_warehouse_id: int | None


@dataclass(frozen=True, slots=True)
class TaxBucket:
    rate: int  # thousandths of a percent
    net: int
    tax: int


@dataclass(frozen=True, slots=True)
class CartView:
    cart_id: int
    token: str
    channel_id: int
    currency: str
    digits: int
    display_gross: bool
    entered_gross: bool
    tax_treatment: str
    legal_mention: str  # empty unless the treatment needs one (reverse charge, export)
    lines: tuple[ViewLine, ...]
    saved: tuple[ViewLine, ...]
    discounts: tuple[ViewDiscount, ...]
    # Codes the customer entered and why each does or does not apply now.
    coupons: tuple[tuple[str, str | None], ...]  # (code, problem code or None)
    subtotal: Price  # lines after cart promotions
    shipping: ViewShipping | None
    total: Price
    tax_breakdown: tuple[TaxBucket, ...]
    weight_grams: int
    # Empty when checkout may proceed; otherwise stable codes (EMPTY_CART,
    # LINE_PROBLEM, ADDRESS_REQUIRED, SHIPPING_METHOD_REQUIRED, EMAIL_REQUIRED,
    # SHIPPING_METHOD_UNAVAILABLE, CART_CLOSED).
    blockers: tuple[str, ...] = field(default=())
    # Added: what checkout snapshots besides the amounts.
    status: str = "open"
    email: str = ""  # the cart's, else the customer's account email
    shipping_address: dict[str, str] | None = None
    billing_address: dict[str, str] | None = None
    shipping_method_id: int | None = None
    user_id: int | None = None
    company_id: int | None = None
    customer_group_id: int | None = None
    destination_country: str = ""
    # Buyable lines in the channel's entry mode: before cart promotions (what coupon and
    # promotion minimums compare), and after them (what shipping thresholds compare).
    goods_entered: int = 0
    goods_discounted: int = 0
    free_shipping: bool = False
