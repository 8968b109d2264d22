"""The cart and orders as the pages show them: `CartView` amounts (integer minor units)
turned into `Money`, tax-included on a B2C channel and tax-excluded on a B2B one, with the
explanation of every coupon code, line problem and checkout blocker for people.

Built in the views under the page's language; templates only lay them out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from babel.numbers import format_percent
from django.urls import reverse
from django.utils.translation import gettext as _

from comptoir.cart.records import CartView, ViewLine
from comptoir.catalog.selectors.records import Picture
from comptoir.core.money import Money
from comptoir.orders.models import Order
from comptoir.pricing.records import Price, money


@dataclass(frozen=True, slots=True)
class ShownLine:
    line_id: int
    sku: str
    product_name: str
    variant_name: str
    quantity: int
    url: str
    unit: Money | None
    was: Money | None  # the unit price before a promotion lowered it
    total: Money | None  # before cart promotions (those are listed under the lines)
    problem: str
    picture: Picture | None = None  # the product's first image


@dataclass(frozen=True, slots=True)
class ShownCoupon:
    code: str
    applies: bool
    explanation: str


@dataclass(frozen=True, slots=True)
class TaxRow:
    rate: str
    net: Money
    tax: Money


@dataclass(frozen=True, slots=True)
class Adjustment:
    label: str
    amount: Money


@dataclass(frozen=True, slots=True)
class Totals:
    includes_tax: bool
    items: Money
    discounts: list[Adjustment]
    shipping_name: str
    shipping: Money | None
    net: Money
    tax: Money
    gross: Money
    taxes: list[TaxRow]
    legal_mention: str


@dataclass(frozen=True, slots=True)
class ShownCart:
    view: CartView
    lines: list[ShownLine]
    saved: list[ShownLine]
    coupons: list[ShownCoupon]
    totals: Totals
    count: int  # units in the cart (saved lines apart)
    problems: list[str]  # why checkout cannot proceed now, for people

    @property
    def empty(self) -> bool:
        return not self.lines


def rate_text(percent: Decimal, locale: str) -> str:
    """20 -> "20 %" (French) / "20%" (English); 5.5 -> "5,5 %"."""
    return format_percent((percent / 100).normalize(), locale=locale, decimal_quantization=False)


def line_problem(line: ViewLine) -> str:
    if line.problem is None:
        return ""
    if line.problem == "INSUFFICIENT_STOCK":
        if line.available:
            return _("Only %(count)s left in stock: lower the quantity.") % {
                "count": line.available
            }
        return _("Out of stock: remove it or save it for later.")
    messages = {
        "UNKNOWN_SKU": _("This product is no longer sold."),
        "NOT_FOR_SALE": _("This product is not sold on this shop."),
        "QUANTITY_RULE": _("This quantity is not allowed for this product."),
    }
    return messages.get(line.problem, _("This line cannot be bought now."))


def coupon_explanation(code: str, problem: str | None, view: CartView, locale: str) -> str:
    """Why a code entered on the cart gives what it gives, or nothing."""
    if problem is None:
        found = [d for d in view.discounts if d.coupon_code == code]
        if not found:
            return _("Valid, but it lowers nothing in this cart yet.")
        parts = []
        for discount in found:
            if discount.free_shipping and not discount.amount:
                parts.append(_("%(label)s (free delivery)") % {"label": discount.label})
            else:
                amount = _shown(discount.price, view) if discount.price else discount.amount
                value = money(amount, view.currency, view.digits).format(locale)
                parts.append(
                    _("%(label)s (%(amount)s off)") % {"label": discount.label, "amount": value}
                )
        return "; ".join(parts)
    messages = {
        "COUPON_NOT_FOUND": _("This code does not exist."),
        "COUPON_EXPIRED": _("This code has expired."),
        "COUPON_NOT_STARTED": _("This code is not valid yet."),
        "COUPON_NOT_APPLICABLE": _("This code does not apply to this shop or to your account."),
        "COUPON_EXHAUSTED": _("This code has been used as many times as it may be."),
        "COUPON_CUSTOMER_LIMIT": _("You have already used this code as often as allowed."),
        "COUPON_MIN_AMOUNT": _("Your cart does not reach this code's minimum amount yet."),
    }
    return messages.get(problem, _("This code does not apply now."))


def blocker_text(code: str) -> str:
    texts = {
        "EMPTY_CART": _("Your cart is empty."),
        "LINE_PROBLEM": _("A line of your cart cannot be bought now: see the cart."),
        "EMAIL_REQUIRED": _("Enter your email address."),
        "ADDRESS_REQUIRED": _("Enter the delivery and billing addresses."),
        "SHIPPING_METHOD_REQUIRED": _("Choose a delivery method."),
        "SHIPPING_METHOD_UNAVAILABLE": _(
            "The chosen delivery method is not available for this address or cart: choose another."
        ),
        "CART_CLOSED": _("This cart was already ordered."),
    }
    return texts.get(code, code)


def _shown(price: Price, view: CartView) -> int:
    return price.shown(view.display_gross)


def _money(amount: int, view: CartView) -> Money:
    return money(amount, view.currency, view.digits)


def _line(line: ViewLine, view: CartView, pictures: Mapping[int, Picture]) -> ShownLine:
    unit = _money(_shown(line.unit, view), view) if line.unit else None
    was = None
    if line.unit and line.undiscounted_unit:
        before = _shown(line.undiscounted_unit, view)
        if before > _shown(line.unit, view):
            was = _money(before, view)
    return ShownLine(
        line_id=line.line_id,
        sku=line.sku,
        product_name=line.product_name,
        variant_name=line.variant_name,
        quantity=line.quantity,
        url=reverse("storefront:product", args=[line.product_slug]) if line.product_slug else "",
        unit=unit,
        was=was,
        total=_money(_shown(line.subtotal, view), view) if line.subtotal else None,
        problem=line_problem(line),
        picture=pictures.get(line.product_id),
    )


def _totals(view: CartView, locale: str) -> Totals:
    counted = [line for line in view.lines if line.counted and line.subtotal is not None]
    items = sum(_shown(line.subtotal, view) for line in counted if line.subtotal)
    after = _shown(view.subtotal, view)
    discounts = [d for d in view.discounts if d.amount]
    adjustments = []
    if len(discounts) == 1:  # exactly what the lines lost, rounding included
        adjustments.append(Adjustment(discounts[0].label, _money(after - items, view)))
    else:
        for discount in discounts:
            amount = _shown(discount.price, view) if discount.price else discount.amount
            adjustments.append(Adjustment(discount.label, _money(-amount, view)))
    shipping = view.shipping
    return Totals(
        includes_tax=view.display_gross,
        items=_money(items, view),
        discounts=adjustments,
        shipping_name=shipping.name if shipping else "",
        shipping=_money(_shown(shipping.price, view), view) if shipping else None,
        net=_money(view.total.net, view),
        tax=_money(view.total.tax, view),
        gross=_money(view.total.gross, view),
        taxes=[
            TaxRow(
                rate=rate_text(Decimal(bucket.rate) / 1000, locale),
                net=_money(bucket.net, view),
                tax=_money(bucket.tax, view),
            )
            for bucket in view.tax_breakdown
        ],
        legal_mention=view.legal_mention,
    )


def shown_cart(
    view: CartView, *, locale: str, pictures: Mapping[int, Picture] | None = None
) -> ShownCart:
    """The cart as pages show it; `pictures`: the picture of each product (by id) that
    its lines show."""
    pictures = pictures or {}
    return ShownCart(
        view=view,
        lines=[_line(line, view, pictures) for line in view.lines],
        saved=[_line(line, view, pictures) for line in view.saved],
        coupons=[
            ShownCoupon(
                code=code,
                applies=problem is None,
                explanation=coupon_explanation(code, problem, view, locale),
            )
            for code, problem in view.coupons
        ],
        totals=_totals(view, locale),
        count=sum(line.quantity for line in view.lines),
        problems=[blocker_text(code) for code in view.blockers],
    )


# --- orders ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OrderTaxRow:
    rate: str
    net: Money
    tax: Money


def order_taxes(order: Order, locale: str) -> list[OrderTaxRow]:
    """The order's tax breakdown per rate, as stored at placement."""
    rows = []
    for bucket in order.tax_breakdown or []:
        try:
            rate = Decimal(str(bucket["rate"]))
            net = Decimal(str(bucket["net"]))
            tax = Decimal(str(bucket["tax"]))
        except (KeyError, TypeError, ArithmeticError):
            continue
        rows.append(
            OrderTaxRow(
                rate=rate_text(rate, locale),
                net=Money(net, order.currency),
                tax=Money(tax, order.currency),
            )
        )
    return rows
