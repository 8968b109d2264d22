"""The invoicing API: the buyer's credit and invoices (company-scoped: another company's
invoice is a 404), the staff billing accounts, invoicing and credit notes; every bad input
and every access rule."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import facturx
import pytest
from django.test import Client
from django.utils import timezone

from comptoir.accounts.tests.factories import UserFactory
from comptoir.companies.models import Company
from comptoir.companies.tests.factories import FrenchCompanyFactory, member_with_role
from comptoir.core.testing import Api, api_for, clerk_api, problem
from comptoir.invoicing import services
from comptoir.invoicing.models import BillingAccount, BillingAccountChange, Invoice
from comptoir.invoicing.tests.factories import account_for, belgian_company, order_for

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year


def buyer_of(company: Company, client: Client, role: str = "admin") -> dict[str, str]:
    """The API headers of a new member of `company` holding the built-in `role`."""
    user = member_with_role(company, role).user
    return api_for(user, client).headers


@pytest.fixture
def company() -> Company:
    company = FrenchCompanyFactory.create()
    account_for(company, limit="1000.00", terms="2-10-net-30")
    return company


def invoiced(company: Company, **order: Any) -> Invoice:
    return services.invoice_issue_for_order(order=order_for(company, **order))


# --- buyer --------------------------------------------------------------------------------


def test_company_credit(client: Client, company: Company) -> None:
    order_for(company, unit_gross="100.00", quantity=3)
    response = client.get("/api/v1/company/credit", headers=buyer_of(company, client))
    assert response.status_code == 200
    assert response.json() == {
        "on_account_allowed": True,
        "credit_limit": "1000.00",
        "outstanding": "300.00",
        "available": "700.00",
        "currency": "EUR",
        "terms": {
            "code": "2-10-net-30",
            "name": "2/10 net 30",
            "net_days": 30,
            "end_of_month": False,
            "discount_percent": "2.00",
            "discount_days": 10,
        },
    }


def test_company_credit_without_account_or_company(client: Client) -> None:
    bare = FrenchCompanyFactory.create()
    body = client.get("/api/v1/company/credit", headers=buyer_of(bare, client)).json()
    assert body == {
        "on_account_allowed": False,
        "credit_limit": None,
        "outstanding": "0.00",
        "available": None,
        "currency": "EUR",
        "terms": None,
    }
    loner = api_for(UserFactory.create(), client).headers
    problem(client.get("/api/v1/company/credit", headers=loner), 404, "NOT_A_COMPANY_MEMBER")
    problem(client.get("/api/v1/company/credit"), 401, "UNAUTHORIZED")


def test_invoices_list_detail_and_pdf(
    client: Client, company: Company, django_assert_num_queries: Any
) -> None:
    first = invoiced(company)
    second = invoiced(company, unit_gross="10.00", quantity=1)
    note = services.credit_note_issue(invoice=first, amount="40.00")
    headers = buyer_of(company, client)

    # Token and its user, the membership (company and role), the count, the page (credited
    # invoices joined); the same for any number of invoices.
    with django_assert_num_queries(5):
        listed = client.get("/api/v1/invoices", headers=headers)

    assert listed.status_code == 200
    body = listed.json()
    assert body["count"] == 3
    assert [(r["number"], r["kind"], r["status"], r["balance"]) for r in body["results"]] == [
        (note.number, "credit_note", "issued", "0.00"),
        (second.number, "invoice", "open", "10.00"),
        (first.number, "invoice", "open", "200.00"),
    ]
    assert body["results"][0]["credited_invoice"] == first.number
    assert body["results"][1]["pdf_url"] == f"/api/v1/invoices/{second.number}.pdf"

    detail = client.get(f"/api/v1/invoices/{first.number}", headers=headers).json()
    assert detail["total_gross"] == "240.00"
    assert detail["amount_credited"] == "40.00"
    assert detail["discount_amount"] == "4.80"
    assert detail["buyer"]["siren"] == "303265045"
    assert detail["lines"][0]["net"] == "200.00"
    assert detail["legal_mentions"][0] == detail["terms"]["text"]

    pdf = client.get(f"/api/v1/invoices/{first.number}.pdf", headers=headers)
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    _, xml = facturx.get_xml_from_pdf(pdf.content, check_xsd=True)
    assert first.number.encode() in xml


def test_invoice_filters(client: Client, company: Company) -> None:
    late = invoiced(company)
    Invoice.objects.filter(pk=late.pk).update(due_date=timezone.localdate().replace(year=YEAR - 1))
    current = invoiced(company)
    paid = invoiced(company, on_account=False)
    headers = buyer_of(company, client)

    def numbers(**params: str) -> list[str]:
        response = client.get("/api/v1/invoices", params, headers=headers)
        assert response.status_code == 200, response.content
        return [row["number"] for row in response.json()["results"]]

    assert numbers(status="overdue") == [late.number]
    assert numbers(status="open") == [current.number, late.number]
    assert numbers(status="paid") == [paid.number]
    assert numbers(due_before=str(timezone.localdate())) == [paid.number, late.number]
    for params, status, code in (
        ({"status": "late"}, 400, "INVALID_FILTER"),
        ({"due_before": "tomorrow"}, 422, "VALIDATION_ERROR"),
        ({"sort": "x"}, 400, "UNKNOWN_PARAMETER"),
        ({"page_size": "500"}, 400, "INVALID_PAGINATION"),
    ):
        problem(client.get("/api/v1/invoices", params, headers=headers), status, code)


def test_another_companys_invoice_is_404(client: Client, company: Company) -> None:
    theirs = invoiced(belgian_company(), reverse_charge=True)
    mine = invoiced(company)
    headers = buyer_of(company, client)
    for path in (f"invoices/{theirs.number}", f"invoices/{theirs.number}.pdf"):
        problem(client.get(f"/api/v1/{path}", headers=headers), 404, "INVOICE_NOT_FOUND")
    problem(client.get("/api/v1/invoices/F0000-000404", headers=headers), 404, "INVOICE_NOT_FOUND")
    listed = client.get("/api/v1/invoices", headers=headers).json()
    assert [row["number"] for row in listed["results"]] == [mine.number]


def buyer_paths(invoice: Invoice) -> list[str]:
    """Every buyer endpoint of invoicing (one invoice's where it takes one)."""
    number = invoice.number
    return [
        "company/credit",
        "company/statement",
        "company/statement.pdf",
        "invoices",
        f"invoices/{number}",
        f"invoices/{number}.pdf",
        f"invoices/{number}.ubl.xml",
    ]


def test_a_role_without_invoices_view_gets_403(client: Client, company: Company) -> None:
    invoice = invoiced(company)
    headers = buyer_of(company, client, role="buyer")  # a buyer does not see invoices
    for path in buyer_paths(invoice):
        problem(client.get(f"/api/v1/{path}", headers=headers), 403, "COMPANY_PERMISSION_DENIED")


def test_buyer_endpoints_need_a_company(client: Client, company: Company) -> None:
    invoice = invoiced(company)
    loner = api_for(UserFactory.create(), client).headers
    for path in buyer_paths(invoice):
        problem(client.get(f"/api/v1/{path}", headers=loner), 404, "NOT_A_COMPANY_MEMBER")
        problem(client.get(f"/api/v1/{path}"), 401, "UNAUTHORIZED")


# --- staff --------------------------------------------------------------------------------


@pytest.fixture
def admin(client: Client) -> Api:
    return clerk_api(
        client,
        "view_billingaccount",
        "change_billingaccount",
        "view_paymentterms",
        "add_invoice",
        "view_invoice",
    )


def test_staff_sets_a_billing_account_and_sees_its_history(admin: Api) -> None:
    company = FrenchCompanyFactory.create()
    path = f"companies/{company.pk}/billing-account"
    problem(admin.get(path), 404, "BILLING_ACCOUNT_NOT_FOUND")

    created = admin.put(path, {"credit_limit": "2500.00", "on_account_allowed": True})
    changed = admin.put(path, {"terms": "net-45", "note": "Négocié"})

    assert created.status_code == 200, created.content
    body = changed.json()
    assert (body["terms"]["code"], body["credit_limit"], body["on_account_allowed"]) == (
        "net-45",
        "2500.00",
        True,
    )
    assert body["outstanding"] == "0.00"
    assert body["available"] == "2500.00"
    clerk_email = BillingAccount.objects.get().changed_by.email
    assert body["changed_by"] == clerk_email
    assert [
        (h["terms"], h["credit_limit"], h["note"], h["changed_by"]) for h in body["history"]
    ] == [
        ("net-45", "2500.00", "Négocié", clerk_email),
        ("net-30", "2500.00", "", clerk_email),
    ]
    removed = admin.put(path, {"credit_limit": None}).json()
    assert removed["credit_limit"] is None
    assert removed["available"] is None
    assert admin.get(path).json()["history"][0]["credit_limit"] is None
    terms = admin.get("payment-terms").json()["results"]
    assert [t["code"] for t in terms] == [
        "2-10-net-30",
        "net-30",
        "net-30-eom",
        "net-45",
        "net-60",
    ]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"terms": "net-90"}, "UNKNOWN_PAYMENT_TERMS"),
        ({"credit_limit": "-5"}, "INVALID_CREDIT_LIMIT"),
        ({"credit_limit": -5}, "INVALID_CREDIT_LIMIT"),
        ({"credit_limit": "12.345"}, "INVALID_CREDIT_LIMIT"),
        ({"currency": "EURO"}, "INVALID_CURRENCY"),
        ({"note": "x" * 501}, "INVALID_INPUT"),
        ({"credit_limit": 0.125}, "VALIDATION_ERROR"),
        ({"on_account_allowed": "maybe"}, "VALIDATION_ERROR"),
        ({"credit_limit": {"a": 1}}, "VALIDATION_ERROR"),
    ],
)
def test_billing_account_bad_input_is_4xx_and_changes_nothing(
    admin: Api, body: dict[str, Any], code: str
) -> None:
    company = FrenchCompanyFactory.create()
    account_for(company, limit="100.00")
    status = 422 if code == "VALIDATION_ERROR" else 400
    problem(admin.put(f"companies/{company.pk}/billing-account", body), status, code)
    account = BillingAccount.objects.get()
    assert (account.terms.code, account.credit_limit) == ("net-30", Decimal("100.00"))
    assert BillingAccountChange.objects.count() == 1


def test_billing_account_unknown_company_and_permissions(client: Client, admin: Api) -> None:
    problem(admin.put("companies/999999/billing-account", {}), 404, "COMPANY_NOT_FOUND")
    company = FrenchCompanyFactory.create()
    viewer = clerk_api(client, "view_billingaccount")
    problem(
        viewer.put(f"companies/{company.pk}/billing-account", {"credit_limit": "1"}),
        403,
        "PERMISSION_DENIED",
    )
    assert not BillingAccount.objects.exists()
    buyer = Api(client, None)
    buyer.headers = buyer_of(company, client)
    problem(buyer.get(f"companies/{company.pk}/billing-account"), 403, "PERMISSION_DENIED")
    problem(buyer.get("invoices"), 403, "PERMISSION_DENIED")


def test_staff_invoices_an_order_once_and_credits_it(admin: Api, company: Company) -> None:
    order = order_for(company)
    first = admin.post(f"orders/{order.number}/invoice", {})
    again = admin.post(f"orders/{order.number}/invoice", {})
    assert (first.status_code, again.status_code) == (201, 200)
    number = first.json()["number"]
    assert number == f"F{YEAR}-000001"
    assert again.json()["number"] == number
    assert first.json()["pdf_url"] == f"/api/v1/admin/invoices/{number}.pdf"

    credited = admin.post(f"invoices/{number}/credit-notes", {"amount": "40.00", "reason": "Casse"})
    assert credited.status_code == 201, credited.content
    assert (credited.json()["number"], credited.json()["total_gross"]) == (
        f"AV{YEAR}-000001",
        "40.00",
    )
    problem(
        admin.post(f"invoices/{number}/credit-notes", {"amount": "200.01"}),
        409,
        "CREDIT_EXCEEDS_INVOICE",
    )
    problem(admin.post(f"invoices/{number}/credit-notes", {"amount": "-3"}), 400, "INVALID_AMOUNT")
    problem(admin.post(f"invoices/AV{YEAR}-000001/credit-notes", {}), 409, "NOT_AN_INVOICE")
    problem(admin.post("invoices/F1999-000001/credit-notes", {}), 404, "INVOICE_NOT_FOUND")
    assert Invoice.objects.count() == 2

    listed = admin.get("invoices", {"kind": "credit_note"}).json()
    assert [row["number"] for row in listed["results"]] == [f"AV{YEAR}-000001"]
    assert admin.get("invoices", {"company": str(company.pk)}).json()["count"] == 2
    problem(admin.get("invoices", {"kind": "receipt"}), 400, "INVALID_FILTER")
    assert admin.get(f"invoices/{number}").json()["amount_credited"] == "40.00"
    pdf = admin.get(f"invoices/{number}.pdf")
    assert pdf["Content-Type"] == "application/pdf"


def test_staff_invoicing_refusals(client: Client, admin: Api, company: Company) -> None:
    problem(admin.post("orders/NOPE-1/invoice", {}), 404, "ORDER_NOT_FOUND")
    unpaid = order_for(None, payment_status="pending", on_account=False)
    problem(admin.post(f"orders/{unpaid.number}/invoice", {}), 409, "ORDER_NOT_PAID")
    cancelled = order_for(company)
    type(cancelled).objects.filter(pk=cancelled.pk).update(status="cancelled")
    problem(admin.post(f"orders/{cancelled.number}/invoice", {}), 409, "ORDER_NOT_INVOICEABLE")
    reader = clerk_api(client, "view_invoice")
    problem(reader.post(f"orders/{unpaid.number}/invoice", {}), 403, "PERMISSION_DENIED")
    assert not Invoice.objects.exists()


def test_a_credit_note_retried_with_its_key_is_issued_once(admin: Api, company: Company) -> None:
    invoice = invoiced(company)
    headers = {**admin.headers, "Idempotency-Key": "avoir-1"}
    path = f"/api/v1/admin/invoices/{invoice.number}/credit-notes"

    def post(body: dict[str, Any]) -> Any:
        return admin.client.post(
            path, data=json.dumps(body), content_type="application/json", headers=headers
        )

    first = post({"amount": "10.00"})
    again = post({"amount": "10.00"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    problem(post({"amount": "11.00"}), 409, "IDEMPOTENCY_KEY_REUSED")
    invoice.refresh_from_db()
    assert invoice.amount_credited == Decimal("10.00")
    assert Invoice.objects.filter(kind="credit_note").count() == 1


def test_staff_invoice_list_query_count(
    admin: Api, company: Company, django_assert_num_queries: Any
) -> None:
    for _ in range(3):
        invoiced(company)
    # Token, user, the staff permissions (user and group), the count, the page: the same
    # for any number of invoices.
    with django_assert_num_queries(6):
        listed = admin.get("invoices")
    assert listed.json()["count"] == 3
