"""Account web pages: login, logout, registration and the password reset flow."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from pytest_django import DjangoCaptureOnCommitCallbacks

from comptoir.accounts.models import User
from comptoir.accounts.tests.factories import UserFactory
from comptoir.core.testing import in_language

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "Tournevis-cruciforme-42"
HOME = reverse("storefront:home")


@pytest.fixture
def user() -> User:
    return UserFactory.create(email="lea@example.fr")


def logged_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


# --- login / logout ------------------------------------------------------------------------


def test_login_page_renders_in_the_store_layout(client: Client) -> None:
    response = client.get(in_language(reverse("accounts:login"), "en"))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'name="email"' in html
    assert 'name="password"' in html
    assert 'class="site-header"' in html  # extends storefront/base.html
    assert 'name="viewport"' in html


def test_login_ok_redirects_home(client: Client, user: User) -> None:
    response = client.post(
        reverse("accounts:login"), {"email": "LEA@example.fr", "password": "correct-horse-battery"}
    )

    assert response.status_code == 302
    assert response["Location"] == HOME
    assert logged_in_user_id(client) == str(user.pk)


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/products/?page=2", "/products/?page=2"),
        ("https://evil.example.com/", HOME),
        ("//evil.example.com/path", HOME),
        ("javascript:alert(1)", HOME),
        ("http://testserver/ok/", "http://testserver/ok/"),
    ],
)
def test_login_next_only_to_this_site(
    client: Client, user: User, next_url: str, expected: str
) -> None:
    response = client.post(
        reverse("accounts:login"),
        {"email": "lea@example.fr", "password": "correct-horse-battery", "next": next_url},
    )

    assert response["Location"] == expected


def test_login_page_drops_unsafe_next(client: Client) -> None:
    html = client.get(
        reverse("accounts:login"), {"next": "https://evil.example.com/"}
    ).content.decode()
    assert 'name="next" value="https://evil.example.com/"' not in html
    assert "register/?next=" not in html

    html = client.get(reverse("accounts:login"), {"next": "/products/"}).content.decode()
    assert 'name="next" value="/products/"' in html


def test_login_bad_credentials(client: Client, user: User) -> None:
    response = client.post(
        in_language(reverse("accounts:login"), "en"),
        {"email": "lea@example.fr", "password": "nope"},
    )

    assert response.status_code == 400
    assert "Invalid email or password." in response.content.decode()
    assert logged_in_user_id(client) is None


@override_settings(LOGIN_THROTTLE_ATTEMPTS=2, LOGIN_THROTTLE_WINDOW=120)
def test_login_throttled(client: Client, user: User) -> None:
    for _ in range(2):
        client.post(reverse("accounts:login"), {"email": "lea@example.fr", "password": "nope"})

    response = client.post(
        in_language(reverse("accounts:login"), "en"),
        {"email": "lea@example.fr", "password": "correct-horse-battery"},
    )

    assert response.status_code == 429
    assert 110 <= int(response["Retry-After"]) <= 120
    assert "Too many failed login attempts" in response.content.decode()
    assert logged_in_user_id(client) is None


def test_login_needs_csrf(user: User) -> None:
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        reverse("accounts:login"), {"email": "lea@example.fr", "password": "correct-horse-battery"}
    )

    assert response.status_code == 403
    assert logged_in_user_id(client) is None


def test_logout_is_post_only(client: Client, user: User) -> None:
    client.force_login(user)

    assert client.get(reverse("accounts:logout")).status_code == 405
    assert logged_in_user_id(client) == str(user.pk)

    response = client.post(reverse("accounts:logout"))

    assert (response.status_code, response["Location"]) == (302, HOME)
    assert logged_in_user_id(client) is None


# --- registration --------------------------------------------------------------------------


def test_register_creates_account_and_logs_in(client: Client) -> None:
    response = client.post(
        in_language(reverse("accounts:register"), "en"),
        {
            "email": "Marc@example.fr",
            "first_name": "Marc",
            "last_name": "Petit",
            "password1": GOOD_PASSWORD,
            "password2": GOOD_PASSWORD,
        },
    )

    assert (response.status_code, response["Location"]) == (302, in_language(HOME, "en"))
    user = User.objects.get()
    assert (user.email, user.first_name, user.last_name, user.language) == (
        "marc@example.fr",
        "Marc",
        "Petit",
        "en",
    )
    assert logged_in_user_id(client) == str(user.pk)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"email": "lea@EXAMPLE.fr", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD},
            "email",
            "An account already exists for this email address.",
        ),
        (
            {"email": "new@example.fr", "password1": "12345678", "password2": "12345678"},
            "password1",
            "This password is entirely numeric.",
        ),
        (
            {
                "email": "new@example.fr",
                "password1": GOOD_PASSWORD,
                "password2": GOOD_PASSWORD + "x",
            },
            "password2",
            "The two passwords differ.",
        ),
        (
            {"email": "not-an-email", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD},
            "email",
            "Enter a valid email address.",
        ),
    ],
)
def test_register_errors(
    client: Client, user: User, data: dict[str, str], field: str, message: str
) -> None:
    response = client.post(in_language(reverse("accounts:register"), "en"), data)

    assert response.status_code == 400
    assert message in response.context["form"].errors[field]
    assert User.objects.count() == 1
    assert logged_in_user_id(client) is None


# --- password reset ------------------------------------------------------------------------

LINK_RE = re.compile(r"https://shop\.example\.test(/accounts/password-reset/[^/]+/[^/]+/)")


@override_settings(SITE_URL="https://shop.example.test", ALLOWED_HOSTS=["*"])
def test_password_reset_link_ignores_the_host_header(
    client: Client, user: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:password_reset"),
            {"email": "lea@example.fr"},
            HTTP_HOST="evil.example.com",
        )

    assert (response.status_code, response["Location"]) == (
        302,
        reverse("accounts:password_reset_done"),
    )
    assert len(mail.outbox) == 1
    body = str(mail.outbox[0].body)
    assert "evil.example.com" not in body
    assert LINK_RE.search(body)


def test_password_reset_unknown_email_looks_the_same(
    client: Client, user: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(reverse("accounts:password_reset"), {"email": "lea@example.fr"})
        unknown = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.fr"})

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert len(mail.outbox) == 1
    done = client.get(known["Location"])
    assert done.status_code == 200


@override_settings(SITE_URL="https://shop.example.test")
def test_password_reset_full_flow(
    client: Client, user: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": "lea@example.fr"})
    match = LINK_RE.search(str(mail.outbox[0].body))
    assert match
    link = match.group(1)

    # the token leaves the URL for the session at once
    first = client.get(link)
    assert first.status_code == 302
    assert first["Location"].endswith("/set-password/")
    form_page = client.get(first["Location"])
    assert form_page.status_code == 200
    assert form_page.context["validlink"] is True

    mismatch = client.post(
        first["Location"], {"new_password1": GOOD_PASSWORD, "new_password2": "other"}
    )
    assert mismatch.status_code == 400
    weak = client.post(first["Location"], {"new_password1": "1234", "new_password2": "1234"})
    assert weak.status_code == 400
    assert weak.context["form"].errors["new_password1"]
    user.refresh_from_db()
    assert user.check_password("correct-horse-battery")

    done = client.post(
        first["Location"], {"new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD}
    )
    assert (done.status_code, done["Location"]) == (
        302,
        reverse("accounts:password_reset_complete"),
    )
    assert client.get(done["Location"]).status_code == 200
    user.refresh_from_db()
    assert user.check_password(GOOD_PASSWORD)

    # single use
    reused = client.get(link)
    assert reused.status_code == 200
    assert reused.context["validlink"] is False


@pytest.mark.parametrize("path", ["MQ/abc-def/", "!!/x/", "MQ/set-password/"])
def test_password_reset_confirm_invalid_links(client: Client, user: User, path: str) -> None:
    response = client.get(f"/accounts/password-reset/{path}")

    assert response.status_code == 200
    assert response.context["validlink"] is False
    post = client.post(
        f"/accounts/password-reset/{path}",
        {"new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD},
    )
    assert post.context["validlink"] is False
    user.refresh_from_db()
    assert user.check_password("correct-horse-battery")


@pytest.mark.parametrize(
    "name",
    [
        "accounts:login",
        "accounts:register",
        "accounts:password_reset",
        "accounts:password_reset_done",
        "accounts:password_reset_complete",
    ],
)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_pages_render(client: Client, name: str, language: str) -> None:
    response = client.get(in_language(reverse(name), language))

    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.content.decode()
