"""Channel write services."""

from decimal import Decimal
from typing import Any

import pytest

from comptoir.catalog.tests.factories import VariantChannelPriceFactory
from comptoir.catalog.tests.test_services import raises
from comptoir.channels.models import Channel
from comptoir.channels.services import channel_create, channel_update
from comptoir.channels.tests.factories import ChannelFactory
from comptoir.core.errors import Conflict, InvalidInput

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
