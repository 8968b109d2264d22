"""Writes for shipping zones: the countries a channel ships to with one set of methods. A
country belongs to at most one active zone of a channel; zone writes of a channel lock the
channel's row first, so two of them never both take a country."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.admin.models import ADDITION, CHANGE, DELETION
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.channels.models import Channel
from comptoir.core.errors import Conflict
from comptoir.core.validation import UNSET, Unset, given, text_check, validate
from comptoir.shipping.models import ShippingZone
from comptoir.shipping.services._common import (
    audit,
    changed_message,
    countries_parse,
    ensure_unique,
    metadata_check,
    save_or_conflict,
    shipping_changed,
)


def _channel_lock(channel_id: int) -> None:
    """Lock the channel's row: zone writes of one channel happen one after the other, so
    two of them never both put a country into an active zone. Call inside atomic."""
    Channel.objects.select_for_update().filter(pk=channel_id).values_list("pk").first()


def _countries_free(*, channel_id: int, countries: Sequence[str], exclude_pk: int | None) -> None:
    """Conflict(COUNTRY_IN_ANOTHER_ZONE) when another active zone of the channel holds one
    of `countries` (the caller holds the channel lock)."""
    wanted = set(countries)
    zones = ShippingZone.objects.filter(channel_id=channel_id, is_active=True)
    if exclude_pk is not None:
        zones = zones.exclude(pk=exclude_pk)
    taken: dict[str, str] = {}
    for name, codes in zones.order_by("id").values_list("name", "countries"):
        for code in codes or ():
            if code in wanted and code not in taken:
                taken[code] = name
    if taken:
        listed = ", ".join(f"{code} ({name})" for code, name in sorted(taken.items()))
        message = _("Already in another active zone of this channel: %(countries)s.") % {
            "countries": listed
        }
        raise Conflict(message, code="COUNTRY_IN_ANOTHER_ZONE", errors={"countries": [message]})


# --- zones ----------------------------------------------------------------------------------


def _zone_unique(zone: ShippingZone) -> None:
    ensure_unique(
        ShippingZone,
        code="EXTERNAL_REF_TAKEN",
        field="external_ref",
        value=zone.external_ref,
        exclude_pk=zone.pk,
    )


@transaction.atomic
def shipping_zone_create(
    *,
    channel: Channel,
    name: str,
    countries: Sequence[str],
    is_active: bool = True,
    external_ref: str | None = None,
    metadata: dict[str, Any] | None = None,
    actor: User | None = None,
) -> ShippingZone:
    """Create a zone of `channel` for `countries`. INVALID_COUNTRY, INVALID_TEXT,
    INVALID_INPUT, 409 COUNTRY_IN_ANOTHER_ZONE (an active zone of the channel already
    holds one of them), EXTERNAL_REF_TAKEN."""
    text_check(name=name, external_ref=external_ref, metadata=metadata)
    zone = ShippingZone(
        channel=channel,
        name=name,
        countries=countries_parse(countries),
        is_active=is_active,
        external_ref=external_ref or None,
        metadata=metadata_check(metadata),
    )
    _zone_unique(zone)
    validate(zone)
    _channel_lock(channel.pk)
    if zone.is_active:
        _countries_free(channel_id=channel.pk, countries=zone.countries, exclude_pk=None)
    save_or_conflict(zone, lambda: _zone_unique(zone))
    audit(actor=actor, obj=zone, flag=ADDITION, message=[{"added": {}}])
    shipping_changed()
    return zone


@transaction.atomic
def shipping_zone_update(
    *,
    zone: ShippingZone,
    name: str | Unset = UNSET,
    countries: Sequence[str] | Unset = UNSET,
    is_active: bool | Unset = UNSET,
    external_ref: str | Unset | None = UNSET,
    metadata: dict[str, Any] | Unset | None = UNSET,
    actor: User | None = None,
) -> ShippingZone:
    """Change the fields passed; the same rules as `shipping_zone_create` (the channel
    never changes: the methods' prices are in its currency). On error `zone` is left as
    it was."""
    changes = given(
        name=name,
        countries=countries,
        is_active=is_active,
        external_ref=external_ref,
        metadata=metadata,
    )
    text_check(**{k: v for k, v in changes.items() if k in ("name", "external_ref", "metadata")})
    if "countries" in changes:
        changes["countries"] = countries_parse(changes["countries"])
    if "external_ref" in changes:
        changes["external_ref"] = changes["external_ref"] or None
    if "metadata" in changes:
        changes["metadata"] = metadata_check(changes["metadata"])
    changed = [f for f, v in changes.items() if getattr(zone, f) != v]
    if not changed:
        return zone
    original = {f: getattr(zone, f) for f in changes}
    for field, value in changes.items():
        setattr(zone, field, value)
    try:
        _zone_unique(zone)
        validate(zone)
        if zone.is_active and ("countries" in changed or "is_active" in changed):
            _channel_lock(zone.channel_id)
            _countries_free(
                channel_id=zone.channel_id, countries=zone.countries, exclude_pk=zone.pk
            )
        save_or_conflict(zone, lambda: _zone_unique(zone))
    except Exception:
        for field, value in original.items():
            setattr(zone, field, value)
        raise
    audit(actor=actor, obj=zone, flag=CHANGE, message=changed_message(ShippingZone, changed))
    shipping_changed()
    return zone


@transaction.atomic
def shipping_zone_delete(*, zone: ShippingZone, actor: User | None = None) -> None:
    """Delete a zone with its methods and their brackets (carts that chose one of them
    must choose again)."""
    audit(actor=actor, obj=zone, flag=DELETION, message="")
    for method in zone.methods.order_by("pk"):
        audit(actor=actor, obj=method, flag=DELETION, message="")
    try:
        with transaction.atomic():
            zone.delete()
    except ProtectedError as exc:
        raise Conflict(
            _("This shipping zone is still in use and cannot be deleted."), code="ZONE_IN_USE"
        ) from exc
    shipping_changed()
