"""The PDF of an invoice: its HTML template rendered by weasyprint as PDF/A-3b, with the
Factur-X XML embedded by the `factur-x` library (`generate_from_binary`, XSD-checked).

Rendered from the invoice's snapshot each time it is asked for: the same invoice always
shows the same content (its numbers, lines and mentions never change)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from facturx import generate_from_binary
from weasyprint import HTML

from comptoir.core.locales import babel_locale
from comptoir.invoicing.documents import seller_snapshot
from comptoir.invoicing.einvoice import cii_xml
from comptoir.invoicing.models import Invoice, InvoiceKind
from comptoir.invoicing.statements import Statement

MONEY_FIELDS = ("unit_net", "net", "tax", "gross")


def _context(invoice: Invoice) -> dict[str, Any]:
    locale = babel_locale(invoice.language)

    def money(value: Decimal | str) -> str:
        return format_currency(Decimal(value), invoice.currency, locale=locale)

    def day(value: Any) -> str:
        return format_date(value, format="long", locale=locale) if value else ""

    lines = [
        {**line, **{f"{name}_text": money(line[name]) for name in MONEY_FIELDS}}
        | {"rate_text": format_decimal(Decimal(line["tax_rate"]), locale=locale)}
        for line in invoice.lines
    ]
    taxes = [
        {
            **bucket,
            "rate_text": format_decimal(Decimal(bucket["rate"]), locale=locale),
            "net_text": money(bucket["net"]),
            "tax_text": money(bucket["tax"]),
        }
        for bucket in invoice.tax_breakdown
    ]
    return {
        "invoice": invoice,
        "credit_note": invoice.kind == InvoiceKind.CREDIT_NOTE,
        "lines": lines,
        "taxes": taxes,
        "issue_date": day(invoice.issue_date),
        "due_date": day(invoice.due_date),
        "discount_date": day(invoice.discount_date),
        "total_net": money(invoice.total_net),
        "total_tax": money(invoice.total_tax),
        "total_gross": money(invoice.total_gross),
        "amount_paid": money(invoice.amount_paid),
        "balance": money(invoice.total_gross - invoice.amount_paid),
        "discount_amount": money(invoice.discount_amount),
        "credited": invoice.credited_invoice,
    }


def invoice_html(invoice: Invoice) -> str:
    with translation.override(invoice.language):
        return render_to_string("invoicing/invoice.html", _context(invoice))


def invoice_pdf(invoice: Invoice) -> bytes:
    """The Factur-X PDF (PDF/A-3b with factur-x.xml embedded, profile EN 16931)."""
    pdf = HTML(string=invoice_html(invoice)).write_pdf(pdf_variant="pdf/a-3b")
    metadata = {
        "author": invoice.seller.get("name", ""),
        "keywords": "Factur-X",
        "title": invoice.number,
        "subject": invoice.number,
    }
    return bytes(
        generate_from_binary(
            pdf,
            cii_xml(invoice),
            flavor="factur-x",
            level="en16931",
            check_xsd=True,
            pdf_metadata=metadata,
            lang=invoice.language,
        )
    )


def statement_pdf(
    statement: Statement, *, company: str, currency: str, language: str = "fr"
) -> bytes:
    """The statement of account as a PDF (no embedded XML: it is no invoice)."""
    locale = babel_locale(language)

    def money(value: Decimal) -> str:
        return format_currency(value, currency, locale=locale) if value else ""

    def day(value: Any) -> str:
        return format_date(value, format="short", locale=locale) if value else ""

    with translation.override(language):
        labels = {
            "invoice": _("Invoice"),
            "credit_note": _("Credit note"),
            "payment": _("Payment"),
        }
        html = render_to_string(
            "invoicing/statement.html",
            {
                "language": language,
                "company": company,
                "seller": seller_snapshot(),
                "start": day(statement.start),
                "end": day(statement.end),
                "opening": format_currency(statement.opening, currency, locale=locale),
                "closing": format_currency(statement.closing, currency, locale=locale),
                "lines": [
                    {
                        "day": day(line.day),
                        "label": labels[line.kind],
                        "reference": line.reference,
                        "due": day(line.due_date),
                        "debit": money(line.debit),
                        "credit": money(line.credit),
                        "balance": format_currency(line.balance, currency, locale=locale),
                    }
                    for line in statement.lines
                ],
            },
        )
    return bytes(HTML(string=html).write_pdf())
