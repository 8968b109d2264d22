"""The cart as the customer sees it (`cart_view`), recomputed on every read.

Steps, on data loaded in a constant number of queries (the lines with their variants and
products: one; the engine's rows: one; free stock: one; cart promotions: one to five; each
coupon entered: three or four to explain it; the chosen shipping method: the shipping
selector's):

1. the pricing context of the buyer (the cart's customer, else the caller) for the
   shipping address's country (else the company's or the channel's);
2. every line priced by the one price engine (`pricing.selectors.prices.price_rows` on
   `loader.rows_by_sku`): contract and group lists, tiers, quantity rules, catalog
   promotions, taxes. A line with a problem (UNKNOWN_SKU, NOT_FOR_SALE, QUANTITY_RULE,
   INSUFFICIENT_STOCK) is shown but counts in no total, and blocks checkout;
3. coupons checked with `promotions.services.coupon_check` (its problem code explains a
   code that does not apply); cart promotions (`cart_promotions` with the codes that pass,
   then `cart_discounts`) on the counted lines, in the channel's entry mode;
4. each line's share of the cart discounts turned back into net/tax/gross (see
   `_discounted`), the shipping option of the chosen method, the tax breakdown per rate,
   the total and the blockers.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import translation

from comptoir.cart.models import Cart, CartLine, CartStatus
from comptoir.cart.records import CartView, TaxBucket, ViewDiscount, ViewLine, ViewShipping
from comptoir.cart.selectors.access import CLOSED
from comptoir.catalog.models import Product, ProductTranslation, ProductVariant
from comptoir.core.errors import DomainError
from comptoir.inventory.selectors import available_quantities
from comptoir.pricing.engine import Engine, PricingContext, VariantRow
from comptoir.pricing.records import Price, PricedLine, minor_decimal
from comptoir.pricing.selectors.context import pricing_context
from comptoir.pricing.selectors.loader import rows_by_sku
from comptoir.pricing.selectors.prices import price_rows
from comptoir.promotions.cart import AppliedDiscount, cart_discounts
from comptoir.promotions.cart import CartLine as PromotionLine
from comptoir.promotions.selectors.cart import cart_promotions
from comptoir.promotions.services.coupons import code_normalize, coupon_check
from comptoir.shipping.records import ShippingOption
from comptoir.shipping.selectors import shipping_option, shipping_options
from comptoir.taxes.calc import amounts, div_half_up
from comptoir.taxes.rules import LEGAL_MENTIONS

ZERO = Price(0, 0, 0)


def _language(language: str | None) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    return language if language in codes else settings.LANGUAGE_CODE


def buyer_of(cart: Cart, user: object = None) -> Any:
    """Whose prices the cart gets: its customer's; for an anonymous cart, the signed-in
    caller's (`user`), else a visitor's (None)."""
    if cart.user_id is not None:
        return cart.user
    if user is not None and getattr(user, "is_authenticated", False):
        return user
    return None


def shipping_country(cart: Cart) -> str | None:
    return address_country(cart.shipping_address)


def address_country(address: object) -> str | None:
    """The ISO country code of an address snapshot, if it has a valid-looking one."""
    if isinstance(address, dict):
        country = address.get("country")
        if isinstance(country, str) and len(country) == 2:
            return country
    return None


def cart_context(*, cart: Cart, user: object = None) -> PricingContext:
    """The pricing context of a cart: its buyer (see `buyer_of`), its channel, and the
    country of its shipping address when it has one."""
    return pricing_context(
        channel=cart.channel, user=buyer_of(cart, user), country=shipping_country(cart)
    )


# --- lines --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Facts:
    """What the view needs of a line, its variant and its product (one query)."""

    line_id: int
    variant_id: int
    sku: str
    product_id: int
    product_slug: str
    product_name: str
    variant_name: str
    quantity: int
    saved: bool
    weight_grams: int
    backorders: bool


@cache
def _facts_statement(translated: bool) -> str:
    """The cart's lines with their variants and products, as plain SQL (the ORM spends
    more time building the joined `values_list` than the database running it); with the
    product's name in the asked language when `translated`. Only table and column names
    from the models' metadata and placeholders are interpolated."""
    quote = connection.ops.quote_name
    line, variant, product = CartLine._meta, ProductVariant._meta, Product._meta
    translation = ProductTranslation._meta

    def col(meta: Any, name: str) -> str:
        return quote(meta.get_field(name).column)

    name = (
        f", (SELECT t.{col(translation, 'name')} FROM {quote(translation.db_table)} t "  # noqa: S608
        f"WHERE t.{col(translation, 'product')} = p.id "
        f"AND t.{col(translation, 'language')} = %s)"
        if translated
        else ""
    )
    return (
        f"SELECT l.id, l.{col(line, 'variant')}, v.{col(variant, 'sku')}, "  # noqa: S608
        f"v.{col(variant, 'product')}, p.{col(product, 'name')}, v.{col(variant, 'name')}, "
        f"v.{col(variant, 'name_en')}, l.{col(line, 'quantity')}, "
        f"l.{col(line, 'saved_for_later')}, v.{col(variant, 'weight_grams')}, "
        f"p.{col(product, 'allow_backorders')}, p.{col(product, 'slug')}{name} "
        f"FROM {quote(line.db_table)} l "
        f"JOIN {quote(variant.db_table)} v ON v.id = l.{col(line, 'variant')} "
        f"JOIN {quote(product.db_table)} p ON p.id = v.{col(variant, 'product')} "
        f"WHERE l.{col(line, 'cart')} = %s ORDER BY l.id"
    )


def _facts(cart: Cart, language: str) -> list[_Facts]:
    translated = language != settings.LANGUAGE_CODE
    params: list[str | int] = [language, cart.pk] if translated else [cart.pk]
    with connection.cursor() as cursor:
        cursor.execute(_facts_statement(translated), params)
        rows = cursor.fetchall()
    return [
        _Facts(
            line_id=row[0],
            variant_id=row[1],
            sku=row[2],
            product_id=row[3],
            product_slug=row[11],
            product_name=(row[12] or row[4]) if translated else row[4],
            variant_name=row[6] if language == "en" and row[6] else row[5],
            quantity=row[7],
            saved=bool(row[8]),
            weight_grams=row[9] or 0,
            backorders=bool(row[10]),
        )
        for row in rows
    ]


@dataclass(frozen=True, slots=True)
class _Line:
    facts: _Facts
    priced: PricedLine
    row: VariantRow | None
    available: int
    problem: str | None
    counted: bool
    entered_unit: int


def _discounted(
    total: Price, entered: int, share: int, *, entered_gross: bool, entry_rate: int, rate: int
) -> Price:
    """A line of `total` (the engine's amounts for `entered` minor units as the channel
    enters prices) after `share` of them went to cart discounts.

    - Prices entered tax-excluded, or tax-included and taxed at the rate they were entered
      at: the engine's own line formula on the discounted amount
      (`taxes.calc.amounts(entered - share)`), so a share of 0 gives the engine's line.
    - Prices entered tax-included but taxed at another rate (reverse charge, export,
      another member state's VAT): the engine took each unit's net out at the entry rate
      before multiplying, so the line's net is lowered in proportion to the share (half-up
      at the minor unit) and taxed again at the sale rate (`amounts` on a net amount).
      Each step is monotonic: a larger discount never raises the net, the tax or the gross.
    """
    if share <= 0:
        return total
    if share >= entered:
        return ZERO
    if not entered_gross or rate == entry_rate:
        return Price(
            *amounts(entered - share, entered_gross=entered_gross, entry_rate=entry_rate, rate=rate)
        )
    net = total.net - div_half_up(total.net * share, entered)
    return Price(*amounts(net, entered_gross=False, entry_rate=rate, rate=rate))


def _minus(a: Price, b: Price) -> Price:
    return Price(a.net - b.net, a.tax - b.tax, a.gross - b.gross)


def _plus(a: Price, b: Price) -> Price:
    return Price(a.net + b.net, a.tax + b.tax, a.gross + b.gross)


@dataclass(frozen=True, slots=True)
class Goods:
    """The goods part of a cart, before shipping: what `cart_view`, the shipping options
    and the services (quantity rules, coupon minimums) share."""

    ctx: PricingContext
    buyer: Any
    language: str
    lines: tuple[ViewLine, ...]
    saved: tuple[ViewLine, ...]
    discounts: tuple[ViewDiscount, ...]
    coupons: tuple[tuple[str, str | None], ...]
    goods_entered: int
    goods_discounted: int
    subtotal: Price
    weight_grams: int
    free_shipping: bool
    country: str
    email: str
    # How many lines count in the totals.
    subtotal_lines: int


def _priced(cart: Cart, ctx: PricingContext, language: str) -> list[_Line]:
    facts = _facts(cart, language)
    if not facts:
        return []
    rows = rows_by_sku(ctx, (f.sku for f in facts))
    priced = price_rows(ctx=ctx, rows=[(rows.get(f.sku), f.quantity) for f in facts])
    stock = available_quantities(variant_ids=[f.variant_id for f in facts], channel=cart.channel)
    # Once checkout took the cart (checking out, completed), its units are held for it (the
    # reservation, then the order): they are not missing, and free stock says nothing.
    check_stock = cart.status == CartStatus.OPEN
    found = []
    for f, p in zip(facts, priced, strict=True):
        available = stock.get(f.variant_id, 0)
        problem = p.problem
        if problem is None and check_stock and not f.backorders and f.quantity > available:
            problem = "INSUFFICIENT_STOCK"
        found.append(
            _Line(
                facts=f,
                priced=p,
                row=rows.get(f.sku),
                available=available,
                problem=problem,
                counted=not f.saved and problem is None and p.total is not None,
                entered_unit=p.steps[-1].amount if p.unit is not None and p.steps else 0,
            )
        )
    return found


def _coupons(
    cart: Cart, ctx: PricingContext, buyer: Any, email: str, subtotal: int
) -> list[tuple[str, str | None]]:
    """Each code entered, with the reason `coupon_check` refuses it now (None: it passes)."""
    checked: list[tuple[str, str | None]] = []
    seen: set[str] = set()
    codes = cart.coupon_codes if isinstance(cart.coupon_codes, list) else []
    for raw in codes:
        if not isinstance(raw, str):
            continue
        code = code_normalize(raw)
        if code in seen:
            continue
        seen.add(code)
        try:
            coupon_check(
                code=code,
                channel=cart.channel,
                subtotal=minor_decimal(subtotal, ctx.digits),
                user=buyer,
                email=email,
                customer_group_id=ctx.customer_group_id,
                now=ctx.now,
            )
        except DomainError as exc:
            checked.append((code, exc.code))
        else:
            checked.append((code, None))
    return checked


def _view_line(line: _Line, *, subtotal: Price | None, total: Price | None, share: int) -> ViewLine:
    f, p = line.facts, line.priced
    return ViewLine(
        line_id=f.line_id,
        variant_id=f.variant_id,
        product_id=f.product_id,
        product_slug=f.product_slug,
        sku=f.sku,
        product_name=f.product_name,
        variant_name=f.variant_name,
        quantity=f.quantity,
        saved_for_later=f.saved,
        unit=p.unit,
        undiscounted_unit=p.undiscounted_unit,
        subtotal=subtotal,
        discount=share,
        total=total,
        tax_rate=p.tax_rate,
        rule=p.rule,
        available=line.available,
        backorder=f.backorders,
        weight_grams=f.weight_grams,
        problem=line.problem,
        entered_unit=line.entered_unit,
        discount_price=None
        if subtotal is None or total is None or share == 0
        else _minus(subtotal, total),
        counted=line.counted,
    )


# Goods already computed in a `goods_reused()` block, by `_reuse_key`.
_reused: ContextVar[dict[tuple[object, ...], Goods] | None] = ContextVar(
    "cart_goods_reused", default=None
)


@contextmanager
def goods_reused() -> Iterator[None]:
    """Inside the block, `cart_goods` computes the goods of a cart once and answers the
    same `Goods` again while the cart's email, addresses, coupons, customer and the
    caller stay the same. Only for a request whose writes leave the lines alone (choosing
    the shipping method: the service checks the option on the goods the answer shows).
    Inside another block, the outer one's goods are kept."""
    if _reused.get() is not None:
        yield
        return
    token = _reused.set({})
    try:
        yield
    finally:
        _reused.reset(token)


def _reuse_key(cart: Cart, user: object, language: str) -> tuple[object, ...]:
    return (
        cart.pk,
        cart.channel_id,
        cart.user_id,
        cart.email,
        repr(cart.shipping_address),
        repr(cart.coupon_codes),
        getattr(user, "pk", None),
        _language(language),
    )


def cart_goods(*, cart: Cart, user: object = None, language: str = "fr") -> Goods:
    """The goods part of the view: priced lines, coupons, cart promotions, discounted
    totals (see the module docstring). Inside `goods_reused()`, computed once per cart."""
    memo = _reused.get()
    if memo is None:
        return _cart_goods(cart=cart, user=user, language=language)
    key = _reuse_key(cart, user, language)
    goods = memo.get(key)
    if goods is None:
        goods = memo[key] = _cart_goods(cart=cart, user=user, language=language)
    return goods


def _cart_goods(*, cart: Cart, user: object, language: str) -> Goods:
    language = _language(language)
    buyer = buyer_of(cart, user)
    ctx = cart_context(cart=cart, user=user)
    email = cart.email or (getattr(buyer, "email", "") if buyer is not None else "")
    lines = _priced(cart, ctx, language)
    counted = [line for line in lines if line.counted]
    inputs = [
        PromotionLine(
            sku=line.facts.sku,
            product_id=line.facts.product_id,
            category_id=line.row.category_id if line.row is not None else 0,
            quantity=line.facts.quantity,
            unit_amount=line.entered_unit,
            line_amount=line.entered_unit * line.facts.quantity,
        )
        for line in counted
    ]
    goods_entered = sum(i.line_amount for i in inputs)
    checked = _coupons(cart, ctx, buyer, email, goods_entered)
    applied: list[AppliedDiscount] = []
    if inputs:
        promotions = cart_promotions(
            channel_id=ctx.channel_id,
            customer_group_id=ctx.customer_group_id,
            coupon_codes=[code for code, problem in checked if problem is None],
            now=ctx.now,
        )
        if promotions:
            applied = cart_discounts(
                lines=inputs, promotions=promotions, currency=ctx.currency, language=language
            )
    used = {d.coupon_code for d in applied if d.coupon_code}
    coupons = tuple(
        (code, "COUPON_NOT_APPLICABLE" if problem is None and code not in used else problem)
        for code, problem in checked
    )

    # Shares back into net/tax/gross, discount after discount (see `_discounted`).
    engine = Engine(ctx)
    discount_prices = [ZERO] * len(applied)
    totals: dict[int, tuple[Price, int]] = {}
    for i, line in enumerate(counted):
        total = line.priced.total
        # Counted lines are priced.
        assert total is not None
        assert line.row is not None
        entry_rate, rate = engine.rates(line.row.tax_class_id)
        entered = inputs[i].line_amount
        cumulative, before = 0, total
        for k, discount in enumerate(applied):
            cumulative += discount.allocations[i]
            after = _discounted(
                total,
                entered,
                cumulative,
                entered_gross=ctx.entered_gross,
                entry_rate=entry_rate,
                rate=rate,
            )
            discount_prices[k] = _plus(discount_prices[k], _minus(before, after))
            before = after
        totals[line.facts.line_id] = (before, cumulative)

    view_lines: list[ViewLine] = []
    saved: list[ViewLine] = []
    subtotal, weight = ZERO, 0
    for line in lines:
        if line.facts.line_id in totals:
            final, share = totals[line.facts.line_id]
            subtotal = _plus(subtotal, final)
            weight += line.facts.weight_grams * line.facts.quantity
            view = _view_line(line, subtotal=line.priced.total, total=final, share=share)
        else:
            view = _view_line(line, subtotal=line.priced.total, total=line.priced.total, share=0)
        (saved if line.facts.saved else view_lines).append(view)
    discounts = tuple(
        ViewDiscount(
            promotion_code=d.promotion_code,
            coupon_code=d.coupon_code,
            label=d.label,
            amount=d.amount,
            free_shipping=d.free_shipping,
            price=discount_prices[k],
        )
        for k, d in enumerate(applied)
    )
    return Goods(
        ctx=ctx,
        buyer=buyer,
        language=language,
        lines=tuple(view_lines),
        saved=tuple(saved),
        discounts=discounts,
        coupons=coupons,
        goods_entered=goods_entered,
        goods_discounted=goods_entered - sum(d.amount for d in applied),
        subtotal=subtotal,
        weight_grams=weight,
        free_shipping=any(d.free_shipping for d in applied),
        country=shipping_country(cart) or ctx.destination_country,
        email=email,
        subtotal_lines=len(counted),
    )


# --- shipping and the whole view ----------------------------------------------------------


def _options(goods: Goods) -> list[ShippingOption]:
    return shipping_options(
        ctx=goods.ctx,
        country=goods.country,
        goods_amount=goods.goods_discounted,
        weight_grams=goods.weight_grams,
        free_shipping=goods.free_shipping,
        language=goods.language,
    )


def cart_shipping_options(
    *, cart: Cart, user: object = None, language: str = "fr"
) -> tuple[Goods, list[ShippingOption]]:
    """The shipping options of the cart now (its discounted goods, weight and the shipping
    address's country, else the buyer's default country), with the goods they were
    computed on."""
    goods = cart_goods(cart=cart, user=user, language=language)
    return goods, _options(goods)


def _shipping(cart: Cart, goods: Goods) -> ShippingOption | None:
    if cart.shipping_method_id is None:
        return None
    return shipping_option(
        ctx=goods.ctx,
        country=goods.country,
        goods_amount=goods.goods_discounted,
        weight_grams=goods.weight_grams,
        free_shipping=goods.free_shipping,
        language=goods.language,
        method_id=cart.shipping_method_id,
    )


def _breakdown(lines: Sequence[ViewLine], shipping: ViewShipping | None) -> tuple[TaxBucket, ...]:
    buckets: dict[int, list[int]] = {}
    for line in lines:
        if line.counted and line.total is not None:
            bucket = buckets.setdefault(line.tax_rate, [0, 0])
            bucket[0] += line.total.net
            bucket[1] += line.total.tax
    if shipping is not None:
        bucket = buckets.setdefault(shipping.tax_rate, [0, 0])
        bucket[0] += shipping.price.net
        bucket[1] += shipping.price.tax
    return tuple(
        TaxBucket(rate=rate, net=net, tax=tax) for rate, (net, tax) in sorted(buckets.items())
    )


def _blockers(cart: Cart, goods: Goods, option: ShippingOption | None) -> tuple[str, ...]:
    blockers: list[str] = []
    if cart.status in CLOSED:
        blockers.append("CART_CLOSED")
    if not goods.lines:
        blockers.append("EMPTY_CART")
    if any(line.problem is not None for line in goods.lines):
        blockers.append("LINE_PROBLEM")
    if not goods.email:
        blockers.append("EMAIL_REQUIRED")
    pickup = option is not None and option.kind == "pickup"
    if not cart.billing_address or (not pickup and not cart.shipping_address):
        blockers.append("ADDRESS_REQUIRED")
    if cart.shipping_method_id is None:
        blockers.append("SHIPPING_METHOD_REQUIRED")
    elif option is None and goods.subtotal_lines:
        blockers.append("SHIPPING_METHOD_UNAVAILABLE")
    return tuple(blockers)


def cart_view(*, cart: Cart, user: object = None, language: str = "fr") -> CartView:
    """The cart priced for its buyer (its customer, else `user`), in `language` (names,
    promotion labels, the legal mention). See the module docstring and docs/cart.md."""
    goods = cart_goods(cart=cart, user=user, language=language)
    ctx = goods.ctx
    # An empty cart (or one whose every line has a problem) ships nothing.
    option = _shipping(cart, goods) if goods.subtotal_lines else None
    shipping = (
        None
        if option is None
        else ViewShipping(
            method_id=option.method_id,
            code=option.code,
            name=option.name,
            kind=option.kind,
            price=option.price,
            tax_rate=option.tax_rate,
            pickup_warehouse_id=option.pickup_warehouse_id,
        )
    )
    total = goods.subtotal if shipping is None else _plus(goods.subtotal, shipping.price)
    mention = LEGAL_MENTIONS.get(ctx.treatment)
    with translation.override(goods.language):
        legal = "" if mention is None else str(mention)
    return CartView(
        cart_id=cart.pk,
        token=cart.token,
        channel_id=cart.channel_id,
        currency=ctx.currency,
        digits=ctx.digits,
        display_gross=ctx.display_gross,
        entered_gross=ctx.entered_gross,
        tax_treatment=str(ctx.treatment),
        legal_mention=legal,
        lines=goods.lines,
        saved=goods.saved,
        discounts=goods.discounts,
        coupons=goods.coupons,
        subtotal=goods.subtotal,
        shipping=shipping,
        total=total,
        tax_breakdown=_breakdown(goods.lines, shipping),
        weight_grams=goods.weight_grams,
        blockers=_blockers(cart, goods, option),
        status=cart.status,
        email=goods.email,
        shipping_address=cart.shipping_address,
        billing_address=cart.billing_address,
        shipping_method_id=cart.shipping_method_id,
        user_id=cart.user_id,
        company_id=ctx.company_id,
        customer_group_id=ctx.customer_group_id,
        destination_country=goods.country,
        goods_entered=goods.goods_entered,
        goods_discounted=goods.goods_discounted,
        free_shipping=goods.free_shipping,
    )
