"""Cart lines: add, change, save for later, move back, delete.

A line that goes into the cart (added, raised, moved back from "saved for later") is
priced by the engine in the cart's context first: an unknown SKU is UNKNOWN_SKU, a
variant not sold in the channel NOT_FOR_SALE, a quantity the buyer's price list does not
allow QUANTITY_RULE (all 400); more units than the free stock of a product that takes no
backorders is 409 INSUFFICIENT_STOCK. Lowering a quantity is always allowed; saved-for-
later lines are not checked (they are not bought).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.cart.models import Cart, CartLine
from comptoir.cart.selectors.view import cart_context, cart_goods
from comptoir.cart.services._common import (
    MAX_LINES,
    MAX_QUANTITY,
    quantity_check,
    synced,
    writable,
)
from comptoir.catalog.models import ProductVariant
from comptoir.core.errors import Conflict, InvalidInput, NotFound
from comptoir.core.text import text_storable
from comptoir.core.validation import UNSET, Unset
from comptoir.inventory.selectors import available_quantity
from comptoir.pricing.engine import PricingContext
from comptoir.pricing.records import PricedLine
from comptoir.pricing.selectors.prices import price_lines

SKU_MAX_LENGTH = 64


def _unknown_sku(sku: str) -> InvalidInput:
    message = _("Unknown SKU: %(sku)s.") % {"sku": sku[:SKU_MAX_LENGTH]}
    return InvalidInput(message, code="UNKNOWN_SKU", errors={"sku": [message]})


def _sku(sku: object) -> str:
    """`sku` stripped, if it can be one (UNKNOWN_SKU otherwise, without a query)."""
    if not isinstance(sku, str):
        raise _unknown_sku(str(sku)[:SKU_MAX_LENGTH])
    cleaned = sku.strip()
    if not cleaned or len(cleaned) > SKU_MAX_LENGTH or not text_storable(cleaned):
        raise _unknown_sku(cleaned if text_storable(cleaned) else "?")
    return cleaned


def _variant(sku: object) -> ProductVariant:
    """The variant of `sku`, with its product; UNKNOWN_SKU otherwise."""
    cleaned = _sku(sku)
    found = list(ProductVariant.objects.filter(sku=cleaned).select_related("product")[:1])
    if not found:
        raise _unknown_sku(cleaned)
    return found[0]


@cache
def _upsert_statement() -> str:
    """Add units to the cart's line of a SKU, or make the line, in one statement (the
    unique constraint on cart, variant and list decides): the line's id and quantity
    after it. No row when the SKU is unknown. Only table and column names from the
    models' metadata and placeholders are interpolated."""
    quote = connection.ops.quote_name
    line, variant = CartLine._meta, ProductVariant._meta

    def col(meta: Any, name: str) -> str:
        return quote(str(meta.get_field(name).column))

    table = quote(line.db_table)
    quantity = col(line, "quantity")
    key = f"{col(line, 'cart')}, {col(line, 'variant')}, {col(line, 'saved_for_later')}"
    return (
        f"INSERT INTO {table} ({key}, {quantity}, {col(line, 'created_at')}) "  # noqa: S608
        f"SELECT %s, v.id, %s, %s, %s FROM {quote(variant.db_table)} v "
        f"WHERE v.{col(variant, 'sku')} = %s "
        f"ON CONFLICT ({key}) DO UPDATE SET {quantity} = {table}.{quantity} + excluded.{quantity} "
        f"RETURNING {quote(str(line.pk.column))}, {col(line, 'variant')}, {quantity}"
    )


def rule_message(line: PricedLine) -> str:
    rule = line.quantity_rule
    maximum = "" if rule.maximum is None else _(", at most %(maximum)s") % {"maximum": rule.maximum}
    return _("%(sku)s is sold from %(minimum)s, by %(increment)s%(maximum)s.") % {
        "sku": line.sku,
        "minimum": rule.minimum,
        "increment": rule.increment,
        "maximum": maximum,
    }


def _refuse(
    sku: str,
    quantity: int,
    *,
    problem: str | None,
    available: int,
    ctx: PricingContext,
) -> None:
    """Raise the error of `problem` (the engine's, or INSUFFICIENT_STOCK with `available`
    units free) for `quantity` units of `sku`; nothing when `problem` is None."""
    if problem is None:
        return
    if problem == "UNKNOWN_SKU":
        raise _unknown_sku(sku)
    if problem == "NOT_FOR_SALE":
        message = _("%(sku)s is not sold in this channel.") % {"sku": sku}
        raise InvalidInput(message, code="NOT_FOR_SALE", errors={"sku": [message]})
    if problem == "QUANTITY_RULE":
        (line,) = price_lines(ctx=ctx, lines=[(sku, quantity)])
        message = rule_message(line)
        raise InvalidInput(message, code="QUANTITY_RULE", errors={"quantity": [message]})
    message = _("Only %(available)s of %(sku)s in stock.") % {
        "available": max(available, 0),
        "sku": sku,
    }
    raise Conflict(message, code="INSUFFICIENT_STOCK", errors={sku: [message]})


def _sellable(
    cart: Cart, variant: ProductVariant, quantity: int, *, previous: int, user: object
) -> None:
    """Refuse `quantity` units of `variant` in the cart (see the module docstring).
    `previous`: the units already in the cart's line (stock is checked on an increase)."""
    ctx = cart_context(cart=cart, user=user)
    (line,) = price_lines(ctx=ctx, lines=[(variant.sku, quantity)])
    _refuse(variant.sku, quantity, problem=line.problem, available=0, ctx=ctx)
    if quantity <= previous or variant.product.allow_backorders:
        return
    available = available_quantity(variant_id=variant.pk, channel=cart.channel)
    if quantity > available:
        _refuse(variant.sku, quantity, problem="INSUFFICIENT_STOCK", available=available, ctx=ctx)


def _total_check(quantity: int) -> int:
    if quantity > MAX_QUANTITY:
        message = _("A line holds at most %(max)s units.") % {"max": MAX_QUANTITY}
        raise InvalidInput(message, code="INVALID_QUANTITY", errors={"quantity": [message]})
    return quantity


def _line(cart: Cart, line_id: object) -> CartLine:
    if isinstance(line_id, bool) or not isinstance(line_id, int) or not 0 < line_id < 2**63:
        line = None
    else:
        line = (
            CartLine.objects.select_related("variant__product")
            .filter(cart_id=cart.pk, pk=line_id)
            .first()
        )
    if line is None:
        raise NotFound(_("This cart has no such line."), code="LINE_NOT_FOUND")
    return line


@transaction.atomic
def line_add(
    *, cart: Cart, sku: str, quantity: int, user: object = None, language: str | None = None
) -> CartLine:
    """Add `quantity` units of `sku` to the cart: to its line of that variant if it has
    one (quantities add up), else as a new line. `user`: the signed-in caller, whose
    prices apply to an anonymous cart (a customer's cart is priced for its customer).
    Errors: INVALID_QUANTITY, UNKNOWN_SKU, NOT_FOR_SALE, QUANTITY_RULE, CART_FULL (400),
    INSUFFICIENT_STOCK, CART_LOCKED (409), CART_NOT_FOUND (404, closed cart).

    The line is written, then checked on the cart's goods as the answer shows them
    (`cart_goods` in `language`, else the cart's): a refusal rolls the write back, and a
    caller inside `goods_reused()` answers with those goods without pricing them again."""
    quantity = quantity_check(quantity)
    cleaned = _sku(sku)
    locked = writable(cart)
    with connection.cursor() as cursor:
        cursor.execute(_upsert_statement(), [locked.pk, False, quantity, timezone.now(), cleaned])
        row = cursor.fetchone()
    if row is None:
        raise _unknown_sku(cleaned)
    line = CartLine(id=row[0], cart=locked, variant_id=row[1], quantity=row[2])
    line._state.adding = False
    total = _total_check(line.quantity)
    goods = cart_goods(cart=locked, user=user, language=language or locked.language or "fr")
    if line.quantity == quantity and len(goods.lines) + len(goods.saved) > MAX_LINES:
        raise InvalidInput(  # a new line, one too many
            _("A cart holds at most %(max)s lines.") % {"max": MAX_LINES}, code="CART_FULL"
        )
    shown = next(x for x in goods.lines if x.line_id == line.pk)
    # Lines already in the cart keep their problems (shown in the answer); the added
    # units are refused with theirs, the stock checked as the quantity goes up.
    _refuse(
        cleaned,
        total,
        problem=shown.problem,
        available=shown.available or 0,
        ctx=goods.ctx,
    )
    synced(cart, locked)
    return line


@transaction.atomic
def line_update(
    *,
    cart: Cart,
    line_id: int,
    quantity: int | Unset = UNSET,
    saved_for_later: bool | Unset = UNSET,
    user: object = None,
) -> CartLine:
    """Change a line's quantity and/or move it between the cart and "saved for later".
    Moved onto a line of the same variant in the other list, it joins it (quantities add
    up; `quantity`, when given, is what is moved). Returns the resulting line. Errors as
    `line_add`, and 404 LINE_NOT_FOUND, 400 INVALID_INPUT (`saved_for_later` not a
    boolean)."""
    if quantity is not UNSET:
        quantity = quantity_check(quantity)
    if saved_for_later is not UNSET and not isinstance(saved_for_later, bool):
        message = _("Must be true or false.")
        raise InvalidInput(message, code="INVALID_INPUT", errors={"saved_for_later": [message]})
    locked = writable(cart)
    line = _line(locked, line_id)
    moved = quantity if quantity is not UNSET else line.quantity
    target = line.saved_for_later if saved_for_later is UNSET else saved_for_later
    other = None
    if target != line.saved_for_later:
        other = CartLine.objects.filter(
            cart=locked, variant_id=line.variant_id, saved_for_later=target
        ).first()
    base = line if other is None else other
    previous = 0 if other is None and target != line.saved_for_later else base.quantity
    total = _total_check(moved + (other.quantity if other is not None else 0))
    if not target:
        _sellable(locked, line.variant, total, previous=previous, user=user)
    if other is not None:
        other.quantity = total
        other.save(update_fields=["quantity"])
        line.delete()
        synced(cart, locked)
        return other
    line.quantity = total
    line.saved_for_later = target
    line.save(update_fields=["quantity", "saved_for_later"])
    synced(cart, locked)
    return line


@transaction.atomic
def line_delete(*, cart: Cart, line_id: int) -> None:
    """Remove a line (404 LINE_NOT_FOUND; 409 CART_LOCKED while checking out)."""
    locked = writable(cart)
    _line(locked, line_id).delete()
    synced(cart, locked)


def save_for_later(*, cart: Cart, line_id: int) -> CartLine:
    """Move a line out of the cart into "saved for later" (never checked: not bought)."""
    return line_update(cart=cart, line_id=line_id, saved_for_later=True)


def move_to_cart(*, cart: Cart, line_id: int, user: object = None) -> CartLine:
    """Move a saved line back into the cart (checked as an added line)."""
    return line_update(cart=cart, line_id=line_id, saved_for_later=False, user=user)
