"""The Factur-X (EN 16931 profile, UN/CEFACT CII) XML of an invoice or credit note, built
by the `factur-x` library's generator (`facturx.generate_xml`) from the invoice's
snapshot: we map our fields to the EN 16931 business terms (BT-x), the library writes the
XML and checks it against the XSD it ships. See docs/invoicing.md."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone
from facturx.generate_xml import generate_cii_xml, generate_ubl_xml

from comptoir.invoicing.models import Invoice, InvoiceKind

EN16931 = "urn:cen.eu:en16931:2017"
TYPE_CODES = {InvoiceKind.INVOICE: "380", InvoiceKind.CREDIT_NOTE: "381"}
SIREN_SCHEME = "0002"  # ISO 6523 ICD of the French SIRENE register
UNIT = "C62"  # "one" (UN/ECE recommendation 20)
CREDIT_TRANSFER = "58"  # SEPA credit transfer (UNTDID 4461)


def _rate(value: str) -> str:
    return f"{Decimal(value):.2f}"


def _party(snapshot: dict[str, str], *, seller: bool) -> dict[str, Any]:
    party: dict[str, Any] = {
        "name": snapshot["name"],
        "country_code": snapshot["country"],
        "city": snapshot.get("city", ""),
        "postcode": snapshot.get("postal_code", ""),
        "addr_l1": snapshot.get("address", ""),
    }
    if snapshot.get("address_2"):
        party["addr_l2"] = snapshot["address_2"]
    if snapshot.get("siren"):
        party["legal_identifier"] = snapshot["siren"]
        party["legal_identifier_schemeid"] = SIREN_SCHEME
    if snapshot.get("vat_number"):
        party["vat_identifier"] = snapshot["vat_number"]
    if seller and snapshot.get("legal_form"):
        party["legal_info"] = snapshot["legal_form"]
    return {key: value for key, value in party.items() if value}


def _line(index: int, line: dict[str, Any], category: str) -> dict[str, Any]:
    return {
        "BT-126": str(index),
        "BT-129": str(line["quantity"]),
        "BT-130": UNIT,
        "BT-131": line["net"],
        "BT-146": line["unit_net"],
        "BT-151": category,
        "BT-152": _rate(line["tax_rate"]),
        "BT-153": line["name"][:200] or line["sku"],
        "BT-155": line["sku"],
    }


def data_dict(invoice: Invoice) -> dict[str, Any]:
    """The invoice as the factur-x generator's dict of EN 16931 business terms."""
    categories = {_rate(b["rate"]): b["category"] for b in invoice.tax_breakdown}
    paid = invoice.amount_paid if invoice.kind == InvoiceKind.INVOICE else Decimal("0.00")
    data: dict[str, Any] = {
        "BT-1": invoice.number,
        "BT-2": invoice.issue_date,
        "BT-3": TYPE_CODES[InvoiceKind(invoice.kind)],
        "BT-5": invoice.currency,
        "BT-24": EN16931,
        "BT-9": invoice.due_date,
        "BT-14": invoice.order_number,
        # The order's day stands for the delivery date (BT-72; the delivery block of the
        # XML may not be empty).
        "BT-72": timezone.localdate(invoice.order.placed_at),
        "BG-1": [{"BT-22": mention} for mention in invoice.legal_mentions],
        "BG-4": _party(invoice.seller, seller=True),
        "BG-7": _party(invoice.buyer, seller=False),
        "BT-81": CREDIT_TRANSFER,
        "BT-83": invoice.number,
        "BT-84": invoice.seller.get("iban", ""),
        "BG-23": [
            {
                "BT-116": bucket["net"],
                "BT-117": bucket["tax"],
                "BT-118": bucket["category"],
                "BT-119": _rate(bucket["rate"]),
                **({"BT-120": bucket["exemption_reason"]} if bucket["exemption_reason"] else {}),
                **({"BT-121": bucket["exemption_code"]} if bucket["exemption_code"] else {}),
            }
            for bucket in invoice.tax_breakdown
        ],
        "BG-25": [
            _line(index, line, categories[_rate(line["tax_rate"])])
            for index, line in enumerate(invoice.lines, start=1)
        ],
        "BT-106": f"{invoice.total_net:.2f}",
        "BT-109": f"{invoice.total_net:.2f}",
        "BT-110": f"{invoice.total_tax:.2f}",
        "BT-112": f"{invoice.total_gross:.2f}",
        "BT-115": f"{invoice.total_gross - paid:.2f}",
    }
    if paid:
        data["BT-113"] = f"{paid:.2f}"
    if invoice.seller.get("bic"):
        data["BT-86"] = invoice.seller["bic"]
    if invoice.po_number:
        data["BT-13"] = invoice.po_number
    if invoice.terms.get("text"):
        data["BT-20"] = invoice.terms["text"]
    if invoice.credited_invoice is not None:
        data["BG-3"] = [
            {"BT-25": invoice.credited_invoice.number, "BT-26": invoice.credited_invoice.issue_date}
        ]
    return {key: value for key, value in data.items() if value not in ("", None, [])}


def cii_xml(invoice: Invoice) -> bytes:
    """The Factur-X XML (EN 16931 profile), checked against the library's XSD."""
    return bytes(generate_cii_xml(data_dict(invoice), level="en16931", check_schematron=False))


def ubl_xml(invoice: Invoice) -> bytes:
    """The same document in UBL 2.1 (Peppol BIS Billing 3.0 syntax), XSD-checked."""
    return bytes(generate_ubl_xml(data_dict(invoice), level="en16931", check_schematron=False))
