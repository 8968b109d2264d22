"""Writes for promotions. Every function is keyword-only and atomic, validates the whole
promotion (fields, then consistency between them) and raises comptoir.core.errors with
stable codes; nothing is changed when one is raised. Every write makes the copies of the
promotions stale once it commits (`promotions_version_bump`).

Codes: INVALID_INPUT (a field on its own), INVALID_PROMOTION (fields that do not fit
together), INVALID_DATES, CURRENCY_MISMATCH, PROMOTION_CODE_TAKEN / EXTERNAL_REF_TAKEN
(409), PROMOTION_IN_USE (409), and for unknown targets CHANNEL_NOT_FOUND,
GROUP_NOT_FOUND, PRODUCT_NOT_FOUND, CATEGORY_NOT_FOUND, COLLECTION_NOT_FOUND
(400: a bad reference in the input).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from babel.numbers import get_currency_precision, is_currency
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from comptoir.catalog.models import Category, Collection, Product
from comptoir.catalog.services import UNSET, Unset
from comptoir.catalog.services._common import text_checked
from comptoir.channels.models import Channel
from comptoir.companies.models import CustomerGroup
from comptoir.core.errors import Conflict, InvalidInput
from comptoir.core.money import minor_unit
from comptoir.promotions.models import Promotion, PromotionKind, RewardType, Stacking
from comptoir.promotions.services._common import (
    Ref,
    dates_check,
    field_error,
    promotions_changed,
    resolve,
    validate,
)

_CURRENCY = re.compile(r"^[A-Z]{3}$")
HUNDRED = Decimal(100)

SCALAR_FIELDS = (
    "code",
    "name",
    "name_en",
    "kind",
    "reward_type",
    "reward_value",
    "currency",
    "starts_at",
    "ends_at",
    "is_active",
    "priority",
    "stacking",
    "min_subtotal",
    "min_quantity",
    "buy_quantity",
    "get_quantity",
    "requires_coupon",
    "external_ref",
    "metadata",
)


@dataclass(frozen=True, slots=True)
class Targets:
    """The related rows of a promotion, resolved from ids, slugs/codes or instances."""

    channels: list[Channel] | None = None
    customer_groups: list[CustomerGroup] | None = None
    products: list[Product] | None = None
    categories: list[Category] | None = None
    collections: list[Collection] | None = None


def _targets(
    *,
    channels: Iterable[Ref[Channel]] | Unset | None,
    customer_groups: Iterable[Ref[CustomerGroup]] | Unset | None,
    products: Iterable[Ref[Product]] | Unset | None,
    categories: Iterable[Ref[Category]] | Unset | None,
    collections: Iterable[Ref[Collection]] | Unset | None,
) -> Targets:
    """Resolve what was passed (UNSET or None: left as it is)."""

    def given[M: Any](refs: Any, model: type[M], key: str, field: str, code: str) -> Any:
        if refs is UNSET or refs is None:
            return None
        return resolve(model, refs, key=key, field=field, code=code)

    return Targets(
        channels=given(channels, Channel, "code", "channels", "CHANNEL_NOT_FOUND"),
        customer_groups=given(
            customer_groups, CustomerGroup, "code", "customer_groups", "GROUP_NOT_FOUND"
        ),
        products=given(products, Product, "slug", "products", "PRODUCT_NOT_FOUND"),
        categories=given(categories, Category, "slug", "categories", "CATEGORY_NOT_FOUND"),
        collections=given(collections, Collection, "slug", "collections", "COLLECTION_NOT_FOUND"),
    )


def _invalid(field: str, message: str) -> InvalidInput:
    return field_error("INVALID_PROMOTION", field, message)


def _choices_check(data: Mapping[str, Any]) -> None:
    for field, value, choices in (
        ("kind", data.get("kind"), PromotionKind.values),
        ("reward_type", data.get("reward_type"), RewardType.values),
        ("stacking", data.get("stacking", Stacking.CUMULATIVE), Stacking.values),
    ):
        if value not in choices:
            message = _("Choose one of: %(choices)s.") % {"choices": ", ".join(choices)}
            raise InvalidInput(message, code="INVALID_INPUT", errors={field: [message]})
    currency = data.get("currency") or ""
    if currency and not _CURRENCY.match(currency):
        message = _("Use an ISO 4217 code such as EUR.")
        raise InvalidInput(message, code="INVALID_INPUT", errors={"currency": [message]})


def _fixed_check(value: Decimal | None, currency: str | None) -> None:
    if value is None or value <= 0:
        raise _invalid("reward_value", _("A fixed amount must be above zero."))
    if not currency:
        raise _invalid("currency", _("A fixed amount needs an ISO 4217 currency such as EUR."))
    if is_currency(currency) and value != value.quantize(minor_unit(currency)):
        raise _invalid(
            "reward_value",
            _("%(currency)s amounts have at most %(digits)s decimals.")
            % {"currency": currency, "digits": get_currency_precision(currency)},
        )


def _reward_check(data: Mapping[str, Any]) -> None:
    kind, reward = data.get("kind"), data.get("reward_type")
    value: Decimal | None = data.get("reward_value")
    if reward in (RewardType.PERCENTAGE, RewardType.BUY_X_GET_Y):
        if value is None or not Decimal(0) < value <= HUNDRED:
            raise _invalid("reward_value", _("A percentage must be above 0 and at most 100."))
    elif reward == RewardType.FIXED:
        _fixed_check(value, data.get("currency"))
    elif value is not None:
        raise _invalid("reward_value", _("Free shipping takes no value."))
    buy, get = data.get("buy_quantity"), data.get("get_quantity")
    if reward == RewardType.BUY_X_GET_Y:
        if kind != PromotionKind.CART:
            raise _invalid("kind", _("Buy X, get Y is a cart promotion."))
        if buy is None or buy < 1:
            raise _invalid("buy_quantity", _("Buy X, get Y needs X of at least 1."))
        if get is None or get < 1:
            raise _invalid("get_quantity", _("Buy X, get Y needs Y of at least 1."))
    elif buy is not None or get is not None:
        field = "buy_quantity" if buy is not None else "get_quantity"
        raise _invalid(field, _("Only a buy X, get Y promotion has these quantities."))
    if reward == RewardType.FREE_SHIPPING and kind != PromotionKind.CART:
        raise _invalid("kind", _("Free shipping is a cart promotion."))


def _conditions_check(data: Mapping[str, Any], *, has_coupons: bool) -> None:
    min_subtotal: Decimal | None = data.get("min_subtotal")
    min_quantity: int | None = data.get("min_quantity")
    if data.get("kind") == PromotionKind.CATALOG:
        if data.get("requires_coupon"):
            raise _invalid("requires_coupon", _("A catalog promotion cannot need a coupon."))
        if min_subtotal is not None:
            raise _invalid("min_subtotal", _("A catalog promotion has no minimum order amount."))
        if min_quantity is not None:
            raise _invalid("min_quantity", _("A catalog promotion has no minimum quantity."))
    if min_subtotal is not None and min_subtotal <= 0:
        raise _invalid("min_subtotal", _("The minimum order amount must be above zero."))
    if min_quantity is not None and min_quantity < 1:
        raise _invalid("min_quantity", _("The minimum quantity must be at least 1."))
    if has_coupons and not data.get("requires_coupon"):
        raise _invalid(
            "requires_coupon", _("This promotion has coupons: it must keep needing a coupon.")
        )


def promotion_check(
    data: Mapping[str, Any], *, channels: Iterable[Channel] = (), has_coupons: bool = False
) -> None:
    """Raise InvalidInput when the fields of a promotion do not fit together.

    `data` holds the promotion's fields (SCALAR_FIELDS); `channels` the channels it targets;
    `has_coupons` whether coupons exist for it. Checked, in order: the choices and the
    currency's form (INVALID_INPUT), the reward and what a catalog promotion cannot use
    (INVALID_PROMOTION), the dates (INVALID_DATES), the currency of the channels
    (CURRENCY_MISMATCH: a promotion with a currency only targets channels selling in it).
    """
    _choices_check(data)
    _reward_check(data)
    _conditions_check(data, has_coupons=has_coupons)
    dates_check(
        data.get("starts_at"), data.get("ends_at"), start_field="starts_at", end_field="ends_at"
    )
    currency = data.get("currency") or ""
    wrong = sorted(c.code for c in channels if currency and c.currency != currency)
    if wrong:
        message = _("The channels %(channels)s do not sell in %(currency)s.") % {
            "channels": ", ".join(wrong),
            "currency": currency,
        }
        raise InvalidInput(message, code="CURRENCY_MISMATCH", errors={"currency": [message]})


def _unique(field: str, value: object, code: str, *, exclude_pk: int | None = None) -> None:
    if value in (None, ""):
        return
    rows = Promotion.objects.filter(**{field: value})
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    if rows.exists():
        message = _("This value is already taken.")
        raise Conflict(message, code=code, errors={field: [message]})


def _save(promotion: Promotion) -> None:
    """Save in a savepoint. A unique violation means another request took the code or the
    external reference between the checks and the save: the same Conflict as the checks
    (the other request has committed, so they see its row now). Any other IntegrityError
    is raised as is."""
    try:
        with transaction.atomic():
            promotion.save()
    except IntegrityError:
        _unique("code", promotion.code, "PROMOTION_CODE_TAKEN", exclude_pk=promotion.pk)
        _unique(
            "external_ref", promotion.external_ref, "EXTERNAL_REF_TAKEN", exclude_pk=promotion.pk
        )
        raise


CATALOG_TARGETS = ("products", "categories", "collections")


def _save_targets(promotion: Promotion, targets: Targets) -> None:
    """Set the given targets. `applies_to_all` is decided again only when the products,
    categories or collections actually change: saving a promotion whose last target was
    deleted (it applies to nothing) with the same empty lists never widens it to the whole
    catalog."""
    catalog_changed = False
    for name in ("channels", "customer_groups", *CATALOG_TARGETS):
        rows = getattr(targets, name)
        if rows is None:
            continue
        manager = getattr(promotion, name)
        if name in CATALOG_TARGETS:
            if set(manager.values_list("pk", flat=True)) == {row.pk for row in rows}:
                continue
            catalog_changed = True
        manager.set(rows)
    if catalog_changed:
        applies_to_all = not any(getattr(promotion, name).exists() for name in CATALOG_TARGETS)
        if applies_to_all != promotion.applies_to_all:
            promotion.applies_to_all = applies_to_all
            promotion.save(update_fields=["applies_to_all"])


@text_checked
@transaction.atomic
def promotion_create(
    *,
    code: str,
    name: str,
    kind: str,
    reward_type: str,
    reward_value: Decimal | None = None,
    currency: str = "",
    name_en: str = "",
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    is_active: bool = True,
    priority: int = 0,
    stacking: str = Stacking.CUMULATIVE,
    min_subtotal: Decimal | None = None,
    min_quantity: int | None = None,
    buy_quantity: int | None = None,
    get_quantity: int | None = None,
    requires_coupon: bool = False,
    external_ref: str | None = None,
    metadata: dict[str, Any] | None = None,
    channels: Iterable[Ref[Channel]] = (),
    customer_groups: Iterable[Ref[CustomerGroup]] = (),
    products: Iterable[Ref[Product]] = (),
    categories: Iterable[Ref[Category]] = (),
    collections: Iterable[Ref[Collection]] = (),
) -> Promotion:
    """Create a promotion. Targets are given as instances, integer ids or their slug (code
    for channels and customer groups); empty channels / groups: all of them; no product,
    category or collection: the whole catalog."""
    data: dict[str, Any] = {
        "code": code,
        "name": name,
        "name_en": name_en,
        "kind": kind,
        "reward_type": reward_type,
        "reward_value": reward_value,
        "currency": currency,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "is_active": is_active,
        "priority": priority,
        "stacking": stacking,
        "min_subtotal": min_subtotal,
        "min_quantity": min_quantity,
        "buy_quantity": buy_quantity,
        "get_quantity": get_quantity,
        "requires_coupon": requires_coupon,
        "external_ref": external_ref or None,
        "metadata": metadata or {},
    }
    targets = _targets(
        channels=channels,
        customer_groups=customer_groups,
        products=products,
        categories=categories,
        collections=collections,
    )
    promotion_check(data, channels=targets.channels or ())
    _unique("code", code, "PROMOTION_CODE_TAKEN")
    _unique("external_ref", data["external_ref"], "EXTERNAL_REF_TAKEN")
    promotion = Promotion(**data)
    validate(promotion)
    _save(promotion)
    _save_targets(promotion, targets)
    promotions_changed()
    return promotion


@text_checked
@transaction.atomic
def promotion_update(
    *,
    promotion: Promotion,
    code: str | Unset = UNSET,
    name: str | Unset = UNSET,
    name_en: str | Unset = UNSET,
    kind: str | Unset = UNSET,
    reward_type: str | Unset = UNSET,
    reward_value: Decimal | Unset | None = UNSET,
    currency: str | Unset = UNSET,
    starts_at: datetime | Unset | None = UNSET,
    ends_at: datetime | Unset | None = UNSET,
    is_active: bool | Unset = UNSET,
    priority: int | Unset = UNSET,
    stacking: str | Unset = UNSET,
    min_subtotal: Decimal | Unset | None = UNSET,
    min_quantity: int | Unset | None = UNSET,
    buy_quantity: int | Unset | None = UNSET,
    get_quantity: int | Unset | None = UNSET,
    requires_coupon: bool | Unset = UNSET,
    external_ref: str | Unset | None = UNSET,
    metadata: dict[str, Any] | Unset = UNSET,
    channels: Iterable[Ref[Channel]] | Unset = UNSET,
    customer_groups: Iterable[Ref[CustomerGroup]] | Unset = UNSET,
    products: Iterable[Ref[Product]] | Unset = UNSET,
    categories: Iterable[Ref[Category]] | Unset = UNSET,
    collections: Iterable[Ref[Collection]] | Unset = UNSET,
) -> Promotion:
    """Change the given fields and targets (a list replaces the targets of that kind); the
    whole promotion is checked again as `promotion_create` does."""
    given = {
        "code": code,
        "name": name,
        "name_en": name_en,
        "kind": kind,
        "reward_type": reward_type,
        "reward_value": reward_value,
        "currency": currency,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "is_active": is_active,
        "priority": priority,
        "stacking": stacking,
        "min_subtotal": min_subtotal,
        "min_quantity": min_quantity,
        "buy_quantity": buy_quantity,
        "get_quantity": get_quantity,
        "requires_coupon": requires_coupon,
        "external_ref": external_ref,
        "metadata": metadata,
    }
    changes = {k: v for k, v in given.items() if v is not UNSET}
    if "external_ref" in changes:
        changes["external_ref"] = changes["external_ref"] or None
    targets = _targets(
        channels=channels,
        customer_groups=customer_groups,
        products=products,
        categories=categories,
        collections=collections,
    )
    data = {field: getattr(promotion, field) for field in SCALAR_FIELDS} | changes
    current_channels = (
        targets.channels if targets.channels is not None else list(promotion.channels.all())
    )
    promotion_check(data, channels=current_channels, has_coupons=promotion.coupons.exists())
    if "code" in changes:
        _unique("code", changes["code"], "PROMOTION_CODE_TAKEN", exclude_pk=promotion.pk)
    if "external_ref" in changes:
        _unique(
            "external_ref", changes["external_ref"], "EXTERNAL_REF_TAKEN", exclude_pk=promotion.pk
        )
    original = {field: getattr(promotion, field) for field in changes}
    for field, value in changes.items():
        setattr(promotion, field, value)
    try:
        validate(promotion)
        _save(promotion)
    except Exception:
        for field, value in original.items():
            setattr(promotion, field, value)
        raise
    _save_targets(promotion, targets)
    promotions_changed()
    return promotion


@transaction.atomic
def promotion_delete(*, promotion: Promotion) -> None:
    """Delete a promotion with its coupons. One whose coupons were used by orders is kept
    (Conflict PROMOTION_IN_USE): deactivate it instead, the orders' history refers to it.
    Its coupons are locked first (in primary-key order, as `coupon_redeem` locks them), so
    that an order redeeming one meanwhile is either seen here or waits for the delete."""
    list(promotion.coupons.select_for_update().order_by("pk").values_list("pk", flat=True))
    if promotion.coupons.filter(redemptions__isnull=False).exists():
        raise Conflict(
            _("Orders used coupons of this promotion: deactivate it instead."),
            code="PROMOTION_IN_USE",
            errors={"promotion": ["PROMOTION_IN_USE"]},
        )
    promotion.delete()
    promotions_changed()
