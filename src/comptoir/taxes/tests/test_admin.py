"""The taxes back-office: pages load, saves and deletes go through the services (the rate
table follows), and refusals are shown on the page instead of a 500."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from comptoir.accounts.tests.factories import StaffFactory
from comptoir.taxes.models import TaxClass, TaxRate
from comptoir.taxes.selectors import rate_table
from comptoir.taxes.tests.seeded import SEEDED_COUNTRIES, SEEDED_COUNTRY_ORDER, seeded_rates

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client: Client) -> Client:
    client.force_login(StaffFactory.create())
    return client


def class_form(tax_class: TaxClass | None, **fields: Any) -> dict[str, Any]:
    """The POST of a tax class page: its fields and its rates as they are, then `fields`."""
    rates = list(tax_class.rates.order_by("country")) if tax_class else []
    data: dict[str, Any] = {
        "code": tax_class.code if tax_class else "",
        "name": tax_class.name if tax_class else "",
        "name_en": tax_class.name_en if tax_class else "",
        "position": tax_class.position if tax_class else 0,
        "rates-TOTAL_FORMS": len(rates),
        "rates-INITIAL_FORMS": len(rates),
        "rates-MIN_NUM_FORMS": 0,
        "rates-MAX_NUM_FORMS": 1000,
    }
    for index, rate in enumerate(rates):
        data[f"rates-{index}-id"] = rate.pk
        data[f"rates-{index}-tax_class"] = tax_class.pk if tax_class else ""
        data[f"rates-{index}-country"] = str(rate.country)
        data[f"rates-{index}-rate"] = str(rate.rate)
    data.update(fields)
    return data


def add_rate_rows(data: dict[str, Any], *rows: tuple[str, str]) -> dict[str, Any]:
    start = int(data["rates-TOTAL_FORMS"])
    for offset, (country, rate) in enumerate(rows):
        data[f"rates-{start + offset}-country"] = country
        data[f"rates-{start + offset}-rate"] = rate
    data["rates-TOTAL_FORMS"] = start + len(rows)
    return data


def row(country: str) -> int:
    """The index of `country` among the rate rows of a seeded class page (country order)."""
    return SEEDED_COUNTRY_ORDER.index(country)


FR_ROW = row("FR")


def rates_of(code: str) -> dict[str, Decimal]:
    return {
        str(c): r
        for c, r in TaxRate.objects.filter(tax_class__code=code).values_list("country", "rate")
    }


@pytest.mark.parametrize(
    "url",
    [
        reverse("admin:taxes_taxclass_changelist"),
        reverse("admin:taxes_taxclass_add"),
        reverse("admin:taxes_taxrate_changelist"),
        reverse("admin:taxes_taxrate_changelist") + "?country=FR",
        reverse("admin:taxes_taxrate_add"),
    ],
)
def test_pages_load(staff: Client, url: str) -> None:
    assert staff.get(url).status_code == 200


def test_change_pages_load(staff: Client) -> None:
    standard = TaxClass.objects.get(code="standard")
    rate = TaxRate.objects.get(tax_class=standard, country="FR")

    page = staff.get(reverse("admin:taxes_taxclass_change", args=[standard.pk]))
    assert page.status_code == 200
    assert "20.000" in page.content.decode()
    assert staff.get(reverse("admin:taxes_taxrate_change", args=[rate.pk])).status_code == 200


def test_the_rate_list_filters_by_country(staff: Client) -> None:
    response = staff.get(reverse("admin:taxes_taxrate_changelist"), {"country": "DE"})

    rows = list(response.context["cl"].result_list)
    assert {str(r.country) for r in rows} == {"DE"}
    assert len(rows) == 5


def test_create_a_class_with_rates(staff: Client, django_capture_on_commit_callbacks: Any) -> None:
    data = add_rate_rows(
        class_form(None, code="books", name="Livres", name_en="Books", position=7),
        ("FR", "5.5"),
        ("DE", "7"),
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(reverse("admin:taxes_taxclass_add"), data)

    assert response.status_code == 302, response.context["errors"] if response.context else ""
    books = TaxClass.objects.get(code="books")
    assert (books.name, books.name_en, books.position) == ("Livres", "Books", 7)
    assert rates_of("books") == {"FR": Decimal("5.500"), "DE": Decimal("7.000")}
    assert rate_table().rate("FR", books.pk) == 5_500
    assert rate_table().rate("BE", books.pk) == 21_000


def test_change_a_class_and_its_rates(
    staff: Client, django_capture_on_commit_callbacks: Any
) -> None:
    reduced = TaxClass.objects.get(code="reduced")
    data = class_form(reduced, name="Réduit")
    # The rows in country order: AT BE BG ... (the seeded countries).
    data[f"rates-{FR_ROW}-rate"] = "5.6"  # FR changes
    data[f"rates-{row('BE')}-DELETE"] = "on"  # BE goes
    data[f"rates-{row('DE')}-country"] = "CH"  # DE moves to CH
    data[f"rates-{row('DE')}-rate"] = "10"
    add_rate_rows(data, ("NO", "6"))

    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(reverse("admin:taxes_taxclass_change", args=[reduced.pk]), data)

    assert response.status_code == 302
    assert TaxClass.objects.get(pk=reduced.pk).name == "Réduit"
    expected = seeded_rates("reduced")
    del expected["BE"], expected["DE"]
    expected.update(FR=Decimal("5.600"), CH=Decimal("10.000"), NO=Decimal("6.000"))
    assert rates_of("reduced") == expected
    assert rate_table().rate("FR", reduced.pk) == 5_600
    assert rate_table().rate("DE", reduced.pk) == 19_000  # DE standard now
    assert rate_table().rate("BE", reduced.pk) == 21_000


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({f"rates-{FR_ROW}-rate": "5.5555"}, f"rates-{FR_ROW}-rate"),
        ({f"rates-{FR_ROW}-rate": "101"}, f"rates-{FR_ROW}-rate"),
        ({f"rates-{FR_ROW}-country": "XX"}, f"rates-{FR_ROW}-country"),
        ({f"rates-{FR_ROW}-country": "BE"}, f"rates-{FR_ROW}-country"),
        ({"code": "zero"}, "code"),
        ({"code": "pas un code"}, "code"),
    ],
)
def test_bad_input_is_shown_and_saves_nothing(
    staff: Client, fields: dict[str, Any], message: str
) -> None:
    reduced = TaxClass.objects.get(code="reduced")
    before = rates_of("reduced")

    response = staff.post(
        reverse("admin:taxes_taxclass_change", args=[reduced.pk]),
        class_form(reduced, name="Changé", **fields),
    )

    assert response.status_code == 200
    assert response.context["errors"]
    assert TaxClass.objects.get(pk=reduced.pk).name == "Taux réduit"
    assert rates_of("reduced") == before


def test_the_standard_class_keeps_its_code(staff: Client) -> None:
    standard = TaxClass.objects.get(code="standard")

    response = staff.post(
        reverse("admin:taxes_taxclass_change", args=[standard.pk]),
        class_form(standard, code="normal"),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert "The standard tax class keeps its code." in response.content.decode()
    assert TaxClass.objects.filter(code="standard").exists()


def test_a_refusal_while_saving_is_shown(staff: Client, monkeypatch: Any) -> None:
    """A rule the form cannot check (here: a code taken between the check and the save) is
    shown on the page and rolls the whole save back."""
    from comptoir.core.errors import Conflict
    from comptoir.taxes import services

    def refuse(**kwargs: Any) -> None:
        raise Conflict(
            "Taken meanwhile.", code="TAX_CLASS_CODE_TAKEN", errors={"code": ["Taken meanwhile."]}
        )

    monkeypatch.setattr(services, "tax_rate_set", refuse)
    reduced = TaxClass.objects.get(code="reduced")
    data = class_form(reduced, name="Changé")
    data[f"rates-{FR_ROW}-rate"] = "5.6"

    response = staff.post(reverse("admin:taxes_taxclass_change", args=[reduced.pk]), data)

    assert response.status_code == 200
    assert "Taken meanwhile." in response.content.decode()
    assert TaxClass.objects.get(pk=reduced.pk).name == "Taux réduit"
    assert rates_of("reduced")["FR"] == Decimal("5.500")


def test_delete_a_class(staff: Client, django_capture_on_commit_callbacks: Any) -> None:
    zero = TaxClass.objects.get(code="zero")
    assert rate_table().rate("FR", zero.pk) == 0

    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            reverse("admin:taxes_taxclass_delete", args=[zero.pk]), {"post": "yes"}
        )

    assert response.status_code == 302
    assert not TaxClass.objects.filter(code="zero").exists()
    assert ("FR", zero.pk) not in rate_table().rates


def test_the_standard_class_cannot_be_deleted(staff: Client) -> None:
    standard = TaxClass.objects.get(code="standard")

    single = staff.post(
        reverse("admin:taxes_taxclass_delete", args=[standard.pk]),
        {"post": "yes"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    bulk = staff.post(
        reverse("admin:taxes_taxclass_changelist"),
        {"action": "delete_selected", "_selected_action": [standard.pk], "post": "yes"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert single.status_code == 200
    assert "products without a class are taxed at it" in single.content.decode()
    assert bulk.status_code == 200
    assert "products without a class are taxed at it" in bulk.content.decode()
    assert TaxClass.objects.filter(pk=standard.pk).exists()


def test_a_class_in_use_cannot_be_deleted(staff: Client) -> None:
    reduced = TaxClass.objects.get(code="reduced")
    apps.get_model("catalog", "ProductType").objects.create(
        slug="livres", name="Livres", tax_class=reduced
    )

    response = staff.post(
        reverse("admin:taxes_taxclass_delete", args=[reduced.pk]), {"post": "yes"}
    )

    assert response.status_code == 200  # Django lists the protected product type
    assert TaxClass.objects.filter(pk=reduced.pk).exists()
    assert len(rates_of("reduced")) == SEEDED_COUNTRIES


def test_a_refused_bulk_delete_deletes_nothing(staff: Client, monkeypatch: Any) -> None:
    """If the service refuses one class of the selection (a product type named it
    meanwhile), none is deleted."""
    zero = TaxClass.objects.get(code="zero")
    inter = TaxClass.objects.get(code="intermediate")
    from comptoir.core.errors import Conflict
    from comptoir.taxes import services

    real = services.tax_class_delete

    def refuse_zero(*, tax_class: TaxClass) -> None:
        if tax_class.code == "zero":
            raise Conflict("In use.", code="TAX_CLASS_IN_USE")
        real(tax_class=tax_class)

    monkeypatch.setattr(services, "tax_class_delete", refuse_zero)

    response = staff.post(
        reverse("admin:taxes_taxclass_changelist"),
        {"action": "delete_selected", "_selected_action": [inter.pk, zero.pk], "post": "yes"},
        follow=True,
    )

    assert "In use." in response.content.decode()
    assert TaxClass.objects.filter(pk__in=[inter.pk, zero.pk]).count() == 2


def test_rate_pages_save_through_services(
    staff: Client, django_capture_on_commit_callbacks: Any
) -> None:
    standard = TaxClass.objects.get(code="standard")
    reduced = TaxClass.objects.get(code="reduced")

    with django_capture_on_commit_callbacks(execute=True):
        added = staff.post(
            reverse("admin:taxes_taxrate_add"),
            {"tax_class": standard.pk, "country": "CH", "rate": "20"},
        )
    assert added.status_code == 302
    at = TaxRate.objects.get(tax_class=standard, country="CH")
    assert rate_table().rate("CH", None) == 20_000

    with django_capture_on_commit_callbacks(execute=True):
        moved = staff.post(
            reverse("admin:taxes_taxrate_change", args=[at.pk]),
            {"tax_class": reduced.pk, "country": "CH", "rate": "10"},
        )
    assert moved.status_code == 302
    assert rates_of("reduced")["CH"] == Decimal("10.000")
    assert "CH" not in rates_of("standard")

    duplicate = staff.post(
        reverse("admin:taxes_taxrate_add"),
        {"tax_class": reduced.pk, "country": "FR", "rate": "5"},
    )
    assert duplicate.status_code == 200
    assert rates_of("reduced")["FR"] == Decimal("5.500")

    fr = TaxRate.objects.get(tax_class=reduced, country="FR")
    with django_capture_on_commit_callbacks(execute=True):
        deleted = staff.post(reverse("admin:taxes_taxrate_delete", args=[fr.pk]), {"post": "yes"})
    assert deleted.status_code == 302
    assert "FR" not in rates_of("reduced")
    assert rate_table().rate("FR", reduced.pk) == 20_000
