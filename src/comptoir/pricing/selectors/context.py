"""Who is buying: the pricing context of a request (channel, company, lists, taxes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from babel.numbers import get_currency_precision
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from comptoir.catalog.selectors.shared import restriction_for_company
from comptoir.channels.models import Channel
from comptoir.companies.models import Company, TaxStatus, ViesStatus
from comptoir.companies.selectors import BUYERS_VERSION_KEY, company_for_user
from comptoir.core.memo import VersionedMemo, cache_version, in_transaction
from comptoir.pricing.engine import ListRef, PricingContext
from comptoir.pricing.models import PriceList
from comptoir.promotions.selectors.active import catalog_promotions
from comptoir.taxes.rules import tax_treatment, vat_area
from comptoir.taxes.selectors import rate_table


@dataclass(frozen=True, slots=True)
class ListFacts:
    """A price list of a buyer (its company's contract or its group's), in any channel."""

    id: int
    code: str
    channel_id: int
    currency: str
    is_contract: bool
    allows_promotions: bool
    valid_from: datetime | None
    valid_until: datetime | None

    def valid_at(self, now: datetime) -> bool:
        return (self.valid_from is None or self.valid_from <= now) and (
            self.valid_until is None or now < self.valid_until
        )


@dataclass(frozen=True, slots=True)
class Buyer:
    """What pricing needs of the company a user buys for: its tax facts and its active
    price lists (contract, then group; highest priority first), in every channel."""

    company_id: int
    country: str
    vat_number: str
    vies_status: str
    tax_status: str
    customer_group_id: int | None
    lists: tuple[ListFacts, ...]


def _buyer(company: Company) -> Buyer:
    owner = Q(company_id=company.pk)
    if company.customer_group_id is not None:
        owner |= Q(customer_group_id=company.customer_group_id)
    lists = tuple(
        ListFacts(
            id=pk,
            code=code,
            channel_id=channel_id,
            currency=currency,
            is_contract=company_id is not None,
            allows_promotions=allows,
            valid_from=valid_from,
            valid_until=valid_until,
        )
        for pk, code, channel_id, currency, company_id, allows, valid_from, valid_until in (
            PriceList.objects.filter(owner, is_active=True)
            .order_by("-priority", "id")
            .values_list(
                "id",
                "code",
                "channel_id",
                "currency",
                "company_id",
                "allows_promotions",
                "valid_from",
                "valid_until",
            )
        )
    )
    return Buyer(
        company_id=company.pk,
        country=str(company.country),
        vat_number=company.vat_number,
        vies_status=company.vies_status,
        tax_status=company.tax_status,
        customer_group_id=company.customer_group_id,
        lists=lists,
    )


# Buyers are read by every priced request of a signed-in user and change rarely: each
# process keeps them by user id, under the version company and price list services bump
# (companies.selectors.BUYERS_VERSION_KEY), like the tax rates and promotions.
MAX_BUYERS = 20_000
_MISSING = object()
_buyers: VersionedMemo[dict[int, Buyer | None]] = VersionedMemo(
    version=lambda: cache_version(BUYERS_VERSION_KEY),
    load=dict,
    check_seconds=lambda: 1.0,
    max_age_seconds=lambda: 300.0,
)


def company_of(user: object) -> Buyer | None:
    """The company `user` buys for (active membership of an active company), with its
    price lists; None for a visitor or a user without a company. Two queries the first
    time for a user (membership, price lists), none while the process's copy is current."""
    user_id = getattr(user, "pk", None)
    if user_id is None or not getattr(user, "is_authenticated", False):
        return None
    if not getattr(user, "is_active", False):  # a deactivated account buys for no one
        return None
    # This version's dict of buyers, filled here as users come (the memo replaces it whole
    # on the next version). One `get`: another thread may clear it between two lookups.
    known = _buyers.get()
    cached = known.get(user_id, _MISSING)
    if cached is not _MISSING:
        return cached  # type: ignore[return-value]
    company = company_for_user(user)
    buyer = None if company is None else _buyer(company)
    if not in_transaction():  # never keep rows a transaction may still roll back
        if len(known) >= MAX_BUYERS:
            known.clear()
        known[user_id] = buyer
    return buyer


def _lists(channel: Channel, buyer: Buyer, now: datetime) -> tuple[ListRef | None, ...]:
    contract: ListRef | None = None
    group: ListRef | None = None
    for facts in buyer.lists:
        if (
            facts.channel_id != channel.pk
            or facts.currency != channel.currency
            or not facts.valid_at(now)
        ):
            continue
        ref = ListRef(id=facts.id, code=facts.code, allows_promotions=facts.allows_promotions)
        if facts.is_contract:
            contract = contract or ref
        else:
            group = group or ref
    return contract, group


def _vat_number_accepted(buyer: Buyer) -> bool:
    """Whether the buyer's VAT number allows reverse charge: checked in VIES when the shop
    checks numbers there (COMPTOIR_VIES_CHECK), else a number with a valid format and
    checksum (python-stdnum, at save) that VIES has not refused."""
    if not buyer.vat_number:
        return False
    if settings.COMPTOIR_VIES_CHECK:
        return buyer.vies_status == ViesStatus.VALID
    return buyer.vies_status != ViesStatus.INVALID


class _Lookup:
    """Marker: find the user's company (pass `company=None` when already known to be none)."""


LOOKUP = _Lookup()


def pricing_context(
    *,
    channel: Channel,
    user: object = None,
    company: Buyer | Company | _Lookup | None = LOOKUP,
    country: str | None = None,
    now: datetime | None = None,
) -> PricingContext:
    """The context prices are resolved in.

    `user`'s company (or `company`: the buyer the caller already looked up with
    `company_of`, or a Company staff simulate) decides the price lists,
    the customer group and the tax treatment; `country` is where the goods go (the
    company's country, else the channel's, when not given). No query while the process's
    copies (tax rates, promotions, buyers) are current; otherwise the membership and the
    price lists of a signed-in user (see `company_of`).
    """
    moment = now or timezone.now()
    if isinstance(company, _Lookup):
        company = company_of(user)
    elif isinstance(company, Company):
        company = _buyer(company)
    seller = settings.COMPTOIR_SELLER_COUNTRY
    entry_country = str(channel.default_country)
    contract = group = None
    group_id = None
    if company is not None:
        contract, group = _lists(channel, company, moment)
        group_id = company.customer_group_id
        destination = country or company.country
        treatment = tax_treatment(
            seller_country=seller,
            destination_country=destination,
            buyer_country=company.country,
            buyer_vat_valid=_vat_number_accepted(company),
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
        entry_country=vat_area(entry_country),
        destination_country=destination,
        seller_country=vat_area(seller),
        treatment=treatment,
        rates=rate_table(),
        promotions=catalog_promotions(
            channel_id=channel.pk, customer_group_id=group_id, now=moment
        ),
        now=moment,
        user_id=getattr(user, "pk", None),
        company_id=company.company_id if company is not None else None,
        customer_group_id=group_id,
        contract=contract,
        group=group,
        restriction=restriction_for_company(company.company_id) if company is not None else None,
    )
