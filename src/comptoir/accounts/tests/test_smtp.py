"""The password reset email goes out through a real SMTP server (aiosmtpd on loopback)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.test import override_settings
from pytest_django import DjangoCaptureOnCommitCallbacks

from comptoir.accounts import services
from comptoir.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd hook name
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_inbox() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def test_password_reset_email_is_delivered_over_smtp(
    smtp_inbox: tuple[Inbox, int],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    inbox, port = smtp_inbox
    UserFactory.create(email="lea@example.fr", language="en", first_name="Léa")
    mailers = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }

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
            "OPTIONS": {"host": "127.0.0.1", "port": _free_port(), "timeout": 2},
        }
    }

    with override_settings(MAILERS=mailers), django_capture_on_commit_callbacks(execute=True):
        services.password_reset_request(email="lea@example.fr")  # no exception: no oracle

    assert "password reset email could not be sent" in caplog.text
