from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0001_initial"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="stock",
            constraint=models.CheckConstraint(
                condition=models.Q(("quantity_allocated__lte", models.F("quantity"))),
                name="inventory_stock_allocated_le_on_hand",
            ),
        ),
    ]
