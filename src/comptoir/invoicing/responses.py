"""HTTP answers shared by the invoicing API and the portal's invoice pages: the Factur-X
PDF, the UBL XML and the statement's PDF, never kept by shared caches."""

from __future__ import annotations

from django.http import HttpResponse

from comptoir.invoicing.einvoice import ubl_xml
from comptoir.invoicing.models import Invoice
from comptoir.invoicing.pdf import invoice_pdf, statement_pdf
from comptoir.invoicing.statements import Statement


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def invoice_pdf_response(invoice: Invoice) -> HttpResponse:
    """The invoice's Factur-X PDF (PDF/A-3b with the EN 16931 XML embedded)."""
    response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{invoice.number}.pdf"'
    return _private(response)


def invoice_ubl_response(invoice: Invoice) -> HttpResponse:
    """The same invoice in UBL 2.1 (Peppol BIS Billing 3.0 syntax), as a download."""
    response = HttpResponse(ubl_xml(invoice), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{invoice.number}.xml"'
    return _private(response)


def statement_pdf_response(
    statement: Statement, *, company: str, currency: str, language: str
) -> HttpResponse:
    """The statement of account as a PDF in `language`."""
    pdf = statement_pdf(statement, company=company, currency=currency, language=language)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="statement.pdf"'
    return _private(response)
