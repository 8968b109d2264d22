"""What every quote write shares: the locked fetch, the audit event, text and money checks,
and the recomputation of a quote's taxes and totals."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Final

from django.conf import settings
from django.contrib.admin.models import CHANGE
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from comptoir.cart.selectors.view import address_country
from comptoir.core.audit import audit
from comptoir.core.errors import InvalidInput, NotFound
from comptoir.core.validation import text_check
from comptoir.pricing.engine import Engine, PricingContext
from comptoir.pricing.selectors.context import pricing_context
from comptoir.pricing.selectors.prices import price_lines
from comptoir.quotes.models import QUOTE_TOTALS, Quote, QuoteEvent, QuoteLine
from comptoir.shipping.selectors import zone_for
from comptoir.taxes.calc import rate_percent
from comptoir.taxes.rules import LEGAL_MENTIONS

CENT: Final = Decimal("0.01")
HUNDRED: Final = Decimal(100)
MAX_UNIT_PRICE: Final = Decimal("999999999.99")
MAX_LINES: Final = 100
MAX_COMMENT: Final = 4000


def q2(value: Decimal) -> Decimal:
    """Rounded half-up to the cent (the currencies quotes are made in have two digits)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def validity_days() -> int:
    return int(getattr(settings, "COMPTOIR_QUOTE_VALIDITY_DAYS", 30))


def default_expiry(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) + timedelta(days=validity_days())


def event(quote: Quote, *, actor: Any, kind: str, **data: Any) -> QuoteEvent:
    """The quote's audit trail (QuoteEvent), and the admin history for staff writes."""
    row = QuoteEvent.objects.create(
        quote=quote, actor=actor if getattr(actor, "pk", None) else None, kind=kind, data=data
    )
    if getattr(actor, "is_staff", False):
        audit(actor=actor, obj=quote, flag=CHANGE, message=f"{kind}: {data}"[:1000])
    return row


def quote_locked(*, quote_id: int) -> Quote:
    """The quote row, locked (select_for_update) for the rest of the transaction. Lock
    order: the quote first, then stock rows, then the company (credit)."""
    found = Quote.objects.select_for_update().filter(pk=quote_id).first()
    if found is None:
        raise NotFound(_("No such quote."), code="QUOTE_NOT_FOUND")
    return found


def money_in(value: object, *, field: str, allow_none: bool = False) -> Decimal | None:
    """A unit price or amount: a decimal string or number, 0 to 999999999.99, at most two
    decimals. INVALID_PRICE otherwise."""
    if value is None and allow_none:
        return None
    message = _("A price is a decimal number from 0 with at most two decimals.")
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise InvalidInput(message, code="INVALID_PRICE", errors={field: [message]})
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidInput(message, code="INVALID_PRICE", errors={field: [message]}) from None
    if (
        not amount.is_finite()
        or amount < 0
        or amount > MAX_UNIT_PRICE
        or amount != amount.quantize(CENT)
    ):
        raise InvalidInput(message, code="INVALID_PRICE", errors={field: [message]})
    return amount.quantize(CENT)


def comment_text(value: object, *, field: str = "comment", required: bool = False) -> str:
    """A comment: text up to MAX_COMMENT characters (INVALID_COMMENT), stripped."""
    if value is None:
        value = ""
    if not isinstance(value, str) or len(value) > MAX_COMMENT:
        message = _("A comment is text of at most %(n)d characters.") % {"n": MAX_COMMENT}
        raise InvalidInput(message, code="INVALID_COMMENT", errors={field: [message]})
    text_check(**{field: value})
    value = value.strip()
    if required and not value:
        message = _("Say what should change.")
        raise InvalidInput(message, code="COMMENT_REQUIRED", errors={field: [message]})
    return value


# --- taxes and totals ------------------------------------------------------------------------


def _country(quote: Quote) -> str | None:
    return address_country(quote.shipping_address)


def quote_context(quote: Quote) -> PricingContext:
    """The pricing context of a quote: its company (contract and group lists, tax
    treatment: reverse charge for an EU company with a valid VAT number), its channel and
    the country of its shipping address (else the company's)."""
    return pricing_context(
        channel=quote.channel,
        user=quote.requested_by,
        company=quote.company,
        country=_country(quote),
    )


def line_amounts(line: QuoteLine, discount_percent: Decimal) -> None:
    """Set a line's subtotal, discount, net, tax and gross from its quantity, negotiated
    unit price, tax rate and the quote's discount: each rounded half-up on the line."""
    line.subtotal_net = q2(line.unit_net * line.quantity)
    line.discount_net = q2(line.subtotal_net * discount_percent / HUNDRED)
    line.total_net = line.subtotal_net - line.discount_net
    line.total_tax = q2(line.total_net * line.tax_rate / HUNDRED)
    line.total_gross = line.total_net + line.total_tax


def quote_recompute(quote: Quote, *, lines: Sequence[QuoteLine] | None = None) -> list[QuoteLine]:
    """Refresh the quote's tax treatment and rates (the lines' and the shipping method's,
    from the price engine in the quote's context) and its totals; saves the lines and the
    quote. One query for the rates, one update per line."""
    rows = list(lines if lines is not None else quote.lines.all())
    ctx = quote_context(quote)
    priced = price_lines(ctx=ctx, lines=[(line.sku, line.quantity) for line in rows])
    for line, price in zip(rows, priced, strict=True):
        if price.variant_id is not None:
            line.tax_rate = rate_percent(price.tax_rate)
        line_amounts(line, quote.discount_percent)
    if quote.shipping_method_code:
        rate = shipping_rate(quote, ctx=ctx, code=quote.shipping_method_code)
        if rate is not None:
            quote.shipping_tax_rate = rate[0]
    quote.shipping_tax = q2(quote.shipping_net * quote.shipping_tax_rate / HUNDRED)
    quote.subtotal_net = sum((line.subtotal_net for line in rows), Decimal("0.00"))
    quote.discount_net = sum((line.discount_net for line in rows), Decimal("0.00"))
    quote.total_net = sum((line.total_net for line in rows), quote.shipping_net)
    quote.total_tax = sum((line.total_tax for line in rows), quote.shipping_tax)
    quote.total_gross = quote.total_net + quote.total_tax
    quote.tax_treatment = str(ctx.treatment)
    mention = LEGAL_MENTIONS.get(ctx.treatment)
    with translation.override(quote.language):
        quote.legal_mention = "" if mention is None else str(mention)[:300]
    if rows:
        QuoteLine.objects.bulk_update(
            rows,
            [
                "tax_rate",
                "subtotal_net",
                "discount_net",
                "total_net",
                "total_tax",
                "total_gross",
            ],
        )
    quote.save()
    return rows


def shipping_rate(quote: Quote, *, ctx: PricingContext, code: str) -> tuple[Decimal, str] | None:
    """(tax rate in percent, localized name) of the shipping method `code` for the quote's
    destination; None when the method does not serve it."""
    country = _country(quote) or str(quote.company.country)
    zone = zone_for(channel_id=quote.channel_id, country=country)
    if zone is None:
        return None
    for method in zone.methods:
        if method.code == code:
            name, _description = method.label(quote.language)
            return rate_percent(Engine(ctx).rates(method.tax_class_id)[1]), name
    return None


def snapshot(quote: Quote, lines: Sequence[QuoteLine]) -> dict[str, Any]:
    """The quote as sent (a revision's immutable JSON)."""
    return {
        "number": quote.number,
        "version": quote.version,
        "currency": quote.currency,
        "expires_at": quote.expires_at.isoformat(),
        "discount_percent": str(quote.discount_percent),
        "shipping_method_code": quote.shipping_method_code,
        "shipping_method_name": quote.shipping_method_name,
        "shipping_address": quote.shipping_address,
        "tax_treatment": quote.tax_treatment,
        **{name: str(getattr(quote, name)) for name in QUOTE_TOTALS},
        "lines": [
            {
                "sku": line.sku,
                "product_name": line.product_name,
                "variant_name": line.variant_name,
                "quantity": line.quantity,
                "list_unit_net": str(line.list_unit_net),
                "target_unit_net": None
                if line.target_unit_net is None
                else str(line.target_unit_net),
                "unit_net": str(line.unit_net),
                "tax_rate": str(line.tax_rate),
                "total_net": str(line.total_net),
                "total_tax": str(line.total_tax),
                "total_gross": str(line.total_gross),
            }
            for line in lines
        ],
    }


def lines_of(quote: Quote) -> list[QuoteLine]:
    return list(quote.lines.all())
