"""Writes for sales channels."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from babel.numbers import get_currency_precision, is_currency
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from comptoir.channels.models import Channel, PriceDisplay
from comptoir.channels.selectors import channel_version_bump
from comptoir.core.errors import Conflict, InvalidInput, invalid_from_django


def _languages() -> set[str]:
    return {code for code, _label in settings.LANGUAGES}


MAX_CURRENCY_DIGITS = 2


def _check(
    *, currency: str, default_language: str, languages: Sequence[str], price_display: str
) -> None:
    if not is_currency(currency):
        raise InvalidInput(
            f"Unknown currency {currency!r}.",
            code="CURRENCY_INVALID",
            errors={"currency": ["Use an ISO 4217 code such as EUR."]},
        )
    if get_currency_precision(currency) > MAX_CURRENCY_DIGITS:
        # Amounts are stored with two decimals: a currency with three (KWD, BHD...) would
        # be rounded by the database.
        message = _("Currencies with more than two decimals are not supported.")
        raise InvalidInput(message, code="CURRENCY_NOT_SUPPORTED", errors={"currency": [message]})
    known = _languages()
    if not languages or not set(languages) <= known or default_language not in languages:
        message = f"Languages must be among {', '.join(sorted(known))} and include the default."
        raise InvalidInput(message, code="LANGUAGE_INVALID", errors={"languages": [message]})
    if price_display not in PriceDisplay.values:
        raise InvalidInput(
            f"Unknown price display {price_display!r}.",
            code="PRICE_DISPLAY_INVALID",
            errors={"price_display": [f"Use one of {', '.join(PriceDisplay.values)}."]},
        )


def _clean_and_save(channel: Channel) -> None:
    try:
        channel.full_clean()
    except ValidationError as exc:
        raise invalid_from_django(exc) from exc
    channel.save()
    _channels_changed()


def _channels_changed() -> None:
    """Processes keep a copy of the channels (channels.selectors): stale once this commits.
    Robust: a cache error after COMMIT is logged, never turned into a failure of a committed
    change nor allowed to stop the other callbacks."""
    transaction.on_commit(channel_version_bump, robust=True)


@transaction.atomic
def channel_create(
    *,
    code: str,
    name: str,
    currency: str = "EUR",
    default_language: str = "fr",
    languages: Sequence[str] = ("fr", "en"),
    price_display: str = PriceDisplay.GROSS,
    default_country: str = "FR",
    is_active: bool = True,
    is_b2b: bool = False,
) -> Channel:
    """Create a sales channel. `code` is unique (Conflict CHANNEL_CODE_TAKEN); the currency
    is ISO 4217 (CURRENCY_INVALID); languages are among the site's languages and include
    the default one (LANGUAGE_INVALID); prices show gross (TTC) or net (HT)."""
    _check(
        currency=currency,
        default_language=default_language,
        languages=languages,
        price_display=price_display,
    )
    if Channel.objects.filter(code=code).exists():
        raise Conflict(
            f"Channel code {code!r} is taken.",
            code="CHANNEL_CODE_TAKEN",
            errors={"code": ["CHANNEL_CODE_TAKEN"]},
        )
    channel = Channel(
        code=code,
        name=name,
        currency=currency,
        default_language=default_language,
        languages=list(languages),
        price_display=price_display,
        default_country=default_country,
        is_active=is_active,
        is_b2b=is_b2b,
    )
    _clean_and_save(channel)
    return channel


@transaction.atomic
def channel_update(
    *,
    channel: Channel,
    name: str | None = None,
    currency: str | None = None,
    default_language: str | None = None,
    languages: Sequence[str] | None = None,
    price_display: str | None = None,
    default_country: str | None = None,
    is_active: bool | None = None,
    is_b2b: bool | None = None,
) -> Channel:
    """Change the given fields (None leaves a field as it is). The code never changes
    (URLs and integrations use it); the currency cannot change once variants are priced in
    the channel (Conflict CURRENCY_LOCKED)."""
    changes: dict[str, Any] = {
        key: value
        for key, value in {
            "name": name,
            "currency": currency,
            "default_language": default_language,
            "languages": list(languages) if languages is not None else None,
            "price_display": price_display,
            "default_country": default_country,
            "is_active": is_active,
            "is_b2b": is_b2b,
        }.items()
        if value is not None
    }
    _check(
        currency=changes.get("currency", channel.currency),
        default_language=changes.get("default_language", channel.default_language),
        languages=changes.get("languages", channel.languages),
        price_display=changes.get("price_display", channel.price_display),
    )
    if (
        "currency" in changes
        and changes["currency"] != channel.currency
        and channel.variant_prices.exists()
    ):
        raise Conflict(
            "Prices exist in this channel's currency.",
            code="CURRENCY_LOCKED",
            errors={"currency": ["CURRENCY_LOCKED"]},
        )
    original = {field: getattr(channel, field) for field in changes}
    for field, value in changes.items():
        setattr(channel, field, value)
    try:
        _clean_and_save(channel)
    except InvalidInput:
        for field, value in original.items():
            setattr(channel, field, value)
        raise
    return channel


def channel_in_use(*, channel: Channel) -> bool:
    """Whether products are listed or variants priced in `channel` (deleting it would
    delete them with it)."""
    return channel.product_listings.exists() or channel.variant_prices.exists()


@transaction.atomic
def channel_delete(*, channel: Channel) -> None:
    """Delete a channel nothing refers to; Conflict CHANNEL_IN_USE while products are listed
    or variants priced in it (their rows would go with it). Copies of the channels are
    stale once this commits."""
    if channel_in_use(channel=channel):
        raise Conflict(
            _("Products are listed or priced in this channel."),
            code="CHANNEL_IN_USE",
        )
    channel.delete()
    _channels_changed()
