"""The rate table every process keeps (comptoir.taxes.selectors.rate_table): the rates of
the migration, the fallback to a country's standard rate, and its reload after a change."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from comptoir.taxes import services
from comptoir.taxes.models import STANDARD, TaxClass, TaxRate
from comptoir.taxes.rules import EU_MEMBER_STATES
from comptoir.taxes.selectors import rate_table, taxes_version_bump
from comptoir.taxes.tests.seeded import (
    SEEDED_CLASSES,
    SEEDED_COUNTRIES,
    SEEDED_RATES,
    seeded_rates,
)

pytestmark = pytest.mark.django_db


def class_id(code: str) -> int:
    return TaxClass.objects.get(code=code).pk


@pytest.mark.parametrize(
    ("country", "code", "expected"),
    [
        ("FR", "standard", 20_000),
        ("FR", "intermediate", 10_000),
        ("FR", "reduced", 5_500),
        ("FR", "super-reduced", 2_100),
        ("FR", "zero", 0),
        ("BE", "standard", 21_000),
        ("BE", "intermediate", 12_000),
        ("BE", "super-reduced", 6_000),
        ("DE", "standard", 19_000),
        ("DE", "intermediate", 7_000),
        ("DE", "reduced", 7_000),
        ("ES", "super-reduced", 4_000),
        ("IT", "standard", 22_000),
        ("IT", "reduced", 5_000),
        ("NL", "intermediate", 9_000),
        ("LU", "standard", 17_000),
        ("LU", "intermediate", 14_000),
        ("LU", "super-reduced", 3_000),
    ],
)
def test_rates_of_the_migration(country: str, code: str, expected: int) -> None:
    assert rate_table().rate(country, class_id(code)) == expected


def test_the_migrations_seed_five_classes_in_every_member_state() -> None:
    table = rate_table()

    assert sorted(table.class_codes.values()) == sorted(
        ["standard", "intermediate", "reduced", "super-reduced", "zero"]
    )
    assert table.standard_id == class_id(STANDARD)
    assert {country for country, _class in table.rates} == EU_MEMBER_STATES
    assert len(table.rates) == SEEDED_RATES


def test_the_database_holds_exactly_the_rates_of_the_migration_tables() -> None:
    """What the other tests expect (seeded_rates) is what the migrations wrote."""
    for code in SEEDED_CLASSES:
        stored = {
            str(country): rate
            for country, rate in TaxRate.objects.filter(tax_class__code=code).values_list(
                "country", "rate"
            )
        }
        assert stored == seeded_rates(code), code
        assert len(stored) == SEEDED_COUNTRIES


def test_no_class_is_the_standard_class() -> None:
    assert rate_table().rate("FR", None) == 20_000
    assert rate_table().rate("BE", None) == 21_000


def test_a_class_without_a_rate_in_a_country_falls_back_to_its_standard_rate(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        books = services.tax_class_create(code="books", name="Livres")
        services.tax_rate_set(tax_class=books, country="FR", rate="5.5")

    table = rate_table()
    assert table.rate("FR", books.pk) == 5_500
    assert table.rate("DE", books.pk) == 19_000
    assert table.rate("BE", books.pk) == 21_000


def test_an_unknown_country_has_no_rate() -> None:
    table = rate_table()

    assert table.rate("US", class_id("standard")) is None
    assert table.rate("XX", None) is None
    assert table.rate("CH", class_id("reduced")) is None


def test_without_a_standard_class_a_product_without_class_has_no_rate() -> None:
    TaxRate.objects.filter(tax_class__code=STANDARD).delete()
    TaxClass.objects.filter(code=STANDARD).delete()
    taxes_version_bump()

    table = rate_table()
    assert table.standard_id is None
    assert table.rate("FR", None) is None
    assert table.rate("FR", class_id("reduced")) == 5_500


def test_the_table_is_kept_until_a_service_changes_a_rate(
    django_capture_on_commit_callbacks: Any, django_assert_num_queries: Any
) -> None:
    standard = TaxClass.objects.get(code=STANDARD)
    assert rate_table().rate("FR", standard.pk) == 20_000

    # A change behind the services' back is not seen: the copy is current.
    TaxRate.objects.filter(tax_class=standard, country="FR").update(rate=Decimal("19.6"))
    with django_assert_num_queries(0):
        assert rate_table().rate("FR", standard.pk) == 20_000

    # A service bumps the version when its transaction commits: the copy is reloaded.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.tax_rate_set(tax_class=standard, country="FR", rate="21")
        assert rate_table().rate("FR", standard.pk) == 20_000  # not committed yet

    assert len(callbacks) == 1
    assert rate_table().rate("FR", standard.pk) == 21_000


def test_the_table_is_reloaded_after_a_class_is_deleted(
    django_capture_on_commit_callbacks: Any,
) -> None:
    zero = TaxClass.objects.get(code="zero")
    assert rate_table().rate("FR", zero.pk) == 0

    with django_capture_on_commit_callbacks(execute=True):
        services.tax_class_delete(tax_class=zero)

    table = rate_table()
    assert zero.pk not in table.class_codes
    assert ("FR", zero.pk) not in table.rates


def test_the_table_is_reloaded_after_a_rate_is_removed(
    django_capture_on_commit_callbacks: Any,
) -> None:
    reduced = TaxClass.objects.get(code="reduced")

    with django_capture_on_commit_callbacks(execute=True):
        services.tax_rate_delete(tax_class=reduced, country="FR")

    assert rate_table().rate("FR", reduced.pk) == 20_000  # the standard rate now


@pytest.mark.django_db
def test_every_member_state_has_rates() -> None:
    from comptoir.taxes.rules import EU_MEMBER_STATES

    table = rate_table()
    missing = [c for c in sorted(EU_MEMBER_STATES) if table.rate(c, table.standard_id) is None]
    assert missing == []
    assert table.rate("PL", table.standard_id) == 23_000
