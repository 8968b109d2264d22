"""Adding many lines to a cart at once: quick order (a list of SKUs and quantities, pasted
text, a CSV file), a requisition list, a reorder. See docs/quick-order.md.

Every line given is either added or rejected with its line number(s), the value as given
and a stable reason code; the lines that can be added are, in one transaction, with one
statement per step whatever the number of lines:

1. each line checked on its own (no query): `UNKNOWN_SKU` (not a SKU at all),
   `INVALID_QUANTITY` (not a whole number from 1 to 9999); lines of the same SKU merge
   (quantities add up; the merged line names every line number it came from);
2. the cart locked and checked as for one line (`CART_LOCKED`, `CART_NOT_FOUND`: the whole
   call is refused) and its lines read;
3. the variants loaded and priced by the one engine in the cart's context, at the quantity
   the cart's line would hold (what is there plus what is added): `UNKNOWN_SKU`,
   `NOT_FOR_SALE` (not published or not priced in the channel), `QUANTITY_RULE` (the
   buyer's minimum, increment or maximum);
4. free stock, for the products that take no backorders: `INSUFFICIENT_STOCK`;
5. room in the cart (`MAX_LINES` lines): `CART_FULL` for new lines past it;
6. one upsert of every accepted line.

Rejections are data (`BulkRejected`), not exceptions: the caller shows them next to the
lines they concern. Only a refusal of the whole call raises (too many lines, a cart that
cannot change).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from django.db import transaction
from django.utils.translation import gettext as _

from comptoir.cart.models import Cart, CartLine
from comptoir.cart.selectors.view import cart_context
from comptoir.cart.services._common import MAX_LINES, MAX_QUANTITY, synced, writable
from comptoir.cart.services.lines import SKU_MAX_LENGTH, quantity_rule_message
from comptoir.catalog.models import Product
from comptoir.channels.models import Channel
from comptoir.core.errors import InvalidInput
from comptoir.core.text import text_storable
from comptoir.inventory.selectors import available_quantities
from comptoir.pricing.engine import PricingContext, VariantRow
from comptoir.pricing.selectors.loader import rows_by_sku
from comptoir.pricing.selectors.prices import price_rows

MAX_BULK_LINES: Final = 500  # lines given in one call (before duplicates merge)
VALUE_MAX_LENGTH: Final = 200  # of a rejected line's value, as echoed back


@dataclass(frozen=True, slots=True)
class BulkLine:
    """One line as given: its number (1-based: the list's position, the text's line, the
    CSV file's line), the SKU, the quantity as given (only an int from 1 to 9999 is one)
    and the value to echo back when it is rejected (the line's text)."""

    line: int
    sku: object
    quantity: object
    value: str = ""


@dataclass(frozen=True, slots=True)
class BulkAdded:
    lines: tuple[int, ...]  # the line numbers merged into this one, in order
    sku: str
    quantity: int  # units added
    line_id: int  # the cart line
    line_quantity: int  # units in the cart line now


@dataclass(frozen=True, slots=True)
class BulkRejected:
    lines: tuple[int, ...]
    value: str
    sku: str
    quantity: int | None  # None when not a valid quantity
    code: str  # UNKNOWN_SKU, NOT_FOR_SALE, INVALID_QUANTITY, QUANTITY_RULE,
    # INSUFFICIENT_STOCK, CART_FULL
    message: str


@dataclass(frozen=True, slots=True)
class BulkResult:
    added: tuple[BulkAdded, ...] = ()
    rejected: tuple[BulkRejected, ...] = ()

    @property
    def units(self) -> int:
        return sum(a.quantity for a in self.added)


@dataclass(slots=True)
class _Merged:
    sku: str
    quantity: int
    lines: list[int] = field(default_factory=list)
    values: list[str] = field(default_factory=list)


def too_many_lines() -> InvalidInput:
    message = _("At most %(max)s lines can be added at once: split the list.") % {
        "max": MAX_BULK_LINES
    }
    return InvalidInput(message, code="TOO_MANY_LINES", errors={"lines": [message]})


def _echo(value: str) -> str:
    return value[:VALUE_MAX_LENGTH] if text_storable(value) else "?"


def _clean_sku(sku: object) -> str | None:
    if not isinstance(sku, str):
        return None
    cleaned = sku.strip()
    if not cleaned or len(cleaned) > SKU_MAX_LENGTH or not text_storable(cleaned):
        return None
    return cleaned


def _clean_quantity(quantity: object) -> int | None:
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        return None
    return quantity if 0 < quantity <= MAX_QUANTITY else None


def _value(given: BulkLine) -> str:
    return _echo(given.value or f"{given.sku} {given.quantity}")


def _invalid_quantity_message() -> str:
    return _("A quantity is a whole number from 1 to %(max)s.") % {"max": MAX_QUANTITY}


def _merge(lines: Sequence[BulkLine]) -> tuple[list[_Merged], list[BulkRejected]]:
    """Step 1: every line checked alone, then the same SKUs merged (first-seen order)."""
    merged: dict[str, _Merged] = {}
    rejected: list[BulkRejected] = []
    for given in lines:
        sku = _clean_sku(given.sku)
        quantity = _clean_quantity(given.quantity)
        shown_sku = given.sku.strip()[:SKU_MAX_LENGTH] if isinstance(given.sku, str) else ""
        if sku is None:
            rejected.append(
                BulkRejected(
                    lines=(given.line,),
                    value=_value(given),
                    sku=_echo(shown_sku),
                    quantity=quantity,
                    code="UNKNOWN_SKU",
                    message=_("Unknown SKU: %(sku)s.") % {"sku": _echo(shown_sku)}
                    if shown_sku
                    else _("The SKU is missing."),
                )
            )
            continue
        if quantity is None:
            rejected.append(
                BulkRejected(
                    lines=(given.line,),
                    value=_value(given),
                    sku=sku,
                    quantity=None,
                    code="INVALID_QUANTITY",
                    message=_invalid_quantity_message(),
                )
            )
            continue
        entry = merged.setdefault(sku, _Merged(sku=sku, quantity=0))
        entry.quantity += quantity
        entry.lines.append(given.line)
        entry.values.append(_value(given))
    return list(merged.values()), rejected


def _reject(entry: _Merged, code: str, message: str, quantity: int | None = None) -> BulkRejected:
    return BulkRejected(
        lines=tuple(entry.lines),
        value=_echo(" | ".join(entry.values)),
        sku=entry.sku,
        quantity=entry.quantity if quantity is None else quantity,
        code=code,
        message=message,
    )


def _cart_lines(cart: Cart) -> tuple[dict[int, tuple[int, int]], int]:
    """Step 2: the cart's lines, variant id -> (line id, quantity) of the lines in the cart
    (not saved for later), and how many lines it has in all."""
    in_cart: dict[int, tuple[int, int]] = {}
    count = 0
    for line_id, variant_id, quantity, saved in CartLine.objects.filter(
        cart_id=cart.pk
    ).values_list("pk", "variant_id", "quantity", "saved_for_later"):
        count += 1
        if not saved:
            in_cart[variant_id] = (line_id, quantity)
    return in_cart, count


def _price_check(
    ctx: PricingContext,
    candidates: list[_Merged],
    in_cart: dict[int, tuple[int, int]],
    rejected: list[BulkRejected],
) -> tuple[dict[str, VariantRow], list[tuple[_Merged, int]]]:
    """Step 3: the variants' rows and the candidates the engine sells at the quantity the
    cart line would hold (with that quantity); the others go to `rejected`."""
    rows = rows_by_sku(ctx, (c.sku for c in candidates))
    known = []
    for entry in candidates:
        if entry.sku in rows:
            known.append(entry)
        else:
            message = _("Unknown SKU: %(sku)s.") % {"sku": entry.sku}
            rejected.append(_reject(entry, "UNKNOWN_SKU", message))
    totals = [in_cart.get(rows[c.sku].variant_id, (0, 0))[1] + c.quantity for c in known]
    priced = price_rows(
        ctx=ctx, rows=[(rows[c.sku], t) for c, t in zip(known, totals, strict=True)]
    )
    sellable: list[tuple[_Merged, int]] = []
    for entry, total, line in zip(known, totals, priced, strict=True):
        if total > MAX_QUANTITY:
            message = _("A line holds at most %(max)s units.") % {"max": MAX_QUANTITY}
            rejected.append(_reject(entry, "INVALID_QUANTITY", message))
        elif line.problem == "QUANTITY_RULE":
            rejected.append(_reject(entry, "QUANTITY_RULE", quantity_rule_message(line)))
        elif line.problem is not None or line.total is None:
            message = _("%(sku)s is not sold in this channel.") % {"sku": entry.sku}
            rejected.append(_reject(entry, "NOT_FOR_SALE", message))
        else:
            sellable.append((entry, total))
    return rows, sellable


def _stock_check(
    channel: Channel,
    rows: dict[str, VariantRow],
    sellable: list[tuple[_Merged, int]],
    rejected: list[BulkRejected],
) -> list[tuple[_Merged, int]]:
    """Step 4: free stock for every line, and whether the products short of it take
    backorders (asked only when one is short)."""
    if not sellable:
        return []
    stock = available_quantities(
        variant_ids=[rows[e.sku].variant_id for e, _t in sellable], channel=channel
    )
    short = {rows[e.sku].product_id for e, t in sellable if t > stock[rows[e.sku].variant_id]}
    backorders: set[int] = set()
    if short:
        backorders = set(
            Product.objects.filter(pk__in=short, allow_backorders=True).values_list("pk", flat=True)
        )
    kept = []
    for entry, total in sellable:
        row = rows[entry.sku]
        available = stock[row.variant_id]
        if total > available and row.product_id not in backorders:
            message = _("Only %(available)s of %(sku)s in stock.") % {
                "available": max(available, 0),
                "sku": entry.sku,
            }
            rejected.append(_reject(entry, "INSUFFICIENT_STOCK", message))
        else:
            kept.append((entry, total))
    return kept


def _room_check(
    rows: dict[str, VariantRow],
    sellable: list[tuple[_Merged, int]],
    in_cart: dict[int, tuple[int, int]],
    line_count: int,
    rejected: list[BulkRejected],
) -> list[tuple[_Merged, int]]:
    """Step 5: new lines while the cart has room, in the order given."""
    accepted = []
    room = MAX_LINES - line_count
    for entry, total in sellable:
        if rows[entry.sku].variant_id not in in_cart:
            if room <= 0:
                message = _("A cart holds at most %(max)s lines.") % {"max": MAX_LINES}
                rejected.append(_reject(entry, "CART_FULL", message))
                continue
            room -= 1
        accepted.append((entry, total))
    return accepted


def _write(
    cart: Cart,
    rows: dict[str, VariantRow],
    accepted: list[tuple[_Merged, int]],
    in_cart: dict[int, tuple[int, int]],
) -> list[BulkAdded]:
    """Step 6: one upsert. Under the cart's lock no other write changes its lines, so the
    totals computed are the quantities to store, on new lines or existing ones."""
    if not accepted:
        return []
    written = CartLine.objects.bulk_create(
        [
            CartLine(
                cart_id=cart.pk,
                variant_id=rows[entry.sku].variant_id,
                quantity=total,
                saved_for_later=False,
            )
            for entry, total in accepted
        ],
        update_conflicts=True,
        unique_fields=["cart", "variant", "saved_for_later"],
        update_fields=["quantity"],
    )
    return [
        BulkAdded(
            lines=tuple(entry.lines),
            sku=entry.sku,
            quantity=entry.quantity,
            line_id=obj.pk or in_cart[obj.variant_id][0],
            line_quantity=total,
        )
        for (entry, total), obj in zip(accepted, written, strict=True)
    ]


@transaction.atomic
def lines_add_bulk(*, cart: Cart, lines: Sequence[BulkLine], user: object = None) -> BulkResult:
    """Add `lines` to the cart (see the module docstring): the lines that can be added
    are, the others come back rejected with their reason. `user`: the signed-in caller,
    whose prices apply to a visitor's cart. Refused as a whole: 400 TOO_MANY_LINES (more
    than MAX_BULK_LINES lines), 409 CART_LOCKED, 404 CART_NOT_FOUND (a closed cart)."""
    if len(lines) > MAX_BULK_LINES:
        raise too_many_lines()
    candidates, rejected = _merge(lines)
    locked = writable(cart)
    added: list[BulkAdded] = []
    if candidates:
        in_cart, line_count = _cart_lines(locked)
        ctx = cart_context(cart=locked, user=user)
        rows, sellable = _price_check(ctx, candidates, in_cart, rejected)
        sellable = _stock_check(locked.channel, rows, sellable, rejected)
        accepted = _room_check(rows, sellable, in_cart, line_count, rejected)
        added = _write(locked, rows, accepted, in_cart)
    synced(cart, locked)
    return BulkResult(added=tuple(added), rejected=tuple(sorted(rejected, key=lambda r: r.lines)))
