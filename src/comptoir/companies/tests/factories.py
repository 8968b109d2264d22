from typing import Any

import factory

from comptoir.accounts.tests.factories import UserFactory
from comptoir.companies.models import Company, CompanyMember, CustomerGroup


class CustomerGroupFactory(factory.django.DjangoModelFactory[CustomerGroup]):
    class Meta:
        model = CustomerGroup

    code = factory.Sequence(lambda n: f"groupe-{n}")
    name = factory.Sequence(lambda n: f"Groupe {n}")


class CompanyFactory(factory.django.DjangoModelFactory[Company]):
    class Meta:
        model = Company

    legal_name = factory.Sequence(lambda n: f"Société {n} SARL")
    country = "FR"


class CompanyMemberFactory(factory.django.DjangoModelFactory[CompanyMember]):
    class Meta:
        model = CompanyMember

    company = factory.SubFactory(CompanyFactory)
    user = factory.SubFactory(UserFactory)


class FrenchCompanyFactory(CompanyFactory):
    """A French company with a VAT number, SIREN and SIRET that pass their checks."""

    legal_name: Any = "Odigo SA"
    vat_number = "FR40303265045"
    siren = "303265045"
    siret = "30326504500003"
