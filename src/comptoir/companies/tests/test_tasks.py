"""The VIES check leaves the request: the service schedules the task on commit; the task
asks VIES (a local fake here) outside any transaction and records its answer; when VIES is
unavailable it records so and tries again (at once here: tests run tasks eagerly)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from pytest_django import DjangoCaptureOnCommitCallbacks

from comptoir.companies import services, tasks
from comptoir.companies.models import Company, ViesStatus
from comptoir.companies.tests.factories import CompanyFactory, FrenchCompanyFactory
from comptoir.taxes.tests.test_vat import Answer, FakeVies, vies_json

pytestmark = pytest.mark.django_db(transaction=True)

FR_PATH = "/ms/FR/vat/40303265045"


def test_created_company_is_checked_after_commit(vies: FakeVies) -> None:
    vies.answers[FR_PATH] = Answer(body=vies_json(valid=True, error="VALID", name="ODIGO"))

    with transaction.atomic():
        company = services.company_create(
            legal_name="Odigo", country="FR", vat_number="FR40303265045"
        )
        assert vies.requests == []  # never inside the request's transaction

    assert vies.requests == [FR_PATH]
    company.refresh_from_db()
    assert company.vies_status == ViesStatus.VALID
    assert company.vies_checked_at is not None


def test_changed_number_is_checked_again(vies: FakeVies) -> None:
    company = services.company_create(legal_name="Odigo", country="FR", vat_number="FR40303265045")
    assert Company.objects.get(pk=company.pk).vies_status == ViesStatus.INVALID  # unknown path

    vies.answers["/ms/BE/vat/0403019261"] = Answer(body=vies_json(valid=True, error="VALID"))
    services.company_update(company=company, country="BE", vat_number="BE0403019261")

    assert vies.requests == [FR_PATH, "/ms/BE/vat/0403019261"]
    assert Company.objects.get(pk=company.pk).vies_status == ViesStatus.VALID


def test_unavailable_vies_is_recorded_and_retried(vies: FakeVies) -> None:
    vies.answers[FR_PATH] = Answer(body=vies_json(valid=False, error="MS_UNAVAILABLE"))
    company = FrenchCompanyFactory.create()

    result = tasks.company_vies_check.delay(company.pk)

    assert result.get() == "unavailable"  # after the last attempt
    assert vies.requests == [FR_PATH] * (tasks.company_vies_check.max_retries + 1)
    company.refresh_from_db()
    assert company.vies_status == ViesStatus.UNAVAILABLE
    assert company.vies_checked_at is not None


def test_vies_back_on_a_retry(vies: FakeVies) -> None:
    company = FrenchCompanyFactory.create()
    vies.answers[FR_PATH] = Answer(status=503)
    original = vies.answers

    class Flaky(dict[str, Answer]):
        def get(self, key: str, default: Any = None) -> Any:
            if len(vies.requests) > 1:
                return Answer(body=vies_json(valid=True, error="VALID"))
            return original.get(key, default)

    vies.answers = Flaky()

    assert tasks.company_vies_check.delay(company.pk).get() == "valid"
    assert len(vies.requests) == 2
    assert Company.objects.get(pk=company.pk).vies_status == ViesStatus.VALID


def test_nothing_to_check(vies: FakeVies) -> None:
    no_number = CompanyFactory.create()

    assert tasks.company_vies_check.delay(no_number.pk).get() is None
    assert tasks.company_vies_check.delay(10**9).get() is None
    assert vies.requests == []


def test_answer_about_a_replaced_number_is_dropped(
    vies: FakeVies, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """VIES answers about the old number after the number changed: not recorded."""
    company = FrenchCompanyFactory.create()
    vies.answers[FR_PATH] = Answer(body=vies_json(valid=True, error="VALID"))
    original_check = tasks.vies_check

    def check_then_change(number: str, **kwargs: Any) -> Any:
        result = original_check(number, **kwargs)
        Company.objects.filter(pk=company.pk).update(vat_number="FR44732829320")
        return result

    settings.COMPTOIR_VIES_CHECK = False
    monkeypatch.setattr(tasks, "vies_check", check_then_change)

    assert tasks.company_vies_check.delay(company.pk).get() is None
    assert Company.objects.get(pk=company.pk).vies_status == ViesStatus.UNCHECKED


def test_schedule_checks_only_companies_with_a_number(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks, vies: FakeVies
) -> None:
    company = FrenchCompanyFactory.create()

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        assert services.company_vies_check_schedule(company=company)
        assert not services.company_vies_check_schedule(company=CompanyFactory.create())

    assert vies.requests == [FR_PATH]
