"""Shared pieces of the inventory services: limits, input checks, the one function that
changes on-hand quantity (`_move`, with its ledger row), the line checks of allocation and
reservation; the audit trail (comptoir.core.audit) re-exported (quantity changes are not
audited: their StockMovement carries the actor)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from django.db.models import F
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.catalog.models import ProductVariant
from comptoir.core.audit import audit, changed_fields  # noqa: F401 - re-exported to the services
from comptoir.core.errors import Conflict, InvalidInput, NotFound
from comptoir.core.validation import text_check
from comptoir.inventory.locks import stocks_for_update
from comptoir.inventory.models import MovementKind, Stock, StockMovement, Warehouse

# One operation moves at most this many units; on hand never exceeds MAX_ON_HAND (the
# columns are 32-bit integers).
MAX_QUANTITY: Final = 1_000_000
MAX_ON_HAND: Final = 2_000_000_000
REFERENCE_MAX_LENGTH: Final = StockMovement._meta.get_field("reference").max_length or 100


def _quantity(value: object, *, field: str = "quantity") -> int:
    """A positive whole number of units, at most MAX_QUANTITY, else InvalidInput."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_QUANTITY:
        raise InvalidInput(
            _("Quantity must be a whole number between 1 and %(max)d.") % {"max": MAX_QUANTITY},
            code="INVALID_QUANTITY",
            errors={field: ["INVALID_QUANTITY"]},
        )
    return value


def _texts(*, reference: str = "", note: str = "") -> None:
    """Reference and note can be stored: no forbidden character, reference within its column."""
    text_check(reference=reference, note=note)
    if len(reference) > REFERENCE_MAX_LENGTH:
        raise InvalidInput(
            _("The reference is limited to %(n)d characters.") % {"n": REFERENCE_MAX_LENGTH},
            code="INVALID_INPUT",
            errors={"reference": ["TOO_LONG"]},
        )


def _warehouse(warehouse: Warehouse, *, active: bool = True) -> Warehouse:
    """The warehouse as stored now: NotFound when it does not exist, Conflict when
    `active` is required and it is not."""
    current = Warehouse.objects.filter(pk=warehouse.pk).first() if warehouse.pk else None
    if current is None:
        raise NotFound(_("Unknown warehouse."), code="WAREHOUSE_NOT_FOUND")
    if active and not current.is_active:
        raise Conflict(
            _("Warehouse %(code)s is not active.") % {"code": current.code},
            code="WAREHOUSE_INACTIVE",
            errors={"warehouse": ["WAREHOUSE_INACTIVE"]},
        )
    return current


def _variant(variant: ProductVariant) -> None:
    if not variant.pk or not ProductVariant.objects.filter(pk=variant.pk).exists():
        raise NotFound(_("Unknown variant."), code="VARIANT_NOT_FOUND")


def _insufficient(detail: str, errors: dict[str, list[str]] | None = None) -> Conflict:
    return Conflict(detail, code="INSUFFICIENT_STOCK", errors=errors)


def _too_much(field: str = "quantity") -> InvalidInput:
    return InvalidInput(
        _("On-hand quantity cannot exceed %(max)d.") % {"max": MAX_ON_HAND},
        code="INVALID_QUANTITY",
        errors={field: ["INVALID_QUANTITY"]},
    )


def _locked(stock_id: int) -> Stock:
    (stock,) = stocks_for_update([stock_id])
    return stock


def _move(
    stock: Stock,
    *,
    kind: MovementKind,
    quantity: int,
    reference: str = "",
    note: str = "",
    actor: User | None = None,
) -> StockMovement:
    """Change the on-hand quantity of a LOCKED stock row by `quantity` and record it.
    Precondition: the caller holds the lock and checked the result stays in range."""
    Stock.objects.filter(pk=stock.pk).update(quantity=F("quantity") + quantity)
    return StockMovement.objects.create(
        stock=stock, kind=kind, quantity=quantity, reference=reference, note=note, actor=actor
    )


# --- Lines of allocations and reservations -------------------------------------------------


def _bad_lines() -> InvalidInput:
    return InvalidInput(
        _("Each line is a (variant id, quantity) pair."),
        code="INVALID_INPUT",
        errors={"lines": ["INVALID_INPUT"]},
    )


def _lines(lines: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The lines as (variant id, quantity) pairs: INVALID_INPUT when `lines` is not a list
    of pairs, VARIANT_NOT_FOUND for an id that is not an integer, INVALID_QUANTITY for no
    lines or a bad quantity."""
    if isinstance(lines, str | bytes) or not isinstance(lines, Sequence):
        raise _bad_lines()
    if not lines:
        raise InvalidInput(
            _("Nothing to allocate."), code="INVALID_QUANTITY", errors={"lines": ["EMPTY"]}
        )
    checked = []
    for line in lines:
        if not isinstance(line, tuple | list) or len(line) != 2:
            raise _bad_lines()
        variant_id, quantity = line
        if isinstance(variant_id, bool) or not isinstance(variant_id, int):
            raise NotFound(_("Unknown variant."), code="VARIANT_NOT_FOUND")
        checked.append((variant_id, _quantity(quantity)))
    return checked
