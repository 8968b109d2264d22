"""The payment terms every shop starts with (docs/invoicing.md)."""

from decimal import Decimal

from django.db import migrations

TERMS = [
    ("net-30", "Net 30", 30, False, "0", 0),
    ("net-45", "Net 45", 45, False, "0", 0),
    ("net-60", "Net 60", 60, False, "0", 0),
    ("net-30-eom", "30 days end of month", 30, True, "0", 0),
    ("2-10-net-30", "2/10 net 30", 30, False, "2", 10),
]


def seed(apps, schema_editor):
    PaymentTerms = apps.get_model("invoicing", "PaymentTerms")
    for code, name, days, eom, percent, discount_days in TERMS:
        PaymentTerms.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "net_days": days,
                "end_of_month": eom,
                "discount_percent": Decimal(percent),
                "discount_days": discount_days,
            },
        )


def unseed(apps, schema_editor):
    PaymentTerms = apps.get_model("invoicing", "PaymentTerms")
    PaymentTerms.objects.filter(code__in=[t[0] for t in TERMS]).delete()


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
