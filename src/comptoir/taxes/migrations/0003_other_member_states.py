"""VAT rates of the other member states, so that distance sales to consumers anywhere in
the EU (OSS) are taxed at the destination's rates.

Rates in force in late 2025 (standard, intermediate, reduced, super-reduced; a country
without a class of its own maps it to its nearest rate). Staff keep them current in the
admin or the admin API.
"""

from decimal import Decimal

from django.db import migrations

CLASSES = ("standard", "intermediate", "reduced", "super-reduced", "zero")
RATES = {
    "AT": ("20", "13", "10", "10"),
    "BG": ("20", "9", "9", "9"),
    "CY": ("19", "9", "5", "5"),
    "CZ": ("21", "12", "12", "12"),
    "DK": ("25", "25", "25", "25"),
    "EE": ("24", "13", "9", "9"),
    "FI": ("25.5", "13.5", "10", "10"),
    "GR": ("24", "13", "6", "6"),
    "HR": ("25", "13", "5", "5"),
    "HU": ("27", "18", "5", "5"),
    "IE": ("23", "13.5", "9", "4.8"),
    "LT": ("21", "9", "5", "5"),
    "LV": ("21", "12", "5", "5"),
    "MT": ("18", "7", "5", "5"),
    "PL": ("23", "8", "5", "5"),
    "PT": ("23", "13", "6", "6"),
    "RO": ("21", "11", "11", "11"),
    "SE": ("25", "12", "6", "6"),
    "SI": ("22", "9.5", "5", "5"),
    "SK": ("23", "19", "5", "5"),
}


def forwards(apps, schema_editor):
    TaxClass = apps.get_model("taxes", "TaxClass")
    TaxRate = apps.get_model("taxes", "TaxRate")
    classes = {c.code: c for c in TaxClass.objects.filter(code__in=CLASSES)}
    for country, rates in RATES.items():
        for code, rate in zip(CLASSES, (*rates, "0"), strict=True):
            if code in classes:
                TaxRate.objects.get_or_create(
                    tax_class=classes[code], country=country, defaults={"rate": Decimal(rate)}
                )


class Migration(migrations.Migration):
    dependencies = [("taxes", "0002_eu_rates")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
