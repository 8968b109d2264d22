"""POST /api/v1/prices: the caller's prices for lines of (sku, quantity)."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from pydantic import BaseModel, Field, StringConstraints

from comptoir.accounts.auth import optional_user
from comptoir.catalog.schemas import AmountsOut, PriceOut, QuantityRuleOut
from comptoir.channels.selectors import channel_for_buyer
from comptoir.core.errors import InvalidInput, NotFound
from comptoir.pricing.presenters import (
    amounts_dict,
    quantity_rule_dict,
    total_price_dict,
    unit_price_dict,
)
from comptoir.pricing.records import total_of
from comptoir.pricing.selectors.context import company_of, pricing_context
from comptoir.pricing.selectors.prices import price_lines
from comptoir.taxes.rules import LEGAL_MENTIONS
from comptoir.taxes.services import tax_country

router = Router(tags=["pricing"])

MAX_LINES = 500
MAX_QUANTITY = 1_000_000

_PROBLEMS = {
    "UNKNOWN_SKU": lambda line: _("Unknown SKU: %(sku)s.") % {"sku": line.sku},
    "NOT_FOR_SALE": lambda line: _("%(sku)s is not sold in this channel.") % {"sku": line.sku},
    "QUANTITY_RULE": lambda line: (
        _("%(sku)s is sold from %(minimum)s, by %(increment)s%(maximum)s.")
        % {
            "sku": line.sku,
            "minimum": line.quantity_rule.minimum,
            "increment": line.quantity_rule.increment,
            "maximum": ""
            if line.quantity_rule.maximum is None
            else _(", at most %(maximum)s") % {"maximum": line.quantity_rule.maximum},
        }
    ),
}


class PriceLineIn(BaseModel):
    sku: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    quantity: int = Field(ge=1, le=MAX_QUANTITY)


class PricesIn(BaseModel):
    lines: list[PriceLineIn] = Field(min_length=1, max_length=MAX_LINES)
    country: str | None = Field(
        None,
        description="Where the goods go (ISO 3166 code): decides the VAT treatment. "
        "Default: the caller's company's country, else the channel's.",
        examples=["BE"],
    )


class LineTotalOut(BaseModel):
    net: str
    tax: str
    gross: str
    currency: str
    rule: str


class PriceLineOut(BaseModel):
    sku: str
    quantity: int
    unit: PriceOut
    total: LineTotalOut
    rule: str
    quantity_rule: QuantityRuleOut


class TotalOut(AmountsOut):
    currency: str


class PricesOut(BaseModel):
    channel: str
    currency: str
    prices_include_tax: bool = Field(
        description="True on B2C channels (show `gross`), false on B2B channels (show `net`)."
    )
    tax_treatment: str = Field(
        examples=["domestic", "destination", "reverse_charge", "export", "exempt"]
    )
    legal_mention: str | None = Field(description="VAT mention to print, e.g. reverse charge.")
    lines: list[PriceLineOut]
    total: TotalOut = Field(description="Sum of the rounded lines.")


@router.post(
    "prices",
    response=PricesOut,
    summary="Price lines of (sku, quantity) for the caller",
    description=(
        "Resolves each line with the price engine in the caller's context: signed-in "
        "company buyers (bearer token or session) get their contract and group price lists, "
        "volume tiers and quantity rules; promotions and the VAT treatment (domestic, "
        "destination, reverse charge, export, exempt) apply. Channel from `?channel=`, "
        "else the caller's default (a business channel for company buyers). Prices sent by "
        f"a client are never read. At most {MAX_LINES} lines. Errors (problem+json): 400 "
        "`UNKNOWN_SKU`, `NOT_FOR_SALE`, `QUANTITY_RULE` (with `errors` per line, "
        "`lines[<i>]`), `INVALID_COUNTRY`, `VALIDATION_ERROR`; 401 for a bad token; 404 "
        "`CHANNEL_NOT_FOUND`."
    ),
)
def post_prices(
    request: HttpRequest,
    body: PricesIn,
    channel: str | None = Query(None, description="Channel code."),
) -> dict[str, Any]:
    user = optional_user(request)
    company = company_of(user)
    if channel is not None and len(channel) > 50:
        raise NotFound(_("Unknown channel."), code="CHANNEL_NOT_FOUND")
    sales_channel = channel_for_buyer(code=channel, business=company is not None)
    country = None if body.country is None else tax_country(body.country.strip())
    ctx = pricing_context(channel=sales_channel, user=user, company=company, country=country)
    lines = price_lines(ctx=ctx, lines=[(line.sku, line.quantity) for line in body.lines])
    problems = {
        f"lines[{i}]": [str(_PROBLEMS[line.problem](line))]
        for i, line in enumerate(lines)
        if line.problem is not None
    }
    if problems:
        first = next(line for line in lines if line.problem is not None)
        assert first.problem is not None
        raise InvalidInput(
            _("Some lines cannot be priced: %(lines)s.") % {"lines": ", ".join(problems)},
            code=first.problem,
            errors=problems,
        )
    total = total_of(lines)
    mention = LEGAL_MENTIONS.get(ctx.treatment)
    return {
        "channel": sales_channel.code,
        "currency": ctx.currency,
        "prices_include_tax": ctx.display_gross,
        "tax_treatment": str(ctx.treatment),
        "legal_mention": None if mention is None else str(mention),
        "lines": [
            {
                "sku": line.sku,
                "quantity": line.quantity,
                "unit": unit_price_dict(line, ctx),
                "total": total_price_dict(line, ctx),
                "rule": line.rule,
                "quantity_rule": quantity_rule_dict(line.quantity_rule),
            }
            for line in lines
        ],
        "total": {
            **amounts_dict(total, ctx.digits),
            "currency": ctx.currency,
        },
    }
