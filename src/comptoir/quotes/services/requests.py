"""The buyer's side of a quote: request it (from the cart or from lines by SKU), submit,
comment, attach files, decline or ask to renegotiate. Every function is keyword-only and
atomic; the caller has checked access (`selectors.access_quote`) and the company
permission (`quotes.manage`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from babel.numbers import get_currency_precision
from django.db import transaction
from django.utils.translation import gettext as _

from comptoir.accounts.models import Address
from comptoir.accounts.services import ADDRESS_TEXT_FIELDS
from comptoir.cart.models import Cart
from comptoir.cart.selectors.view import address_country
from comptoir.cart.services.details import address_snapshot
from comptoir.cart.services.lines import quantity_rule_message
from comptoir.catalog.models import ProductVariant
from comptoir.channels.models import Channel
from comptoir.companies.models import AddressKind, Company
from comptoir.core import outbox
from comptoir.core.errors import Conflict, InvalidInput
from comptoir.core.ids import new_token
from comptoir.core.validation import text_check
from comptoir.pricing.records import PricedLine, minor_decimal
from comptoir.pricing.selectors.context import pricing_context
from comptoir.pricing.selectors.prices import price_lines
from comptoir.quotes.models import Quote, QuoteComment, QuoteLine, QuoteState
from comptoir.quotes.services._common import (
    MAX_LINES,
    comment_text,
    default_expiry,
    event,
    money_in,
    quote_locked,
    quote_recompute,
)
from comptoir.quotes.transitions import OPEN, transition_check
from comptoir.taxes.calc import rate_percent

MAX_QUANTITY = 99_999
MAX_SKU = 64


@dataclass(frozen=True, slots=True)
class LineRequest:
    sku: str
    quantity: int
    target_unit_net: Decimal | None


def _parse_lines(raw: object) -> list[LineRequest]:
    """The requested lines, each checked alone (types, ranges); every bad line is reported
    at once: QUOTE_LINES_INVALID with errors per `lines.<i>.<field>`."""
    if not isinstance(raw, list) or not raw:
        message = _("A quote needs at least one line.")
        raise InvalidInput(message, code="QUOTE_LINES_INVALID", errors={"lines": [message]})
    if len(raw) > MAX_LINES:
        message = _("A quote has at most %(n)d lines.") % {"n": MAX_LINES}
        raise InvalidInput(message, code="QUOTE_LINES_INVALID", errors={"lines": [message]})
    errors: dict[str, list[str]] = {}
    found: list[LineRequest] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        where = f"lines.{index}"
        if not isinstance(item, Mapping):
            errors[where] = [_("A line is an object with sku and quantity.")]
            continue
        sku, quantity = item.get("sku"), item.get("quantity")
        if not isinstance(sku, str) or not sku.strip() or len(sku) > MAX_SKU:
            errors[f"{where}.sku"] = [_("Enter a SKU.")]
            continue
        sku = sku.strip()
        text_check(**{f"{where}.sku": sku})
        if sku in seen:
            errors[f"{where}.sku"] = [_("This SKU is already on another line.")]
            continue
        seen.add(sku)
        if isinstance(quantity, bool) or not isinstance(quantity, int):
            errors[f"{where}.quantity"] = [_("A quantity is a whole number.")]
            continue
        if not 0 < quantity <= MAX_QUANTITY:
            errors[f"{where}.quantity"] = [
                _("A quantity is from 1 to %(n)d.") % {"n": MAX_QUANTITY}
            ]
            continue
        try:
            target = money_in(
                item.get("target_unit_price"), field=f"{where}.target_unit_price", allow_none=True
            )
        except InvalidInput as exc:
            errors.update(exc.errors or {})
            continue
        found.append(LineRequest(sku=sku, quantity=quantity, target_unit_net=target))
    if errors:
        raise InvalidInput(
            _("Some lines of the quote are not valid."), code="QUOTE_LINES_INVALID", errors=errors
        )
    return found


def priced_lines(
    *,
    channel: Channel,
    company: Company,
    user: Any,
    country: str | None,
    lines: Sequence[Any],
    quantity_rules: bool = True,
) -> list[tuple[Any, PricedLine, ProductVariant]]:
    """Each requested line with the price engine's price for the company (its contract and
    group lists, tiers, promotions) and its variant; unknown SKUs, variants not sold in
    the channel and quantities breaking the variant's quantity rule (minimum, step,
    maximum; unless `quantity_rules` is False: staff negotiating) are QUOTE_LINES_INVALID
    (400), every line named."""
    ctx = pricing_context(channel=channel, user=user, company=company, country=country)
    priced = price_lines(ctx=ctx, lines=[(line.sku, line.quantity) for line in lines])
    variants = ProductVariant.objects.select_related("product").in_bulk(
        [p.variant_id for p in priced if p.variant_id is not None]
    )
    errors: dict[str, list[str]] = {}
    for index, (line, price) in enumerate(zip(lines, priced, strict=True)):
        where = f"lines.{index}"
        if price.problem == "UNKNOWN_SKU":
            errors[f"{where}.sku"] = [_("Unknown SKU: %(sku)s.") % {"sku": line.sku}]
        elif price.problem == "NOT_FOR_SALE":
            errors[f"{where}.sku"] = [_("%(sku)s is not sold in this channel.") % {"sku": line.sku}]
        elif price.problem == "QUANTITY_RULE" and quantity_rules:
            errors[f"{where}.quantity"] = [quantity_rule_message(price)]
    if errors:
        raise InvalidInput(
            _("Some lines of the quote are not valid."), code="QUOTE_LINES_INVALID", errors=errors
        )
    return [
        (line, price, variants[price.variant_id]) for line, price in zip(lines, priced, strict=True)
    ]


def new_line(
    quote: Quote, *, price: PricedLine, variant: ProductVariant, quantity: int, position: int
) -> QuoteLine:
    """A line priced at the engine's unit price (excl. tax) for the company, its rule and
    names copied (a snapshot)."""
    assert price.unit is not None
    list_net = minor_decimal(price.unit.net, get_currency_precision(quote.currency))
    english = quote.language.startswith("en")
    return QuoteLine(
        quote=quote,
        variant=variant,
        sku=variant.sku,
        product_name=variant.product.name[:255],
        variant_name=((english and variant.name_en) or variant.name)[:255],
        quantity=quantity,
        list_unit_net=list_net,
        list_rule=price.rule[:100],
        unit_net=list_net,
        tax_rate=rate_percent(price.tax_rate),
        position=position,
    )


def _number(quote: Quote) -> None:
    quote.number = f"Q-{quote.pk:06d}"
    quote.save(update_fields=["number"])


def default_shipping_address(*, user: Any, company: Company) -> dict[str, str] | None:
    """Where a quote asked without an address is delivered: the company's default shipping
    site, else its first one, else the buyer's default shipping address; None when there is
    none or it no longer passes the address rules (staff then ask for one)."""
    site: Any = (
        company.addresses.filter(kind=AddressKind.SHIPPING).order_by("-is_default", "id").first()
    )
    if site is None and getattr(user, "pk", None):
        site = Address.objects.filter(user=user, is_default_shipping=True).first()
    if site is None:
        return None
    values = {field: str(getattr(site, field, "") or "") for field in ADDRESS_TEXT_FIELDS}
    try:
        return address_snapshot(values, field="shipping_address")
    except InvalidInput:
        return None


@transaction.atomic
def quote_request(
    *,
    user: Any,
    company: Company,
    channel: Channel,
    lines: object,
    comment: object = None,
    shipping_address: object = None,
    language: str = "fr",
    source: str = "form",
) -> Quote:
    """A draft quote of `lines` ([{sku, quantity, target_unit_price?}]) for `company`,
    requested by `user`: each line at the price engine's price for the company, the
    target price kept. Without `shipping_address`, the company's default shipping site
    (else its first one, else the buyer's default shipping address) is taken, so that staff
    can send the quote. Nothing is created when any line is bad (QUOTE_LINES_INVALID with
    errors per line), or the address (ADDRESS_INVALID) or comment (INVALID_COMMENT)."""
    wanted = _parse_lines(lines)
    note = comment_text(comment)
    address = (
        default_shipping_address(user=user, company=company)
        if shipping_address is None
        else address_snapshot(shipping_address, field="shipping_address")
    )
    country = address_country(address)
    priced = priced_lines(
        channel=channel, company=company, user=user, country=country, lines=wanted
    )
    quote = Quote.objects.create(
        number=f"new-{new_token()}"[:32],
        company=company,
        requested_by=user,
        channel=channel,
        currency=channel.currency,
        language=language if language in ("fr", "en") else "fr",
        expires_at=default_expiry(),
        shipping_address=address,
        billing_address=address,
    )
    _number(quote)
    rows = []
    for position, (line, price, variant) in enumerate(priced):
        row = new_line(
            quote, price=price, variant=variant, quantity=line.quantity, position=position
        )
        row.target_unit_net = line.target_unit_net
        rows.append(row)
    QuoteLine.objects.bulk_create(rows)
    quote_recompute(quote, lines=rows)
    if note:
        QuoteComment.objects.create(quote=quote, author=user, body=note)
    event(quote, actor=user, kind="created", source=source, lines=len(rows))
    return quote


def quote_request_from_cart(
    *, user: Any, company: Company, cart: Cart, comment: object = None, language: str = "fr"
) -> Quote:
    """A draft quote of the cart's lines (not those saved for later), at the company's
    prices, with the cart's shipping address. The cart is left as it is (the buyer may
    keep buying; docs/quotes.md). QUOTE_LINES_INVALID when the cart is empty."""
    lines = [
        {"sku": line.variant.sku, "quantity": line.quantity}
        for line in cart.lines.select_related("variant").filter(saved_for_later=False)
    ]
    if not lines:
        message = _("The cart is empty.")
        raise InvalidInput(message, code="QUOTE_LINES_INVALID", errors={"cart": [message]})
    return quote_request(
        user=user,
        company=company,
        channel=cart.channel,
        lines=lines,
        comment=comment,
        shipping_address=cart.shipping_address or None,
        language=cart.language or language,
        source="cart",
    )


@transaction.atomic
def quote_submit(*, quote: Quote, user: Any) -> Quote:
    """draft -> requested: staff are told (quote.requested)."""
    locked = quote_locked(quote_id=quote.pk)
    transition_check(locked.state, QuoteState.REQUESTED)
    locked.state = QuoteState.REQUESTED
    locked.save(update_fields=["state", "updated_at"])
    event(locked, actor=user, kind="submitted")
    outbox.emit("quote.requested", aggregate="quote", aggregate_id=locked.pk, payload={})
    return locked


@transaction.atomic
def quote_comment_add(
    *, quote: Quote, user: Any, body: object, by_staff: bool = False
) -> QuoteComment:
    """A comment on an open quote (not ordered, declined, expired or cancelled: 409
    QUOTE_CLOSED). COMMENT_REQUIRED when empty."""
    locked = quote_locked(quote_id=quote.pk)
    if locked.state not in OPEN:
        raise _closed()
    text = comment_text(body, field="body", required=True)
    comment = QuoteComment.objects.create(quote=locked, author=user, body=text, by_staff=by_staff)
    event(locked, actor=user, kind="commented", staff=by_staff)
    return comment


def _closed() -> Conflict:
    return Conflict(_("This quote is closed."), code="QUOTE_CLOSED")


@transaction.atomic
def quote_decline(*, quote: Quote, user: Any, comment: object = None) -> Quote:
    """sent -> declined, with an optional reason."""
    locked = quote_locked(quote_id=quote.pk)
    note = comment_text(comment)
    transition_check(locked.state, QuoteState.DECLINED)
    locked.state = QuoteState.DECLINED
    locked.save(update_fields=["state", "updated_at"])
    if note:
        QuoteComment.objects.create(quote=locked, author=user, body=note)
    event(locked, actor=user, kind="declined", version=locked.version)
    return locked


@transaction.atomic
def quote_renegotiate(*, quote: Quote, user: Any, comment: object) -> Quote:
    """sent -> renegotiation_requested: back to staff with the buyer's comment (required:
    COMMENT_REQUIRED)."""
    locked = quote_locked(quote_id=quote.pk)
    note = comment_text(comment, required=True)
    transition_check(locked.state, QuoteState.RENEGOTIATION_REQUESTED)
    locked.state = QuoteState.RENEGOTIATION_REQUESTED
    locked.save(update_fields=["state", "updated_at"])
    QuoteComment.objects.create(quote=locked, author=user, body=note)
    event(locked, actor=user, kind="renegotiation_requested", version=locked.version)
    outbox.emit("quote.requested", aggregate="quote", aggregate_id=locked.pk, payload={})
    return locked


@transaction.atomic
def quote_withdraw(*, quote: Quote, user: Any, comment: object = None) -> Quote:
    """The buyer withdraws a quote that is still open (draft, requested, in negotiation,
    sent, renegotiation requested) -> cancelled. An accepted quote waits for its order
    (or its approval): INVALID_QUOTE_TRANSITION, like a closed one."""
    locked = quote_locked(quote_id=quote.pk)
    note = comment_text(comment)
    if locked.state == QuoteState.ACCEPTED:  # staff (or the approvals flow) may cancel it
        raise Conflict(
            _("A quote that is %(current)s cannot become %(target)s.")
            % {"current": QuoteState.ACCEPTED.label, "target": QuoteState.CANCELLED.label},
            code="INVALID_QUOTE_TRANSITION",
            errors={"state": [locked.state]},
        )
    transition_check(locked.state, QuoteState.CANCELLED)
    locked.state = QuoteState.CANCELLED
    locked.save(update_fields=["state", "updated_at"])
    if note:
        QuoteComment.objects.create(quote=locked, author=user, body=note)
    event(locked, actor=user, kind="withdrawn")
    return locked
