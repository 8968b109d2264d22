"""Quotes as the API shows them (plain dicts the schemas validate)."""

from __future__ import annotations

from typing import Any

from comptoir.quotes.models import QUOTE_TOTALS, Quote, QuoteLine


def _who(user: Any) -> str:
    if user is None:
        return ""
    return str(user.get_full_name() or user.email) if hasattr(user, "get_full_name") else ""


def line_out(line: QuoteLine) -> dict[str, Any]:
    return {
        "id": line.pk,
        "sku": line.sku,
        "product_name": line.product_name,
        "variant_name": line.variant_name,
        "quantity": line.quantity,
        "list_unit_net": str(line.list_unit_net),
        "list_rule": line.list_rule,
        "target_unit_net": None if line.target_unit_net is None else str(line.target_unit_net),
        "unit_net": str(line.unit_net),
        "tax_rate": str(line.tax_rate),
        **{
            name: str(getattr(line, name))
            for name in ("subtotal_net", "discount_net", "total_net", "total_tax", "total_gross")
        },
    }


def _head(quote: Quote) -> dict[str, Any]:
    """What a quote's summary and detail share."""
    return {
        "number": quote.number,
        "state": quote.state,
        "company": quote.company.legal_name,
        "requested_by": _who(quote.requested_by),
        "currency": quote.currency,
        "version": quote.version,
        "expires_at": quote.expires_at,
        "created_at": quote.created_at,
    }


def summary_out(quote: Quote) -> dict[str, Any]:
    return {
        **_head(quote),
        "total_net": str(quote.total_net),
        "total_gross": str(quote.total_gross),
        "line_count": getattr(quote, "line_count", 0),
    }


def quote_out(quote: Quote) -> dict[str, Any]:
    return {
        **_head(quote),
        "channel": quote.channel.code,
        "language": quote.language,
        "tax_treatment": quote.tax_treatment,
        "legal_mention": quote.legal_mention,
        "shipping_address": quote.shipping_address,
        "billing_address": quote.billing_address,
        "shipping_method": quote.shipping_method_code,
        "shipping_method_name": quote.shipping_method_name,
        "discount_percent": str(quote.discount_percent),
        **{name: str(getattr(quote, name)) for name in QUOTE_TOTALS},
        "order": quote.order.number if quote.order is not None else None,
        "lines": [line_out(line) for line in quote.lines.all()],
        "comments": [
            {
                "id": c.pk,
                "author": "" if c.by_staff else _who(c.author),
                "by_staff": c.by_staff,
                "body": c.body,
                "created_at": c.created_at,
            }
            for c in quote.comments.all()
        ],
        "attachments": [
            {
                "id": a.pk,
                "name": a.name,
                "content_type": a.content_type,
                "size": a.size,
                "created_at": a.created_at,
            }
            for a in quote.attachments.all()
        ],
        "revisions": [
            {
                "version": r.version,
                "comment": r.comment,
                "created_at": r.created_at,
                "snapshot": r.snapshot,
            }
            for r in quote.revisions.all()
        ],
        "external_ref": quote.external_ref,
        "metadata": quote.metadata,
    }


def staff_quote_out(quote: Quote) -> dict[str, Any]:
    return {
        **quote_out(quote),
        "events": [
            {
                "kind": e.kind,
                "actor": None if e.actor is None else e.actor.email,
                "data": e.data,
                "created_at": e.created_at,
            }
            for e in quote.events.all()
        ],
    }
