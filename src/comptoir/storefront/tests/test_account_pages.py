"""Customer account pages: home and navigation, the address book (add, edit, delete,
default), profile, password change; login required, another customer's address is a 404,
CSRF, accessible errors, XSS in addresses escaped, the home page's pinned statements."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comptoir.accounts.models import Address, ApiToken, User
from comptoir.accounts.services import address_create, api_token_create
from comptoir.accounts.tests.factories import UserFactory
from comptoir.core.testing import LanguageClient
from comptoir.storefront.tests.conftest import Store
from comptoir.wishlists.services import wishlist_item_add

pytestmark = pytest.mark.django_db

# Session, user; the company membership (whose orders the customer sees) and the three
# latest orders; the addresses; the wishlist and its item count. (The company for the
# navigation's B2B links is the process's copy of buyers: no query.)
ACCOUNT_HOME = 7
PASSWORD = "correct-horse-battery"
ADDRESS = {
    "first_name": "L\u00e9a",
    "last_name": "Durand",
    "street_address_1": "12 rue de la Paix",
    "postal_code": "75002",
    "city": "Paris",
    "country": "FR",
}
PAGES = [
    "storefront:account",
    "storefront:account_addresses",
    "storefront:account_address_add",
    "storefront:account_profile",
    "storefront:account_password",
    "storefront:wishlist",
]


@pytest.fixture
def lea(db: None) -> User:
    return UserFactory.create(email="lea@example.fr")


@pytest.fixture
def client_lea(lea: User) -> Client:
    client = LanguageClient(language="en")
    client.force_login(lea)
    return client


def _address(user: User, **fields: Any) -> Address:
    return address_create(user=user, **{**ADDRESS, **fields})


@pytest.mark.parametrize("name", PAGES)
def test_visitors_are_sent_to_log_in(client: Client, name: str) -> None:
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url}"


@pytest.mark.parametrize("name", PAGES)
def test_every_page_has_the_account_navigation(client_lea: Client, name: str) -> None:
    response = client_lea.get(reverse(name))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert '<nav class="account-nav" aria-label="My account">' in html
    for target in (
        "storefront:account_orders",
        "storefront:wishlist",
        "storefront:account_password",
    ):
        assert f'href="{reverse(target)}"' in html
    assert 'aria-current="page"' in html


class TestHome:
    def test_shows_the_summary(self, client_lea: Client, lea: User, store: Store) -> None:
        _address(lea)
        wishlist_item_add(user=lea, channel=store.channel, product="perceuse")
        html = client_lea.get(reverse("storefront:account")).content.decode()
        assert "Hello L\u00e9a." in html
        assert "lea@example.fr" in html
        assert "1 saved address" in html
        assert "1 product kept for later" in html
        assert "You have not ordered anything yet." in html
        assert "12 rue de la Paix" in html

    @pytest.mark.parametrize("filled", [False, True])
    def test_pinned_queries(
        self, client_lea: Client, lea: User, store: Store, filled: bool
    ) -> None:
        if filled:
            _address(lea)
            _address(lea, city="Lyon", postal_code="69001")
            wishlist_item_add(user=lea, channel=store.channel, product="perceuse")
            wishlist_item_add(user=lea, channel=store.channel, product="scie")
        url = reverse("storefront:account")
        client_lea.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client_lea.get(url)
        assert response.status_code == 200
        expected = ACCOUNT_HOME if filled else ACCOUNT_HOME - 1  # no wishlist: no count
        assert len(queries) == expected, [q["sql"][:120] for q in queries.captured_queries]


class TestAddresses:
    def test_add(self, client_lea: Client, lea: User) -> None:
        response = client_lea.post(reverse("storefront:account_address_add"), ADDRESS)
        assert response.status_code == 302
        assert response["Location"] == reverse("storefront:account_addresses")
        address = Address.objects.get(user=lea)
        assert (address.city, address.is_default_shipping, address.is_default_billing) == (
            "Paris",
            True,
            True,
        )

    def test_bad_input_is_shown_on_the_field(self, client_lea: Client, lea: User) -> None:
        response = client_lea.post(
            reverse("storefront:account_address_add"), {**ADDRESS, "postal_code": "ABC"}
        )
        assert response.status_code == 400
        html = response.content.decode()
        assert '<ul class="errorlist" id="id_postal_code_error">' in html
        assert 'aria-describedby="id_postal_code_error"' in html
        assert '<label for="id_postal_code">Postal code</label>' in html
        assert not Address.objects.exists()

    @pytest.mark.parametrize(
        "fields",
        [
            {"country": "XX"},
            {"first_name": ""},
            {"phone": "not a phone"},
            {"city": "x" * 500},
            {"street_address_1": "A\x00B"},
        ],
    )
    def test_more_bad_input(self, client_lea: Client, fields: dict[str, str]) -> None:
        response = client_lea.post(reverse("storefront:account_address_add"), {**ADDRESS, **fields})
        assert response.status_code == 400
        assert not Address.objects.exists()

    def test_xss_is_escaped(self, client_lea: Client, lea: User) -> None:
        _address(lea, first_name='<script>alert("x")</script>', city="<img src=x onerror=alert(1)>")
        html = client_lea.get(reverse("storefront:account_addresses")).content.decode()
        assert '<script>alert("x")</script>' not in html
        assert "<img src=x" not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
        home = client_lea.get(reverse("storefront:account")).content.decode()
        assert "<img src=x" not in home

    def test_edit(self, client_lea: Client, lea: User) -> None:
        address = _address(lea)
        url = reverse("storefront:account_address_edit", args=[address.pk])
        form = client_lea.get(url).content.decode()
        assert 'value="12 rue de la Paix"' in form
        response = client_lea.post(url, {**ADDRESS, "city": "Lyon", "postal_code": "69001"})
        assert response.status_code == 302
        address.refresh_from_db()
        assert (address.city, address.postal_code) == ("Lyon", "69001")
        bad = client_lea.post(url, {**ADDRESS, "postal_code": "1"})
        assert bad.status_code == 400
        address.refresh_from_db()
        assert address.postal_code == "69001"

    def test_default_and_delete(self, client_lea: Client, lea: User) -> None:
        first = _address(lea)
        second = _address(lea, city="Lyon", postal_code="69001")
        url = reverse("storefront:account_address_default", args=[second.pk])
        assert client_lea.post(url, {"kind": "shipping"}).status_code == 302
        first.refresh_from_db()
        second.refresh_from_db()
        assert (first.is_default_shipping, second.is_default_shipping) == (False, True)
        assert first.is_default_billing is True
        assert client_lea.post(url, {"kind": "nonsense"}).status_code == 302
        second.refresh_from_db()
        assert second.is_default_billing is False

        delete = reverse("storefront:account_address_delete", args=[first.pk])
        assert client_lea.post(delete).status_code == 302
        assert list(Address.objects.filter(user=lea)) == [second]

    def test_another_customers_address_is_a_404(self, client_lea: Client) -> None:
        theirs = _address(UserFactory.create())
        edit = reverse("storefront:account_address_edit", args=[theirs.pk])
        assert client_lea.get(edit).status_code == 404
        assert client_lea.post(edit, {**ADDRESS, "city": "Lyon"}).status_code == 404
        delete = reverse("storefront:account_address_delete", args=[theirs.pk])
        assert client_lea.post(delete).status_code == 404
        default = reverse("storefront:account_address_default", args=[theirs.pk])
        assert client_lea.post(default, {"kind": "billing"}).status_code == 404
        unknown = reverse("storefront:account_address_edit", args=[10**30])
        assert client_lea.get(unknown).status_code == 404
        theirs.refresh_from_db()
        assert theirs.city == "Paris"

    def test_csrf_is_checked(self, lea: User) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(lea)
        assert client.post(reverse("storefront:account_address_add"), ADDRESS).status_code == 403
        assert not Address.objects.exists()

    def test_delete_needs_post(self, client_lea: Client, lea: User) -> None:
        address = _address(lea)
        url = reverse("storefront:account_address_delete", args=[address.pk])
        assert client_lea.get(url).status_code == 405
        assert Address.objects.filter(pk=address.pk).exists()


class TestProfile:
    def test_update(self, client_lea: Client, lea: User) -> None:
        html = client_lea.get(reverse("storefront:account_profile")).content.decode()
        assert "lea@example.fr" in html
        response = client_lea.post(
            reverse("storefront:account_profile"),
            {"first_name": "  L\u00e9a  ", "last_name": "Martin", "language": "en"},
        )
        assert response.status_code == 302
        lea.refresh_from_db()
        assert (lea.first_name, lea.last_name, lea.language) == ("L\u00e9a", "Martin", "en")

    @pytest.mark.parametrize(
        "data",
        [
            {"first_name": "x", "last_name": "y", "language": "de"},
            {"first_name": "x" * 151, "last_name": "y", "language": "fr"},
            {"first_name": "A\x00", "last_name": "y", "language": "fr"},
        ],
    )
    def test_bad_input(self, client_lea: Client, lea: User, data: dict[str, str]) -> None:
        response = client_lea.post(reverse("storefront:account_profile"), data)
        assert response.status_code == 400
        lea.refresh_from_db()
        assert (lea.first_name, lea.language) == ("L\u00e9a", "fr")


class TestPassword:
    URL = "storefront:account_password"

    def test_change(self, client_lea: Client, lea: User) -> None:
        api_token_create(user=lea)
        new = "a-much-better-passphrase-42"
        response = client_lea.post(
            reverse(self.URL),
            {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("storefront:account")
        lea.refresh_from_db()
        assert lea.check_password(new)
        assert not ApiToken.objects.filter(user=lea).exists()  # applications signed out
        # This browser stays signed in.
        assert client_lea.get(reverse("storefront:account")).status_code == 200

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            (
                {
                    "old_password": "wrong",
                    "new_password1": "Zx9-long-enough!",
                    "new_password2": "Zx9-long-enough!",
                },
                "old_password",
            ),
            (
                {
                    "old_password": PASSWORD,
                    "new_password1": "Zx9-long-enough!",
                    "new_password2": "other",
                },
                "new_password2",
            ),
            (
                {"old_password": PASSWORD, "new_password1": "123", "new_password2": "123"},
                "new_password2",
            ),
        ],
    )
    def test_refusals(
        self, client_lea: Client, lea: User, data: dict[str, str], field: str
    ) -> None:
        response = client_lea.post(reverse(self.URL), data)
        assert response.status_code == 400
        assert re.search(rf'aria-describedby="[^"]*id_{field}_error"', response.content.decode())
        lea.refresh_from_db()
        assert lea.check_password(PASSWORD)
