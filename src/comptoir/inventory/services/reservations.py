"""Reservations: stock held for an open checkout (its `token`) until an expiry.

A reservation is allocated stock (`Stock.quantity_allocated`) plus the Reservation rows
that say which checkout holds it, under one ReservationHold per token. Committing hands
the allocated units to the order (rows deleted, allocation kept); releasing or expiring
gives them back. Lock order: the token's hold, then stock rows in primary-key order
(docs/checkout.md)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.channels.models import Channel
from comptoir.core.errors import Conflict, InvalidInput
from comptoir.core.text import text_storable
from comptoir.inventory.locks import stocks_for_update
from comptoir.inventory.models import Reservation, ReservationHold
from comptoir.inventory.selectors import Allocation
from comptoir.inventory.services._common import _lines
from comptoir.inventory.services.allocation import (
    _allocate_locked,
    _allocated_changes,
    _per_stock,
)

TOKEN_MAX_LENGTH: Final = ReservationHold._meta.get_field("token").max_length or 120
# Holds released per transaction by `reservations_expire` (short locks, bounded memory).
EXPIRE_BATCH: Final = 200


@dataclass(frozen=True)
class Reserved:
    """What `stock_reserve` holds: allocations per stock row, and per variant the units
    accepted beyond free stock (products allowing backorders)."""

    reservations: list[Allocation]
    backordered: dict[int, int] = field(default_factory=dict)


def _token(token: object) -> str:
    if (
        not isinstance(token, str)
        or not token
        or len(token) > TOKEN_MAX_LENGTH
        or not text_storable(token)
    ):
        raise InvalidInput(
            _("The checkout token must be 1 to %(n)d characters.") % {"n": TOKEN_MAX_LENGTH},
            code="INVALID_INPUT",
            errors={"token": ["INVALID_INPUT"]},
        )
    return token


def _expiry(expires_at: object) -> datetime:
    if not isinstance(expires_at, datetime) or not timezone.is_aware(expires_at):
        raise InvalidInput(
            _("The expiry must be a date and time with its time zone."),
            code="INVALID_INPUT",
            errors={"expires_at": ["INVALID_INPUT"]},
        )
    return expires_at


def _busy() -> Conflict:
    return Conflict(
        _("This checkout is being changed by another request; try again."),
        code="RESERVATION_BUSY",
    )


def _hold_locked(token: str) -> ReservationHold | None:
    return ReservationHold.objects.select_for_update().filter(token=token).first()


def _hold_created_or_locked(token: str, expires_at: datetime) -> tuple[ReservationHold, bool]:
    """The token's hold, locked, and whether it was created here (then it holds nothing
    yet). Two requests creating it at once: the second waits for the first (unique token)
    and then locks the first's row."""
    for _attempt in range(3):
        if (hold := _hold_locked(token)) is not None:
            return hold, False
        try:
            with transaction.atomic():
                return ReservationHold.objects.create(token=token, expires_at=expires_at), True
        except IntegrityError:
            continue
    raise _busy()


def _held(tokens: Sequence[str]) -> dict[int, int]:
    """Stock id -> units the Reservation rows of `tokens` hold."""
    totals: dict[int, int] = defaultdict(int)
    for stock_id, quantity in Reservation.objects.filter(token__in=tokens).values_list(
        "stock_id", "quantity"
    ):
        totals[stock_id] += quantity
    return dict(totals)


def _give_back(held: dict[int, int]) -> int:
    """Deallocate `held` (stock id -> units) on rows locked here in primary-key order;
    the number of units."""
    locked = {s.pk: s for s in stocks_for_update(held)}
    _allocated_changes({pk: -n for pk, n in held.items()}, locked)
    return sum(held.values())


@transaction.atomic
def stock_reserve(
    *,
    token: str,
    lines: Sequence[tuple[int, int]],
    channel: Channel,
    expires_at: datetime,
) -> Reserved:
    """Hold stock for the checkout `token` until `expires_at` (an aware datetime): the
    (variant_id, quantity) lines are allocated over the warehouses serving `channel` by
    priority, like `stock_allocate`, and one Reservation row per stock row records it.
    A line of a product that allows backorders takes the free stock there is and the rest
    is returned in `backordered`; any other short line is 409 INSUFFICIENT_STOCK (errors
    keyed by SKU) and nothing changes (a previous reservation of the token stays as it
    was). Reserving a token again replaces its previous reservation atomically (its units
    count as free for the new plan). Also 400 INVALID_INPUT / INVALID_QUANTITY, 404
    VARIANT_NOT_FOUND."""
    token = _token(token)
    expires_at = _expiry(expires_at)
    checked = _lines(lines)
    hold, created = _hold_created_or_locked(token, expires_at)
    held = {} if created else _held([token])
    plan = _allocate_locked(lines=checked, channel=channel, backorders=True, held=held)
    if held:
        Reservation.objects.filter(token=token).delete()
    Reservation.objects.bulk_create(
        Reservation(token=token, stock_id=stock_id, quantity=quantity, expires_at=expires_at)
        for stock_id, quantity in sorted(_per_stock(plan.allocations).items())
    )
    backordered = plan.backordered
    hold.expires_at = expires_at
    hold.backordered = {str(k): v for k, v in sorted(backordered.items())}
    hold.save(update_fields=["expires_at", "backordered", "updated_at"])
    return Reserved(reservations=list(plan.allocations), backordered=backordered)


def _allocations(token: str) -> list[Allocation]:
    return [
        Allocation(stock_id, warehouse_id, variant_id, quantity)
        for stock_id, warehouse_id, variant_id, quantity in Reservation.objects.filter(token=token)
        .order_by("stock_id")
        .values_list("stock_id", "stock__warehouse_id", "stock__variant_id", "quantity")
    ]


@transaction.atomic
def reservation_commit(*, token: str) -> list[Allocation]:
    """The order was placed: the stock held for `token` now belongs to it. Deletes the
    token's hold and Reservation rows (the units stay allocated, to the order lines) and
    returns what was held, by stock row (empty when every line was backordered). 409
    RESERVATION_EXPIRED when nothing is held any more (released, expired and released by
    the worker, or never reserved). A reservation past its expiry that the worker has not
    released yet is still held and commits."""
    token = _token(token)
    hold = _hold_locked(token)
    if hold is None:
        raise Conflict(
            _("The stock held for this checkout was released; check the cart again."),
            code="RESERVATION_EXPIRED",
        )
    allocations = _allocations(token)
    Reservation.objects.filter(token=token).delete()
    hold.delete()
    return allocations


@transaction.atomic
def reservation_release(*, token: str) -> int:
    """Give back the stock held for `token` (a declined payment, an abandoned checkout):
    deallocates it and deletes the hold. Returns the number of units released (0 when
    nothing was held: releasing twice is harmless)."""
    token = _token(token)
    hold = _hold_locked(token)
    if hold is None:
        return 0
    released = _give_back(_held([token]))
    Reservation.objects.filter(token=token).delete()
    hold.delete()
    return released


def reservations_expire(*, now: datetime | None = None) -> int:
    """Release every hold whose expiry is at or before `now` (default: now), in
    transactions of EXPIRE_BATCH holds. A hold another transaction has locked (being
    committed or replaced right now) is skipped, not waited for; the next run sees it if
    it still exists. Returns the number of units released. Run periodically (Celery task
    `inventory.reservations_expire`)."""
    now = _expiry(now) if now is not None else timezone.now()
    released = 0
    while True:
        with transaction.atomic():
            holds = list(
                ReservationHold.objects.select_for_update(skip_locked=True)
                .filter(expires_at__lte=now)
                .order_by("pk")[:EXPIRE_BATCH]
            )
            if not holds:
                break
            tokens = [hold.token for hold in holds]
            held = _held(tokens)
            if held:
                released += _give_back(held)
            Reservation.objects.filter(token__in=tokens).delete()
            ReservationHold.objects.filter(pk__in=[hold.pk for hold in holds]).delete()
        if len(holds) < EXPIRE_BATCH:
            break
    return released
