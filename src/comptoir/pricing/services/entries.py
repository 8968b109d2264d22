"""Writes for the entries of a price list: the unit price of a variant, its quantity rules
(minimum, maximum, "sold by") and its volume tiers.

`entry_check` holds every rule an entry obeys; the single-entry service, the CSV import and
the admin forms all call it, so an entry is refused for the same reasons, with the same
codes, wherever it comes from:

- INVALID_PRICE: a price that is not a number, zero or negative, above 9999999999.99, or
  with more decimals than the currency has (two for EUR);
- QUANTITY_RULE: a minimum below 1, an increment below 1, a maximum below the minimum, or
  a minimum or maximum that is not a multiple of the increment;
- OVERLAPPING_TIERS: two tiers starting at the same quantity;
- INVALID_TIER: a tier starting below 2, at or below the entry's minimum, above its
  maximum; a tier price not lower than the entry's unit price, or not lower than the
  price of the tier before it (tier prices strictly decrease as quantities grow).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from django.contrib.admin.models import CHANGE
from django.db import transaction
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.catalog.models import ProductVariant
from comptoir.core.errors import InvalidInput
from comptoir.core.money import minor_unit, quantize
from comptoir.core.text import text_storable
from comptoir.core.validation import decimal_or_none
from comptoir.pricing.models import PriceList, PriceListEntry, PriceTier
from comptoir.pricing.services._common import audit, price_list_lock, validate

PRICE_MAX: Final = Decimal("9999999999.99")  # DecimalField(max_digits=12, decimal_places=2)
QUANTITY_MAX: Final = 2_147_483_647  # PositiveIntegerField on every database
MAX_TIERS: Final = 50

type TierInput = tuple[Any, Any]


@dataclass(frozen=True, slots=True)
class EntryRules:
    """A checked entry: prices quantized to the currency, tiers sorted by quantity."""

    unit_price: Decimal
    min_quantity: int = 1
    max_quantity: int | None = None
    increment: int = 1
    tiers: tuple[tuple[int, Decimal], ...] = ()

    def describe(self, *, sku: str, currency: str) -> str:
        """One line for the history: "ABC-1: 9.50 EUR; from 6 to 600 by 6; 60+: 9.00"."""
        text = f"{sku}: {self.unit_price} {currency}"
        if (self.min_quantity, self.max_quantity, self.increment) != (1, None, 1):
            upper = "" if self.max_quantity is None else f"-{self.max_quantity}"
            text += f"; qty {self.min_quantity}{upper} x{self.increment}"
        if self.tiers:
            text += "; " + ", ".join(f"{q}+: {p}" for q, p in self.tiers)
        return text


def _price_message(value: object, currency: str) -> tuple[str, Decimal | None]:
    """("", the price) for a valid price, or (the reason, None)."""
    amount = decimal_or_none(value)
    if amount is None:
        return _("Not a valid price: “%(value)s”.") % {"value": str(value)[:30]}, None
    message = ""
    if amount <= 0:
        message = _("A price must be more than zero (got %(value)s).") % {"value": amount}
    elif amount > PRICE_MAX:
        message = _("A price cannot exceed %(max)s.") % {"max": PRICE_MAX}
    elif quantize(amount, currency) != amount:
        digits = -int(minor_unit(currency).as_tuple().exponent)
        message = _("Too many decimals in %(value)s: %(currency)s prices have %(digits)s.") % {
            "value": amount,
            "currency": currency,
            "digits": digits,
        }
    return (message, None) if message else ("", quantize(amount, currency))


def price_parse(value: object, *, currency: str, field: str = "unit_price") -> Decimal:
    """A price (Decimal, int or decimal string) > 0 with no more decimals than the currency
    has, quantized. Raises InvalidInput(INVALID_PRICE) naming `field`."""
    message, amount = _price_message(value, currency)
    if amount is None:
        raise InvalidInput(message, code="INVALID_PRICE", errors={field: [message]})
    return amount


def _is_quantity(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= QUANTITY_MAX


def _quantity_errors(
    min_quantity: object, max_quantity: object, increment: object
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not _is_quantity(min_quantity):
        errors["min_quantity"] = [_("The minimum quantity must be a whole number, 1 or more.")]
    if not _is_quantity(increment):
        errors["increment"] = [_("“Sold by” must be a whole number, 1 or more.")]
    if max_quantity is not None and not _is_quantity(max_quantity):
        errors["max_quantity"] = [
            _("The maximum quantity must be a whole number, 1 or more, or empty for no maximum.")
        ]
    if errors:
        return errors
    assert isinstance(min_quantity, int)
    assert isinstance(increment, int)
    if isinstance(max_quantity, int) and max_quantity < min_quantity:
        errors["max_quantity"] = [
            _("The maximum quantity (%(max)s) is below the minimum quantity (%(min)s).")
            % {"max": max_quantity, "min": min_quantity}
        ]
    if min_quantity % increment:
        errors["min_quantity"] = [
            _(
                "The minimum quantity (%(min)s) must be a multiple of “sold by” (%(inc)s): "
                "buyers order by %(inc)s."
            )
            % {"min": min_quantity, "inc": increment}
        ]
    if isinstance(max_quantity, int) and max_quantity % increment:
        errors.setdefault("max_quantity", []).append(
            _(
                "The maximum quantity (%(max)s) must be a multiple of “sold by” (%(inc)s): "
                "buyers order by %(inc)s."
            )
            % {"max": max_quantity, "inc": increment}
        )
    return errors


def _tier_pairs(tiers: Iterable[TierInput], currency: str) -> list[tuple[int, Decimal]]:
    """The tiers as (quantity, price) pairs; INVALID_TIER / INVALID_PRICE for malformed ones."""
    pairs: list[tuple[int, Decimal]] = []
    shape: list[str] = []
    prices: list[str] = []
    for tier in tiers:
        if len(pairs) + len(shape) + len(prices) >= MAX_TIERS:
            message = _("At most %(n)s volume tiers per entry.") % {"n": MAX_TIERS}
            raise InvalidInput(message, code="INVALID_TIER", errors={"tiers": [message]})
        try:
            quantity, price = tier
        except (TypeError, ValueError):
            shape.append(_("A tier is a pair (from quantity, unit price)."))
            continue
        if not _is_quantity(quantity):
            shape.append(
                _("A tier's quantity must be a whole number (got %(value)s).")
                % {"value": str(quantity)[:30]}
            )
            continue
        message, amount = _price_message(price, currency)
        if amount is None:
            prices.append(
                _("Tier from %(quantity)s: %(reason)s") % {"quantity": quantity, "reason": message}
            )
            continue
        pairs.append((quantity, amount))
    if prices:
        raise InvalidInput(prices[0], code="INVALID_PRICE", errors={"tiers": prices})
    if shape:
        raise InvalidInput(shape[0], code="INVALID_TIER", errors={"tiers": shape})
    return pairs


def entry_check(
    *,
    currency: str,
    unit_price: object,
    min_quantity: object = 1,
    max_quantity: object = None,
    increment: object = 1,
    tiers: Iterable[TierInput] = (),
) -> EntryRules:
    """Every rule of a price list entry (see the module's docstring), checked in this order:
    prices (INVALID_PRICE), quantity rules (QUANTITY_RULE), tiers (OVERLAPPING_TIERS, then
    INVALID_TIER). The first kind of problem found is raised as InvalidInput with all its
    messages, per field (`unit_price`, `min_quantity`, `max_quantity`, `increment`,
    `tiers`). Returns the entry with its prices quantized and its tiers sorted."""
    price = price_parse(unit_price, currency=currency)
    pairs = _tier_pairs(tiers, currency)
    errors = _quantity_errors(min_quantity, max_quantity, increment)
    if errors:
        first = next(iter(errors.values()))[0]
        raise InvalidInput(first, code="QUANTITY_RULE", errors=errors)
    assert isinstance(min_quantity, int)
    assert isinstance(increment, int)
    maximum = max_quantity if isinstance(max_quantity, int) else None

    quantities = [q for q, _p in pairs]
    repeated = sorted({q for q in quantities if quantities.count(q) > 1})
    if repeated:
        message = _("Several tiers start at the same quantity: %(quantities)s.") % {
            "quantities": ", ".join(map(str, repeated))
        }
        raise InvalidInput(message, code="OVERLAPPING_TIERS", errors={"tiers": [message]})

    pairs.sort()
    problems: list[str] = []
    previous: tuple[int, Decimal] | None = None
    for quantity, tier_price in pairs:
        if quantity < 2:
            problems.append(
                _("The tier from %(q)s cannot apply: tiers start at 2 or more.") % {"q": quantity}
            )
        elif quantity <= min_quantity:
            problems.append(
                _(
                    "The tier from %(q)s must start above the minimum quantity (%(min)s), "
                    "where the unit price applies."
                )
                % {"q": quantity, "min": min_quantity}
            )
        elif maximum is not None and quantity > maximum:
            problems.append(
                _("The tier from %(q)s can never apply: the maximum quantity is %(max)s.")
                % {"q": quantity, "max": maximum}
            )
        if tier_price >= price:
            problems.append(
                _(
                    "The tier from %(q)s costs %(price)s, not less than the unit price "
                    "%(unit)s: a volume tier must lower the price."
                )
                % {"q": quantity, "price": tier_price, "unit": price}
            )
        elif previous is not None and tier_price >= previous[1]:
            problems.append(
                _(
                    "The tier from %(q)s costs %(price)s, not less than the tier from "
                    "%(prev_q)s (%(prev)s): tier prices must decrease as quantities grow."
                )
                % {"q": quantity, "price": tier_price, "prev_q": previous[0], "prev": previous[1]}
            )
        previous = (quantity, tier_price)
    if problems:
        raise InvalidInput(problems[0], code="INVALID_TIER", errors={"tiers": problems})
    return EntryRules(
        unit_price=price,
        min_quantity=min_quantity,
        max_quantity=maximum,
        increment=increment,
        tiers=tuple(pairs),
    )


def variant_by_sku(sku: object) -> ProductVariant:
    """The variant with this SKU; InvalidInput(UNKNOWN_SKU) otherwise (a reference in a
    request to something unknown is bad input, a 400); so is a SKU no column can hold."""
    text = sku.strip() if isinstance(sku, str) else ""
    valid = 0 < len(text) <= 64 and text_storable(text)
    variant = ProductVariant.objects.filter(sku=text).first() if valid else None
    if variant is None:
        message = _("Unknown SKU: %(sku)s.") % {"sku": str(sku)[:64]}
        raise InvalidInput(message, code="UNKNOWN_SKU", errors={"sku": [message]})
    return variant


def entry_rules(entry: PriceListEntry, tiers: Sequence[PriceTier] | None = None) -> EntryRules:
    """The rules stored for `entry` (its tiers as given, or read)."""
    rows = tiers if tiers is not None else list(entry.tiers.all())
    return EntryRules(
        unit_price=entry.unit_price,
        min_quantity=entry.min_quantity,
        max_quantity=entry.max_quantity,
        increment=entry.increment,
        tiers=tuple(sorted((t.min_quantity, t.unit_price) for t in rows)),
    )


def _changed_fields(before: EntryRules, after: EntryRules) -> list[str]:
    # Verbose names of the model fields, translated when the history is shown.
    names = {
        "unit_price": "unit price",
        "min_quantity": "minimum quantity",
        "max_quantity": "maximum quantity",
        "increment": "sold by",
        "tiers": "volume tiers",
    }
    return [
        label for field, label in names.items() if getattr(before, field) != getattr(after, field)
    ]


@transaction.atomic
def price_list_entry_set(
    *,
    price_list: PriceList,
    unit_price: Decimal | int | str,
    variant: ProductVariant | None = None,
    sku: str | None = None,
    min_quantity: int = 1,
    max_quantity: int | None = None,
    increment: int = 1,
    tiers: Iterable[TierInput] = (),
    actor: User | None = None,
) -> PriceListEntry:
    """Create or replace the entry of `variant` (or of the variant with `sku`) in
    `price_list`: its unit price, quantity rules and volume tiers (`tiers`: pairs of (from
    quantity, unit price); the entry's tiers are replaced by exactly these).

    Bad input raises InvalidInput and changes nothing: INVALID_PRICE, QUANTITY_RULE,
    OVERLAPPING_TIERS, INVALID_TIER (see `entry_check`), UNKNOWN_SKU. Records the change in
    the price list's history when `actor` is given (nothing when nothing changed). Returns
    the entry with `variant` and `tiers` loaded."""
    rules = entry_check(
        currency=price_list.currency,
        unit_price=unit_price,
        min_quantity=min_quantity,
        max_quantity=max_quantity,
        increment=increment,
        tiers=tiers,
    )
    if (variant is None) == (sku is None):
        message = _("Give either a variant or a SKU.")
        raise InvalidInput(message, code="INVALID_INPUT", errors={"sku": [message]})
    if variant is None:
        variant = variant_by_sku(sku)
    price_list_lock(price_list)
    entry = PriceListEntry.objects.filter(price_list=price_list, variant=variant).first()
    before = entry_rules(entry) if entry is not None else None
    if before == rules:
        assert entry is not None
        return _loaded(entry.pk)
    if entry is None:
        entry = PriceListEntry(price_list=price_list, variant=variant)
    entry.unit_price = rules.unit_price
    entry.min_quantity = rules.min_quantity
    entry.max_quantity = rules.max_quantity
    entry.increment = rules.increment
    validate(entry, exclude=["price_list", "variant"])
    entry.save()
    if before is None or before.tiers != rules.tiers:
        PriceTier.objects.filter(entry=entry).delete()
        PriceTier.objects.bulk_create(
            PriceTier(entry=entry, min_quantity=q, unit_price=p) for q, p in rules.tiers
        )
    # Entries are parts of their list: adding, changing or removing one is a change of the
    # list (CHANGE), described by Django's JSON messages ("Added price list entry “…”.").
    described = rules.describe(sku=variant.sku, currency=price_list.currency)
    if before is None:
        change: list[Any] = [{"added": {"name": "price list entry", "object": described}}]
    else:
        change = [
            {
                "changed": {
                    "name": "price list entry",
                    "object": described,
                    "fields": _changed_fields(before, rules),
                }
            }
        ]
    audit(actor=actor, price_list=price_list, flag=CHANGE, message=change)
    return _loaded(entry.pk)


def _loaded(entry_id: int) -> PriceListEntry:
    return (
        PriceListEntry.objects.select_related("variant", "price_list")
        .prefetch_related("tiers")
        .get(pk=entry_id)
    )


@transaction.atomic
def price_list_entry_delete(*, entry: PriceListEntry, actor: User | None = None) -> None:
    """Remove a variant's entry (and its tiers) from its price list; the variant falls back
    to the next applicable price. Recorded in the list's history when `actor` is given."""
    price_list = price_list_lock(entry.price_list)
    described = entry_rules(entry).describe(sku=entry.variant.sku, currency=price_list.currency)
    audit(
        actor=actor,
        price_list=price_list,
        flag=CHANGE,
        message=[{"deleted": {"name": "price list entry", "object": described}}],
    )
    PriceListEntry.objects.filter(pk=entry.pk).delete()
