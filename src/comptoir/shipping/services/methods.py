"""Writes for shipping methods and their weight brackets. A pick-up names an active
warehouse serving the zone's channel; a weight-based method is priced by its brackets (at
least one; its own price stays 0); only weight-based methods have brackets. Writes to one
method and its brackets lock the method's row first."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.contrib.admin.models import ADDITION, CHANGE, DELETION
from django.db import transaction
from django.db.models import Max, ProtectedError
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.channels.models import Channel
from comptoir.core.errors import Conflict
from comptoir.core.validation import UNSET, Unset, given, text_check, validate
from comptoir.inventory.models import Warehouse
from comptoir.inventory.selectors import warehouses_serving
from comptoir.shipping.models import ShippingKind, ShippingMethod, ShippingZone, WeightBracket
from comptoir.shipping.services._common import (
    DAYS_MAX,
    POSITION_MAX,
    WEIGHT_MAX,
    BracketInput,
    amount_parse,
    audit,
    brackets_parse,
    changed_message,
    ensure_unique,
    invalid,
    metadata_check,
    optional_whole,
    save_or_conflict,
    shipping_changed,
    whole,
)
from comptoir.taxes.models import TaxClass


def method_check(
    method: ShippingMethod, *, brackets: Sequence[tuple[int, Decimal]], channel: Channel
) -> None:
    """The rules between a method's fields, on an unsaved state: pick-up warehouse,
    brackets of weight methods, weight range, delivery days, then the model's own
    validation (INVALID_INPUT)."""
    kind = method.kind
    if kind not in ShippingKind.values:
        raise invalid("kind", _("Use flat, weight or pickup."))
    warehouse = method.pickup_warehouse if method.pickup_warehouse_id is not None else None
    if kind == ShippingKind.PICKUP:
        if warehouse is None:
            raise invalid(
                "pickup_warehouse",
                _("A pick-up method needs the warehouse where customers collect."),
                "PICKUP_WAREHOUSE_REQUIRED",
            )
        if not Warehouse.objects.filter(warehouses_serving(channel), pk=warehouse.pk).exists():
            raise invalid(
                "pickup_warehouse",
                _("The warehouse %(code)s is inactive or does not serve the channel %(channel)s.")
                % {"code": warehouse.code, "channel": channel.code},
                "INVALID_PICKUP_WAREHOUSE",
            )
    elif warehouse is not None:
        raise invalid("pickup_warehouse", _("Only pick-up methods have a pick-up warehouse."))
    if kind == ShippingKind.WEIGHT:
        if not brackets:
            raise invalid(
                "brackets",
                _("A weight-based method needs at least one weight bracket."),
                "WEIGHT_BRACKETS_REQUIRED",
            )
        if method.price:
            raise invalid(
                "price",
                _("A weight-based method is priced by its brackets: leave its price at 0."),
                "INVALID_PRICE",
            )
    elif brackets:
        raise invalid(
            "brackets", _("Only weight-based methods have weight brackets."), "INVALID_BRACKETS"
        )
    low, high = method.min_weight_grams, method.max_weight_grams
    if low is not None and high is not None and low > high:
        raise invalid(
            "max_weight_grams",
            _("The maximum weight is below the minimum weight."),
            "INVALID_WEIGHT_RANGE",
        )
    if method.delivery_days_min > method.delivery_days_max:
        raise invalid(
            "delivery_days_max",
            _("The maximum delivery time is below the minimum."),
            "INVALID_DELIVERY_DAYS",
        )
    validate(method)


# --- methods --------------------------------------------------------------------------------


def _method_unique(method: ShippingMethod) -> None:
    rows = ShippingMethod.objects.filter(zone_id=method.zone_id, code=method.code)
    if method.pk is not None:
        rows = rows.exclude(pk=method.pk)
    if method.code and rows.exists():
        message = _("The code %(code)s is already used in this zone.") % {"code": method.code}
        raise Conflict(message, code="METHOD_CODE_TAKEN", errors={"code": [message]})
    ensure_unique(
        ShippingMethod,
        code="EXTERNAL_REF_TAKEN",
        field="external_ref",
        value=method.external_ref,
        exclude_pk=method.pk,
    )


def _clean_method_fields(fields: dict[str, Any], *, currency: str) -> dict[str, Any]:
    """Types and ranges of the scalar fields given (a dict of method field -> value)."""
    text_check(
        **{
            k: v
            for k, v in fields.items()
            if k in ("code", "name", "name_en", "description", "description_en", "kind")
            or k in ("external_ref", "metadata")
        }
    )
    out = dict(fields)
    if "price" in out:
        out["price"] = amount_parse(out["price"], currency=currency, field="price")
    if out.get("free_over") is not None:
        out["free_over"] = amount_parse(out["free_over"], currency=currency, field="free_over")
    for field in ("min_weight_grams", "max_weight_grams"):
        if field in out:
            out[field] = optional_whole(out[field], field, minimum=0, maximum=WEIGHT_MAX)
    for field in ("delivery_days_min", "delivery_days_max"):
        if field in out:
            out[field] = whole(out[field], field, minimum=0, maximum=DAYS_MAX)
    if out.get("position") is not None:
        out["position"] = whole(out["position"], "position", minimum=0, maximum=POSITION_MAX)
    if "is_active" in out and not isinstance(out["is_active"], bool):
        raise invalid("is_active", _("Use true or false."))
    if "external_ref" in out:
        out["external_ref"] = out["external_ref"] or None
    if "metadata" in out:
        out["metadata"] = metadata_check(out["metadata"])
    for field, model in (("tax_class", TaxClass), ("pickup_warehouse", Warehouse)):
        value = out.get(field)
        if value is not None and not isinstance(value, model):
            raise invalid(field, _("Not a %(what)s.") % {"what": model._meta.verbose_name})
    return out


def _method_lock(method: ShippingMethod) -> None:
    """Lock the method's row (a no-op on SQLite, which serialises writers anyway): writers
    of one method and its brackets go one after the other. Call inside atomic."""
    ShippingMethod.objects.select_for_update().filter(pk=method.pk).values_list("pk").first()


def _brackets_message(pairs: Sequence[tuple[int, Decimal]], currency: str) -> str:
    """For the history: "Weight brackets: <= 1000 g: 9.90 EUR; <= 5000 g: 14.90 EUR"."""
    described = "; ".join(f"<= {weight} g: {price} {currency}" for weight, price in pairs)
    return _("Weight brackets: %(brackets)s") % {"brackets": described}


def _brackets_write(method: ShippingMethod, pairs: Sequence[tuple[int, Decimal]]) -> bool:
    """Replace the method's brackets with `pairs`; False (nothing written) when they are
    the same."""
    current = list(
        WeightBracket.objects.filter(method=method)
        .order_by("up_to_grams")
        .values_list("up_to_grams", "price")
    )
    if current == list(pairs):
        return False
    WeightBracket.objects.filter(method=method).delete()
    WeightBracket.objects.bulk_create(
        [WeightBracket(method=method, up_to_grams=w, price=p) for w, p in pairs]
    )
    return True


@transaction.atomic
def shipping_method_create(
    *,
    zone: ShippingZone,
    code: str,
    name: str,
    kind: str,
    name_en: str = "",
    description: str = "",
    description_en: str = "",
    price: Decimal | str | int = 0,
    free_over: Decimal | str | int | None = None,
    min_weight_grams: int | None = None,
    max_weight_grams: int | None = None,
    tax_class: TaxClass | None = None,
    pickup_warehouse: Warehouse | None = None,
    delivery_days_min: int = 1,
    delivery_days_max: int = 3,
    position: int | None = None,
    is_active: bool = True,
    brackets: Iterable[BracketInput] = (),
    external_ref: str | None = None,
    metadata: dict[str, Any] | None = None,
    actor: User | None = None,
) -> ShippingMethod:
    """Create a method in `zone`, with its `brackets` for a weight-based one. Amounts are
    in the zone's channel currency, entered as the channel enters prices. Without a
    position it goes after the zone's other methods. Codes: see the module docstring."""
    channel = zone.channel
    fields = _clean_method_fields(
        {
            "code": code,
            "name": name,
            "name_en": name_en,
            "description": description,
            "description_en": description_en,
            "kind": kind,
            "price": price,
            "free_over": free_over,
            "min_weight_grams": min_weight_grams,
            "max_weight_grams": max_weight_grams,
            "tax_class": tax_class,
            "pickup_warehouse": pickup_warehouse,
            "delivery_days_min": delivery_days_min,
            "delivery_days_max": delivery_days_max,
            "position": position,
            "is_active": is_active,
            "external_ref": external_ref,
            "metadata": metadata,
        },
        currency=channel.currency,
    )
    pairs = brackets_parse(brackets, currency=channel.currency)
    if fields["position"] is None:
        last = zone.methods.aggregate(last=Max("position"))["last"]
        fields["position"] = 0 if last is None else min(last + 1, POSITION_MAX)
    method = ShippingMethod(zone=zone, **fields)
    _method_unique(method)
    method_check(method, brackets=pairs, channel=channel)
    save_or_conflict(method, lambda: _method_unique(method))
    if pairs:
        _brackets_write(method, pairs)
    audit(actor=actor, obj=method, flag=ADDITION, message=[{"added": {}}])
    shipping_changed()
    return method


@transaction.atomic
def shipping_method_update(
    *,
    method: ShippingMethod,
    code: str | Unset = UNSET,
    name: str | Unset = UNSET,
    kind: str | Unset = UNSET,
    name_en: str | Unset = UNSET,
    description: str | Unset = UNSET,
    description_en: str | Unset = UNSET,
    price: Decimal | str | int | Unset = UNSET,
    free_over: Decimal | str | int | Unset | None = UNSET,
    min_weight_grams: int | Unset | None = UNSET,
    max_weight_grams: int | Unset | None = UNSET,
    tax_class: TaxClass | Unset | None = UNSET,
    pickup_warehouse: Warehouse | Unset | None = UNSET,
    delivery_days_min: int | Unset = UNSET,
    delivery_days_max: int | Unset = UNSET,
    position: int | Unset = UNSET,
    is_active: bool | Unset = UNSET,
    brackets: Iterable[BracketInput] | Unset = UNSET,
    external_ref: str | Unset | None = UNSET,
    metadata: dict[str, Any] | Unset | None = UNSET,
    actor: User | None = None,
) -> ShippingMethod:
    """Change the fields passed; the same rules as `shipping_method_create`. A method that
    stops being a pick-up loses its warehouse, one that becomes weight-based gets price 0
    (pass its `brackets`), one that stops being weight-based loses its brackets, unless
    those fields are passed too. On error `method` is left as it was."""
    channel = method.zone.channel
    passed = given(
        code=code,
        name=name,
        kind=kind,
        name_en=name_en,
        description=description,
        description_en=description_en,
        price=price,
        free_over=free_over,
        min_weight_grams=min_weight_grams,
        max_weight_grams=max_weight_grams,
        tax_class=tax_class,
        pickup_warehouse=pickup_warehouse,
        delivery_days_min=delivery_days_min,
        delivery_days_max=delivery_days_max,
        position=position,
        is_active=is_active,
        external_ref=external_ref,
        metadata=metadata,
    )
    if passed.get("position", 0) is None:
        raise invalid("position", _("Cannot be null."))
    changes = _clean_method_fields(passed, currency=channel.currency)
    new_kind = changes.get("kind", method.kind)
    if new_kind != method.kind:
        if new_kind != ShippingKind.PICKUP:
            changes.setdefault("pickup_warehouse", None)
        if new_kind == ShippingKind.WEIGHT:
            changes.setdefault("price", Decimal("0.00"))
    pairs: list[tuple[int, Decimal]] | None = None
    if not isinstance(brackets, Unset):
        pairs = brackets_parse(brackets, currency=channel.currency)
    elif new_kind != ShippingKind.WEIGHT and method.kind == ShippingKind.WEIGHT:
        pairs = []
    changed = [f for f, v in changes.items() if getattr(method, f) != v]
    if not changed and pairs is None:
        return method
    _method_lock(method)
    current = list(
        WeightBracket.objects.filter(method=method)
        .order_by("up_to_grams")
        .values_list("up_to_grams", "price")
    )
    final_pairs = current if pairs is None else pairs
    original = {f: getattr(method, f) for f in changes}
    for field, value in changes.items():
        setattr(method, field, value)
    try:
        _method_unique(method)
        method_check(method, brackets=final_pairs, channel=channel)
        if changed:
            save_or_conflict(method, lambda: _method_unique(method))
    except Exception:
        for field, value in original.items():
            setattr(method, field, value)
        raise
    brackets_changed = pairs is not None and _brackets_write(method, pairs)
    if not changed and not brackets_changed:
        return method
    fields = [*changed, "brackets"] if brackets_changed else changed
    audit(actor=actor, obj=method, flag=CHANGE, message=changed_message(ShippingMethod, fields))
    shipping_changed()
    return method


@transaction.atomic
def weight_brackets_set(
    *, method: ShippingMethod, brackets: Iterable[BracketInput], actor: User | None = None
) -> list[WeightBracket]:
    """Replace the brackets of a weight-based method (INVALID_BRACKETS for another kind,
    WEIGHT_BRACKETS_REQUIRED for none). Setting the brackets it has writes nothing."""
    currency = method.zone.channel.currency
    pairs = brackets_parse(brackets, currency=currency)
    if method.kind != ShippingKind.WEIGHT:
        raise invalid(
            "brackets", _("Only weight-based methods have weight brackets."), "INVALID_BRACKETS"
        )
    if not pairs:
        raise invalid(
            "brackets",
            _("A weight-based method needs at least one weight bracket."),
            "WEIGHT_BRACKETS_REQUIRED",
        )
    _method_lock(method)
    if _brackets_write(method, pairs):
        audit(
            actor=actor,
            obj=method,
            flag=CHANGE,
            message=_brackets_message(pairs, currency),
        )
        shipping_changed()
    return list(WeightBracket.objects.filter(method=method).order_by("up_to_grams"))


@transaction.atomic
def shipping_method_delete(*, method: ShippingMethod, actor: User | None = None) -> None:
    """Delete a method and its brackets (carts that chose it must choose again)."""
    audit(actor=actor, obj=method, flag=DELETION, message="")
    try:
        with transaction.atomic():
            method.delete()
    except ProtectedError as exc:
        raise Conflict(
            _("This shipping method is still in use and cannot be deleted."),
            code="METHOD_IN_USE",
        ) from exc
    shipping_changed()
