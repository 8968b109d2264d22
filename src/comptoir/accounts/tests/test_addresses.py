"""Address book services and selectors: validation per country, defaults, scoping."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from comptoir.accounts import selectors, services
from comptoir.accounts.models import Address
from comptoir.accounts.tests.factories import AddressFactory, UserFactory
from comptoir.core.errors import InvalidInput, NotFound

pytestmark = pytest.mark.django_db

# country: (postal code as typed, stored, a malformed one, phone as typed, stored E.164)
COUNTRIES = {
    "FR": ("75011", "75011", "7501", "06 12 34 56 78", "+33612345678"),
    "BE": ("1000", "1000", "10000", "0470 12 34 56", "+32470123456"),
    "DE": ("10115", "10115", "1011", "030 1234567", "+49301234567"),
    "ES": ("28013", "28013", "2801A", "612 345 678", "+34612345678"),
    "IT": ("00184", "00184", "0018", "06 1234 5678", "+390612345678"),
    "NL": ("1012 ab", "1012 AB", "0123 AB", "020 123 4567", "+31201234567"),
    "LU": ("L-1009", "1009", "123", "621 123 456", "+352621123456"),
    "CH": ("CH-8001", "8001", "80011", "044 668 18 00", "+41446681800"),
    "GB": ("sw1a  1aa", "SW1A 1AA", "SW1A 1AAX", "020 7946 0958", "+442079460958"),
    "US": ("94105-1234", "94105-1234", "9410", "(415) 555-2671", "+14155552671"),
    "PT": ("1100-148", "1100-148", "1100148", "912 345 678", "+351912345678"),
    "AT": ("1010", "1010", "10100", "01 5134567", "+4315134567"),
}


def _fields(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "first_name": "Léa",
        "last_name": "Durand",
        "street_address_1": "12 rue des Lilas",
        "postal_code": "75011",
        "city": "Paris",
        "country": "FR",
        "phone": "",
    }
    fields.update(overrides)
    return fields


@pytest.mark.parametrize("country", sorted(COUNTRIES))
def test_address_create_accepts_and_normalises_valid_codes(country: str) -> None:
    typed, stored, _bad, phone, e164 = COUNTRIES[country]
    user = UserFactory.create()

    address = services.address_create(
        user=user, **_fields(country=country.lower(), postal_code=typed, phone=phone)
    )

    address.refresh_from_db()
    assert (str(address.country), address.postal_code, address.phone) == (country, stored, e164)


@pytest.mark.parametrize("country", sorted(COUNTRIES))
def test_address_create_rejects_malformed_postal_code(country: str) -> None:
    _typed, _stored, bad, _phone, _e164 = COUNTRIES[country]
    user = UserFactory.create()

    with translation.override("en"), pytest.raises(InvalidInput) as exc:
        services.address_create(user=user, **_fields(country=country, postal_code=bad))

    assert exc.value.code == "ADDRESS_INVALID"
    assert list(exc.value.errors) == ["postal_code"]
    assert exc.value.errors["postal_code"][0].startswith("Invalid postal code for this country")
    assert not Address.objects.exists()


@pytest.mark.parametrize(
    ("country", "typed", "stored"),
    [
        ("FR", "\uff17\uff15\uff10\uff11\uff11", "75011"),
        ("DE", "\uff11\uff10\uff11\uff11\uff15", "10115"),
        ("GB", "\uff53\uff57\uff11\uff41 \uff11\uff41\uff41", "SW1A 1AA"),
    ],
)
def test_full_width_postal_codes_are_made_ascii(country: str, typed: str, stored: str) -> None:
    address = services.address_create(
        user=UserFactory.create(), **_fields(country=country, postal_code=typed)
    )
    assert address.postal_code == stored


@pytest.mark.parametrize(
    ("country", "typed"),
    [
        ("FR", "\u0667\u0665\u0660\u0661\u0661"),
        ("FR", "\u096d\u096b\u0966\u0967\u0967"),
        ("DE", "\u0661\u0660\u0661\u0661\u0665"),
        ("US", "\uff19\uff14\u0660\u0664\u0663"),
    ],
)
def test_postal_codes_in_other_digits_are_refused(country: str, typed: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        services.address_create(
            user=UserFactory.create(), **_fields(country=country, postal_code=typed)
        )
    assert (exc.value.code, list(exc.value.errors)) == ("ADDRESS_INVALID", ["postal_code"])
    assert not Address.objects.exists()


@pytest.mark.parametrize(
    ("country", "phone"),
    [
        ("FR", "06 12 34"),
        ("FR", "not a phone"),
        ("DE", "+49 12"),
        ("US", "(415) 555-26"),
        ("GB", "020 7946"),
    ],
)
def test_address_create_rejects_invalid_phone(country: str, phone: str) -> None:
    typed = COUNTRIES[country][0]

    with pytest.raises(InvalidInput) as exc:
        services.address_create(
            user=UserFactory.create(), **_fields(country=country, postal_code=typed, phone=phone)
        )

    assert exc.value.code == "ADDRESS_INVALID"
    assert list(exc.value.errors) == ["phone"]
    assert not Address.objects.exists()


def test_address_phone_in_international_format_from_another_country() -> None:
    address = services.address_create(
        user=UserFactory.create(), **_fields(phone="+41 44 668 18 00")
    )

    assert address.phone == "+41446681800"


def test_address_create_reports_every_bad_field() -> None:
    with pytest.raises(InvalidInput) as exc:
        services.address_create(
            user=UserFactory.create(),
            **_fields(
                first_name="  ", city="", country="ZZ", postal_code="75011", phone="0612345678"
            ),
        )

    assert exc.value.code == "ADDRESS_INVALID"
    assert sorted(exc.value.errors) == ["city", "country", "first_name"]


def test_first_address_becomes_default_then_defaults_move() -> None:
    user = UserFactory.create()
    first = services.address_create(user=user, **_fields())
    assert (first.is_default_shipping, first.is_default_billing) == (True, True)

    second = services.address_create(user=user, **_fields(city="Lyon", postal_code="69001"))
    assert (second.is_default_shipping, second.is_default_billing) == (False, False)

    third = services.address_create(
        user=user, **_fields(city="Lille", postal_code="59000", is_default_shipping=True)
    )

    rows = list(
        Address.objects.filter(user=user)
        .order_by("id")
        .values_list("pk", "is_default_shipping", "is_default_billing")
    )
    assert rows == [(first.pk, False, True), (second.pk, False, False), (third.pk, True, False)]


def test_defaults_are_per_user() -> None:
    lea, marc = UserFactory.create(), UserFactory.create()
    lea_address = services.address_create(user=lea, **_fields())

    services.address_create(user=marc, **_fields(is_default_billing=True))

    lea_address.refresh_from_db()
    assert (lea_address.is_default_shipping, lea_address.is_default_billing) == (True, True)


def test_address_update_changes_given_fields_and_revalidates() -> None:
    user = UserFactory.create()
    address = services.address_create(user=user, **_fields())
    other = services.address_create(user=user, **_fields(city="Lyon", postal_code="69001"))

    updated = services.address_update(
        user=user,
        address_id=other.pk,
        country="BE",
        postal_code="1000",
        city="Bruxelles",
        phone="0470 12 34 56",
        is_default_billing=True,
    )

    assert (str(updated.country), updated.postal_code, updated.city, updated.phone) == (
        "BE",
        "1000",
        "Bruxelles",
        "+32470123456",
    )
    address.refresh_from_db()
    assert (address.is_default_shipping, address.is_default_billing) == (True, False)
    assert updated.is_default_billing is True


def test_address_update_with_bad_postal_code_changes_nothing() -> None:
    user = UserFactory.create()
    address = services.address_create(user=user, **_fields())

    with pytest.raises(InvalidInput) as exc:
        services.address_update(user=user, address_id=address.pk, country="BE")

    assert exc.value.code == "ADDRESS_INVALID"
    assert list(exc.value.errors) == ["postal_code"]
    address.refresh_from_db()
    assert (str(address.country), address.postal_code) == ("FR", "75011")


def test_address_update_rejects_unknown_fields() -> None:
    user = UserFactory.create()
    address = services.address_create(user=user, **_fields())

    with pytest.raises(InvalidInput) as exc:
        services.address_update(user=user, address_id=address.pk, user_id=999)

    assert exc.value.code == "ADDRESS_INVALID"
    assert list(exc.value.errors) == ["user_id"]


def test_another_users_address_is_not_found_everywhere() -> None:
    owner, intruder = UserFactory.create(), UserFactory.create()
    address = AddressFactory.create(user=owner)

    with pytest.raises(NotFound) as exc:
        selectors.address_get(user=intruder, address_id=address.pk)
    assert (exc.value.status, exc.value.code) == (404, "ADDRESS_NOT_FOUND")
    with pytest.raises(NotFound):
        services.address_update(user=intruder, address_id=address.pk, city="Nice")
    with pytest.raises(NotFound):
        services.address_delete(user=intruder, address_id=address.pk)

    address.refresh_from_db()
    assert address.city == "Paris"
    assert selectors.address_list(user=intruder).count() == 0


def test_address_list_and_delete() -> None:
    user = UserFactory.create()
    a = services.address_create(user=user, **_fields())
    b = services.address_create(user=user, **_fields(city="Lyon", postal_code="69001"))
    AddressFactory.create()  # someone else's

    assert list(selectors.address_list(user=user)) == [a, b]

    services.address_delete(user=user, address_id=a.pk)

    assert list(selectors.address_list(user=user)) == [b]
