from typing import Any

import factory

from comptoir.accounts.tests.factories import UserFactory
from comptoir.companies.models import Company, CompanyMember, CompanyRole, CustomerGroup
from comptoir.companies.services import company_roles_ensure, role_builtin


class CustomerGroupFactory(factory.django.DjangoModelFactory[CustomerGroup]):
    class Meta:
        model = CustomerGroup

    code = factory.Sequence(lambda n: f"groupe-{n}")
    name = factory.Sequence(lambda n: f"Groupe {n}")


class CompanyFactory(factory.django.DjangoModelFactory[Company]):
    class Meta:
        model = Company
        skip_postgeneration_save = True

    legal_name = factory.Sequence(lambda n: f"Société {n} SARL")
    country = "FR"

    @factory.post_generation
    def roles(obj: Company, create: bool, extracted: Any, **kwargs: Any) -> None:  # noqa: N805
        """The built-in roles, as company_create makes them."""
        if create:
            company_roles_ensure(company=obj)


class CompanyMemberFactory(factory.django.DjangoModelFactory[CompanyMember]):
    class Meta:
        model = CompanyMember

    company = factory.SubFactory(CompanyFactory)
    user = factory.SubFactory(UserFactory)
    # An administrator unless told (the role code as `role__code`, or a role): until roles
    # existed every member could do everything, which the other apps' tests assume.
    role = factory.LazyAttribute(lambda member: role_builtin(company=member.company, code="admin"))


def member_with_role(company: Company, code: str, **kwargs: Any) -> CompanyMember:
    """A member of `company` holding its built-in role `code`."""
    role: CompanyRole = role_builtin(company=company, code=code)
    return CompanyMemberFactory.create(company=company, role=role, **kwargs)


class FrenchCompanyFactory(CompanyFactory):
    """A French company with a VAT number, SIREN and SIRET that pass their checks."""

    legal_name: Any = "Odigo SA"
    vat_number = "FR40303265045"
    siren = "303265045"
    siret = "30326504500003"
