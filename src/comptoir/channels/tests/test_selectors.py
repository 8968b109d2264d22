import pytest

from comptoir.channels.selectors import channel_get
from comptoir.channels.tests.factories import B2BChannelFactory, ChannelFactory
from comptoir.core.errors import NotFound

pytestmark = pytest.mark.django_db


def test_channel_get_by_code_and_default() -> None:
    shop = ChannelFactory.create()
    pro = B2BChannelFactory.create()
    assert channel_get(code="comptoir-pro") == pro
    assert channel_get(code=None) == shop


@pytest.mark.parametrize("code", ["nope", "bad\x00code", "x" * 51, "é"])
def test_unknown_or_malformed_code_is_not_found(code: str) -> None:
    ChannelFactory()
    with pytest.raises(NotFound) as info:
        channel_get(code=code)
    assert info.value.code == "CHANNEL_NOT_FOUND"


def test_inactive_channel_is_not_found() -> None:
    ChannelFactory(is_active=False)
    with pytest.raises(NotFound):
        channel_get(code="boutique-france")
