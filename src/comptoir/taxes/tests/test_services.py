"""Writes of tax classes and rates: exact values, stable error codes, nothing changed by bad
input, and the rate table made stale once each change commits."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps

from comptoir.core.errors import Conflict, InvalidInput, NotFound
from comptoir.taxes import services
from comptoir.taxes.models import STANDARD, TaxClass, TaxRate
from comptoir.taxes.selectors import taxes_version_bump
from comptoir.taxes.tests.seeded import SEEDED_COUNTRIES, SEEDED_RATES

pytestmark = pytest.mark.django_db

SEEDED = ["standard", "intermediate", "reduced", "super-reduced", "zero"]


def codes() -> list[str]:
    return list(TaxClass.objects.values_list("code", flat=True))


def rates_of(code: str) -> dict[str, Decimal]:
    return {
        str(country): rate
        for country, rate in TaxRate.objects.filter(tax_class__code=code).values_list(
            "country", "rate"
        )
    }


def product_type_with(tax_class: TaxClass) -> Any:
    # Taxes may not import the catalog (import-linter): its models through the registry.
    product_type = apps.get_model("catalog", "ProductType")
    return product_type.objects.create(slug="livres", name="Livres", tax_class=tax_class)


def bumps(callbacks: list[Any]) -> int:
    return sum(1 for callback in callbacks if callback is taxes_version_bump)


# --- tax classes --------------------------------------------------------------------------


def test_create_a_class(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        books = services.tax_class_create(code="books", name="Livres", name_en="Books")

    books.refresh_from_db()
    assert (books.code, books.name, books.name_en, books.position) == (
        "books",
        "Livres",
        "Books",
        5,
    )
    assert codes() == [*SEEDED, "books"]
    assert bumps(callbacks) == 1


def test_create_a_class_at_a_position() -> None:
    first = services.tax_class_create(code="first", name="Premier", position=0)

    assert first.position == 0
    assert codes() == ["standard", "first", *SEEDED[1:]]  # same position: by id


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("", "INVALID_TAX_CLASS_CODE"),
        ("livres et journaux", "INVALID_TAX_CLASS_CODE"),
        ("livres/journaux", "INVALID_TAX_CLASS_CODE"),
        ("x" * 51, "INVALID_TAX_CLASS_CODE"),
        ("réduit", "INVALID_TAX_CLASS_CODE"),
        ("nul\x00", "INVALID_TEXT"),
    ],
)
def test_create_refuses_a_bad_code(
    code: str, expected: str, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(InvalidInput) as exc:
        services.tax_class_create(code=code, name="Livres")

    assert exc.value.code == expected
    assert exc.value.status == 400
    assert "code" in exc.value.errors
    assert codes() == SEEDED
    assert callbacks == []


def test_create_refuses_a_taken_code() -> None:
    with pytest.raises(Conflict) as exc:
        services.tax_class_create(code="reduced", name="Autre")

    assert exc.value.code == "TAX_CLASS_CODE_TAKEN"
    assert exc.value.status == 409
    assert exc.value.errors == {"code": ["TAX_CLASS_CODE_TAKEN"]}
    assert TaxClass.objects.get(code="reduced").name == "Taux réduit"


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"name": ""}, "INVALID_INPUT", "name"),
        ({"name": "x" * 101}, "INVALID_INPUT", "name"),
        ({"name_en": "x" * 101}, "INVALID_INPUT", "name_en"),
        ({"position": -1}, "INVALID_INPUT", "position"),
        ({"name": "Li\x00vres"}, "INVALID_TEXT", "name"),
        ({"name_en": "\ud800"}, "INVALID_TEXT", "name_en"),
    ],
)
def test_create_refuses_bad_fields(fields: dict[str, Any], code: str, field: str) -> None:
    data = {"code": "books", "name": "Livres", **fields}

    with pytest.raises(InvalidInput) as exc:
        services.tax_class_create(**data)

    assert exc.value.code == code
    assert field in exc.value.errors
    assert codes() == SEEDED


def test_update_a_class(django_capture_on_commit_callbacks: Any) -> None:
    reduced = TaxClass.objects.get(code="reduced")

    with django_capture_on_commit_callbacks() as callbacks:
        services.tax_class_update(
            tax_class=reduced, code="reduit", name="Réduit", name_en="Reduced", position=9
        )

    reduced.refresh_from_db()
    assert (reduced.code, reduced.name, reduced.name_en, reduced.position) == (
        "reduit",
        "Réduit",
        "Reduced",
        9,
    )
    assert rates_of("reduit")["FR"] == Decimal("5.500")  # the rates follow the class
    assert bumps(callbacks) == 1


def test_update_only_changes_the_given_fields() -> None:
    zero = TaxClass.objects.get(code="zero")

    services.tax_class_update(tax_class=zero, name="Exonéré")

    zero.refresh_from_db()
    assert (zero.code, zero.name, zero.name_en, zero.position) == (
        "zero",
        "Exonéré",
        "Zero rate",
        4,
    )


def test_the_standard_class_keeps_its_code() -> None:
    standard = TaxClass.objects.get(code=STANDARD)

    with pytest.raises(Conflict) as exc:
        services.tax_class_update(tax_class=standard, code="normal", name="Normal")

    assert exc.value.code == "TAX_CLASS_REQUIRED"
    standard.refresh_from_db()
    assert (standard.code, standard.name) == ("standard", "Taux normal")
    # Renaming it, or "changing" its code to itself, is fine.
    services.tax_class_update(tax_class=standard, code=STANDARD, name="Normal")
    assert TaxClass.objects.get(code=STANDARD).name == "Normal"


@pytest.mark.parametrize(
    ("fields", "code", "status"),
    [
        ({"code": "intermediate"}, "TAX_CLASS_CODE_TAKEN", 409),
        ({"code": "pas un code"}, "INVALID_TAX_CLASS_CODE", 400),
        ({"code": ""}, "INVALID_TAX_CLASS_CODE", 400),
        ({"name": ""}, "INVALID_INPUT", 400),
        ({"name": "ok", "position": -3}, "INVALID_INPUT", 400),
        ({"name_en": "\x00"}, "INVALID_TEXT", 400),
    ],
)
def test_update_refuses_bad_input_and_changes_nothing(
    fields: dict[str, Any], code: str, status: int, django_capture_on_commit_callbacks: Any
) -> None:
    reduced = TaxClass.objects.get(code="reduced")

    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises((InvalidInput, Conflict)) as exc,
    ):
        services.tax_class_update(tax_class=reduced, **fields)

    assert (exc.value.code, exc.value.status) == (code, status)
    # The caller's object is left as it was, and so is the row.
    assert (reduced.code, reduced.name, reduced.position) == ("reduced", "Taux réduit", 2)
    reduced.refresh_from_db()
    assert (reduced.code, reduced.name, reduced.position) == ("reduced", "Taux réduit", 2)
    assert callbacks == []


def test_delete_a_class_with_its_rates(django_capture_on_commit_callbacks: Any) -> None:
    zero = TaxClass.objects.get(code="zero")

    with django_capture_on_commit_callbacks() as callbacks:
        services.tax_class_delete(tax_class=zero)

    assert codes() == SEEDED[:-1]
    assert rates_of("zero") == {}
    assert TaxRate.objects.count() == SEEDED_RATES - SEEDED_COUNTRIES
    assert bumps(callbacks) == 1


def test_the_standard_class_cannot_be_deleted() -> None:
    with pytest.raises(Conflict) as exc:
        services.tax_class_delete(tax_class=TaxClass.objects.get(code=STANDARD))

    assert exc.value.code == "TAX_CLASS_REQUIRED"
    assert exc.value.status == 409
    assert codes() == SEEDED
    assert len(rates_of(STANDARD)) == SEEDED_COUNTRIES


def test_a_class_named_by_a_product_type_cannot_be_deleted(
    django_capture_on_commit_callbacks: Any,
) -> None:
    reduced = TaxClass.objects.get(code="reduced")
    product_type_with(reduced)

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(Conflict) as exc:
        services.tax_class_delete(tax_class=reduced)

    assert exc.value.code == "TAX_CLASS_IN_USE"
    assert exc.value.status == 409
    assert codes() == SEEDED
    assert rates_of("reduced")["FR"] == Decimal("5.500")  # its rates are still there
    assert callbacks == []


def test_a_class_named_by_a_product_cannot_be_deleted() -> None:
    reduced = TaxClass.objects.get(code="reduced")
    category = apps.get_model("catalog", "Category").objects.create(slug="livres", name="Livres")
    product_type = apps.get_model("catalog", "ProductType").objects.create(
        slug="livre", name="Livre"
    )
    apps.get_model("catalog", "Product").objects.create(
        slug="roman",
        name="Roman",
        category=category,
        product_type=product_type,
        tax_class=reduced,
    )

    with pytest.raises(Conflict) as exc:
        services.tax_class_delete(tax_class=reduced)

    assert exc.value.code == "TAX_CLASS_IN_USE"
    assert TaxClass.objects.filter(code="reduced").exists()
    assert len(rates_of("reduced")) == SEEDED_COUNTRIES


# --- tax rates ----------------------------------------------------------------------------


def test_set_a_new_rate(django_capture_on_commit_callbacks: Any) -> None:
    standard = TaxClass.objects.get(code=STANDARD)

    with django_capture_on_commit_callbacks() as callbacks:
        rate = services.tax_rate_set(tax_class=standard, country="ch", rate="20")

    rate.refresh_from_db()
    assert (str(rate.country), rate.tax_class_id, rate.rate) == ("CH", standard.pk, Decimal("20"))
    assert rates_of(STANDARD)["CH"] == Decimal("20.000")
    assert TaxRate.objects.count() == SEEDED_RATES + 1
    assert bumps(callbacks) == 1


def test_set_changes_an_existing_rate(django_capture_on_commit_callbacks: Any) -> None:
    reduced = TaxClass.objects.get(code="reduced")
    before = TaxRate.objects.get(tax_class=reduced, country="FR")

    with django_capture_on_commit_callbacks() as callbacks:
        rate = services.tax_rate_set(tax_class=reduced, country="FR", rate=Decimal("5.125"))

    assert rate.pk == before.pk
    assert TaxRate.objects.get(pk=before.pk).rate == Decimal("5.125")
    assert TaxRate.objects.count() == SEEDED_RATES
    assert bumps(callbacks) == 1


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("0", Decimal("0.000")),
        ("100", Decimal("100.000")),
        ("20.000", Decimal("20.000")),
        (" 7.7 ", Decimal("7.700")),
        ("8.1000", Decimal("8.100")),
        (19, Decimal("19.000")),
        (Decimal("2.125"), Decimal("2.125")),
    ],
)
def test_rates_accepted(given: Any, stored: Decimal) -> None:
    standard = TaxClass.objects.get(code=STANDARD)

    services.tax_rate_set(tax_class=standard, country="CH", rate=given)

    assert TaxRate.objects.get(tax_class=standard, country="CH").rate == stored


@pytest.mark.parametrize(
    "bad",
    [
        "-0.001",
        "-1",
        "100.001",
        "101",
        "5.5555",
        "0.0001",
        "abc",
        "",
        "NaN",
        "Infinity",
        "-Infinity",
        "1e999999",
        "20,5",
        True,
        -5,
    ],
)
def test_bad_rates_are_refused_and_change_nothing(
    bad: Any, django_capture_on_commit_callbacks: Any
) -> None:
    reduced = TaxClass.objects.get(code="reduced")

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(InvalidInput) as exc:
        services.tax_rate_set(tax_class=reduced, country="FR", rate=bad)

    assert exc.value.code == "INVALID_TAX_RATE"
    assert "rate" in exc.value.errors
    assert rates_of("reduced")["FR"] == Decimal("5.500")
    assert callbacks == []


@pytest.mark.parametrize("bad", ["XX", "", "F", "FRA", "250", "EU", "F1", "É1", "fr\x00"])
def test_unknown_countries_are_refused(bad: str) -> None:
    reduced = TaxClass.objects.get(code="reduced")

    with pytest.raises(InvalidInput) as exc:
        services.tax_rate_set(tax_class=reduced, country=bad, rate="5")

    assert exc.value.code == "INVALID_COUNTRY"
    assert "country" in exc.value.errors
    assert TaxRate.objects.count() == SEEDED_RATES


def test_delete_a_rate(django_capture_on_commit_callbacks: Any) -> None:
    reduced = TaxClass.objects.get(code="reduced")

    with django_capture_on_commit_callbacks() as callbacks:
        services.tax_rate_delete(tax_class=reduced, country="fr")

    assert "FR" not in rates_of("reduced")
    assert TaxRate.objects.count() == SEEDED_RATES - 1
    assert bumps(callbacks) == 1


def test_delete_a_missing_rate_is_not_found(django_capture_on_commit_callbacks: Any) -> None:
    reduced = TaxClass.objects.get(code="reduced")

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(NotFound) as exc:
        services.tax_rate_delete(tax_class=reduced, country="CH")

    assert exc.value.code == "TAX_RATE_NOT_FOUND"
    assert exc.value.status == 404
    assert TaxRate.objects.count() == SEEDED_RATES
    assert callbacks == []


def test_delete_a_rate_of_a_bad_country() -> None:
    with pytest.raises(InvalidInput) as exc:
        services.tax_rate_delete(tax_class=TaxClass.objects.get(code="reduced"), country="ZZ")

    assert exc.value.code == "INVALID_COUNTRY"
    assert TaxRate.objects.count() == SEEDED_RATES
