"""The quote as a PDF (weasyprint), in French or English: the seller, the company, the
lines at their negotiated prices, discount, shipping, totals excl./incl. tax, the tax
treatment's legal mention and the validity."""

from __future__ import annotations

from babel.dates import format_date
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from comptoir.core.locales import babel_locale
from comptoir.core.money import Money
from comptoir.quotes.models import Quote


def quote_pdf(*, quote: Quote, language: str) -> bytes:
    """The PDF of `quote` in `language` (fr or en; anything else: the quote's)."""
    # Imported here: weasyprint loads Pango and fonts, which only PDF requests need.
    from weasyprint import HTML

    return bytes(HTML(string=quote_html(quote=quote, language=language)).write_pdf())


def quote_html(*, quote: Quote, language: str) -> str:
    """The HTML the PDF is printed from."""
    language = language if language in ("fr", "en") else quote.language
    locale = babel_locale(language)

    def money(amount: object) -> str:
        return Money(amount, quote.currency).format(locale)  # type: ignore[arg-type]

    with translation.override(language):
        lines = [
            {
                "sku": line.sku,
                "name": " \u2013 ".join(n for n in (line.product_name, line.variant_name) if n),
                "quantity": line.quantity,
                "list": money(line.list_unit_net),
                "unit": money(line.unit_net),
                "rate": f"{line.tax_rate.normalize():f} %",
                "total": money(line.total_net),
            }
            for line in quote.lines.all()
        ]
        return render_to_string(
            "quotes/quote_pdf.html",
            {
                "quote": quote,
                "lines": lines,
                "seller": getattr(settings, "COMPTOIR_SELLER_NAME", "Comptoir"),
                "subtotal": money(quote.subtotal_net),
                "discount": money(quote.discount_net),
                "shipping": money(quote.shipping_net),
                "total_net": money(quote.total_net),
                "total_tax": money(quote.total_tax),
                "total_gross": money(quote.total_gross),
                "created": format_date(
                    timezone.localtime(quote.created_at).date(), format="long", locale=locale
                ),
                "expires": format_date(
                    timezone.localtime(quote.expires_at).date(), format="long", locale=locale
                ),
                "language": language,
            },
        )
