"""Deleting channels in the back-office goes through channel_delete (version bumped)."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from comptoir.accounts.tests.factories import StaffFactory
from comptoir.catalog.tests.factories import ProductChannelListingFactory
from comptoir.channels.models import Channel
from comptoir.channels.selectors import channel_version
from comptoir.channels.tests.factories import B2BChannelFactory, ChannelFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client: Client) -> Client:
    client.force_login(StaffFactory.create())
    return client


def test_deleting_a_channel_bumps_the_version(
    staff: Client, django_capture_on_commit_callbacks: Any
) -> None:
    ChannelFactory.create()
    pro = B2BChannelFactory.create()
    before = channel_version()

    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            reverse("admin:channels_channel_delete", args=[pro.pk]), {"post": "yes"}
        )

    assert response.status_code == 302
    assert list(Channel.objects.values_list("code", flat=True)) == ["boutique-france"]
    assert channel_version() == before + 1


def test_the_bulk_delete_action_bumps_the_version(
    staff: Client, django_capture_on_commit_callbacks: Any
) -> None:
    shop = ChannelFactory.create()
    pro = B2BChannelFactory.create()
    before = channel_version()

    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            reverse("admin:channels_channel_changelist"),
            {"action": "delete_selected", "_selected_action": [shop.pk, pro.pk], "post": "yes"},
        )

    assert response.status_code == 302
    assert Channel.objects.count() == 0
    assert channel_version() == before + 2


def test_a_channel_in_use_cannot_be_deleted_from_the_admin(staff: Client) -> None:
    listing: Any = ProductChannelListingFactory.create()
    channel = listing.channel
    before = channel_version()

    single = staff.post(
        reverse("admin:channels_channel_delete", args=[channel.pk]),
        {"post": "yes"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    bulk = staff.post(
        reverse("admin:channels_channel_changelist"),
        {"action": "delete_selected", "_selected_action": [channel.pk], "post": "yes"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert single.status_code == 200
    assert "products are listed or priced in this channel" in single.content.decode()
    assert bulk.status_code == 200
    assert "products are listed or priced in this channel" in bulk.content.decode()
    assert Channel.objects.filter(pk=channel.pk).exists()
    assert channel_version() == before
