"""Registration, login throttling, API tokens and password reset, through the services."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.test import override_settings
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from pytest_django import DjangoCaptureOnCommitCallbacks

from comptoir.accounts import services
from comptoir.accounts.models import ApiToken, User
from comptoir.accounts.selectors import password_reset_user
from comptoir.accounts.tests.factories import UserFactory
from comptoir.core.errors import InvalidInput, Throttled, Unauthorized

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "Tournevis-cruciforme-42"
LINK_RE = re.compile(r"http://shop\.example\.test/accounts/password-reset/([^/]+)/([^/]+)/")


# --- registration --------------------------------------------------------------------------


def test_register_normalises_email_and_stores_fields() -> None:
    user = services.user_register(
        email="  Lea.Durand@Example.FR ",
        password=GOOD_PASSWORD,
        first_name=" Léa ",
        last_name="Durand",
        language="en",
    )

    user.refresh_from_db()
    assert user.email == "lea.durand@example.fr"
    assert (user.first_name, user.last_name, user.language) == ("Léa", "Durand", "en")
    assert user.check_password(GOOD_PASSWORD)
    assert (user.is_active, user.is_staff, user.is_superuser) == (True, False, False)


@override_settings(
    PASSWORD_HASHERS=[
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
)
def test_register_hashes_with_argon2() -> None:
    user = services.user_register(email="argon@example.fr", password=GOOD_PASSWORD)

    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password(GOOD_PASSWORD)


def test_register_duplicate_email_is_case_insensitive() -> None:
    UserFactory.create(email="lea@example.fr")

    with pytest.raises(InvalidInput) as exc:
        services.user_register(email="LEA@example.FR", password=GOOD_PASSWORD)

    assert exc.value.code == "EMAIL_TAKEN"
    assert list(exc.value.errors) == ["email"]
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("short", "too short"),
        ("password123", "too common"),
        ("83749216504", "entirely numeric"),
        ("marcel.dupont@example.fr", "too similar"),
    ],
)
def test_register_rejects_weak_passwords(password: str, fragment: str) -> None:
    with translation.override("en"), pytest.raises(InvalidInput) as exc:
        services.user_register(
            email="marcel.dupont@example.fr", password=password, first_name="Marcel"
        )

    assert exc.value.code == "PASSWORD_INVALID"
    assert any(fragment in m for m in exc.value.errors["password"])
    assert not User.objects.exists()


def test_register_rejects_malformed_fields() -> None:
    with pytest.raises(InvalidInput) as exc:
        services.user_register(
            email="not-an-email", password=GOOD_PASSWORD, first_name="x" * 151, language="de"
        )

    assert exc.value.code == "INVALID_INPUT"
    assert sorted(exc.value.errors) == ["email", "first_name", "language"]
    assert not User.objects.exists()


# --- login throttling ----------------------------------------------------------------------


def test_login_check_returns_user_for_good_credentials_any_case() -> None:
    user = UserFactory.create(email="lea@example.fr")

    assert (
        services.login_check(
            email="LEA@example.fr ", password="correct-horse-battery", client_ip="203.0.113.5"
        )
        == user
    )


@pytest.mark.parametrize(
    ("email", "password", "active"),
    [
        ("lea@example.fr", "wrong-password", True),
        ("nobody@example.fr", "correct-horse-battery", True),
        ("lea@example.fr", "correct-horse-battery", False),
    ],
)
def test_login_check_bad_credentials_all_look_alike(
    email: str, password: str, active: bool
) -> None:
    UserFactory.create(email="lea@example.fr", is_active=active)

    with pytest.raises(Unauthorized) as exc:
        services.login_check(email=email, password=password, client_ip="203.0.113.5")

    assert exc.value.code == "INVALID_CREDENTIALS"
    assert exc.value.status == 401


@override_settings(LOGIN_THROTTLE_ATTEMPTS=3, LOGIN_THROTTLE_WINDOW=600)
def test_login_throttled_per_email_even_with_the_right_password() -> None:
    UserFactory.create(email="lea@example.fr")
    for i in range(3):  # three failures from three addresses
        with pytest.raises(Unauthorized):
            services.login_check(
                email="lea@example.fr", password="bad", client_ip=f"198.51.100.{i}"
            )

    with pytest.raises(Throttled) as exc:
        services.login_check(
            email="lea@example.fr", password="correct-horse-battery", client_ip="198.51.100.99"
        )

    assert exc.value.code == "LOGIN_THROTTLED"
    assert exc.value.status == 429
    assert 590 <= exc.value.retry_after <= 600


@override_settings(LOGIN_THROTTLE_ATTEMPTS=3, LOGIN_THROTTLE_WINDOW=600)
def test_login_throttled_per_ip_across_emails() -> None:
    UserFactory.create(email="victim@example.fr")
    for i in range(3):
        with pytest.raises(Unauthorized):
            services.login_check(email=f"guess{i}@example.fr", password="x", client_ip="192.0.2.7")

    with pytest.raises(Throttled):
        services.login_check(
            email="victim@example.fr", password="correct-horse-battery", client_ip="192.0.2.7"
        )
    # another address is not throttled
    assert (
        services.login_check(
            email="victim@example.fr", password="correct-horse-battery", client_ip="192.0.2.8"
        ).email
        == "victim@example.fr"
    )


@override_settings(LOGIN_THROTTLE_ATTEMPTS=3, LOGIN_THROTTLE_WINDOW=600)
def test_successful_login_clears_the_email_counter() -> None:
    UserFactory.create(email="lea@example.fr")
    for i in range(2):
        with pytest.raises(Unauthorized):
            services.login_check(
                email="lea@example.fr", password="bad", client_ip=f"198.51.100.{i}"
            )
    services.login_check(
        email="lea@example.fr", password="correct-horse-battery", client_ip="198.51.100.50"
    )

    for i in range(2):  # two more failures: 2 < 3 since the counter was cleared
        with pytest.raises(Unauthorized):
            services.login_check(
                email="lea@example.fr", password="bad", client_ip=f"198.51.100.{10 + i}"
            )
    assert (
        services.login_check(
            email="lea@example.fr", password="correct-horse-battery", client_ip="198.51.100.60"
        ).email
        == "lea@example.fr"
    )


@override_settings(LOGIN_THROTTLE_ATTEMPTS=1, LOGIN_THROTTLE_WINDOW=1)
def test_login_throttle_window_expires() -> None:
    UserFactory.create(email="lea@example.fr")
    with pytest.raises(Unauthorized):
        services.login_check(email="lea@example.fr", password="bad", client_ip="192.0.2.1")
    with pytest.raises(Throttled) as exc:
        services.login_check(
            email="lea@example.fr", password="correct-horse-battery", client_ip="192.0.2.1"
        )
    assert exc.value.retry_after == 1

    time.sleep(1.1)

    assert (
        services.login_check(
            email="lea@example.fr", password="correct-horse-battery", client_ip="192.0.2.1"
        ).email
        == "lea@example.fr"
    )


# --- API tokens ----------------------------------------------------------------------------


@override_settings(API_TOKEN_TTL=7200)
def test_api_token_create_stores_only_a_digest() -> None:
    user = UserFactory.create()
    before = timezone.now()

    raw, token = services.api_token_create(user=user)

    token.refresh_from_db()
    assert len(raw) >= 43
    assert raw not in token.digest
    assert len(token.digest) == 64
    assert (
        before + timedelta(seconds=7200)
        <= token.expires_at
        <= timezone.now() + timedelta(seconds=7200)
    )
    assert services.api_token_authenticate(raw=raw) == user


def test_api_token_authenticate_rejects_unknown_expired_and_inactive() -> None:
    user = UserFactory.create()
    raw, token = services.api_token_create(user=user)

    assert services.api_token_authenticate(raw="nope") is None
    assert services.api_token_authenticate(raw="") is None

    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert services.api_token_authenticate(raw=raw) is None

    raw2, _token2 = services.api_token_create(user=user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert services.api_token_authenticate(raw=raw2) is None


def test_api_token_last_used_is_written_at_most_once_a_minute() -> None:
    raw, token = services.api_token_create(user=UserFactory.create())

    services.api_token_authenticate(raw=raw)
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None

    services.api_token_authenticate(raw=raw)
    token.refresh_from_db()
    assert token.last_used_at == first

    old = timezone.now() - timedelta(minutes=2)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=old)
    services.api_token_authenticate(raw=raw)
    token.refresh_from_db()
    assert token.last_used_at > old + timedelta(minutes=1)


def test_api_token_revoke() -> None:
    user = UserFactory.create()
    raw, _t = services.api_token_create(user=user)
    other_raw, _o = services.api_token_create(user=user)

    assert services.api_token_revoke(raw=raw) is True
    assert services.api_token_revoke(raw=raw) is False
    assert services.api_token_authenticate(raw=raw) is None
    assert services.api_token_authenticate(raw=other_raw) == user


def test_user_deactivate_revokes_tokens() -> None:
    user = UserFactory.create()
    services.api_token_create(user=user)

    services.user_deactivate(user=user)

    user.refresh_from_db()
    assert user.is_active is False
    assert not ApiToken.objects.filter(user=user).exists()


def test_api_token_purge_expired() -> None:
    user = UserFactory.create()
    _raw, old = services.api_token_create(user=user)
    _raw2, fresh = services.api_token_create(user=user)
    ApiToken.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(days=1))

    assert services.api_token_purge_expired() == 1
    assert list(ApiToken.objects.values_list("pk", flat=True)) == [fresh.pk]


# --- password change -----------------------------------------------------------------------


def test_user_set_password_revokes_every_api_token_of_the_user() -> None:
    user = UserFactory.create(email="lea@example.fr")
    raw, _token = services.api_token_create(user=user)
    services.api_token_create(user=user)
    other = UserFactory.create()
    _raw_other, kept = services.api_token_create(user=other)

    services.user_set_password(user=user, password=GOOD_PASSWORD)

    user.refresh_from_db()
    assert user.check_password(GOOD_PASSWORD)
    assert services.api_token_authenticate(raw=raw) is None
    assert list(ApiToken.objects.values_list("pk", flat=True)) == [kept.pk]


def test_user_set_password_none_disables_password_login_and_revokes_tokens() -> None:
    user = UserFactory.create()
    services.api_token_create(user=user)

    services.user_set_password(user=user, password=None)

    user.refresh_from_db()
    assert not user.has_usable_password()
    assert not ApiToken.objects.filter(user=user).exists()


@pytest.mark.parametrize("password", ["123", "password", "lea@example.fr", "x\x00yz-long-enough"])
def test_user_set_password_rejects_bad_passwords(password: str) -> None:
    user = UserFactory.create(email="lea@example.fr")
    _raw, token = services.api_token_create(user=user)

    with pytest.raises(InvalidInput) as exc:
        services.user_set_password(user=user, password=password)

    assert exc.value.code == "PASSWORD_INVALID"
    assert list(exc.value.errors) == ["password"]
    user.refresh_from_db()
    assert user.check_password("correct-horse-battery")
    assert list(ApiToken.objects.values_list("pk", flat=True)) == [token.pk]


# --- password reset ------------------------------------------------------------------------


def _reset_link() -> tuple[str, str]:
    assert len(mail.outbox) == 1
    match = LINK_RE.search(str(mail.outbox[0].body))
    assert match, mail.outbox[0].body
    return match.group(1), match.group(2)


@override_settings(SITE_URL="http://shop.example.test")
def test_password_reset_request_sends_link_in_users_language(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    user = UserFactory.create(email="lea@example.fr", language="en", first_name="Léa")

    with django_capture_on_commit_callbacks(execute=True):
        services.password_reset_request(email="LEA@example.fr")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["lea@example.fr"]
    assert message.subject == "Reset your Comptoir password"
    assert message.body.startswith("Hello Léa,")
    uidb64, token = _reset_link()
    assert password_reset_user(uidb64=uidb64, token=token) == user


@override_settings(SITE_URL="http://shop.example.test")
def test_password_reset_request_in_french(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    UserFactory.create(email="lea@example.fr", language="fr", first_name="Léa")

    with django_capture_on_commit_callbacks(execute=True):
        services.password_reset_request(email="lea@example.fr")

    # French catalogues are the lead's; the message is French once translated, and the
    # link is there in any case.
    _reset_link()


@pytest.mark.parametrize(
    "email", ["nobody@example.fr", "inactive@example.fr", "nopass@example.fr", "", "x" * 300]
)
def test_password_reset_request_unknown_or_ineligible_sends_nothing(
    email: str, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    UserFactory.create(email="inactive@example.fr", is_active=False)
    nopass = UserFactory.create(email="nopass@example.fr")
    nopass.set_unusable_password()
    nopass.save()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.password_reset_request(email=email)

    # Well-formed emails schedule the task whatever the account (no oracle); it sends nothing.
    assert len(callbacks) == (1 if "@" in email else 0)
    assert mail.outbox == []


@override_settings(LOGIN_THROTTLE_ATTEMPTS=2)
def test_password_reset_requests_are_capped_per_email(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    UserFactory.create(email="lea@example.fr")

    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(4):
            services.password_reset_request(email="lea@example.fr")

    assert len(mail.outbox) == 2


@override_settings(SITE_URL="http://shop.example.test")
def test_password_reset_confirm_sets_password_once(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    user = UserFactory.create(email="lea@example.fr")
    services.api_token_create(user=user)
    with django_capture_on_commit_callbacks(execute=True):
        services.password_reset_request(email="lea@example.fr")
    uidb64, token = _reset_link()

    services.password_reset_confirm(uidb64=uidb64, token=token, new_password=GOOD_PASSWORD)

    user.refresh_from_db()
    assert user.check_password(GOOD_PASSWORD)
    assert not ApiToken.objects.filter(user=user).exists()
    with pytest.raises(InvalidInput) as exc:  # single use: the password hash changed
        services.password_reset_confirm(
            uidb64=uidb64, token=token, new_password="Another-pass-9876"
        )
    assert exc.value.code == "RESET_TOKEN_INVALID"
    user.refresh_from_db()
    assert user.check_password(GOOD_PASSWORD)


@override_settings(PASSWORD_RESET_TIMEOUT=3600)
def test_password_reset_confirm_rejects_expired_token() -> None:
    user = UserFactory.create()
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    issued = default_token_generator._num_seconds(default_token_generator._now()) - 3601
    token = default_token_generator._make_token_with_timestamp(
        user, issued, default_token_generator.secret
    )

    with pytest.raises(InvalidInput) as exc:
        services.password_reset_confirm(uidb64=uidb64, token=token, new_password=GOOD_PASSWORD)

    assert exc.value.code == "RESET_TOKEN_INVALID"
    user.refresh_from_db()
    assert user.check_password("correct-horse-battery")


@pytest.mark.parametrize(
    "uidb64",
    [
        "",
        "!!!",
        "MTIzNDU2Nzg5",
        urlsafe_base64_encode(b"abc"),
        urlsafe_base64_encode(b"99999999999999999999999"),
    ],
)
def test_password_reset_confirm_rejects_wrong_uid(uidb64: str) -> None:
    user = UserFactory.create()
    token = default_token_generator.make_token(user)

    with pytest.raises(InvalidInput) as exc:
        services.password_reset_confirm(uidb64=uidb64, token=token, new_password=GOOD_PASSWORD)

    assert exc.value.code == "RESET_TOKEN_INVALID"


def test_password_reset_token_of_another_user_is_rejected() -> None:
    victim, attacker = UserFactory.create(), UserFactory.create()
    token = default_token_generator.make_token(attacker)

    with pytest.raises(InvalidInput):
        services.password_reset_confirm(
            uidb64=urlsafe_base64_encode(force_bytes(victim.pk)),
            token=token,
            new_password=GOOD_PASSWORD,
        )
    victim.refresh_from_db()
    assert victim.check_password("correct-horse-battery")


def test_password_reset_confirm_validates_new_password() -> None:
    user = UserFactory.create()
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)

    with pytest.raises(InvalidInput) as exc:
        services.password_reset_confirm(uidb64=uidb64, token=token, new_password="123")

    assert exc.value.code == "PASSWORD_INVALID"
    assert list(exc.value.errors) == ["new_password"]
    user.refresh_from_db()
    assert user.check_password("correct-horse-battery")
    # the token is still good for a valid password
    services.password_reset_confirm(uidb64=uidb64, token=token, new_password=GOOD_PASSWORD)
