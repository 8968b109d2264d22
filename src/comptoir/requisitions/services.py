"""Writes of requisition lists (see docs/requisition-lists.md).

- Every call is made by a member of a company on a list they see (`selectors`); changing
  a list (its name, its lines, sharing it, deleting it) is for its owner when it is
  personal, and needs `requisitions.share` when it is shared (403
  REQUISITION_SHARE_DENIED); making a list shared needs it too. Anyone who sees a list may
  copy it (into a personal list) or add it to their cart.
- A list holds a variant once: adding a SKU already there adds the quantities (a note
  given replaces the line's). Writes to a list's lines lock the list's row first, so the
  line limit holds under concurrent additions.
- Adding to a cart goes through the cart's bulk service (`cart.services.lines_add_bulk`):
  each line is added or rejected with its reason, exactly as a quick order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from django.db import transaction
from django.utils.translation import gettext as _

from comptoir.cart import services as cart_services
from comptoir.cart.models import Cart, CartLine
from comptoir.cart.services import BulkLine, BulkResult
from comptoir.catalog.models import ProductVariant
from comptoir.channels.selectors import channel_by_id
from comptoir.companies.selectors import member_can
from comptoir.core.errors import InvalidInput, NotFound, PermissionDenied
from comptoir.core.text import text_storable
from comptoir.core.validation import UNSET, Unset, text_limit
from comptoir.orders.selectors import order_for_customer
from comptoir.requisitions.models import RequisitionList, RequisitionListLine
from comptoir.requisitions.selectors import (
    SHARE,
    may_edit,
    member_company,
    requisition_list_get,
)

MAX_LISTS: Final = 100  # per member (personal and shared lists they own)
MAX_LINES: Final = 500  # per list: what one bulk addition to a cart takes
MAX_QUANTITY: Final = 9999
NAME_MAX: Final = 100
NOTE_MAX: Final = 255
SKU_MAX: Final = 64


def _share_denied() -> PermissionDenied:
    return PermissionDenied(
        _("Your role does not allow changing the company's shared lists."),
        code="REQUISITION_SHARE_DENIED",
    )


def _editable(user: Any, list_id: int) -> RequisitionList:
    """The list, locked, if the caller may change it (404 / 403 otherwise)."""
    rlist = requisition_list_get(user=user, list_id=list_id, for_update=True)
    if not may_edit(user, rlist):
        raise _share_denied()
    return rlist


def _name(value: object) -> str:
    return text_limit(value, field="name", limit=NAME_MAX, required=True)


def _shared(value: object, user: Any) -> bool:
    if not isinstance(value, bool):
        message = _("Must be true or false.")
        raise InvalidInput(message, code="INVALID_INPUT", errors={"shared": [message]})
    if value and not member_can(user, SHARE):
        raise _share_denied()
    return value


def _quantity(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_QUANTITY:
        message = _("A quantity is a whole number from 1 to %(max)s.") % {"max": MAX_QUANTITY}
        raise InvalidInput(message, code="INVALID_QUANTITY", errors={"quantity": [message]})
    return value


def _note(value: object) -> str:
    return text_limit(value, field="note", limit=NOTE_MAX)


def _variant(sku: object) -> ProductVariant:
    cleaned = sku.strip() if isinstance(sku, str) else ""
    found = None
    if cleaned and len(cleaned) <= SKU_MAX and text_storable(cleaned):
        found = ProductVariant.objects.filter(sku=cleaned).first()
    if found is None:
        message = _("Unknown SKU: %(sku)s.") % {"sku": cleaned[:SKU_MAX] or "?"}
        raise InvalidInput(message, code="UNKNOWN_SKU", errors={"sku": [message]})
    return found


@transaction.atomic
def requisition_list_create(*, user: Any, name: str, shared: bool = False) -> RequisitionList:
    """A new list of the caller's company, owned by the caller. Errors: 400 INVALID_INPUT
    (name: 1 to 100 characters), INVALID_TEXT, REQUISITION_LIST_LIMIT; 403
    REQUISITION_SHARE_DENIED (shared without `requisitions.share`); 404
    NOT_A_COMPANY_MEMBER."""
    company = member_company(user)
    cleaned, is_shared = _name(name), _shared(shared, user)
    if RequisitionList.objects.filter(owner_id=user.pk).count() >= MAX_LISTS:
        raise InvalidInput(
            _("You have %(max)s requisition lists: delete one first.") % {"max": MAX_LISTS},
            code="REQUISITION_LIST_LIMIT",
        )
    return RequisitionList.objects.create(
        company=company, owner=user, name=cleaned, shared=is_shared
    )


@transaction.atomic
def requisition_list_update(
    *, user: Any, list_id: int, name: str | Unset = UNSET, shared: bool | Unset = UNSET
) -> RequisitionList:
    """Rename a list and/or share it or make it personal again (only its owner makes it
    personal: it then leaves the others' view). Errors as `requisition_list_create`, and
    404 REQUISITION_LIST_NOT_FOUND."""
    rlist = _editable(user, list_id)
    fields = []
    if name is not UNSET:
        rlist.name = _name(name)
        fields.append("name")
    if shared is not UNSET:
        rlist.shared = _shared(shared, user)
        if not rlist.shared and rlist.owner_id != user.pk:
            raise _share_denied()
        fields.append("shared")
    if fields:
        rlist.save(update_fields=[*fields, "updated_at"])
    return rlist


@transaction.atomic
def requisition_list_delete(*, user: Any, list_id: int) -> None:
    """Delete a list and its lines (404 REQUISITION_LIST_NOT_FOUND, 403
    REQUISITION_SHARE_DENIED)."""
    _editable(user, list_id).delete()


@transaction.atomic
def requisition_list_copy(*, user: Any, list_id: int, name: str = "") -> RequisitionList:
    """A personal copy of a list the caller sees, with its lines (named "<name> (copy)"
    unless `name` is given)."""
    source = requisition_list_get(user=user, list_id=list_id)
    default = _("%(name)s (copy)") % {"name": source.name}
    copy = requisition_list_create(user=user, name=name or default[:NAME_MAX], shared=False)
    RequisitionListLine.objects.bulk_create(
        RequisitionListLine(
            requisition_list=copy,
            variant_id=line.variant_id,
            quantity=line.quantity,
            note=line.note,
        )
        for line in RequisitionListLine.objects.filter(requisition_list=source).order_by("id")
    )
    return copy


@transaction.atomic
def requisition_line_add(
    *, user: Any, list_id: int, sku: str, quantity: int = 1, note: str = ""
) -> RequisitionListLine:
    """Add a SKU to a list: to its line when the list has it (quantities add up; a note
    given replaces the line's), else as a new line. Errors: 400 UNKNOWN_SKU,
    INVALID_QUANTITY (also: the line would hold more than 9999), INVALID_INPUT (note over
    255 characters), REQUISITION_LIST_FULL; 403 REQUISITION_SHARE_DENIED; 404
    REQUISITION_LIST_NOT_FOUND."""
    quantity, cleaned_note = _quantity(quantity), _note(note)
    rlist = _editable(user, list_id)
    variant = _variant(sku)
    line = RequisitionListLine.objects.filter(requisition_list=rlist, variant=variant).first()
    if line is None:
        if RequisitionListLine.objects.filter(requisition_list=rlist).count() >= MAX_LINES:
            raise InvalidInput(
                _("A requisition list holds at most %(max)s lines.") % {"max": MAX_LINES},
                code="REQUISITION_LIST_FULL",
            )
        line = RequisitionListLine.objects.create(
            requisition_list=rlist, variant=variant, quantity=quantity, note=cleaned_note
        )
    else:
        line.quantity = _quantity(line.quantity + quantity)
        if cleaned_note:
            line.note = cleaned_note
        line.save(update_fields=["quantity", "note"])
    rlist.save(update_fields=["updated_at"])
    return line


def _line(rlist: RequisitionList, line_id: int) -> RequisitionListLine:
    found = None
    if not isinstance(line_id, bool) and isinstance(line_id, int) and 0 < line_id < 2**63:
        found = RequisitionListLine.objects.filter(requisition_list=rlist, pk=line_id).first()
    if found is None:
        raise NotFound(_("This list has no such line."), code="LINE_NOT_FOUND")
    return found


@transaction.atomic
def requisition_line_update(
    *,
    user: Any,
    list_id: int,
    line_id: int,
    quantity: int | Unset = UNSET,
    note: str | Unset = UNSET,
) -> RequisitionListLine:
    """Change a line's quantity and/or note (404 LINE_NOT_FOUND, and the errors of
    `requisition_line_add`)."""
    checked_quantity = UNSET if quantity is UNSET else _quantity(quantity)
    checked_note = UNSET if note is UNSET else _note(note)
    rlist = _editable(user, list_id)
    line = _line(rlist, line_id)
    if checked_quantity is not UNSET:
        line.quantity = checked_quantity
    if checked_note is not UNSET:
        line.note = checked_note
    line.save(update_fields=["quantity", "note"])
    rlist.save(update_fields=["updated_at"])
    return line


@transaction.atomic
def requisition_line_delete(*, user: Any, list_id: int, line_id: int) -> None:
    rlist = _editable(user, list_id)
    _line(rlist, line_id).delete()
    rlist.save(update_fields=["updated_at"])


@transaction.atomic
def requisition_list_to_cart(
    *, user: Any, list_id: int, cart: Cart, line_ids: Sequence[int] | None = None
) -> BulkResult:
    """Add the list's lines (or those of `line_ids`, in the list's order) to `cart` (the
    caller's: see `cart.selectors.cart_for`) through the cart's bulk service: each line is
    added or rejected with its reason (the line numbers are the lines' positions in the
    list). The list does not change. Errors: 400 INVALID_INPUT (a line id not in the
    list), 404 REQUISITION_LIST_NOT_FOUND, and the cart's (CART_LOCKED, CART_NOT_FOUND)."""
    rlist = requisition_list_get(user=user, list_id=list_id)
    rows = list(
        RequisitionListLine.objects.filter(requisition_list=rlist)
        .select_related("variant")
        .order_by("id")
    )
    if line_ids is not None:
        wanted = set(line_ids)
        unknown = wanted - {row.pk for row in rows}
        if unknown or not wanted:
            message = _("Choose lines of this list.")
            raise InvalidInput(message, code="INVALID_INPUT", errors={"line_ids": [message]})
    lines = [
        BulkLine(
            line=position,
            sku=row.variant.sku,
            quantity=row.quantity,
            value=f"{row.variant.sku} {row.quantity}",
        )
        for position, row in enumerate(rows, start=1)
        if line_ids is None or row.pk in wanted
    ]
    return cart_services.lines_add_bulk(cart=cart, lines=lines, user=user)


@transaction.atomic
def order_reorder(
    *, user: Any, number: str, cart: Cart | None = None, language: str = "fr"
) -> tuple[Cart, BulkResult]:
    """Add the lines of order `number` to `cart` at today's prices, through the cart's
    bulk service: a line no longer sold (unknown SKU, unpublished, out of stock, a
    quantity the buyer's list no longer allows) comes back rejected with its reason (line
    numbers are the order's lines, in order). The order must be the caller's, or their
    company's when their role sees every order of the company (`orders.view_all`); any
    other is 404 ORDER_NOT_FOUND. Without `cart`, the caller's cart in the order's channel
    (created when there is none). Returns the cart and what was added or rejected."""
    order = order_for_customer(user=user, number=number, detailed=False)
    if cart is None:
        channel = channel_by_id(channel_id=order.channel_id)
        cart = cart_services.cart_create(channel=channel, user=user, language=language)
    lines = [
        BulkLine(
            line=position, sku=line.sku, quantity=line.quantity, value=f"{line.sku} {line.quantity}"
        )
        for position, line in enumerate(order.lines.all(), start=1)
    ]
    return cart, cart_services.lines_add_bulk(cart=cart, lines=lines, user=user)


@transaction.atomic
def lines_from_cart(*, user: Any, list_id: int, cart: Cart) -> int:
    """Add every line of `cart` (the caller's; not the saved-for-later ones) to a list the
    caller may change, in one upsert: a variant already in the list adds its quantity
    (capped at 9999). Returns how many cart lines were taken. Errors: 400
    REQUISITION_LIST_FULL, 403 REQUISITION_SHARE_DENIED, 404 REQUISITION_LIST_NOT_FOUND."""
    rlist = _editable(user, list_id)
    wanted = list(
        CartLine.objects.filter(cart=cart, saved_for_later=False)
        .order_by("id")
        .values_list("variant_id", "quantity")
    )
    existing = dict(
        RequisitionListLine.objects.filter(requisition_list=rlist).values_list(
            "variant_id", "quantity"
        )
    )
    if len(existing.keys() | {variant_id for variant_id, _q in wanted}) > MAX_LINES:
        raise InvalidInput(
            _("A requisition list holds at most %(max)s lines.") % {"max": MAX_LINES},
            code="REQUISITION_LIST_FULL",
        )
    RequisitionListLine.objects.bulk_create(
        [
            RequisitionListLine(
                requisition_list=rlist,
                variant_id=variant_id,
                quantity=min(existing.get(variant_id, 0) + quantity, MAX_QUANTITY),
            )
            for variant_id, quantity in wanted
        ],
        update_conflicts=True,
        unique_fields=["requisition_list", "variant"],
        update_fields=["quantity"],
    )
    rlist.save(update_fields=["updated_at"])
    return len(wanted)
