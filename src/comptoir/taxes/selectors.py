"""Reads of tax classes and rates. The rate table is small and read by every priced page:
each process keeps a copy (VersionedMemo), reloaded when a tax service bumps its version."""

from __future__ import annotations

from dataclasses import dataclass

from comptoir.core.memo import VersionedMemo, cache_version, cache_version_bump
from comptoir.taxes.calc import rate_units
from comptoir.taxes.models import STANDARD, TaxClass, TaxRate

TAXES_VERSION_KEY = "taxes:version"


@dataclass(frozen=True, slots=True)
class RateTable:
    # tax class id -> code, and the id of the standard class (products without a class).
    class_codes: dict[int, str]
    standard_id: int | None
    # (country, tax class id) -> rate in thousandths of a percent.
    rates: dict[tuple[str, int], int]

    def class_id(self, tax_class_id: int | None) -> int | None:
        return tax_class_id if tax_class_id is not None else self.standard_id

    def rate(self, country: str, tax_class_id: int | None) -> int | None:
        """The rate of a class in a country; its standard rate when the class has no rate
        there; None when the country has no rates at all."""
        class_id = self.class_id(tax_class_id)
        if class_id is None:
            return None
        found = self.rates.get((country, class_id))
        if found is None and self.standard_id is not None:
            found = self.rates.get((country, self.standard_id))
        return found


def _load() -> RateTable:
    classes = dict(TaxClass.objects.values_list("id", "code"))
    standard_id = next((pk for pk, code in classes.items() if code == STANDARD), None)
    rates = {
        (str(country), class_id): rate_units(rate)
        for country, class_id, rate in TaxRate.objects.values_list(
            "country", "tax_class_id", "rate"
        )
    }
    return RateTable(class_codes=classes, standard_id=standard_id, rates=rates)


_memo: VersionedMemo[RateTable] = VersionedMemo(
    version=lambda: cache_version(TAXES_VERSION_KEY),
    load=_load,
    check_seconds=lambda: 1.0,
    max_age_seconds=lambda: 60.0,
)


def rate_table() -> RateTable:
    return _memo.get()


def taxes_version_bump() -> int:
    """Make every copy of the rate table stale. Tax services call it through
    `transaction.on_commit(taxes_version_bump, robust=True)`."""
    _memo.reset()
    try:
        return cache_version_bump(TAXES_VERSION_KEY)
    finally:
        _memo.reset()
