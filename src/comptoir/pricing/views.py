"""Back-office pages of pricing: the price simulator ("what does company X pay for SKU Y
at quantity Z, and why")."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from comptoir.pricing.engine import PricingContext
from comptoir.pricing.forms import SimulatorForm
from comptoir.pricing.records import Price, PricedLine, money
from comptoir.pricing.selectors.context import pricing_context
from comptoir.pricing.selectors.prices import price_lines
from comptoir.taxes.calc import rate_percent
from comptoir.taxes.rules import LEGAL_MENTIONS


@dataclass(frozen=True)
class ExplainedStep:
    rule: str
    label: str
    amount: str


def _label(rule: str, ctx: PricingContext) -> str:
    kind, _sep, value = rule.partition(":")
    if kind == "base":
        return _("Base price of the channel")
    if kind == "price_list":
        if ctx.contract is not None and ctx.contract.code == value:
            return _("Contract price list %(code)s") % {"code": value}
        return _("Customer group price list %(code)s") % {"code": value}
    if kind == "tier":
        return _("Volume tier from %(quantity)s units") % {"quantity": value}
    if kind == "promotion":
        return _("Promotion %(code)s") % {"code": value}
    return rule


def _amounts(price: Price | None, ctx: PricingContext, language: str) -> dict[str, str] | None:
    if price is None:
        return None
    return {
        name: money(getattr(price, name), ctx.currency, ctx.digits).format(language)
        for name in ("net", "tax", "gross")
    }


@require_safe
@staff_member_required
def price_simulator(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("pricing.view_pricelist"):
        raise PermissionDenied
    form = SimulatorForm(request.GET or None)
    result: dict[str, object] | None = None
    if form.is_valid():
        data = form.cleaned_data
        ctx = pricing_context(
            channel=data["channel"], company=data["company"], country=data["country"] or None
        )
        (line,) = price_lines(ctx=ctx, lines=[(data["sku"].strip(), data["quantity"])])
        result = _result(line, ctx, getattr(request, "LANGUAGE_CODE", "fr"))
    context = {
        **admin.site.each_context(request),
        "title": _("Price simulator"),
        "form": form,
        "result": result,
    }
    return render(request, "pricing/admin/simulator.html", context)


_PROBLEMS = {
    "UNKNOWN_SKU": gettext_lazy("No variant has this SKU."),
    "NOT_FOR_SALE": gettext_lazy("This variant is not published or has no price in this channel."),
    "QUANTITY_RULE": gettext_lazy(
        "This quantity breaks the quantity rule of the price that applies."
    ),
}


def _result(line: PricedLine, ctx: PricingContext, language: str) -> dict[str, object]:
    mention = LEGAL_MENTIONS.get(ctx.treatment)
    return {
        "line": line,
        "problem": str(_PROBLEMS[line.problem]) if line.problem else None,
        "steps": [
            ExplainedStep(
                rule=step.rule,
                label=_label(step.rule, ctx),
                amount=money(step.amount, ctx.currency, ctx.digits).format(language),
            )
            for step in line.steps
        ],
        "unit": _amounts(line.unit, ctx, language),
        "total": _amounts(line.total, ctx, language),
        "undiscounted": _amounts(line.undiscounted_unit, ctx, language),
        "tax_rate": rate_percent(line.tax_rate),
        "treatment": ctx.treatment,
        "mention": None if mention is None else str(mention),
        "entered_gross": ctx.entered_gross,
        "contract": ctx.contract.code if ctx.contract else None,
        "group": ctx.group.code if ctx.group else None,
        "promotions": [p.code for p in ctx.promotions],
        "destination": ctx.destination_country,
    }
