"""payment_start's checks, and the methods a buyer may use."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from comptoir.companies.tests.factories import CompanyFactory
from comptoir.core.errors import DomainError
from comptoir.invoicing.tests.factories import account_for
from comptoir.payments import services
from comptoir.payments.models import Payment
from comptoir.payments.providers import on_account
from comptoir.payments.tests.factories import VISA

pytestmark = pytest.mark.django_db


def start(**kwargs: Any) -> Payment:
    values: dict[str, Any] = {
        "checkout_ref": "chk-1",
        "method": "test_card",
        "amount": Decimal("10.00"),
        "currency": "EUR",
        "source": VISA,
        **kwargs,
    }
    return services.payment_start(**values)


def test_start_keeps_what_the_checkout_gave() -> None:
    payment = start(return_url="https://shop.example/back?x=1", email="lea@example.fr")

    assert (payment.state, payment.amount, payment.currency) == ("pending", Decimal("10.00"), "EUR")
    assert (payment.return_url, payment.email) == (
        "https://shop.example/back?x=1",
        "lea@example.fr",
    )
    assert payment.order is None
    assert not payment.transactions.exists()  # no provider call


def test_offline_methods_keep_no_source() -> None:
    payment = start(method="bank_transfer", source="anything")
    assert (payment.source, payment.token) == ("", "")


@pytest.mark.django_db(transaction=True)  # payment_execute runs outside transactions
@pytest.mark.parametrize("method", ["test_card", "stripe", "bank_transfer"])
def test_nothing_to_pay_is_captured_at_once_without_a_source(settings: Any, method: str) -> None:
    """An order that coupons pay in full: no card asked for (a bad one is ignored, none
    kept), captured at 0 at once, and payment_execute calls no provider."""
    settings.COMPTOIR_STRIPE_SECRET_KEY = "sk_test_unused"
    payment = start(method=method, amount=Decimal("0"), source="not a card")
    assert (payment.state, payment.amount, payment.amount_captured) == (
        "captured",
        Decimal("0"),
        Decimal("0"),
    )
    assert (payment.source, payment.token) == ("", "")
    assert services.payment_execute(payment=payment).state == "captured"
    assert not payment.transactions.exists()  # no provider call


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"method": "cheque"}, "INVALID_PAYMENT_METHOD"),
        ({"method": None}, "INVALID_PAYMENT_METHOD"),
        ({"amount": Decimal("-5")}, "INVALID_AMOUNT"),
        ({"amount": Decimal("1.005")}, "INVALID_AMOUNT"),
        ({"amount": Decimal("1e13")}, "INVALID_AMOUNT"),
        ({"amount": Decimal("Infinity")}, "INVALID_AMOUNT"),
        ({"amount": 9.99}, "INVALID_AMOUNT"),
        ({"currency": "eur"}, "INVALID_CURRENCY"),
        ({"currency": "XYZ"}, "INVALID_CURRENCY"),
        ({"currency": 3}, "INVALID_CURRENCY"),
        ({"source": "4242424242424241"}, "INVALID_CARD"),
        ({"source": "x" * 300}, "INVALID_PAYMENT_SOURCE"),
        ({"source": "42\x0042"}, "INVALID_TEXT"),
        ({"return_url": "javascript:alert(1)"}, "INVALID_RETURN_URL"),
        ({"return_url": "ftp://example.com/"}, "INVALID_RETURN_URL"),
        ({"return_url": "https://e.com/" + "a" * 1000}, "INVALID_RETURN_URL"),
        ({"email": "not an email"}, "INVALID_EMAIL"),
        ({"checkout_ref": ""}, "INVALID_INPUT"),
        ({"checkout_ref": "c" * 121}, "INVALID_INPUT"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_made(kwargs: dict[str, Any], code: str) -> None:
    with pytest.raises(DomainError) as caught:
        start(**kwargs)
    assert (caught.value.code, caught.value.status) == (code, 400)
    assert not Payment.objects.exists()


def test_the_test_gateway_can_be_turned_off(settings: Any) -> None:
    settings.COMPTOIR_TEST_GATEWAY = False
    with pytest.raises(DomainError) as caught:
        start()
    assert caught.value.code == "METHOD_UNAVAILABLE"
    assert services.methods_available(channel=None, company_id=None) == ["bank_transfer"]


def test_methods_available(settings: Any) -> None:
    settings.COMPTOIR_STRIPE_SECRET_KEY = ""
    assert services.methods_available(channel=None, company_id=None) == [
        "test_card",
        "bank_transfer",
    ]
    company = CompanyFactory.create()
    assert services.methods_available(channel=None, company_id=company.pk) == [
        "test_card",
        "bank_transfer",
    ]
    account_for(company)
    assert services.methods_available(channel=None, company_id=company.pk) == [
        "test_card",
        "bank_transfer",
        "on_account",
    ]


def test_on_account_hook() -> None:
    """The hooks ask invoicing (billing accounts and credit limits: its own tests)."""
    company = CompanyFactory.create()
    assert not on_account.allowed(company.pk)
    assert not on_account.allowed(None)
    account_for(company, limit=None)
    assert on_account.allowed(company.pk)
    assert on_account.credit_check(company.pk, Decimal("1000000")) is None  # type: ignore[func-returns-value]
