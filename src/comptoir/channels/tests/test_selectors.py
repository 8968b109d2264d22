from typing import Any

import pytest
from django.core.cache import cache

from comptoir.channels import selectors
from comptoir.channels.models import Channel
from comptoir.channels.selectors import channel_get, channel_version, channel_version_bump
from comptoir.channels.services import channel_create, channel_update
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


# --- the copy of the channels kept in the process ----------------------------------------


def test_a_known_channel_costs_no_query_once_loaded(django_assert_num_queries: Any) -> None:
    ChannelFactory()
    B2BChannelFactory()
    channel_get(code=None)

    with django_assert_num_queries(0):
        shop = channel_get(code=None)
        pro = channel_get(code="comptoir-pro")

    assert (shop.code, pro.code, pro.shows_gross) == ("boutique-france", "comptoir-pro", False)


def test_each_call_returns_its_own_instance() -> None:
    ChannelFactory()
    first = channel_get(code="boutique-france")

    first.name = "Changed by a caller"
    first.languages.append("de")

    second = channel_get(code="boutique-france")
    assert (second.name, second.languages) == ("Boutique France", ["fr", "en"])
    assert second is not first


def test_a_channel_update_is_visible_once_committed(
    django_capture_on_commit_callbacks: Any,
) -> None:
    # Given the channels loaded in the process
    channel = ChannelFactory.create()
    channel_get(code="boutique-france")

    # when the channel is renamed, switched to net prices, then deactivated
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        channel_update(channel=channel, name="Boutique", price_display="net")
    renamed = channel_get(code="boutique-france")
    with django_capture_on_commit_callbacks(execute=True):
        channel_update(channel=channel, is_active=False)

    # then each change is seen by the next read
    assert len(callbacks) == 1
    assert (renamed.name, renamed.shows_gross) == ("Boutique", False)
    with pytest.raises(NotFound):
        channel_get(code="boutique-france")


def test_a_created_channel_is_found(django_capture_on_commit_callbacks: Any) -> None:
    ChannelFactory()
    channel_get(code=None)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        channel_create(code="export", name="Export", currency="USD")

    assert len(callbacks) == 1
    assert channel_get(code="export").currency == "USD"


def test_an_unknown_code_reads_the_channels_again_before_it_is_not_found(
    django_assert_num_queries: Any,
) -> None:
    ChannelFactory()
    channel_get(code=None)
    pro = B2BChannelFactory.create()  # not bumped (as by another process)

    with django_assert_num_queries(1):
        assert channel_get(code="comptoir-pro") == pro
    with django_assert_num_queries(1), pytest.raises(NotFound):
        channel_get(code="inconnu")


def test_a_bump_by_another_process_is_seen_at_once_with_a_local_cache(
    django_assert_num_queries: Any,
) -> None:
    ChannelFactory()
    channel_get(code=None)
    Channel.objects.filter(code="boutique-france").update(name="Renamed")

    cache.incr(selectors.VERSION_KEY)  # another process's bump

    with django_assert_num_queries(1):
        assert channel_get(code=None).name == "Renamed"


def test_with_a_shared_cache_the_version_is_read_at_most_every_check_interval(
    settings: Any,
    tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch,
    django_assert_num_queries: Any,
) -> None:
    # Given a cache outside the process (files here, Redis in production)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path),
        }
    }
    ChannelFactory()
    channel_version_bump()  # drops the copy made under the local-memory cache
    channel_get(code=None)
    monkeypatch.setattr(selectors, "VERSION_CHECK_SECONDS", 3600)
    Channel.objects.filter(code="boutique-france").update(name="Renamed")
    cache.incr(selectors.VERSION_KEY)  # another process's bump

    # within the interval the copy is used as it is, without reading the cache
    with django_assert_num_queries(0):
        stale = channel_get(code=None)
    # after it, the version is read again, and the channels with it
    monkeypatch.setattr(selectors, "VERSION_CHECK_SECONDS", 0)
    with django_assert_num_queries(1):
        fresh = channel_get(code=None)

    assert (stale.name, fresh.name) == ("Boutique France", "Renamed")


def test_the_copy_is_reloaded_after_its_maximum_age(
    monkeypatch: pytest.MonkeyPatch, django_assert_num_queries: Any
) -> None:
    ChannelFactory()
    channel_get(code=None)
    monkeypatch.setattr(selectors, "MAX_AGE_SECONDS", 0)

    with django_assert_num_queries(1):
        channel_get(code=None)


def test_channel_version_is_stable_until_bumped_and_renewed_when_evicted() -> None:
    first = channel_version()

    assert channel_version() == first
    bumped = channel_version_bump()
    assert bumped != first
    assert (channel_version(), channel_version_bump()) == (bumped, bumped + 1)
    cache.delete(selectors.VERSION_KEY)  # evicted, or the cache cleared
    assert channel_version() not in (first, bumped, bumped + 1)
