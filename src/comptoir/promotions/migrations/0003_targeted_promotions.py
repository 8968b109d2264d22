"""Promotions created with targets before `applies_to_all` existed got its default (True,
the whole catalog): mark those with products, categories or collections as targeted."""

from django.db import migrations
from django.db.models import Q


def forwards(apps, schema_editor):
    Promotion = apps.get_model("promotions", "Promotion")
    Promotion.objects.filter(
        Q(products__isnull=False) | Q(categories__isnull=False) | Q(collections__isnull=False)
    ).update(applies_to_all=False)


class Migration(migrations.Migration):
    dependencies = [("promotions", "0002_promotion_applies_to_all")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
