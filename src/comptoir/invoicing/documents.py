"""What an invoice copies when it is issued: the seller (settings), the buyer (company and
billing address), lines, tax categories and legal mentions. Pure functions over the
order; no writes."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from comptoir.invoicing.terms import Terms, terms_text
from comptoir.orders.models import Order, OrderLine

CENT = Decimal("0.01")
REVERSE_CHARGE = "reverse_charge"
# EN 16931 VAT category (UNTDID 5305) and exemption reason code (VATEX) per treatment.
CATEGORIES: dict[str, tuple[str, str]] = {
    "reverse_charge": ("AE", "VATEX-EU-AE"),
    "export": ("G", "VATEX-EU-G"),
    "exempt": ("E", "VATEX-EU-O"),
}


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def seller_snapshot() -> dict[str, str]:
    return {
        "name": settings.COMPTOIR_SELLER_LEGAL_NAME,
        "legal_form": settings.COMPTOIR_SELLER_LEGAL_FORM,
        "address": settings.COMPTOIR_SELLER_ADDRESS,
        "postal_code": settings.COMPTOIR_SELLER_POSTAL_CODE,
        "city": settings.COMPTOIR_SELLER_CITY,
        "country": settings.COMPTOIR_SELLER_COUNTRY,
        "siren": settings.COMPTOIR_SELLER_SIREN,
        "vat_number": settings.COMPTOIR_SELLER_VAT_NUMBER,
        "iban": settings.COMPTOIR_SELLER_IBAN,
        "bic": settings.COMPTOIR_SELLER_BIC,
        "email": settings.COMPTOIR_SELLER_EMAIL,
    }


def buyer_snapshot(order: Order) -> dict[str, str]:
    """The buyer as billed: the company's legal identity when the order has one, the
    billing address of the order."""
    address = order.billing_address or {}
    person = " ".join(p for p in (address.get("first_name"), address.get("last_name")) if p)
    company = order.company
    name = company.legal_name if company else (address.get("company_name") or person)
    return {
        "name": name or order.email,
        "contact": person,
        "address": address.get("street_address_1", ""),
        "address_2": address.get("street_address_2", ""),
        "postal_code": address.get("postal_code", ""),
        "city": address.get("city", ""),
        "country": str(company.country) if company else address.get("country", ""),
        "siren": company.siren if company else "",
        "siret": company.siret if company else "",
        "vat_number": company.vat_number if company else "",
        "email": order.email,
    }


def category_of(rate: Decimal, treatment: str) -> dict[str, str]:
    """The EN 16931 VAT category of a rate under the order's tax treatment."""
    if rate > 0:
        return {"category": "S", "exemption_code": "", "exemption_reason": ""}
    category, code = CATEGORIES.get(treatment, ("Z", ""))
    reasons = {
        "AE": _("Reverse charge"),
        "G": _("Export outside the EU"),
        "E": _("Exempt from VAT"),
        "Z": "",
    }
    return {"category": category, "exemption_code": code, "exemption_reason": reasons[category]}


def _line(line: OrderLine) -> dict[str, Any]:
    return {
        "sku": line.sku,
        "name": " ".join(n for n in (line.product_name, line.variant_name) if n),
        "quantity": line.quantity,
        "unit_net": f"{line.unit_net:.2f}",
        "tax_rate": f"{line.tax_rate:.3f}",
        "net": f"{line.total_net:.2f}",
        "tax": f"{line.total_tax:.2f}",
        "gross": f"{line.total_gross:.2f}",
    }


def _shipping_rate(order: Order) -> Decimal:
    """The rate of the shipping line: the order's breakdown rate that gives its tax."""
    rates = [Decimal(bucket["rate"]) for bucket in order.tax_breakdown] or [Decimal("0")]
    if order.shipping_net == 0:
        return max(rates)
    actual = order.shipping_tax / order.shipping_net * 100
    return min(rates, key=lambda rate: abs(rate - actual))


def order_lines(order: Order) -> list[dict[str, Any]]:
    """The order's lines and its shipping (one more line) as the invoice keeps them."""
    lines = [_line(line) for line in order.lines.all()]
    if order.shipping_gross > 0 or order.shipping_method_code:
        lines.append(
            {
                "sku": "SHIPPING",
                "name": order.shipping_method_name or _("Shipping"),
                "quantity": 1,
                "unit_net": f"{order.shipping_net:.2f}",
                "tax_rate": f"{_shipping_rate(order):.3f}",
                "net": f"{order.shipping_net:.2f}",
                "tax": f"{order.shipping_tax:.2f}",
                "gross": f"{order.shipping_gross:.2f}",
            }
        )
    return lines


def breakdown(lines: list[dict[str, Any]], treatment: str) -> list[dict[str, str]]:
    """Net and tax per rate, summed from the (rounded) lines, with their categories."""
    buckets: dict[Decimal, list[Decimal]] = {}
    for line in lines:
        bucket = buckets.setdefault(Decimal(line["tax_rate"]), [Decimal(0), Decimal(0)])
        bucket[0] += Decimal(line["net"])
        bucket[1] += Decimal(line["tax"])
    return [
        {"rate": f"{rate:.3f}", "net": f"{net:.2f}", "tax": f"{tax:.2f}"}
        | category_of(rate, treatment)
        for rate, (net, tax) in sorted(buckets.items())
    ]


def legal_mentions(*, treatment: str, terms: Terms | None, credit_of: str = "") -> list[str]:
    """The mentions French law asks of a B2B invoice, in the active language."""
    mentions = []
    if credit_of:
        mentions.append(_("Credit note on invoice %(number)s.") % {"number": credit_of})
    if treatment == REVERSE_CHARGE:
        mentions.append(
            _(
                "Reverse charge (autoliquidation): VAT to be accounted for by the customer, "
                "Article 196 of Directive 2006/112/EC."
            )
        )
    elif treatment == "export":
        mentions.append(
            _(
                "VAT exempt: export of goods outside the European Union, Article 146 of "
                "Directive 2006/112/EC."
            )
        )
    elif treatment == "exempt":
        mentions.append(_("VAT exempt: the customer is exempt from VAT."))
    if terms is not None:
        mentions.append(terms_text(terms))
        mentions.append(
            _(
                "Late payment: penalties at %(rate)s %% a year from the day after the due "
                "date, and a fixed recovery indemnity of %(amount)s EUR (articles L441-10 "
                "and D441-5 of the French Commercial Code)."
            )
            % {
                "rate": settings.COMPTOIR_LATE_PENALTY_RATE,
                "amount": settings.COMPTOIR_RECOVERY_INDEMNITY,
            }
        )
    return mentions


def partial_lines(
    source: list[dict[str, Any]], total_gross: Decimal, amount: Decimal, label: str
) -> list[dict[str, Any]]:
    """Lines crediting `amount` (gross) of an invoice whose breakdown is `source`, spread
    over its rates in proportion to their gross (the last rate takes the rounding)."""
    lines: list[dict[str, Any]] = []
    left = amount
    for index, bucket in enumerate(source):
        rate = Decimal(bucket["rate"])
        bucket_gross = Decimal(bucket["net"]) + Decimal(bucket["tax"])
        if index == len(source) - 1:
            gross = left
        else:
            gross = cents(amount * bucket_gross / total_gross) if total_gross else Decimal(0)
        left -= gross
        if gross == 0:
            continue
        net = cents(gross / (1 + rate / 100))
        lines.append(
            {
                "sku": "CREDIT",
                "name": label,
                "quantity": 1,
                "unit_net": f"{net:.2f}",
                "tax_rate": f"{rate:.3f}",
                "net": f"{net:.2f}",
                "tax": f"{gross - net:.2f}",
                "gross": f"{gross:.2f}",
            }
        )
    return lines
