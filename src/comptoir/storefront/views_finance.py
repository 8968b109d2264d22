"""The B2B portal's finance pages (docs/b2b-portal.md, "Invoices, credit and statement"),
for members whose role holds `invoices.view`, exactly as the invoicing API checks it: the
company's invoices and credit notes with filters, their Factur-X PDF and UBL downloads,
the credit (terms, limit, outstanding, available, overdue) and the statement of account
with its PDF. The reads are the invoicing selectors and the downloads the API's responses
(`invoicing.responses`). A consumer gets a 404, a member without the permission a 403,
another company's invoice a 404; a bad filter or date is a 400 with the form's error."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from comptoir.companies import selectors as company_selectors
from comptoir.companies.models import Company
from comptoir.companies.permissions import CompanyPermission
from comptoir.core.errors import InvalidInput, NotFound, PermissionDenied
from comptoir.core.money import Money
from comptoir.core.pagination import PageRequest
from comptoir.invoicing import selectors
from comptoir.invoicing.models import Invoice, InvoiceKind, InvoiceStatus
from comptoir.invoicing.presenters import overdue
from comptoir.invoicing.responses import (
    invoice_pdf_response,
    invoice_ubl_response,
    statement_pdf_response,
)
from comptoir.invoicing.statements import Statement, statement_for_company
from comptoir.storefront.forms import add_domain_errors
from comptoir.storefront.views import page_number
from comptoir.storefront.views_account import not_found_is_404, render_private

INVOICES_PAGE_SIZE = 20
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def finance_member(request: HttpRequest) -> Company:
    """The company of a member holding `invoices.view` (the API's check): 404 for a user
    of no company, 403 when the role lacks it."""
    try:
        return company_selectors.member_require(request.user, CompanyPermission.INVOICES_VIEW)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.detail) from exc


class InvoiceFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All")),
            ("overdue", _("Overdue")),
            *((value, label) for value, label in InvoiceStatus.choices),
        ],
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All")), *InvoiceKind.choices]
    )
    due_before = forms.DateField(label=_("Due by"), required=False, widget=DATE_WIDGET)


class StatementForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=DATE_WIDGET)
    end = forms.DateField(label=_("To"), required=False, widget=DATE_WIDGET)


def _money(value: Decimal | None, currency: str) -> Money | None:
    return None if value is None else Money(value, currency)


def _shown(invoice: Invoice) -> dict[str, Any]:
    late = overdue(invoice)
    status = "overdue" if late else invoice.status
    return {
        "invoice": invoice,
        "credit_note": invoice.kind == InvoiceKind.CREDIT_NOTE,
        "status": status,
        "status_label": _("Overdue") if late else invoice.get_status_display(),
        "total_net": Money(invoice.total_net, invoice.currency),
        "total_gross": Money(invoice.total_gross, invoice.currency),
        "balance": Money(invoice.balance, invoice.currency),
    }


def credit_context(company_id: int) -> dict[str, Any]:
    """The credit block: terms, limit, outstanding, available and what is overdue."""
    credit = selectors.credit_summary(company_id=company_id)
    due = selectors.invoices_due_summary(company_id=company_id)
    currency = credit.currency
    return {
        "credit": credit,
        "credit_limit": _money(credit.credit_limit, currency),
        "outstanding": Money(credit.outstanding, currency),
        "available": _money(credit.available, currency),
        "due": due,
        "overdue_amount": Money(due.overdue_amount, currency),
        "open_amount": Money(due.open_amount, currency),
    }


@login_required
@never_cache
@require_safe
def company_invoices(request: HttpRequest) -> HttpResponse:
    company = finance_member(request)
    form = InvoiceFilterForm(request.GET)
    number = page_number(request)
    rows: list[Invoice] = []
    count, status = 0, 200
    if form.is_valid():
        data = form.cleaned_data
        try:
            rows, count = selectors.invoice_list(
                company_id=company.pk,
                status=data["status"] or None,
                kind=data["kind"] or None,
                due_before=data["due_before"],
                page=PageRequest(page=number, page_size=INVOICES_PAGE_SIZE),
            )
        except InvalidInput as exc:
            add_domain_errors(form, exc)
    if form.errors:
        status = 400
    pages = max(1, -(-count // INVOICES_PAGE_SIZE))
    if number > pages:
        raise Http404("No such page.")
    params = {name: request.GET.get(name, "") for name in ("status", "kind", "due_before")}
    context = {
        "company": company,
        "form": form,
        "invoices": [_shown(invoice) for invoice in rows],
        "count": count,
        "page": number,
        "pages": pages,
        "page_params": urlencode({k: v for k, v in params.items() if v}),
        "current_page": "invoices",
    }
    return render_private(request, "storefront/account/invoices.html", context, status=status)


@login_required
@never_cache
@require_safe
def company_invoice(request: HttpRequest, number: str) -> HttpResponse:
    """One invoice or credit note: its lines, VAT by rate, totals, terms and settlement,
    from its snapshot (as `GET /api/v1/invoices/{number}`)."""
    company = finance_member(request)
    with not_found_is_404():
        invoice = selectors.invoice_for_company(company_id=company.pk, number=number)
    currency = invoice.currency

    def m(value: object) -> Money:
        return Money(Decimal(str(value)), currency)

    context = {
        "company": company,
        "row": _shown(invoice),
        "lines": [
            {**line, "unit": m(line["unit_net"]), "net": m(line["net"])} for line in invoice.lines
        ],
        "taxes": [
            {**bucket, "net": m(bucket["net"]), "tax": m(bucket["tax"])}
            for bucket in invoice.tax_breakdown
        ],
        "total_tax": m(invoice.total_tax),
        "amount_paid": m(invoice.amount_paid),
        "amount_credited": m(invoice.amount_credited),
        "discount_amount": m(invoice.discount_amount) if invoice.discount_amount else None,
        "current_page": "invoices",
    }
    return render_private(request, "storefront/account/invoice.html", context)


@login_required
@never_cache
@require_safe
def company_invoice_pdf(request: HttpRequest, number: str) -> HttpResponse:
    company = finance_member(request)
    with not_found_is_404():
        invoice = selectors.invoice_for_company(company_id=company.pk, number=number)
    return invoice_pdf_response(invoice)


@login_required
@never_cache
@require_safe
def company_invoice_ubl(request: HttpRequest, number: str) -> HttpResponse:
    company = finance_member(request)
    with not_found_is_404():
        invoice = selectors.invoice_for_company(company_id=company.pk, number=number)
    return invoice_ubl_response(invoice)


def _statement(company: Company, form: StatementForm) -> Statement | None:
    """The statement the valid form asks for; None with the errors on the form."""
    if not form.is_valid():
        return None
    start: date | None = form.cleaned_data["start"]
    end: date | None = form.cleaned_data["end"]
    try:
        return statement_for_company(company_id=company.pk, start=start, end=end)
    except InvalidInput as exc:
        add_domain_errors(form, exc)
        return None


@login_required
@never_cache
@require_safe
def company_statement(request: HttpRequest) -> HttpResponse:
    company = finance_member(request)
    form = StatementForm(request.GET)
    statement = _statement(company, form)
    context = credit_context(company.pk)
    currency = context["credit"].currency
    labels = {
        "invoice": _("Invoice"),
        "credit_note": _("Credit note"),
        "payment": _("Payment"),
    }
    if statement is not None:
        context |= {
            "opening": Money(statement.opening, currency),
            "closing": Money(statement.closing, currency),
            "lines": [
                {
                    "line": line,
                    "label": labels[line.kind],
                    "debit": Money(line.debit, currency) if line.debit else None,
                    "credit": Money(line.credit, currency) if line.credit else None,
                    "balance": Money(line.balance, currency),
                }
                for line in statement.lines
            ],
        }
    params = {name: request.GET.get(name, "") for name in ("start", "end")}
    context |= {
        "company": company,
        "form": form,
        "statement": statement,
        "pdf_params": urlencode({k: v for k, v in params.items() if v}),
        "current_page": "statement",
    }
    status = 200 if statement is not None else 400
    return render_private(request, "storefront/account/statement.html", context, status=status)


@login_required
@never_cache
@require_safe
def company_statement_pdf(request: HttpRequest) -> HttpResponse:
    company = finance_member(request)
    form = StatementForm(request.GET)
    statement = _statement(company, form)
    if statement is None:
        context = {"company": company, "form": form, "current_page": "statement"}
        context |= credit_context(company.pk)
        return render_private(request, "storefront/account/statement.html", context, status=400)
    currency = selectors.credit_summary(company_id=company.pk).currency
    return statement_pdf_response(
        statement, company=company.legal_name, currency=currency, language=get_language() or "fr"
    )
