"""Channel write services."""

from decimal import Decimal
from typing import Any

import pytest
from django.test import override_settings

from comptoir.catalog.tests.factories import (
    ProductChannelListingFactory,
    VariantChannelPriceFactory,
)
from comptoir.catalog.tests.test_services import raises
from comptoir.channels.models import Channel
from comptoir.channels.selectors import channel_get, channel_version
from comptoir.channels.services import channel_create, channel_delete, channel_update
from comptoir.channels.tests.factories import ChannelFactory
from comptoir.core.errors import Conflict, InvalidInput, NotFound
from comptoir.core.tests.test_memo import REDIS_DOWN

pytestmark = pytest.mark.django_db


def test_channel_create_b2b_channel() -> None:
    channel = channel_create(
        code="comptoir-pro", name="Comptoir Pro", price_display="net", is_b2b=True
    )

    assert (channel.currency, channel.default_language, channel.languages) == (
        "EUR",
        "fr",
        ["fr", "en"],
    )
    assert channel.shows_gross is False


@pytest.mark.parametrize(
    ("kwargs", "error", "code"),
    [
        ({"code": "boutique-france"}, Conflict, "CHANNEL_CODE_TAKEN"),
        ({"currency": "EURO"}, InvalidInput, "CURRENCY_INVALID"),
        ({"currency": "XXY"}, InvalidInput, "CURRENCY_INVALID"),
        ({"languages": ["fr", "de"]}, InvalidInput, "LANGUAGE_INVALID"),
        ({"languages": []}, InvalidInput, "LANGUAGE_INVALID"),
        ({"default_language": "en", "languages": ["fr"]}, InvalidInput, "LANGUAGE_INVALID"),
        ({"price_display": "ttc"}, InvalidInput, "PRICE_DISPLAY_INVALID"),
        ({"default_country": "ZZ"}, InvalidInput, "INVALID_INPUT"),
        ({"code": "pas un code"}, InvalidInput, "INVALID_INPUT"),
    ],
)
def test_channel_create_refusals(kwargs: dict[str, Any], error: Any, code: str) -> None:
    ChannelFactory.create()

    with raises(error, code):
        channel_create(**{"code": "nouveau", "name": "Nouveau", **kwargs})

    assert Channel.objects.count() == 1


def test_channel_update_changes_given_fields_only() -> None:
    channel = ChannelFactory.create()

    channel_update(channel=channel, name="Boutique", languages=["fr"])

    channel.refresh_from_db()
    assert (channel.name, channel.languages, channel.currency) == ("Boutique", ["fr"], "EUR")


def test_channel_currency_is_locked_once_prices_exist() -> None:
    channel = ChannelFactory.create()
    VariantChannelPriceFactory.create(channel=channel, amount=Decimal("9.90"))

    with raises(Conflict, "CURRENCY_LOCKED"):
        channel_update(channel=channel, currency="CHF", name="Suisse")
    with raises(InvalidInput, "LANGUAGE_INVALID"):
        channel_update(channel=channel, default_language="en", languages=["fr"])

    assert (channel.currency, channel.name, channel.languages) == (
        "EUR",
        "Boutique France",
        ["fr", "en"],
    )
    channel.refresh_from_db()
    assert channel.currency == "EUR"


# --- channel_delete and the version bump after COMMIT ------------------------------------


def test_channel_delete_bumps_the_version_once_committed(
    django_capture_on_commit_callbacks: Any,
) -> None:
    shop = ChannelFactory.create()
    assert channel_get(code="boutique-france") == shop  # copied in the process
    before = channel_version()

    with django_capture_on_commit_callbacks(execute=True):
        channel_delete(channel=shop)

    assert channel_version() == before + 1
    assert not Channel.objects.exists()
    with pytest.raises(NotFound):
        channel_get(code="boutique-france")


@pytest.mark.parametrize("priced", [False, True])
def test_channel_delete_refuses_a_channel_in_use(priced: bool) -> None:
    if priced:
        channel = VariantChannelPriceFactory.create().channel
    else:
        channel = ProductChannelListingFactory.create().channel

    with raises(Conflict, "CHANNEL_IN_USE"):
        channel_delete(channel=channel)

    assert Channel.objects.filter(pk=channel.pk).exists()


def test_a_cache_down_after_commit_neither_fails_the_change_nor_serves_a_stale_copy(
    django_capture_on_commit_callbacks: Any, caplog: Any
) -> None:
    # Given a copy of the channels in the process, then Redis down
    ChannelFactory.create()
    channel_get(code="boutique-france")
    with override_settings(CACHES=REDIS_DOWN):
        # when a channel is created: the bump fails after COMMIT
        with django_capture_on_commit_callbacks(execute=True):
            channel_create(code="comptoir-pro", name="Comptoir Pro", is_b2b=True)

        # then the change stands, the error is logged and this process sees the new channel
        assert channel_get(code="comptoir-pro").name == "Comptoir Pro"
    assert Channel.objects.count() == 2
    assert "channel_version_bump" in caplog.text


@pytest.mark.django_db
def test_currencies_with_three_decimals_are_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        channel_create(code="koweit", name="Koweït", currency="KWD")
    assert caught.value.code == "CURRENCY_NOT_SUPPORTED"
    assert not Channel.objects.filter(code="koweit").exists()
    assert channel_create(code="japon", name="Japon", currency="JPY").currency == "JPY"
