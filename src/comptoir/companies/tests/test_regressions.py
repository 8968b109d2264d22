"""Regressions found by fuzzing the companies API and services: text no column can hold
in lookups, numbers JSON does not have in a body, and IntegrityErrors: one of the external
reference's unique constraint (a reference taken meanwhile by another request) is the 409
the check gives; any other is not disguised as EXTERNAL_REF_TAKEN."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import IntegrityError
from django.test import Client

from comptoir.accounts.tests.factories import StaffFactory
from comptoir.companies import selectors, services
from comptoir.companies.models import Company
from comptoir.companies.services import companies as company_services
from comptoir.companies.tests.factories import CompanyFactory, CustomerGroupFactory
from comptoir.core.errors import Conflict, NotFound
from comptoir.core.testing import Api, api_for, problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client: Client) -> Api:
    return api_for(StaffFactory.create(), client)


def snapshot() -> list[tuple[Any, ...]]:
    return list(
        Company.objects.order_by("pk").values_list(
            "legal_name", "external_ref", "metadata", "customer_group_id"
        )
    )


# --- text no column can hold, in lookups ----------------------------------------------------


@pytest.mark.parametrize("value", ["\x00", "pro\x00s"])
def test_company_list_by_a_group_code_with_a_nul_matches_nothing(api: Api, value: str) -> None:
    CompanyFactory.create(customer_group=CustomerGroupFactory.create(code="pros"))

    response = api.get("companies", {"customer_group": value})

    assert response.status_code == 200, response.content
    assert (
        response.json()["count"]
        == api.get("companies", {"customer_group": "x"}).json()["count"]
        == 0
    )
    assert api.get("companies", {"customer_group": "pros"}).json()["count"] == 1


@pytest.mark.parametrize("code", ["pro\x00s", "pro\ud800s"])
def test_unstorable_group_codes_are_unknown(code: str) -> None:
    CustomerGroupFactory.create(code="pros")

    assert selectors.company_list(customer_group=code) == ([], 0)
    with pytest.raises(NotFound) as caught:
        selectors.customer_group_by_code(code=code)
    assert caught.value.code == "GROUP_NOT_FOUND"


def test_creating_a_company_in_an_unstorable_group_is_group_not_found(api: Api) -> None:
    response = api.post(
        "companies", {"legal_name": "Odigo", "country": "FR", "customer_group": "pro\x00s"}
    )

    problem(response, 400, "GROUP_NOT_FOUND")
    assert not Company.objects.exists()


# --- numbers JSON does not have ---------------------------------------------------------------


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_metadata_with_a_number_json_does_not_allow_is_a_400(api: Api, number: str) -> None:
    company = CompanyFactory.create(legal_name="Odigo")
    before = snapshot()

    create = {"legal_name": "n", "country": "FR", "metadata": {"k": "N"}}

    created = api.post("companies", json.dumps(create).replace('"N"', number))
    changed = api.patch(f"companies/{company.pk}", '{"metadata": {"k": ' + number + "}}")

    problem(created, 400, "BAD_REQUEST")
    problem(changed, 400, "BAD_REQUEST")
    assert snapshot() == before


# --- IntegrityErrors --------------------------------------------------------------------------


def rival_after_validation(monkeypatch: pytest.MonkeyPatch, external_ref: str) -> None:
    """Have another request store a company with `external_ref` after the next create's or
    update's checks, before its save."""
    validate = company_services.validate

    def validated(instance: Any, **kwargs: Any) -> None:
        validate(instance, **kwargs)
        Company.objects.bulk_create(
            [Company(legal_name="Rival", country="FR", external_ref=external_ref)]
        )

    monkeypatch.setattr(company_services, "validate", validated)


def test_create_racing_another_for_the_reference_is_external_ref_taken(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rival_after_validation(monkeypatch, "ERP-1")

    with pytest.raises(Conflict) as caught:
        services.company_create(legal_name="Odigo", country="FR", external_ref="ERP-1")

    assert caught.value.code == "EXTERNAL_REF_TAKEN"
    # The rival was stored in the service's transaction (one connection here): gone with it.
    assert not Company.objects.exists()


def test_update_racing_another_for_the_reference_is_external_ref_taken(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    company = CompanyFactory.create(legal_name="Odigo")
    rival_after_validation(monkeypatch, "ERP-2")

    with pytest.raises(Conflict) as caught:
        services.company_update(company=company, legal_name="Autre", external_ref="ERP-2")

    assert caught.value.code == "EXTERNAL_REF_TAKEN"
    assert (company.legal_name, company.external_ref) == ("Odigo", None)
    assert snapshot() == [("Odigo", None, {}, None)]


def refuse_saves(monkeypatch: pytest.MonkeyPatch) -> None:
    def save(self: Company, *args: Any, **kwargs: Any) -> None:
        raise IntegrityError("CHECK constraint failed: companies_company_something")

    monkeypatch.setattr(Company, "save", save)


def test_another_integrity_error_on_create_is_not_external_ref_taken(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    refuse_saves(monkeypatch)

    with pytest.raises(IntegrityError):
        services.company_create(legal_name="Odigo", country="FR", external_ref="ERP-1")


def test_another_integrity_error_on_update_is_not_external_ref_taken(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    company = CompanyFactory.create(legal_name="Odigo")
    refuse_saves(monkeypatch)

    with pytest.raises(IntegrityError):
        services.company_update(company=company, legal_name="Autre", external_ref="ERP-1")
    assert (company.legal_name, company.external_ref) == ("Odigo", None)
