"""The password reset email goes out through a real SMTP server (aiosmtpd on loopback)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import override_settings
from pytest_django import DjangoCaptureOnCommitCallbacks

from comptoir.accounts import services
from comptoir.accounts.tests.factories import UserFactory
from comptoir.core.testing_smtp import SmtpServer, free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_password_reset_email_is_delivered_over_smtp(
    smtp: SmtpServer,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    inbox = smtp.inbox
    UserFactory.create(email="lea@example.fr", language="en", first_name="Léa")
    mailers = smtp.mailers()

    with (
        override_settings(MAILERS=mailers, SITE_URL="https://shop.example.test"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.password_reset_request(email="lea@example.fr")

    assert len(inbox.messages) == 1
    recipients, message = inbox.messages[0]
    assert recipients == ["lea@example.fr"]
    assert message["Subject"] == "Reset your Comptoir password"
    assert message["From"] == "Comptoir <no-reply@comptoir.test>"
    body = message.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert text.startswith("Hello Léa,")
    assert "https://shop.example.test/accounts/password-reset/" in text


def test_smtp_down_is_logged_not_raised(
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    UserFactory.create(email="lea@example.fr")
    mailers = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 2},
        }
    }

    with override_settings(MAILERS=mailers), django_capture_on_commit_callbacks(execute=True):
        services.password_reset_request(email="lea@example.fr")  # no exception: no oracle

    assert "password reset email could not be sent" in caplog.text
