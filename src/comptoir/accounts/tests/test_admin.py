"""Back-office: email-based user admin, actions through services, read-only tokens."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoCaptureOnCommitCallbacks

from comptoir.accounts import services
from comptoir.accounts.models import ApiToken, User
from comptoir.accounts.tests.factories import AddressFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "Tournevis-cruciforme-42"


@pytest.fixture
def admin_client(client: Client) -> Client:
    client.force_login(StaffFactory.create(email="admin@comptoir.test"))
    return client


def test_changelist_search_and_filters(admin_client: Client) -> None:
    UserFactory.create(email="lea@example.fr")
    UserFactory.create(email="marc@example.fr", is_active=False)
    url = reverse("admin:accounts_user_changelist")

    found = admin_client.get(url, {"q": "lea@"})
    inactive = admin_client.get(url, {"is_active__exact": "0"})

    assert found.status_code == 200
    assert [u.email for u in found.context["cl"].result_list] == ["lea@example.fr"]
    assert [u.email for u in inactive.context["cl"].result_list] == ["marc@example.fr"]
    staff = admin_client.get(url, {"is_staff__exact": "1"})
    assert [u.email for u in staff.context["cl"].result_list] == ["admin@comptoir.test"]


def test_change_page_shows_addresses_read_only(admin_client: Client) -> None:
    address = AddressFactory.create(city="Montreuil")

    response = admin_client.get(reverse("admin:accounts_user_change", args=[address.user.pk]))

    assert response.status_code == 200
    assert "Montreuil" in response.content.decode()


def test_add_user_with_password(admin_client: Client) -> None:
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "  New.Staff@Comptoir.test",
            "usable_password": "true",
            "password1": GOOD_PASSWORD,
            "password2": GOOD_PASSWORD,
        },
    )

    assert response.status_code == 302
    user = User.objects.get(email="new.staff@comptoir.test")
    assert user.check_password(GOOD_PASSWORD)


def test_add_user_rejects_duplicate_email_any_case(admin_client: Client) -> None:
    UserFactory.create(email="lea@example.fr")

    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "LEA@example.fr",
            "usable_password": "true",
            "password1": GOOD_PASSWORD,
            "password2": GOOD_PASSWORD,
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["email"]
    assert User.objects.filter(email__iexact="lea@example.fr").count() == 1


def test_deactivate_action_revokes_tokens_but_not_self(admin_client: Client) -> None:
    lea = UserFactory.create()
    services.api_token_create(user=lea)
    me = User.objects.get(email="admin@comptoir.test")

    admin_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "deactivate_users", "_selected_action": [lea.pk, me.pk]},
    )

    lea.refresh_from_db()
    me.refresh_from_db()
    assert (lea.is_active, me.is_active) == (False, True)
    assert not ApiToken.objects.filter(user=lea).exists()


def test_send_password_reset_action(
    admin_client: Client, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    lea = UserFactory.create(email="lea@example.fr")

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:accounts_user_changelist"),
            {"action": "send_password_reset", "_selected_action": [lea.pk]},
        )

    assert [m.to for m in mail.outbox] == [["lea@example.fr"]]


def test_bulk_delete_is_not_offered(admin_client: Client) -> None:
    response = admin_client.get(reverse("admin:accounts_user_changelist"))

    assert (
        "delete_selected" not in response.context["action_form"].fields["action"].choices.__repr__()
    )


def test_api_tokens_read_only_with_revoke_action(admin_client: Client) -> None:
    _raw, token = services.api_token_create(user=UserFactory.create())

    assert admin_client.get(reverse("admin:accounts_apitoken_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:accounts_apitoken_add")).status_code == 403
    change = admin_client.post(
        reverse("admin:accounts_apitoken_change", args=[token.pk]), {"expires_at": "2099-01-01"}
    )
    assert change.status_code == 403

    admin_client.post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )

    assert not ApiToken.objects.exists()


def test_staff_rights_come_from_django_permissions(client: Client) -> None:
    clerk = UserFactory.create(email="clerk@comptoir.test", is_staff=True)
    client.force_login(clerk)
    url = reverse("admin:accounts_user_changelist")

    assert client.get(url).status_code == 403

    clerk.user_permissions.add(Permission.objects.get(codename="view_user"))
    assert client.get(url).status_code == 200
    assert client.get(reverse("admin:accounts_user_add")).status_code == 403


def test_customers_cannot_reach_the_admin(client: Client) -> None:
    client.force_login(UserFactory.create())

    response = client.get(reverse("admin:accounts_user_changelist"))

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


# --- password change -----------------------------------------------------------------------


def _password_url(user: User) -> str:
    return reverse("admin:auth_user_password_change", args=[user.pk])


def test_password_change_revokes_api_tokens(admin_client: Client) -> None:
    lea = UserFactory.create(email="lea@example.fr")
    raw, _token = services.api_token_create(user=lea)
    marc = UserFactory.create(email="marc@example.fr")
    _raw_marc, marc_token = services.api_token_create(user=marc)
    api_client = Client()
    me = "/api/v1/account/me"
    assert api_client.get(me, headers={"Authorization": f"Bearer {raw}"}).status_code == 200

    response = admin_client.post(
        _password_url(lea),
        {"usable_password": "true", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD},
    )

    assert (response.status_code, response["Location"]) == (
        302,
        reverse("admin:accounts_user_change", args=[lea.pk]),
    )
    lea.refresh_from_db()
    assert lea.check_password(GOOD_PASSWORD)
    assert not ApiToken.objects.filter(user=lea).exists()
    old_token = api_client.get(me, headers={"Authorization": f"Bearer {raw}"})
    assert old_token.status_code == 401
    assert old_token.json()["code"] == "UNAUTHORIZED"
    assert list(ApiToken.objects.values_list("pk", flat=True)) == [marc_token.pk]


def test_disabling_password_login_revokes_api_tokens(admin_client: Client) -> None:
    lea = UserFactory.create(email="lea@example.fr")
    services.api_token_create(user=lea)

    response = admin_client.post(
        _password_url(lea), {"usable_password": "false", "unset-password": "1"}
    )

    assert response.status_code == 302
    lea.refresh_from_db()
    assert not lea.has_usable_password()
    assert not ApiToken.objects.filter(user=lea).exists()


@pytest.mark.parametrize(
    ("password1", "password2"), [(GOOD_PASSWORD, "Autre-Mot-De-Passe-77"), ("1234", "1234")]
)
def test_password_change_bad_input_changes_nothing(
    admin_client: Client, password1: str, password2: str
) -> None:
    lea = UserFactory.create(email="lea@example.fr")
    _raw, token = services.api_token_create(user=lea)

    response = admin_client.post(
        _password_url(lea),
        {"usable_password": "true", "password1": password1, "password2": password2},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["password2"]
    lea.refresh_from_db()
    assert lea.check_password("correct-horse-battery")
    assert list(ApiToken.objects.values_list("pk", flat=True)) == [token.pk]


def test_password_change_needs_change_permission(client: Client) -> None:
    lea = UserFactory.create(email="lea@example.fr")
    _raw, token = services.api_token_create(user=lea)
    viewer = UserFactory.create(email="viewer@comptoir.test", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_user"))
    client.force_login(viewer)

    response = client.post(
        _password_url(lea),
        {"usable_password": "true", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD},
    )

    assert response.status_code == 403
    lea.refresh_from_db()
    assert lea.check_password("correct-horse-battery")
    assert list(ApiToken.objects.values_list("pk", flat=True)) == [token.pk]
