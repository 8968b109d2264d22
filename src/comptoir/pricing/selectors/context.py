"""Who is buying: the pricing context of a request (channel, company, lists, taxes)."""

from __future__ import annotations

from datetime import datetime

from babel.numbers import get_currency_precision
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from comptoir.channels.models import Channel
from comptoir.companies.models import Company, CompanyMember, TaxStatus, ViesStatus
from comptoir.pricing.engine import ListRef, PricingContext
from comptoir.pricing.models import PriceList
from comptoir.promotions.selectors.active import catalog_promotions
from comptoir.taxes.rules import tax_treatment
from comptoir.taxes.selectors import rate_table


def company_of(user: object) -> Company | None:
    """The active company `user` buys for, if any (one query for a signed-in user)."""
    user_id = getattr(user, "pk", None)
    if user_id is None or not getattr(user, "is_authenticated", False):
        return None
    member = (
        CompanyMember.objects.filter(user_id=user_id, company__is_active=True)
        .select_related("company")
        .first()
    )
    return member.company if member is not None else None


def _lists(channel: Channel, company: Company, now: datetime) -> tuple[ListRef | None, ...]:
    owner = Q(company_id=company.pk)
    if company.customer_group_id is not None:
        owner |= Q(customer_group_id=company.customer_group_id)
    contract: ListRef | None = None
    group: ListRef | None = None
    for pk, code, company_id, allows in (
        PriceList.objects.filter(
            owner,
            Q(valid_from__isnull=True) | Q(valid_from__lte=now),
            Q(valid_until__isnull=True) | Q(valid_until__gt=now),
            channel_id=channel.pk,
            currency=channel.currency,
            is_active=True,
        )
        .order_by("-priority", "id")
        .values_list("id", "code", "company_id", "allows_promotions")
    ):
        ref = ListRef(id=pk, code=code, allows_promotions=allows)
        if company_id is not None:
            contract = contract or ref
        else:
            group = group or ref
    return contract, group


class _Lookup:
    """Marker: find the user's company (pass `company=None` when already known to be none)."""


LOOKUP = _Lookup()


def pricing_context(
    *,
    channel: Channel,
    user: object = None,
    company: Company | _Lookup | None = LOOKUP,
    country: str | None = None,
    now: datetime | None = None,
) -> PricingContext:
    """The context prices are resolved in.

    `user`'s company (or `company`: the caller already looked it up, or staff simulate a
    buyer) decides the price lists,
    the customer group and the tax treatment; `country` is where the goods go (the
    company's country, else the channel's, when not given). Two queries for a company
    buyer (membership, price lists), one for another signed-in user, none for a visitor.
    """
    moment = now or timezone.now()
    if isinstance(company, _Lookup):
        company = company_of(user)
    seller = settings.COMPTOIR_SELLER_COUNTRY
    entry_country = str(channel.default_country)
    contract = group = None
    group_id = None
    if company is not None:
        contract, group = _lists(channel, company, moment)
        group_id = company.customer_group_id
        destination = country or str(company.country)
        treatment = tax_treatment(
            seller_country=seller,
            destination_country=destination,
            buyer_country=str(company.country),
            buyer_vat_valid=bool(company.vat_number) and company.vies_status != ViesStatus.INVALID,
            buyer_exempt=company.tax_status == TaxStatus.EXEMPT,
        )
    else:
        destination = country or entry_country
        treatment = tax_treatment(seller_country=seller, destination_country=destination)
    return PricingContext(
        channel_id=channel.pk,
        currency=channel.currency,
        digits=get_currency_precision(channel.currency),
        entered_gross=channel.shows_gross,
        display_gross=channel.shows_gross,
        entry_country=entry_country,
        destination_country=destination,
        treatment=treatment,
        rates=rate_table(),
        promotions=catalog_promotions(
            channel_id=channel.pk, customer_group_id=group_id, now=moment
        ),
        now=moment,
        user_id=getattr(user, "pk", None),
        company_id=company.pk if company is not None else None,
        customer_group_id=group_id,
        contract=contract,
        group=group,
    )
