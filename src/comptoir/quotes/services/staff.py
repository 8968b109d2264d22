"""Staff negotiate a quote: change lines (quantity, negotiated unit price, add, remove),
the quote's discount, shipping and expiry, then send it (a new revision, the buyer is
emailed) or cancel it. Every function is keyword-only and atomic, locks the quote and
records who changed what (QuoteEvent, and the admin history)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.cart.selectors.view import address_country
from comptoir.cart.services.details import address_snapshot
from comptoir.core import outbox
from comptoir.core.errors import InvalidInput, NotFound
from comptoir.quotes.models import Quote, QuoteComment, QuoteLine, QuoteRevision, QuoteState
from comptoir.quotes.services._common import (
    HUNDRED,
    MAX_LINES,
    comment_text,
    event,
    lines_of,
    money_in,
    quote_context,
    quote_locked,
    quote_recompute,
    shipping_rate,
    snapshot,
)
from comptoir.quotes.services.requests import MAX_QUANTITY, LineRequest, new_line, priced_lines
from comptoir.quotes.transitions import transition_check

S = QuoteState


def _editable(quote_id: int) -> Quote:
    """The quote, locked, moved to in_negotiation when staff start changing it (from
    requested or renegotiation_requested); INVALID_QUOTE_TRANSITION when it is not open to
    negotiation (draft, sent, accepted, closed)."""
    locked = quote_locked(quote_id=quote_id)
    if locked.state != S.IN_NEGOTIATION:
        transition_check(locked.state, S.IN_NEGOTIATION)
        locked.state = S.IN_NEGOTIATION
    return locked


def _quantity(value: object, field: str = "quantity") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_QUANTITY:
        message = _("A quantity is a whole number from 1 to %(n)d.") % {"n": MAX_QUANTITY}
        raise InvalidInput(message, code="INVALID_QUANTITY", errors={field: [message]})
    return value


def _line(quote: Quote, line_id: int) -> QuoteLine:
    found = quote.lines.filter(pk=line_id).first() if 0 < line_id < 2**63 else None
    if found is None:
        raise NotFound(_("No such line on this quote."), code="QUOTE_LINE_NOT_FOUND")
    return found


@transaction.atomic
def quote_update(*, quote: Quote, actor: Any, changes: Mapping[str, Any]) -> Quote:
    """Change `discount_percent` (0-100), `shipping_method` (a code serving the quote's
    destination, or "" for none), `shipping_price` (excl. tax), `expires_at` (future),
    `shipping_address`, `billing_address`. Unknown fields: INVALID_INPUT."""
    allowed = {
        "discount_percent",
        "shipping_method",
        "shipping_price",
        "expires_at",
        "shipping_address",
        "billing_address",
    }
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise InvalidInput(
            _("Unknown fields: %(f)s") % {"f": ", ".join(unknown)[:200]},
            code="INVALID_INPUT",
            errors={name[:50]: [_("Unknown field.")] for name in unknown[:20]},
        )
    locked = _editable(quote.pk)
    before = {
        name: str(getattr(locked, name))
        for name in ("discount_percent", "shipping_method_code", "shipping_net", "expires_at")
    }
    if "discount_percent" in changes:
        pct = money_in(changes["discount_percent"], field="discount_percent")
        assert pct is not None
        if pct > HUNDRED:
            message = _("A discount is from 0 to 100 %.")
            raise InvalidInput(
                message, code="INVALID_DISCOUNT", errors={"discount_percent": [message]}
            )
        locked.discount_percent = pct
    for field in ("shipping_address", "billing_address"):
        if field in changes:
            setattr(locked, field, address_snapshot(changes[field], field=field))
    if "shipping_price" in changes:
        price = money_in(changes["shipping_price"], field="shipping_price")
        assert price is not None
        locked.shipping_net = price
    if "shipping_method" in changes:
        code = changes["shipping_method"]
        if code in ("", None):
            locked.shipping_method_code = locked.shipping_method_name = ""
            locked.shipping_net = Decimal("0.00")
        else:
            found = (
                shipping_rate(locked, ctx=quote_context(locked), code=code)
                if isinstance(code, str) and len(code) <= 50
                else None
            )
            if found is None:
                message = _("This shipping method does not serve the quote's address.")
                raise InvalidInput(
                    message,
                    code="SHIPPING_METHOD_UNAVAILABLE",
                    errors={"shipping_method": [message]},
                )
            locked.shipping_method_code = code
            locked.shipping_method_name = found[1][:200]
            locked.shipping_tax_rate = found[0]
    if "expires_at" in changes:
        locked.expires_at = _future(changes["expires_at"])
    if locked.shipping_net and not locked.shipping_method_code:
        # Shipping is taxed at its method's rate: no price without a method.
        message = _("Choose a shipping method for this shipping price.")
        raise InvalidInput(
            message, code="SHIPPING_METHOD_REQUIRED", errors={"shipping_method": [message]}
        )
    quote_recompute(locked)
    after = {
        name: str(getattr(locked, name))
        for name in ("discount_percent", "shipping_method_code", "shipping_net", "expires_at")
    }
    changed = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    event(locked, actor=actor, kind="updated", changes=changed, fields=sorted(changes))
    return locked


def _future(value: object) -> datetime:
    if not isinstance(value, datetime) or timezone.is_naive(value) or value <= timezone.now():
        message = _("Give a date and time in the future, with its time zone.")
        raise InvalidInput(message, code="INVALID_EXPIRY", errors={"expires_at": [message]})
    return value


@transaction.atomic
def quote_line_add(
    *, quote: Quote, actor: Any, sku: object, quantity: object, unit_price: object = None
) -> QuoteLine:
    """Add a line at the price engine's price for the quote's company, or at `unit_price`
    (excl. tax). Staff may quote any quantity (the buyer's quantity rules bind requests,
    not negotiation). QUOTE_LINES_INVALID for an unknown SKU, a SKU already quoted."""
    qty = _quantity(quantity)
    price = money_in(unit_price, field="unit_price", allow_none=True)
    locked = _editable(quote.pk)
    if not isinstance(sku, str) or not sku.strip() or len(sku) > 64:
        message = _("Enter a SKU.")
        raise InvalidInput(message, code="QUOTE_LINES_INVALID", errors={"sku": [message]})
    rows = lines_of(locked)
    if len(rows) >= MAX_LINES:
        message = _("A quote has at most %(n)d lines.") % {"n": MAX_LINES}
        raise InvalidInput(message, code="QUOTE_LINES_INVALID", errors={"sku": [message]})
    if any(row.sku == sku.strip() for row in rows):
        message = _("This SKU is already on another line.")
        raise InvalidInput(message, code="QUOTE_LINES_INVALID", errors={"sku": [message]})
    country = address_country(locked.shipping_address)
    try:
        ((_req, priced, variant),) = priced_lines(
            channel=locked.channel,
            company=locked.company,
            user=locked.requested_by,
            country=country,
            lines=[LineRequest(sku=sku.strip(), quantity=qty, target_unit_net=None)],
            quantity_rules=False,
        )
    except InvalidInput as exc:
        raise InvalidInput(
            exc.detail,
            code=exc.code,
            errors={"sku": [m for ms in (exc.errors or {}).values() for m in ms]},
        ) from None
    line = new_line(
        locked,
        price=priced,
        variant=variant,
        quantity=qty,
        position=max((row.position for row in rows), default=-1) + 1,
    )
    if price is not None:
        line.unit_net = price
    line.save()
    quote_recompute(locked, lines=[*rows, line])
    event(
        locked,
        actor=actor,
        kind="line_added",
        sku=line.sku,
        quantity=qty,
        unit_net=str(line.unit_net),
    )
    return line


@transaction.atomic
def quote_line_update(
    *, quote: Quote, actor: Any, line_id: int, changes: Mapping[str, Any]
) -> QuoteLine:
    """Change a line's `quantity` and/or negotiated `unit_price` (excl. tax)."""
    unknown = sorted(set(changes) - {"quantity", "unit_price"})
    if unknown:
        raise InvalidInput(
            _("Unknown fields: %(f)s") % {"f": ", ".join(unknown)[:200]},
            code="INVALID_INPUT",
            errors={name[:50]: [_("Unknown field.")] for name in unknown[:20]},
        )
    qty = _quantity(changes["quantity"]) if "quantity" in changes else None
    price = money_in(changes["unit_price"], field="unit_price") if "unit_price" in changes else None
    locked = _editable(quote.pk)
    rows = lines_of(locked)
    line = next((row for row in rows if row.pk == line_id), None)
    if line is None:
        raise NotFound(_("No such line on this quote."), code="QUOTE_LINE_NOT_FOUND")
    before = {"quantity": line.quantity, "unit_net": str(line.unit_net)}
    if qty is not None:
        line.quantity = qty
    if price is not None:
        line.unit_net = price
    line.save(update_fields=["quantity", "unit_net"])
    quote_recompute(locked, lines=rows)
    event(
        locked,
        actor=actor,
        kind="line_changed",
        sku=line.sku,
        before=before,
        after={"quantity": line.quantity, "unit_net": str(line.unit_net)},
    )
    return line


@transaction.atomic
def quote_line_delete(*, quote: Quote, actor: Any, line_id: int) -> None:
    """Remove a line; the last line cannot go (QUOTE_NEEDS_A_LINE, 409: cancel instead)."""
    locked = _editable(quote.pk)
    line = _line(locked, line_id)
    if locked.lines.count() <= 1:
        from comptoir.core.errors import Conflict

        raise Conflict(
            _("A quote keeps at least one line; cancel it instead."), code="QUOTE_NEEDS_A_LINE"
        )
    sku = line.sku
    line.delete()
    quote_recompute(locked)
    event(locked, actor=actor, kind="line_removed", sku=sku)


@transaction.atomic
def quote_send(*, quote: Quote, actor: Any, comment: object = None) -> QuoteRevision:
    """requested / in_negotiation / renegotiation_requested -> sent: a new version, its
    immutable revision (snapshot, author, comment), the reminder reset, and the buyer is
    emailed (quote.sent, from the outbox). 400 QUOTE_EXPIRY_PAST when its expiry has
    passed, QUOTE_ADDRESS_REQUIRED without a shipping address."""
    note = comment_text(comment)
    locked = quote_locked(quote_id=quote.pk)
    transition_check(locked.state, S.SENT)
    if locked.expires_at <= timezone.now():
        message = _("Set an expiry date in the future before sending.")
        raise InvalidInput(message, code="QUOTE_EXPIRY_PAST", errors={"expires_at": [message]})
    if not locked.shipping_address:
        message = _("The quote needs a shipping address before it is sent.")
        raise InvalidInput(
            message, code="QUOTE_ADDRESS_REQUIRED", errors={"shipping_address": [message]}
        )
    rows = quote_recompute(locked)
    locked.state = S.SENT
    locked.version += 1
    locked.reminded_at = None
    locked.save()
    revision = QuoteRevision.objects.create(
        quote=locked,
        version=locked.version,
        snapshot=snapshot(locked, rows),
        author=actor,
        comment=note,
    )
    if note:
        QuoteComment.objects.create(quote=locked, author=actor, body=note, by_staff=True)
    event(
        locked,
        actor=actor,
        kind="sent",
        version=locked.version,
        total_gross=str(locked.total_gross),
    )
    outbox.emit(
        "quote.sent", aggregate="quote", aggregate_id=locked.pk, payload={"version": locked.version}
    )
    return revision


@transaction.atomic
def quote_cancel(*, quote: Quote, actor: Any, comment: object = None) -> Quote:
    """Staff reject or withdraw a quote (any state but ordered, declined, expired,
    cancelled: INVALID_QUOTE_TRANSITION)."""
    note = comment_text(comment)
    locked = quote_locked(quote_id=quote.pk)
    transition_check(locked.state, S.CANCELLED)
    locked.state = S.CANCELLED
    locked.save(update_fields=["state", "updated_at"])
    if note:
        QuoteComment.objects.create(quote=locked, author=actor, body=note, by_staff=True)
    event(locked, actor=actor, kind="cancelled", comment=note)
    return locked
