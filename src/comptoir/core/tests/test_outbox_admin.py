"""The outbox in the back-office: read-only, with a "retry now" action for staff allowed to
change outbox events."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from comptoir.accounts.tests.factories import StaffFactory
from comptoir.core.models import OutboxEvent

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:core_outboxevent_changelist")


def waiting_event() -> OutboxEvent:
    """An event whose last delivery failed, retried in an hour."""
    return OutboxEvent.objects.create(
        topic="nobody.listens",
        aggregate="order",
        aggregate_id="7",
        attempts=3,
        last_error="smtp down",
        available_at=timezone.now() + timedelta(hours=1),
    )


@pytest.fixture(autouse=True)
def _english(client: Client) -> None:
    """The admin messages asserted below are the English ones."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def clerk(client: Client, *codenames: str) -> Client:
    user = StaffFactory.create(is_superuser=False)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client.force_login(user)
    return client


def test_events_are_listed_and_shown_read_only(client: Client) -> None:
    event = waiting_event()
    client.force_login(StaffFactory.create())

    listing = client.get(CHANGELIST, {"delivery": "failing"})
    detail = client.get(reverse("admin:core_outboxevent_change", args=[event.pk]))

    assert listing.status_code == 200
    assert b"nobody.listens" in listing.content
    assert detail.status_code == 200
    assert b"smtp down" in detail.content
    assert b'name="_save"' not in detail.content
    assert client.get(reverse("admin:core_outboxevent_add")).status_code == 403
    delete = client.post(reverse("admin:core_outboxevent_delete", args=[event.pk]), {"post": "yes"})
    assert delete.status_code == 403
    assert OutboxEvent.objects.filter(pk=event.pk).exists()


def test_retry_now_makes_the_event_due_and_delivers_it(
    client: Client, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    event = waiting_event()
    clerk(client, "view_outboxevent", "change_outboxevent")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            CHANGELIST, {"action": "retry_now", "_selected_action": [event.pk]}, follow=True
        )

    assert response.status_code == 200
    assert "1 event will be delivered again." in response.content.decode()
    event.refresh_from_db()
    assert event.delivered_at is not None  # no handler for this topic: delivered at once


def test_staff_who_may_only_view_cannot_retry(client: Client) -> None:
    event = waiting_event()
    clerk(client, "view_outboxevent")

    listing = client.get(CHANGELIST)
    client.post(CHANGELIST, {"action": "retry_now", "_selected_action": [event.pk]})

    assert listing.status_code == 200
    assert b"retry_now" not in listing.content
    event.refresh_from_db()
    assert (event.delivered_at, event.attempts) == (None, 3)
    assert event.available_at > timezone.now() + timedelta(minutes=59)


def test_staff_without_permission_cannot_see_the_outbox(client: Client) -> None:
    clerk(client)

    assert client.get(CHANGELIST).status_code == 403
