"""Placing an order: the number from the channel's sequence, then the snapshot (order,
lines, allocations), the timeline and the outbox, in the caller's transaction."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Final

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.catalog.models import ProductVariant
from comptoir.channels.models import Channel
from comptoir.channels.selectors import channel_by_id
from comptoir.companies.models import Company
from comptoir.core.errors import Conflict, InvalidInput, invalid_from_django
from comptoir.core.validation import text_check
from comptoir.inventory.models import Stock, Warehouse
from comptoir.orders.models import (
    LINE_MONEY,
    ORDER_TOTALS,
    Order,
    OrderAllocation,
    OrderLine,
    OrderSequence,
    OrderStatus,
    PaymentStatus,
)
from comptoir.orders.records import DraftAllocation, DraftLine, OrderDraft
from comptoir.orders.services._common import (
    MAX_AMOUNT,
    MAX_QUANTITY,
    emit,
    event_add,
)

# Numbers have six digits at least ("BF-000042") and stay within the 32-character column.
NUMBER_DIGITS: Final = 6
MAX_NUMBER: Final = 10**12 - 1
PREFIX: Final = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,19}$")
ORDER_MONEY: Final = (*ORDER_TOTALS, "amount_paid")
ORDER_TEXT: Final = (
    "email",
    "language",
    "payment_method",
    "currency",
    "tax_treatment",
    "legal_mention",
    "shipping_method_code",
    "shipping_method_name",
    "customer_note",
    "po_number",
    "cost_centre",
    "checkout_ref",
)


# --- Numbers -------------------------------------------------------------------------------


def default_prefix(code: str) -> str:
    """The prefix a channel's sequence starts with: the upper-case initials of the words of
    its code, then a dash ("boutique-france" -> "BF-", "pro" -> "P-")."""
    initials = "".join(word[0] for word in re.split(r"[-_]+", code) if word).upper()
    initials = re.sub(r"[^A-Z0-9]", "", initials)[:4]
    return f"{initials or 'C'}-"


def _sequence(channel: Channel) -> OrderSequence:
    """The channel's sequence, created on first use (get_or_create: two first orders at
    once create it once). When the default prefix already belongs to another channel, the
    channel id is added to it ("BF-" -> "BF7-"): numbers are unique across channels."""
    found = OrderSequence.objects.filter(channel=channel).first()
    if found is not None:
        return found
    prefix = default_prefix(channel.code)
    candidates = [prefix, f"{prefix[:-1]}{channel.pk}-"]
    if OrderSequence.objects.filter(prefix=prefix).exists():
        candidates.pop(0)
    for candidate in candidates:
        try:
            with transaction.atomic():
                sequence, _created = OrderSequence.objects.get_or_create(
                    channel=channel, defaults={"prefix": candidate}
                )
        except IntegrityError:
            continue  # another channel holds this prefix
        return sequence
    raise Conflict(
        _("No free order number prefix for this channel; set one in the back-office."),
        code="ORDER_PREFIX_TAKEN",
    )


def number_format(prefix: str, value: int) -> str:
    return f"{prefix}{value:0{NUMBER_DIGITS}d}"


def next_number(channel: Channel) -> str:
    """Take the channel's next order number with one conditional UPDATE ... RETURNING (its
    sequence is created first when the channel has none). The row stays locked until the
    caller's transaction ends, so numbers are handed out one at a time, in order; a
    rolled-back placement gives its number back (no gaps)."""
    quote = connection.ops.quote_name
    table = quote(OrderSequence._meta.db_table)
    last, prefix = quote("last"), quote("prefix")
    channel_column = quote(OrderSequence._meta.get_field("channel").column)
    sql = (
        f"UPDATE {table} SET {last} = {last} + 1 "  # noqa: S608 - names from the model
        f"WHERE {channel_column} = %s AND {last} < %s RETURNING {last}, {prefix}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [channel.pk, MAX_NUMBER])
        row = cursor.fetchone()
        if row is None:
            # No sequence yet (the channel's first order; another first order may be
            # creating it right now), or the numbers ran out: make sure it exists (waiting
            # for a concurrent creation to commit), then ask once more.
            _sequence(channel)
            cursor.execute(sql, [channel.pk, MAX_NUMBER])
            row = cursor.fetchone()
    if row is None:
        raise Conflict(
            _("This channel has used all its order numbers."), code="ORDER_NUMBERS_EXHAUSTED"
        )
    return number_format(row[1], int(row[0]))


@transaction.atomic
def order_sequence_set_prefix(*, channel: Channel, prefix: str) -> OrderSequence:
    """Set the prefix of the channel's next order numbers (upper-case letters, digits and
    dashes, up to 20). 400 INVALID_PREFIX, 409 ORDER_PREFIX_TAKEN when another channel
    uses it."""
    if not isinstance(prefix, str) or not PREFIX.match(prefix):
        message = _("Use up to 20 upper-case letters, digits and dashes.")
        raise InvalidInput(message, code="INVALID_PREFIX", errors={"prefix": [message]})
    sequence = _sequence(channel)
    if OrderSequence.objects.filter(prefix=prefix).exclude(pk=sequence.pk).exists():
        raise Conflict(
            _("Another channel uses this prefix."),
            code="ORDER_PREFIX_TAKEN",
            errors={"prefix": [_("Another channel uses this prefix.")]},
        )
    locked = OrderSequence.objects.select_for_update().get(pk=sequence.pk)
    locked.prefix = prefix
    try:
        with transaction.atomic():
            locked.save(update_fields=["prefix"])
    except IntegrityError:
        raise Conflict(_("Another channel uses this prefix."), code="ORDER_PREFIX_TAKEN") from None
    return locked


# --- The draft -----------------------------------------------------------------------------


def _bad_draft(detail: str, field: str, message: str | None = None) -> InvalidInput:
    return InvalidInput(detail, code="INVALID_DRAFT", errors={field: [message or detail]})


def _money_ok(value: object) -> bool:
    return (
        isinstance(value, Decimal)
        and value.is_finite()
        and 0 <= value <= MAX_AMOUNT
        and value == value.quantize(Decimal("0.01"))
    )


def _count_ok(value: object, *, low: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= MAX_QUANTITY


def _check_line(index: int, line: object) -> DraftLine:
    field = f"lines.{index}"
    if not isinstance(line, DraftLine):
        raise _bad_draft(_("Each line must be a DraftLine."), field)
    if not isinstance(line.variant_id, int) or isinstance(line.variant_id, bool):
        raise _bad_draft(_("Unknown variant."), f"{field}.variant_id")
    if not _count_ok(line.quantity, low=1):
        raise _bad_draft(_("Invalid quantity."), f"{field}.quantity")
    if not _count_ok(line.quantity_backordered, low=0) or line.quantity_backordered > line.quantity:
        raise _bad_draft(_("Invalid backordered quantity."), f"{field}.quantity_backordered")
    for name in LINE_MONEY:
        if not _money_ok(getattr(line, name)):
            raise _bad_draft(_("Invalid amount."), f"{field}.{name}")
    rate = line.tax_rate
    if not isinstance(rate, Decimal) or not rate.is_finite() or not 0 <= rate < 1000:
        raise _bad_draft(_("Invalid tax rate."), f"{field}.tax_rate")
    allocated = 0
    for allocation in line.allocations:
        if not _count_ok(allocation.quantity, low=1) or not isinstance(allocation.stock_id, int):
            raise _bad_draft(_("Invalid allocation."), f"{field}.allocations")
        allocated += allocation.quantity
    if allocated + line.quantity_backordered != line.quantity:
        raise _bad_draft(
            _("A line's allocations and backordered units must add up to its quantity."),
            f"{field}.allocations",
        )
    return line


def _check_draft(draft: OrderDraft) -> None:
    """Everything about the draft that needs no query: types, amounts, counts, text."""
    if not isinstance(draft, OrderDraft):
        raise InvalidInput(_("An OrderDraft is needed."), code="INVALID_DRAFT")
    if not draft.lines:
        raise _bad_draft(_("An order needs at least one line."), "lines")
    for index, line in enumerate(draft.lines):
        _check_line(index, line)
    for name in ORDER_MONEY:
        if not _money_ok(getattr(draft, name)):
            raise _bad_draft(_("Invalid amount."), name)
    if draft.amount_paid > draft.total_gross:
        raise _bad_draft(_("More paid than the total."), "amount_paid")
    if draft.payment_status not in PaymentStatus.values:
        raise _bad_draft(_("Unknown payment status."), "payment_status")
    if draft.payment_status == PaymentStatus.PAID and draft.amount_paid != draft.total_gross:
        raise _bad_draft(_("A paid order has its total paid."), "amount_paid")
    for name in ORDER_TEXT:
        if not isinstance(getattr(draft, name), str):
            raise _bad_draft(_("Text expected."), name)
    text_check(
        **{name: getattr(draft, name) for name in ORDER_TEXT},
        shipping_address=draft.shipping_address,
        billing_address=draft.billing_address,
        tax_breakdown=draft.tax_breakdown,
        discounts=draft.discounts,
        coupon_codes=draft.coupon_codes,
        metadata=draft.metadata,
        lines=[(line.sku, line.product_name, line.variant_name, line.rule) for line in draft.lines],
    )


def _exists(model: Any, pk: int | None, field: str) -> None:
    if pk is not None and (not isinstance(pk, int) or not model.objects.filter(pk=pk).exists()):
        raise _bad_draft(_("Unknown reference."), field)


def _check_references(draft: OrderDraft) -> Channel:
    """The rows the draft points at exist (the channel, customer, company, pick-up
    warehouse, variants and stocks), and each allocation's stock holds its line's variant."""
    channel = None
    if isinstance(draft.channel_id, int) and not isinstance(draft.channel_id, bool):
        # From the process's copy of the channels while it is active (no query).
        with contextlib.suppress(Channel.DoesNotExist):
            channel = channel_by_id(channel_id=draft.channel_id)
    if channel is None:
        raise _bad_draft(_("Unknown channel."), "channel_id")
    if draft.currency != channel.currency:
        raise InvalidInput(
            _("The order's currency is not the channel's."),
            code="CURRENCY_MISMATCH",
            errors={"currency": [channel.currency]},
        )
    _exists(User, draft.user_id, "user_id")
    _exists(Company, draft.company_id, "company_id")
    _exists(Warehouse, draft.pickup_warehouse_id, "pickup_warehouse_id")
    variant_ids = {line.variant_id for line in draft.lines}
    found = set(ProductVariant.objects.filter(pk__in=variant_ids).values_list("pk", flat=True))
    if missing := variant_ids - found:
        raise InvalidInput(
            _("Unknown variant."),
            code="VARIANT_NOT_FOUND",
            errors={"lines": [str(pk) for pk in sorted(missing)]},
        )
    wanted = {a.stock_id: line.variant_id for line in draft.lines for a in line.allocations}
    stocks = dict(Stock.objects.filter(pk__in=wanted).values_list("pk", "variant_id"))
    for line in draft.lines:
        for allocation in line.allocations:
            if stocks.get(allocation.stock_id) != line.variant_id:
                raise _bad_draft(_("An allocation's stock is not the line's."), "allocations")
    return channel


def _full_clean(instance: Any, exclude: Iterable[str]) -> None:
    """Field checks (lengths, choices, email) without the queries of unique and foreign
    key checks, which are done once for the whole draft."""
    try:
        instance.full_clean(
            exclude=list(exclude), validate_unique=False, validate_constraints=False
        )
    except DjangoValidationError as exc:
        raise invalid_from_django(exc, code="INVALID_DRAFT") from exc


def _staff_still_there(staff_id: int | None) -> int | None:
    """The staff member who helped, unless their account was deleted since the draft was
    frozen (an approval decided days later): the order is placed all the same."""
    if staff_id is None or not User.objects.filter(pk=staff_id).exists():
        return None
    return staff_id


def _order_of(draft: OrderDraft, *, channel: Channel, number: str) -> Order:
    paid = draft.payment_status == PaymentStatus.PAID
    return Order(
        number=number,
        channel=channel,
        user_id=draft.user_id,
        company_id=draft.company_id,
        placed_by_staff_id=_staff_still_there(draft.placed_by_staff_id),
        status=OrderStatus.PAID if paid else OrderStatus.PLACED,
        placed_at=timezone.now(),
        pickup_warehouse_id=draft.pickup_warehouse_id,
        shipping_address=draft.shipping_address,
        billing_address=draft.billing_address,
        tax_breakdown=draft.tax_breakdown,
        discounts=draft.discounts,
        coupon_codes=list(draft.coupon_codes),
        metadata=draft.metadata,
        prices_include_tax=bool(draft.prices_include_tax),
        payment_status=draft.payment_status,
        **{name: getattr(draft, name) for name in (*ORDER_MONEY, *ORDER_TEXT)},
    )


def _insert(order: Order) -> None:
    """Save the order; a unique clash is a Conflict, not a 500."""
    try:
        with transaction.atomic():
            order.save(force_insert=True)
    except IntegrityError:
        if order.checkout_ref and Order.objects.filter(checkout_ref=order.checkout_ref).exists():
            raise Conflict(
                _("This checkout already placed an order."), code="ORDER_ALREADY_PLACED"
            ) from None
        if Order.objects.filter(number=order.number).exists():
            raise Conflict(
                _("Order number %(number)s is already used; change the channel's prefix.")
                % {"number": order.number},
                code="ORDER_NUMBER_TAKEN",
            ) from None
        raise


@transaction.atomic
def order_create(*, draft: OrderDraft, actor: Any = None) -> Order:
    """Place the order `draft` describes (checkout's snapshot): take the channel's next
    number, insert the order, its lines (in bulk) and their stock allocations, write the
    timeline event `placed` (and `paid` when placed paid) and the outbox events
    `order.placed` (and `order.paid`).

    Call it in the transaction that committed the stock and redeemed the coupons (lock
    order: stock, coupons, then the sequence). 400 INVALID_DRAFT / CURRENCY_MISMATCH /
    VARIANT_NOT_FOUND / INVALID_TEXT for a bad draft, 409 ORDER_ALREADY_PLACED when the
    checkout already placed one; nothing is written then."""
    _check_draft(draft)
    channel = _check_references(draft)
    lines = [
        OrderLine(
            variant_id=line.variant_id,
            sku=line.sku,
            product_name=line.product_name,
            variant_name=line.variant_name,
            quantity=line.quantity,
            quantity_backordered=line.quantity_backordered,
            tax_rate=line.tax_rate,
            rule=line.rule,
            **{name: getattr(line, name) for name in LINE_MONEY},
        )
        for line in draft.lines
    ]
    for line_row in lines:
        _full_clean(line_row, exclude=("order", "variant"))
    order = _order_of(draft, channel=channel, number="")
    _full_clean(order, exclude=("number", "channel", "user", "company", "pickup_warehouse"))
    order.number = next_number(channel)
    _insert(order)
    for line_row in lines:
        line_row.order = order
    OrderLine.objects.bulk_create(lines)
    OrderAllocation.objects.bulk_create(
        [
            OrderAllocation(
                line=line_row, stock_id=allocation.stock_id, quantity=allocation.quantity
            )
            for line_row, line in zip(lines, draft.lines, strict=True)
            for allocation in _merged(line)
        ]
    )
    event_add(order, "placed", actor=actor, data={"total_gross": f"{order.total_gross:.2f}"})
    emit("order.placed", order)
    if order.payment_status == PaymentStatus.PAID:
        paid = {"amount": f"{order.amount_paid:.2f}"}
        if draft.payment_reference:
            paid["reference"] = draft.payment_reference
        event_add(order, "paid", actor=actor, data=paid)
        emit("order.paid", order)
    return order


def _merged(line: DraftLine) -> list[DraftAllocation]:
    """The line's allocations, one per stock row (the same stock twice is added up)."""
    totals: dict[int, int] = {}
    for allocation in line.allocations:
        totals[allocation.stock_id] = totals.get(allocation.stock_id, 0) + allocation.quantity
    return [DraftAllocation(stock_id=k, quantity=v) for k, v in sorted(totals.items())]
