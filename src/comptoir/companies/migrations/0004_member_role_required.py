import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("companies", "0003_builtin_roles")]

    operations = [
        migrations.AlterField(
            model_name="companymember",
            name="role",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.RESTRICT,
                related_name="members",
                to="companies.companyrole",
                verbose_name="role",
            ),
        ),
    ]
