"""Every existing company gets the five built-in roles; its members, who could do
everything until roles existed, become company administrators (staff may demote them)."""

from typing import Any

from django.db import migrations
from django.utils import translation

from comptoir.companies.permissions import BUILTIN_ROLES


def _english(name: Any) -> str:
    with translation.override("en"):
        return str(name)


def forwards(apps: Any, schema_editor: Any) -> None:
    company_model = apps.get_model("companies", "Company")
    role_model = apps.get_model("companies", "CompanyRole")
    member_model = apps.get_model("companies", "CompanyMember")
    for company in company_model.objects.order_by("pk").iterator():
        roles = {}
        for code, (name, permissions) in BUILTIN_ROLES.items():
            roles[code], _created = role_model.objects.get_or_create(
                company=company,
                code=code,
                defaults={"name": _english(name), "permissions": sorted(permissions)},
            )
        member_model.objects.filter(company=company, role__isnull=True).update(
            role=roles["admin"]
        )


class Migration(migrations.Migration):
    dependencies = [("companies", "0002_roles_addresses_invitations")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
