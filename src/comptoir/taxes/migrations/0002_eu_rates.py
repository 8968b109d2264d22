"""The tax classes and the VAT rates of the countries the shop sells to by default.

Rates in force in 2026. A country without a class of its own maps it to its nearest rate
(Germany has no intermediate rate: 7 %). Staff edit them in the admin or the admin API.
"""

from decimal import Decimal

from django.db import migrations

CLASSES = [
    ("standard", "Taux normal", "Standard rate"),
    ("intermediate", "Taux intermédiaire", "Intermediate rate"),
    ("reduced", "Taux réduit", "Reduced rate"),
    ("super-reduced", "Taux particulier", "Super-reduced rate"),
    ("zero", "Taux zéro", "Zero rate"),
]
# country: (standard, intermediate, reduced, super-reduced)
RATES = {
    "FR": ("20", "10", "5.5", "2.1"),
    "BE": ("21", "12", "6", "6"),
    "DE": ("19", "7", "7", "7"),
    "ES": ("21", "10", "10", "4"),
    "IT": ("22", "10", "5", "4"),
    "NL": ("21", "9", "9", "9"),
    "LU": ("17", "14", "8", "3"),
}


def forwards(apps, schema_editor):
    TaxClass = apps.get_model("taxes", "TaxClass")
    TaxRate = apps.get_model("taxes", "TaxRate")
    classes = {}
    for position, (code, name, name_en) in enumerate(CLASSES):
        classes[code], _created = TaxClass.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "position": position}
        )
    for country, rates in RATES.items():
        for (code, _name, _name_en), rate in zip(CLASSES, (*rates, "0"), strict=True):
            TaxRate.objects.get_or_create(
                tax_class=classes[code], country=country, defaults={"rate": Decimal(rate)}
            )


class Migration(migrations.Migration):
    dependencies = [("taxes", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
