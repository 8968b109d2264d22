"""The password reset email leaves the request: the service schedules a Celery task on
commit; the task renders the email in the user's language, sends it and retries on SMTP
failures. The last test runs the task through a real worker and the Redis broker."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from celery import signals
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import connections, transaction
from django.test import override_settings
from pytest_django import DjangoCaptureOnCommitCallbacks

from comptoir.accounts import services, tasks
from comptoir.accounts.tests.factories import UserFactory
from comptoir.celery import app as celery_app

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
TEST_BROKER = f"redis://{REDIS_HOST}:{REDIS_PORT}/15"


def _smtp_down() -> dict[str, Any]:
    """Mailers pointing at a loopback port nobody listens on: connections are refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 2},
        }
    }


@pytest.mark.django_db
def test_request_schedules_the_email_after_commit(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    UserFactory.create(email="lea@example.fr")

    with django_capture_on_commit_callbacks() as callbacks:
        services.password_reset_request(email="lea@example.fr")
        assert mail.outbox == []  # nothing is sent inside the request's transaction

    assert len(callbacks) == 1
    callbacks[0]()
    assert [m.to for m in mail.outbox] == [["lea@example.fr"]]


@pytest.mark.django_db
def test_rolled_back_request_sends_nothing(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    UserFactory.create(email="lea@example.fr")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                services.password_reset_request(email="lea@example.fr")
                raise RuntimeError("the surrounding work failed")
        except RuntimeError:
            pass

    assert callbacks == []
    assert mail.outbox == []


@pytest.mark.django_db
def test_unknown_email_schedules_the_same_task_which_sends_nothing(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The request does the same work for known and unknown emails (no timing oracle): the
    lookup happens in the task, with the normalised email."""
    UserFactory.create(email="lea@example.fr")
    scheduled: list[tuple[Any, ...]] = []
    monkeypatch.setattr(tasks.password_reset_email_send, "delay", lambda *a: scheduled.append(a))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.password_reset_request(email=" Nobody@Example.FR ")
        services.password_reset_request(email="LEA@example.fr")

    assert len(callbacks) == 2
    assert scheduled == [("nobody@example.fr",), ("lea@example.fr",)]
    assert mail.outbox == []


@pytest.mark.django_db
def test_malformed_email_schedules_nothing(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for email in ["", "not-an-email", "a@", "x" * 300 + "@example.fr"]:
            services.password_reset_request(email=email)

    assert callbacks == []


@pytest.mark.django_db
@override_settings(SITE_URL="http://shop.example.test")
def test_task_renders_in_the_users_language() -> None:
    UserFactory.create(email="lea@example.fr", language="en", first_name="Léa")

    result = tasks.password_reset_email_send.apply(args=["lea@example.fr"])

    assert (result.state, result.result) == ("SUCCESS", True)
    [message] = mail.outbox
    assert (message.to, message.subject) == (["lea@example.fr"], "Reset your Comptoir password")
    assert message.body.startswith("Hello Léa,")
    assert "http://shop.example.test/accounts/password-reset/" in message.body


@pytest.mark.django_db
def test_task_does_nothing_for_unknown_or_ineligible_accounts() -> None:
    UserFactory.create(email="inactive@example.fr", is_active=False)
    nopass = UserFactory.create(email="nopass@example.fr")
    nopass.set_unusable_password()
    nopass.save()

    results = [
        tasks.password_reset_email_send.apply(args=[email]).result
        for email in ("inactive@example.fr", "nopass@example.fr", "nobody@example.fr")
    ]

    assert results == [False, False, False]
    assert mail.outbox == []


@pytest.mark.django_db
def test_task_logs_and_retries_smtp_failures(caplog: pytest.LogCaptureFixture) -> None:
    UserFactory.create(email="lea@example.fr")

    with override_settings(MAILERS=_smtp_down()), caplog.at_level("WARNING"):
        result = tasks.password_reset_email_send.apply(args=["lea@example.fr"])

    assert result.state == "FAILURE"
    assert isinstance(result.result, OSError)
    failures = [
        r for r in caplog.records if r.getMessage().startswith("password reset email could not")
    ]
    failed = f"password reset email could not be sent (task {result.id}"
    assert [(r.levelname, r.getMessage()) for r in failures] == [
        ("WARNING", f"{failed}, attempt 1 of 4)"),
        ("WARNING", f"{failed}, attempt 2 of 4)"),
        ("WARNING", f"{failed}, attempt 3 of 4)"),
        ("ERROR", f"{failed}, attempt 4 of 4)"),
    ]
    assert "lea@example.fr" not in caplog.text


@pytest.mark.django_db
def test_smtp_failure_never_reaches_the_request(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks, client: Any
) -> None:
    UserFactory.create(email="lea@example.fr")

    with (
        override_settings(MAILERS=_smtp_down()),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        response = client.post(
            "/api/v1/auth/password-reset",
            '{"email": "lea@example.fr"}',
            content_type="application/json",
        )

    assert response.status_code == 202
    assert len(callbacks) == 1


# --- a real worker -------------------------------------------------------------------------


def _redis_reachable() -> bool:
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def redis_celery_app() -> Iterator[Any]:
    """The project's Celery app, pointed at Redis (database 15) with eager mode off, for the
    duration of one test. Skipped when no Redis listens on 127.0.0.1:6379, unless CI is set
    (CI starts Redis: there a missing broker is a failure, not a skip)."""
    if not _redis_reachable():
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not reachable at {REDIS_HOST}:{REDIS_PORT}")
        pytest.skip(f"needs Redis at {REDIS_HOST}:{REDIS_PORT}")
    overrides = {
        "broker_url": TEST_BROKER,
        "result_backend": TEST_BROKER,
        "task_always_eager": False,
        "worker_hijack_root_logger": False,
    }
    saved = {key: celery_app.conf.get(key) for key in overrides}
    _forget_producer_pools(celery_app, close=False)  # made for the in-memory broker
    celery_app.conf.update(overrides)
    with celery_app.connection_for_write() as conn:  # leftovers of an aborted run
        conn.default_channel.queue_purge(celery_app.conf.task_default_queue)
    try:
        yield celery_app
    finally:
        _forget_producer_pools(celery_app, close=True)
        celery_app.conf.update(saved)


def _forget_producer_pools(app: Any, *, close: bool) -> None:
    """Celery keeps the producer pools of the first broker it published to (eager calls
    publish nothing but still make them); drop them so the next call uses the current
    broker_url. Celery has no public API for this."""
    pools = [app.amqp._producer_pool, app._pool]
    app.amqp._producer_pool = app._pool = None
    if close:
        for pool in pools:
            if pool is not None:
                pool.force_close_all()


def test_password_reset_email_goes_through_a_real_worker(
    transactional_db: None, redis_celery_app: Any
) -> None:
    """The request only enqueues (after commit); a worker thread consuming from Redis renders
    and sends. The data is committed (transactional_db) so the worker's own connection sees
    it; the test waits for the task to finish, with a timeout, never for a fixed time."""
    user = UserFactory.create(email="lea@example.fr", language="en", first_name="Léa")
    done = threading.Event()
    outcome: dict[str, Any] = {}

    def on_postrun(sender: Any = None, args: Any = None, **kwargs: Any) -> None:
        # Runs in the worker thread: close its database connections (PostgreSQL would not
        # drop the test database while they are open).
        connections.close_all()
        if sender.name == tasks.password_reset_email_send.name and list(args or ()) == [user.email]:
            outcome.update(
                state=kwargs.get("state"),
                retval=kwargs.get("retval"),
                in_worker_thread=threading.current_thread() is not threading.main_thread(),
            )
            done.set()

    signals.task_postrun.connect(on_postrun, weak=False)
    try:
        with start_worker(redis_celery_app, perform_ping_check=False, shutdown_timeout=20):
            services.password_reset_request(email="lea@example.fr")
            assert done.wait(timeout=30), "the worker did not run the task within 30 s"
    finally:
        signals.task_postrun.disconnect(on_postrun)

    assert outcome == {"state": "SUCCESS", "retval": True, "in_worker_thread": True}
    [message] = mail.outbox
    assert (message.to, message.subject) == (["lea@example.fr"], "Reset your Comptoir password")
    assert message.body.startswith("Hello Léa,")
