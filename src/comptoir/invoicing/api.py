"""API of invoicing (docs/invoicing.md): the caller's company's credit and invoices on
`router` (mounted at /api/v1/, permission `invoices.view` in the company), and the staff
routes on `admin_router` (/api/v1/admin/): payment terms, billing accounts, issuing
invoices and credit notes. Handlers check access, call one service or selector and
shape the answer (presenters)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from ninja import Query, Router, Status

from comptoir.accounts.auth import session_or_bearer
from comptoir.companies import selectors as companies
from comptoir.companies.models import Company
from comptoir.core import csv_files
from comptoir.core.staff_api import page_request, paginated, reject_unknown_parameters, staff
from comptoir.invoicing import selectors, services
from comptoir.invoicing.presenters import (
    account_out,
    credit_out,
    invoice_out,
    payment_out,
    statement_out,
    summary_out,
)
from comptoir.invoicing.presenters import terms_out as terms_json
from comptoir.invoicing.responses import (
    invoice_pdf_response,
    invoice_ubl_response,
    statement_pdf_response,
)
from comptoir.invoicing.schemas import (
    BillingAccountIn,
    BillingAccountOut,
    CreditNoteIn,
    CreditOut,
    InvoiceListOut,
    InvoiceListQuery,
    InvoiceOut,
    PaymentIn,
    PaymentsImportOut,
    ReceivedPaymentOut,
    StaffInvoiceListQuery,
    StatementOut,
    StatementQuery,
    TermsListOut,
)
from comptoir.invoicing.services.settlement import MAX_BYTES as PAYMENTS_CSV_MAX_BYTES
from comptoir.invoicing.statements import Statement, statement_for_company
from comptoir.orders import selectors as orders

router = Router(tags=["invoicing"], auth=session_or_bearer)
admin_router = Router(tags=["admin: invoicing"], auth=session_or_bearer)

VIEW = "invoices.view"
MEMBER = (
    "401 `UNAUTHORIZED`; 404 `NOT_A_COMPANY_MEMBER`; 403 `COMPANY_PERMISSION_DENIED` without "
    "the company permission `invoices.view`"
)
STAFF = "401 `UNAUTHORIZED`; 403 `PERMISSION_DENIED` without the staff permission"
LIST_PARAMS = {"status", "due_before", "page", "page_size"}


# --- the caller's company ------------------------------------------------------------------


@router.get(
    "company/credit",
    response=CreditOut,
    summary="The company's credit",
    description="Payment terms, credit limit, outstanding (docs/invoicing.md) and what may "
    f"still be ordered on account. Errors: {MEMBER}.",
)
def company_credit(request: HttpRequest) -> dict[str, Any]:
    company = companies.member_require(request.auth, VIEW)  # type: ignore[attr-defined]
    return credit_out(selectors.credit_summary(company_id=company.pk))


def _statement(request: HttpRequest, filters: StatementQuery) -> tuple[Company, Statement, str]:
    company = companies.member_require(request.auth, VIEW)  # type: ignore[attr-defined]
    reject_unknown_parameters(request, {"start", "end"})
    statement = statement_for_company(company_id=company.pk, start=filters.start, end=filters.end)
    return company, statement, selectors.credit_summary(company_id=company.pk).currency


@router.get(
    "company/statement.pdf",
    response={200: None},
    summary="The company's statement of account (PDF)",
    description="The statement of `GET company/statement` as a PDF, in the caller's "
    f"language. Errors: 400 `INVALID_FILTER`; 422 `VALIDATION_ERROR`; {MEMBER}.",
    openapi_extra={"responses": {200: {"content": {"application/pdf": {}}}}},
)
def company_statement_pdf(request: HttpRequest, filters: Query[StatementQuery]) -> HttpResponse:
    company, statement, currency = _statement(request, filters)
    return statement_pdf_response(
        statement, company=company.legal_name, currency=currency, language=get_language() or "fr"
    )


@router.get(
    "company/statement",
    response=StatementOut,
    summary="The company's statement of account",
    description="Invoices (debit), credit notes and payments received (credit) by date, "
    "with the running balance; `start`/`end` bound it (the balance before `start` is "
    f"brought forward). Errors: 400 `INVALID_FILTER`; 422 `VALIDATION_ERROR`; {MEMBER}.",
)
def company_statement(request: HttpRequest, filters: Query[StatementQuery]) -> dict[str, Any]:
    company, statement, currency = _statement(request, filters)
    return statement_out(statement, company=company.legal_name, currency=currency)


@router.get(
    "invoices",
    response=InvoiceListOut,
    summary="The company's invoices",
    description="Invoices and credit notes, newest first. `status`: open, partially_paid, "
    "paid, credited, issued or overdue; `due_before`: due on or before that day. Errors: "
    f"400 `INVALID_FILTER`, `INVALID_PAGINATION`, `UNKNOWN_PARAMETER`; {MEMBER}.",
)
def list_invoices(request: HttpRequest, filters: Query[InvoiceListQuery]) -> dict[str, Any]:
    company = companies.member_require(request.auth, VIEW)  # type: ignore[attr-defined]
    reject_unknown_parameters(request, LIST_PARAMS)
    page = page_request(filters.page, filters.page_size)
    rows, count = selectors.invoice_list(
        company_id=company.pk, status=filters.status, due_before=filters.due_before, page=page
    )
    return paginated(request, page, count, [summary_out(row) for row in rows])


@router.get(
    "invoices/{number}.pdf",
    response={200: None},
    summary="An invoice's PDF",
    description="The Factur-X PDF (PDF/A-3 with the EN 16931 XML embedded). Errors: 404 "
    f"`INVOICE_NOT_FOUND` (also for another company's invoice); {MEMBER}.",
    openapi_extra={"responses": {200: {"content": {"application/pdf": {}}}}},
)
def invoice_pdf_view(request: HttpRequest, number: str) -> HttpResponse:
    company = companies.member_require(request.auth, VIEW)  # type: ignore[attr-defined]
    return invoice_pdf_response(selectors.invoice_for_company(company_id=company.pk, number=number))


@router.get(
    "invoices/{number}.ubl.xml",
    response={200: None},
    summary="An invoice in UBL 2.1",
    description="The same EN 16931 invoice in UBL 2.1 (the syntax of Peppol BIS Billing "
    "3.0), for e-invoicing networks. Errors: 404 `INVOICE_NOT_FOUND` (also for another "
    f"company's invoice); {MEMBER}.",
    openapi_extra={"responses": {200: {"content": {"application/xml": {}}}}},
)
def invoice_ubl_view(request: HttpRequest, number: str) -> HttpResponse:
    company = companies.member_require(request.auth, VIEW)  # type: ignore[attr-defined]
    return invoice_ubl_response(selectors.invoice_for_company(company_id=company.pk, number=number))


@router.get(
    "invoices/{number}",
    response=InvoiceOut,
    summary="An invoice",
    description=f"Errors: 404 `INVOICE_NOT_FOUND` (also for another company's invoice); {MEMBER}.",
)
def get_invoice(request: HttpRequest, number: str) -> dict[str, Any]:
    company = companies.member_require(request.auth, VIEW)  # type: ignore[attr-defined]
    return invoice_out(selectors.invoice_for_company(company_id=company.pk, number=number))


# --- staff ---------------------------------------------------------------------------------


@admin_router.get(
    "payment-terms",
    response=TermsListOut,
    summary="Payment terms",
    description=f"The active payment terms. Errors: {STAFF}.",
)
def admin_terms(request: HttpRequest) -> dict[str, Any]:
    staff(request, "invoicing.view_paymentterms")
    return {"results": [terms_json(terms) for terms in selectors.payment_terms_list()]}


def _account(company_id: int) -> dict[str, Any]:
    account = selectors.billing_account_get(company_id=company_id)
    summary = selectors.credit_summary(company_id=company_id)
    return account_out(account, summary, selectors.billing_account_history(account=account))


@admin_router.get(
    "companies/{company_id}/billing-account",
    response=BillingAccountOut,
    summary="A company's billing account",
    description="Terms, credit limit, outstanding and the history of changes (who, when). "
    f"Errors: 404 `COMPANY_NOT_FOUND`, `BILLING_ACCOUNT_NOT_FOUND`; {STAFF}.",
)
def admin_get_account(request: HttpRequest, company_id: int) -> dict[str, Any]:
    staff(request, "invoicing.view_billingaccount")
    company = companies.company_get(company_id=company_id)
    return _account(company.pk)


@admin_router.put(
    "companies/{company_id}/billing-account",
    response=BillingAccountOut,
    summary="Set a company's billing account",
    description="Creates the account (Net 30, no payment on account, no limit) or changes "
    "the fields given; `credit_limit` null removes the limit. Each change is kept in the "
    "history with who made it. Errors: 400 `UNKNOWN_PAYMENT_TERMS`, `INVALID_CREDIT_LIMIT`, "
    f"`INVALID_CURRENCY`, `INVALID_INPUT`, `INVALID_TEXT`; 404 `COMPANY_NOT_FOUND`; {STAFF}.",
)
def admin_set_account(
    request: HttpRequest, company_id: int, payload: BillingAccountIn
) -> dict[str, Any]:
    user = staff(request, "invoicing.change_billingaccount")
    company = companies.company_get(company_id=company_id)
    services.billing_account_set(
        company=company, actor=user, **payload.model_dump(exclude_unset=True)
    )
    return _account(company.pk)


@admin_router.post(
    "orders/{number}/invoice",
    response={200: InvoiceOut, 201: InvoiceOut},
    summary="Invoice an order",
    description="Issues the order's invoice (201), or returns the one already issued "
    "(200; a new one only after the previous was credited in full). Errors: 404 "
    "`ORDER_NOT_FOUND`; 409 `ORDER_NOT_INVOICEABLE` (cancelled or refunded), "
    f"`ORDER_NOT_PAID` (neither paid nor on account); {STAFF}.",
)
def admin_invoice_order(request: HttpRequest, number: str) -> Status[dict[str, Any]]:
    user = staff(request, "invoicing.add_invoice")
    order = orders.order_staff_find(number=number)
    invoice, created = services.invoice_issue(order=order, actor=user)
    return Status(201 if created else 200, invoice_out(invoice, staff=True))


@admin_router.post(
    "invoices/{number}/credit-notes",
    response={201: InvoiceOut},
    summary="Credit an invoice",
    description="A credit note of `amount` (gross; null: all that is not credited yet). "
    "Send an `Idempotency-Key` to retry safely (a replay credits nothing more). Errors: 400 "
    "`INVALID_AMOUNT`, `INVALID_INPUT`, `INVALID_TEXT`, `IDEMPOTENCY_KEY_INVALID`; 404 "
    "`INVOICE_NOT_FOUND`; 409 `NOT_AN_INVOICE`, `CREDIT_EXCEEDS_INVOICE`, "
    f"`IDEMPOTENCY_KEY_REUSED`; {STAFF}.",
    openapi_extra={
        "parameters": [
            {
                "in": "header",
                "name": "Idempotency-Key",
                "required": False,
                "schema": {"type": "string", "maxLength": 255},
            }
        ],
    },
)
def admin_credit_note(
    request: HttpRequest, number: str, payload: CreditNoteIn
) -> Status[dict[str, Any]]:
    user = staff(request, "invoicing.add_invoice")
    invoice = selectors.invoice_get(number=number)
    status, body = services.credit_note_issue_keyed(
        idempotency_key=request.headers.get("Idempotency-Key"),
        invoice=invoice,
        amount=payload.amount,
        reason=payload.reason,
        actor=user,
    )
    return Status(status, body)


@admin_router.post(
    "payments-received",
    response={201: ReceivedPaymentOut},
    summary="Record a payment received",
    description="Matched to `invoice` when given, else to the company's unsettled invoices, "
    "oldest due first; the early-payment discount is granted (a credit note) when it came "
    "in time and covers the rest. Recording the same `reference` again is refused (a "
    "retry changes nothing). Errors: 400 `INVALID_AMOUNT`, `INVALID_INPUT`, "
    "`UNKNOWN_INVOICE`, `INVALID_TEXT`; 404 `COMPANY_NOT_FOUND`; 409 "
    f"`PAYMENT_ALREADY_RECORDED`; {STAFF}.",
)
def admin_record_payment(request: HttpRequest, payload: PaymentIn) -> Status[dict[str, Any]]:
    user = staff(request, "invoicing.add_receivedpayment")
    company = companies.company_get(company_id=payload.company_id)
    data = payload.model_dump(exclude={"company_id"})
    payment = services.payment_record(company=company, actor=user, **data)
    return Status(201, payment_out(payment))


@admin_router.post(
    "payments-received/import",
    response=PaymentsImportOut,
    summary="Import payments received (CSV)",
    description="A bank statement as CSV (body or `file` form field), columns "
    "`received_on,amount,reference` and `invoice` or `siren` (`method`, `note` optional). "
    "Valid rows are recorded, rows already recorded skipped, the others listed by row "
    "with their code. Errors: 400 `INVALID_CSV`; 413 `CSV_TOO_LARGE`; "
    f"{STAFF}.",
    openapi_extra=csv_files.OPENAPI_REQUEST_BODY,
)
def admin_import_payments(request: HttpRequest) -> dict[str, Any]:
    user = staff(request, "invoicing.add_receivedpayment")
    data = csv_files.request_csv(request, max_bytes=PAYMENTS_CSV_MAX_BYTES)
    result = services.payments_import(data=data, actor=user)
    return {"recorded": result.recorded, "skipped": result.skipped, "errors": result.errors}


@admin_router.get(
    "invoices",
    response=InvoiceListOut,
    summary="Invoices",
    description="Every invoice and credit note, newest first; `company` (id), `kind`, "
    "`status` (or overdue), `due_before`. Errors: 400 `INVALID_FILTER`, "
    f"`INVALID_PAGINATION`, `UNKNOWN_PARAMETER`; {STAFF}.",
)
def admin_invoices(request: HttpRequest, filters: Query[StaffInvoiceListQuery]) -> dict[str, Any]:
    staff(request, "invoicing.view_invoice")
    reject_unknown_parameters(request, LIST_PARAMS | {"company", "kind"})
    page = page_request(filters.page, filters.page_size)
    rows, count = selectors.invoice_list(
        company_id=filters.company,
        status=filters.status,
        due_before=filters.due_before,
        kind=filters.kind,
        page=page,
    )
    return paginated(request, page, count, [summary_out(row, staff=True) for row in rows])


@admin_router.get(
    "invoices/{number}.pdf",
    response={200: None},
    summary="An invoice's PDF (staff)",
    description=f"Errors: 404 `INVOICE_NOT_FOUND`; {STAFF}.",
    openapi_extra={"responses": {200: {"content": {"application/pdf": {}}}}},
)
def admin_invoice_pdf(request: HttpRequest, number: str) -> HttpResponse:
    staff(request, "invoicing.view_invoice")
    return invoice_pdf_response(selectors.invoice_get(number=number))


@admin_router.get(
    "invoices/{number}",
    response=InvoiceOut,
    summary="An invoice (staff)",
    description=f"Errors: 404 `INVOICE_NOT_FOUND`; {STAFF}.",
)
def admin_invoice(request: HttpRequest, number: str) -> dict[str, Any]:
    staff(request, "invoicing.view_invoice")
    return invoice_out(selectors.invoice_get(number=number), staff=True)
