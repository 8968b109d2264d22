"""Template filters of the storefront: money per locale, sanitised rich text, JSON-LD."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from comptoir.core.html import sanitize_html
from comptoir.core.money import Money
from comptoir.storefront.shop import current_language

register = template.Library()

# Babel locales per shop language: French of France, British English ("€19.90").
BABEL_LOCALES = {"fr": "fr_FR", "en": "en_GB"}

# What must not appear raw inside a <script> element (same escapes as Django's json_script).
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def babel_locale(language: str | None = None) -> str:
    language = language or current_language()
    return BABEL_LOCALES.get(language, language)


@register.filter
def money(value: Money | None) -> str:
    """`Money` formatted for the active language ("19,90 €" in French, "€19.90" in English)."""
    if value is None:
        return ""
    return value.format(babel_locale())


@register.filter
def sanitized(value: str | None) -> SafeString:
    """Rich text made safe to render as HTML.

    Descriptions are sanitised when saved, but rows can be written by imports or by hand, so
    the page sanitises again on the way out (nh3 is fast); nothing else is ever marked safe.
    """
    return mark_safe(sanitize_html(value or ""))  # noqa: S308 - the output of nh3 is safe


@register.filter
def jsonld(value: Any) -> SafeString:
    """`value` as a JSON-LD script element, escaped so no string can close the element."""
    text = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
    text = text.translate(_JSON_SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308


@register.filter
def lookup(mapping: Any, key: Any) -> Any:
    """`mapping[key]`, or "" when it has no such key (errors per line of a page)."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.simple_tag
def delivery_price(option: Any, view: Any) -> str:
    """A delivery option's price as the cart shows prices (tax included or not)."""
    amount = option.price.gross if view.display_gross else option.price.net
    return money(Money(Decimal(amount).scaleb(-view.digits), view.currency))


@register.simple_tag
def order_total(order: Any) -> str:
    """An order's total as its channel showed it: tax included (B2C), or tax excluded with
    "excl. VAT" (B2B), formatted."""
    if order.prices_include_tax:
        return money(Money(order.total_gross, order.currency))
    return _("%(amount)s excl. VAT") % {"amount": money(Money(order.total_net, order.currency))}


def _member_permissions(context: template.Context) -> frozenset[str]:
    """The signed-in user's company permissions, asked once per request (the account menu
    checks several)."""
    from comptoir.companies.selectors import member_permissions

    request = context.get("request")
    if request is None:
        return frozenset()
    cached = getattr(request, "_storefront_member_permissions", None)
    if cached is None:
        cached = member_permissions(request.user)
        request._storefront_member_permissions = cached
    return cached


@register.simple_tag(takes_context=True)
def member_manages(context: template.Context) -> bool:
    """Whether the signed-in user's role manages their company (`company.manage`)."""
    from comptoir.companies.permissions import CompanyPermission

    return CompanyPermission.COMPANY_MANAGE in _member_permissions(context)


@register.simple_tag(takes_context=True)
def member_sees_invoices(context: template.Context) -> bool:
    """Whether the signed-in user's role shows them the company's invoices
    (`invoices.view`)."""
    from comptoir.companies.permissions import CompanyPermission

    return CompanyPermission.INVOICES_VIEW in _member_permissions(context)


@register.simple_tag(takes_context=True)
def member_joinable(context: template.Context) -> bool:
    """Whether the signed-in user (of no company: ask after `buys_for_company`) may ask to
    join a company: one has their email domain (none for staff; no query while the
    process's copy of the companies' domains is current)."""
    from comptoir.companies.selectors import email_domain_joinable

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.is_staff:
        return False
    return email_domain_joinable(email=user.email)
