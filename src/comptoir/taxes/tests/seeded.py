"""What the tax migrations seed: 5 classes x the 27 member states.

The expected rates are read from the migrations' own RATES tables (country: standard,
intermediate, reduced, super-reduced; the zero class is 0 everywhere), so that the tests
need not list 27 countries; test_selectors checks that the database holds exactly them.
"""

from __future__ import annotations

from decimal import Decimal
from importlib import import_module

SEEDED_COUNTRIES = 27
SEEDED_RATES = 5 * SEEDED_COUNTRIES

SEEDED_CLASSES = ("standard", "intermediate", "reduced", "super-reduced", "zero")
_MIGRATIONS = ("0002_eu_rates", "0003_other_member_states")


def _tables() -> dict[str, tuple[str, ...]]:
    tables: dict[str, tuple[str, ...]] = {}
    for name in _MIGRATIONS:
        # Migration modules start with a digit: no import statement can name them.
        tables.update(import_module(f"comptoir.taxes.migrations.{name}").RATES)
    return tables


def seeded_rates(code: str) -> dict[str, Decimal]:
    """The seeded rates of the class `code`, by country, in country order."""
    position = SEEDED_CLASSES.index(code)
    return {
        country: Decimal((*rates, "0")[position]) for country, rates in sorted(_tables().items())
    }


SEEDED_COUNTRY_ORDER = list(seeded_rates("standard"))
