"""The pricing bench (issue 3): its data and its two scenarios.

Data (`generate_pricing`): customer groups, companies in France and other EU countries
(VAT numbers valid per python-stdnum, SIREN/SIRET for French ones), one buyer per company,
a contract price list per company on `comptoir-pro` (entries, volume tiers on a part of
them, quantity rules on a few), a list per customer group, and one live catalog promotion
on the largest top category of `comptoir-pro`. The first `KEY_ACCOUNTS` companies are the
ones measured: their contract lists price every variant of the head of the catalog (the
first products of each category and of the channel), which holds every page the listing
scenarios request; the other lists price `entries_per_list` random variants.

Scenarios:
- `product_list_pro`: the `comptoir-pro` pages of the `product_list` scenario, anonymous;
- `product_list_company`: the same pages for company buyers (bearer tokens of the key
  accounts, round-robin), measured like the listing, and against the anonymous pages in a
  paired pass (each page anonymous then for a buyer, alternately, concurrency 1);
- `batch_pricing`: in-process, 10,000 (sku, quantity) lines for a key account: the load
  (`rows_by_sku`) and the pricing once loaded (`price_rows`, the engine), against a raw
  SQL read of the same rows.
"""

from __future__ import annotations

import cProfile
import hashlib
import io
import json
import pstats
import random
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Count
from django.test import Client
from django.utils import timezone
from stdnum import luhn
from stdnum.eu import vat as eu_vat
from stdnum.iso7064 import mod_11_10

from bench.generate import copy_rows
from bench.loadgen import percentile, run_load
from bench.profile import _SqlTimer
from bench.scenarios import ApiRequest, RawDb, Scenario, raw_channel, raw_product_list
from comptoir.accounts.models import ApiToken, User
from comptoir.accounts.services import api_token_create
from comptoir.catalog.models import (
    Category,
    Product,
    ProductChannelListing,
    ProductType,
    ProductVariant,
    VariantChannelPrice,
)
from comptoir.channels.models import Channel
from comptoir.companies.models import Company, CompanyMember, CustomerGroup, TaxStatus
from comptoir.pricing.engine import PricingContext, VariantRow
from comptoir.pricing.models import PriceList, PriceListEntry, PriceTier
from comptoir.pricing.records import PricedLine
from comptoir.pricing.selectors.context import pricing_context
from comptoir.pricing.selectors.loader import rows_by_sku
from comptoir.pricing.selectors.prices import price_rows
from comptoir.promotions.models import Promotion, PromotionKind, RewardType, Stacking
from comptoir.promotions.selectors.active import promotions_version_bump

PRO = "comptoir-pro"
PREFIX = "bench-"
PROMOTION_CODE = "bench-pro-printemps"
BUYER_PASSWORD = "bench-buyer-password"  # noqa: S105 - generated bench data, loopback only
KEY_ACCOUNTS = 10
# The head every key account's contract prices: the first products (by id) of each
# category and of the channel. The listing scenarios request pages 1-3 (48 cards) of a
# category and pages 1-50 of the channel, about 95% of products being published there.
HEAD_PER_CATEGORY = 200
HEAD_OVERALL = 3000
TIERED_SHARE = 0.3
TIERS = ((10, 95), (50, 90))  # from quantity, percent of the entry's unit price
GROUPS = (
    ("bench-installateurs", "Installateurs"),
    ("bench-grossistes", "Grossistes"),
    ("bench-collectivites", "Collectivités"),
    ("bench-artisans", "Artisans"),
    ("bench-revendeurs", "Revendeurs"),
)
GROUP_LIST_ENTRIES = 5000
COUNTRIES = (("FR", 70), ("BE", 8), ("DE", 8), ("ES", 5), ("IT", 5), ("NL", 4))
LEGAL_FORMS = {"FR": ("SARL", "SAS", "EURL"), "BE": ("SRL", "SA"), "DE": ("GmbH", "KG"),
               "ES": ("S.L.", "S.A."), "IT": ("S.r.l.", "S.p.A."), "NL": ("B.V.",)}  # fmt: skip
SURNAMES = ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
            "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "Peeters",
            "Janssens", "Müller", "Schmidt", "Rossi", "Bianchi", "de Jong", "Fernández")  # fmt: skip
TRADES = ("Bâtiment", "Menuiserie", "Plomberie", "Électricité", "Rénovation", "Toitures",
          "Aménagement", "Jardins", "Outillage", "Maintenance")  # fmt: skip
ENTRY_COLUMNS = ["id", "price_list_id", "variant_id", "unit_price", "min_quantity",
                 "max_quantity", "increment"]  # fmt: skip
TIER_COLUMNS = ["id", "entry_id", "min_quantity", "unit_price"]
BATCH_LINES = 10_000


# -- data ------------------------------------------------------------------------------------


def vat_number(country: str, n: int) -> str:
    """A VAT number of `country` with valid check digits, built from `n` ("" for Spain)."""
    seed = (n * 7919 + 1_234_567) % 10_000_000
    if country == "FR":
        siren = french_siren(n)
        return f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"
    if country == "BE":
        base = f"0{seed:07d}"
        return f"BE{base}{97 - int(base) % 97:02d}"
    if country == "DE":
        base = f"{10_000_000 + seed}"
        return f"DE{base}{mod_11_10.calc_check_digit(base)}"
    if country == "IT":
        base = f"{seed + 1:07d}001"
        return f"IT{base}{luhn.calc_check_digit(base)}"
    if country == "NL":
        for candidate in range(seed, seed + 20):
            base = f"{10_000_000 + candidate % 89_999_999:08d}"
            check = sum(int(d) * (9 - i) for i, d in enumerate(base)) % 11
            if check < 10:
                return f"NL{base}{check}B01"
    return ""


def french_siren(n: int) -> str:
    base = f"{(n * 104_729 + 31_415_926) % 100_000_000:08d}"
    return base + luhn.calc_check_digit(base)


@dataclass
class PricingGenerateResult:
    companies: int
    seconds: float
    skipped: bool
    counts: dict[str, int] = field(default_factory=dict)


def pricing_counts() -> dict[str, int]:
    bench_lists = PriceList.objects.filter(code__startswith=PREFIX)
    return {
        "company": Company.objects.count(),
        "customergroup": CustomerGroup.objects.count(),
        "pricelist": PriceList.objects.count(),
        "pricelistentry": PriceListEntry.objects.filter(price_list__in=bench_lists).count(),
        "pricetier": PriceTier.objects.filter(entry__price_list__in=bench_lists).count(),
        "promotion": Promotion.objects.count(),
    }


# Bumped when the generated data changes shape: data of an older version is rebuilt.
DATA_VERSION = 2


def _fingerprint(companies: int, entries_per_list: int) -> dict[str, int]:
    return {
        "version": DATA_VERSION,
        "companies": companies,
        "entries_per_list": entries_per_list,
        "products": Product.objects.count(),
    }


def _is_complete(companies: int, entries_per_list: int) -> bool:
    """The data of an earlier run with the same parameters on the same catalog is all
    there (a catalog `--reset` empties entries, tiers and the promotion's targets)."""
    promotion = Promotion.objects.filter(code=PROMOTION_CODE).first()
    if promotion is None or not promotion.categories.exists():
        return False
    recorded = promotion.metadata.get("bench", {})
    if any(recorded.get(k) != v for k, v in _fingerprint(companies, entries_per_list).items()):
        return False
    counts = pricing_counts()
    return (
        Company.objects.filter(external_ref__startswith=PREFIX).count() == companies
        and counts["pricelistentry"] == recorded.get("entries")
        and counts["pricetier"] == recorded.get("tiers")
    )


def _delete_bench_data() -> None:
    entry, tier, price_list = (
        connection.ops.quote_name(m._meta.db_table) for m in (PriceListEntry, PriceTier, PriceList)
    )
    lists = f"SELECT id FROM {price_list} WHERE code LIKE %s"
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {tier} WHERE entry_id IN "
            f"(SELECT id FROM {entry} WHERE price_list_id IN ({lists}))",
            [f"{PREFIX}%"],
        )
        cursor.execute(f"DELETE FROM {entry} WHERE price_list_id IN ({lists})", [f"{PREFIX}%"])
    PriceList.objects.filter(code__startswith=PREFIX).delete()
    Promotion.objects.filter(code__startswith=PREFIX).delete()
    User.objects.filter(email__startswith="bench-buyer-").delete()
    Company.objects.filter(external_ref__startswith=PREFIX).delete()
    CustomerGroup.objects.filter(code__startswith=PREFIX).delete()


def _country(n: int) -> str:
    if n <= KEY_ACCOUNTS:  # the measured buyers: French, one Belgian and one German
        return {KEY_ACCOUNTS - 1: "BE", KEY_ACCOUNTS: "DE"}.get(n, "FR")
    slot, total = n * 37 % 100, 0
    for country, share in COUNTRIES:
        total += share
        if slot < total:
            return country
    return "FR"


def _companies(count: int, groups: list[CustomerGroup], rng: random.Random) -> list[Company]:
    companies = []
    for n in range(1, count + 1):
        country = _country(n)
        with_vat = n <= KEY_ACCOUNTS or rng.random() < 0.85
        siren = french_siren(n) if country == "FR" else ""
        vat = vat_number(country, n) if with_vat else ""
        if vat and not eu_vat.is_valid(vat):  # never store an invalid number
            vat = ""
        companies.append(
            Company(
                legal_name=f"{rng.choice(TRADES)} {rng.choice(SURNAMES)} "
                f"{rng.choice(LEGAL_FORMS[country])} {n}",
                country=country,
                vat_number=vat,
                siren=siren,
                siret=siren + "0001" + luhn.calc_check_digit(siren + "0001") if siren else "",
                customer_group=groups[n % len(groups)] if n % 10 < 6 else None,
                tax_status=TaxStatus.EXEMPT if n % 100 == 50 else TaxStatus.STANDARD,
                external_ref=f"{PREFIX}company-{n}",
            )
        )
    return Company.objects.bulk_create(companies)


def _head_variants() -> list[int]:
    """Variants of the head of the catalog (see HEAD_PER_CATEGORY), by id."""
    seen: dict[int, int] = {}
    head: set[int] = set()
    for index, (product_id, category_id) in enumerate(
        Product.objects.order_by("id").values_list("id", "category_id")
    ):
        seen[category_id] = seen.get(category_id, 0) + 1
        if index < HEAD_OVERALL or seen[category_id] <= HEAD_PER_CATEGORY:
            head.add(product_id)
    return sorted(
        vid
        for vid, pid in ProductVariant.objects.order_by("id").values_list("id", "product_id")
        if pid in head
    )


def _cents(value: int) -> str:
    return f"{value // 100}.{value % 100:02d}"


class _EntryWriter:
    """Entries and tiers as rows with assigned primary keys, written in chunks."""

    def __init__(self, now: datetime, rng: random.Random) -> None:
        self.now = now
        self.rng = rng
        self.entry_id = (PriceListEntry.objects.aggregate(m=models.Max("id"))["m"] or 0) + 1
        self.tier_id = (PriceTier.objects.aggregate(m=models.Max("id"))["m"] or 0) + 1
        self.entries: list[tuple[Any, ...]] = []
        self.tiers: list[tuple[Any, ...]] = []
        self.written = [0, 0]

    def add(self, list_id: int, variant_ids: Sequence[int], base: dict[int, int], off: int) -> None:
        rng = self.rng
        for variant_id in variant_ids:
            cents = base.get(variant_id)
            if cents is None:
                continue
            unit = max(1, cents * (100 - off) // 100)
            minimum, maximum, increment = 1, None, 1
            roll = rng.random()
            if roll < 0.05:  # sold by 6
                minimum, increment = 6, 6
            elif roll < 0.07:
                maximum = 500
            entry_id = self.entry_id
            self.entry_id += 1
            self.entries.append(
                (entry_id, list_id, variant_id, _cents(unit), minimum, maximum, increment)
            )
            if rng.random() < TIERED_SHARE:
                for quantity, percent in TIERS:
                    self.tiers.append(
                        (self.tier_id, entry_id, quantity, _cents(max(1, unit * percent // 100)))
                    )
                    self.tier_id += 1
        if len(self.entries) >= 100_000:
            self.flush()

    def flush(self) -> None:
        copy_rows(PriceListEntry, ENTRY_COLUMNS, self.entries, self.now)
        copy_rows(PriceTier, TIER_COLUMNS, self.tiers, self.now)
        self.written[0] += len(self.entries)
        self.written[1] += len(self.tiers)
        self.entries, self.tiers = [], []


def _largest_top_category(channel: Channel) -> Category:
    parents = dict(Category.objects.values_list("id", "parent_id"))
    sizes: dict[int, int] = {}
    for category_id, n in (
        ProductChannelListing.objects.filter(channel=channel)
        .values_list("product__category_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        top = category_id
        while parents.get(top) is not None:
            top = parents[top]
        sizes[top] = sizes.get(top, 0) + n
    return Category.objects.get(pk=max(sorted(sizes), key=lambda k: sizes[k]))


def generate_pricing(
    *, companies: int = 1000, entries_per_list: int = 2000, seed: int = 42, progress: bool = True
) -> PricingGenerateResult:
    """Bring the pricing data to `companies` companies on the current catalog. Skipped when
    an earlier run left it complete with the same parameters; otherwise the bench's own
    pricing rows (codes and references starting with `bench-`) are replaced."""
    from tqdm import tqdm

    started = time.perf_counter()
    now = timezone.now()
    with transaction.atomic():
        _lock()
        if _is_complete(companies, entries_per_list):
            return PricingGenerateResult(companies, 0.0, skipped=True, counts=pricing_counts())
        channel = Channel.objects.get(code=PRO)
        _delete_bench_data()
        rng = random.Random(seed)
        groups = CustomerGroup.objects.bulk_create(
            [CustomerGroup(code=code, name=name) for code, name in GROUPS]
        )
        made = _companies(companies, groups, rng)
        password = make_password(BUYER_PASSWORD)
        users = User.objects.bulk_create(
            [
                User(
                    email=f"bench-buyer-{n}@example.com",
                    password=password,
                    first_name="Acheteur",
                    last_name=str(n),
                    language="fr",
                )
                for n in range(1, companies + 1)
            ]
        )
        CompanyMember.objects.bulk_create(
            [CompanyMember(company=c, user=u) for c, u in zip(made, users, strict=True)]
        )
        since = now - timedelta(days=30)
        contracts = PriceList.objects.bulk_create(
            [
                PriceList(
                    code=f"{PREFIX}contract-{n:04d}",
                    name=f"Contrat {company.legal_name}"[:150],
                    channel=channel,
                    currency=channel.currency,
                    company=company,
                    valid_from=since,
                    valid_until=now + timedelta(days=3650) if n % 4 == 0 else None,
                    # Net prices (no promotions) for some; never for the measured buyers.
                    allows_promotions=n <= KEY_ACCOUNTS or n % 7 != 0,
                )
                for n, company in enumerate(made, start=1)
            ]
        )
        group_lists = PriceList.objects.bulk_create(
            [
                PriceList(
                    code=f"{PREFIX}group-{group.code.removeprefix(PREFIX)}",
                    name=f"Tarif {group.name}",
                    channel=channel,
                    currency=channel.currency,
                    customer_group=group,
                    valid_from=since,
                )
                for group in groups
            ]
        )
        base = {
            vid: int(amount * 100)
            for vid, amount in VariantChannelPrice.objects.filter(channel=channel).values_list(
                "variant_id", "amount"
            )
        }
        all_variants = sorted(base)
        head = _head_variants()
        writer = _EntryWriter(now, rng)
        for price_list in group_lists:
            picked = rng.sample(all_variants, min(GROUP_LIST_ENTRIES, len(all_variants)))
            writer.add(price_list.pk, sorted(picked), base, 8)
        with tqdm(total=len(contracts), unit="list", disable=not progress, desc="price lists") as bar:  # fmt: skip
            for n, price_list in enumerate(contracts, start=1):
                if n <= KEY_ACCOUNTS:
                    picked = head
                else:
                    picked = sorted(
                        rng.sample(all_variants, min(entries_per_list, len(all_variants)))
                    )
                writer.add(price_list.pk, picked, base, 5 + n % 16)
                bar.update(1)
        writer.flush()
        _reset_sequences([PriceListEntry, PriceTier])
        promotion = Promotion.objects.create(
            code=PROMOTION_CODE,
            name="Printemps du pro : -10 %",
            name_en="Trade spring sale: 10% off",
            kind=PromotionKind.CATALOG,
            starts_at=now - timedelta(days=1),
            ends_at=now + timedelta(days=3650),
            priority=10,
            stacking=Stacking.CUMULATIVE,
            reward_type=RewardType.PERCENTAGE,
            reward_value=10,
            applies_to_all=False,  # its category only
            metadata={
                "bench": {
                    **_fingerprint(companies, entries_per_list),
                    "entries": writer.written[0],
                    "tiers": writer.written[1],
                }
            },
        )
        promotion.channels.set([channel])
        promotion.categories.set([_largest_top_category(channel)])
    _analyze()
    promotions_version_bump()
    return PricingGenerateResult(
        companies, time.perf_counter() - started, skipped=False, counts=pricing_counts()
    )


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [0x636F6D70])


def _reset_sequences(models_: list[type[models.Model]]) -> None:
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models_):
            cursor.execute(statement)


def _analyze() -> None:
    tables = (PriceListEntry, PriceTier, PriceList, Company, CompanyMember, User)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            names = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in tables)
            cursor.execute(f"VACUUM ANALYZE {names}")
        else:
            cursor.execute("ANALYZE")


# -- buyers and listing scenarios ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Buyer:
    user_id: int
    company_id: int
    contract_id: int
    token: str


def key_buyers(count: int = KEY_ACCOUNTS) -> list[Buyer]:
    """The measured buyers with a new bearer token each (earlier bench tokens are deleted),
    made by the accounts service as `POST /api/v1/auth/token` would."""
    ApiToken.objects.filter(user__email__startswith="bench-buyer-").delete()
    buyers = []
    for n in range(1, count + 1):
        member = (
            CompanyMember.objects.select_related("user", "company")
            .filter(company__external_ref=f"{PREFIX}company-{n}")
            .first()
        )
        if member is None:
            break
        contract = PriceList.objects.get(code=f"{PREFIX}contract-{n:04d}")
        raw, _token = api_token_create(user=member.user)
        buyers.append(Buyer(member.user_id, member.company_id, contract.pk, raw))
    return buyers


def has_pricing_data() -> bool:
    return Promotion.objects.filter(code=PROMOTION_CODE).exists()


def listing_scenarios(product_list: Scenario, buyers: Sequence[Buyer]) -> list[Scenario]:
    """The `comptoir-pro` pages of the listing scenario, anonymous and for the buyers."""
    from bench.scenarios import raw_product_list_without_count

    pages = [r for r in product_list.requests if r.channel == PRO]
    return [
        Scenario(
            "product_list_pro",
            "Product list on comptoir-pro, anonymous (API)",
            pages,
            raw_product_list,
            {"without_count": raw_product_list_without_count},
        ),
        Scenario(
            "product_list_company",
            "Product list on comptoir-pro, company buyer (API)",
            [replace(r, token=buyers[i % len(buyers)].token) for i, r in enumerate(pages)],
            raw_company_product_list,
        ),
    ]


def _t(model: Any) -> str:
    return str(model._meta.db_table)


def _rows_sql(vendor: str, n_lists: int, where: str) -> str:
    """What the engine needs of variants, as a hand-written query reads it: variant,
    category and tax class, publication, base price, entries of the lists and tiers."""
    lists = ", ".join(["%s"] * n_lists) if n_lists else "NULL"
    return (
        f"SELECT v.id, v.sku, v.product_id, p.category_id, "
        f"COALESCE(p.tax_class_id, pt.tax_class_id), l.is_published, l.published_at, "
        f"cp.amount, e.price_list_id, e.unit_price, e.min_quantity, e.max_quantity, "
        f"e.increment, t.min_quantity, t.unit_price "
        f"FROM {_t(ProductVariant)} v JOIN {_t(Product)} p ON p.id = v.product_id "
        f"JOIN {_t(ProductType)} pt ON pt.id = p.product_type_id "
        f"LEFT JOIN {_t(ProductChannelListing)} l ON l.product_id = v.product_id "
        f"AND l.channel_id = %s "
        f"LEFT JOIN {_t(VariantChannelPrice)} cp ON cp.variant_id = v.id AND cp.channel_id = %s "
        f"LEFT JOIN {_t(PriceListEntry)} e ON e.variant_id = v.id AND e.price_list_id IN ({lists}) "
        f"LEFT JOIN {_t(PriceTier)} t ON t.entry_id = e.id WHERE {where}"
    )


def raw_company_product_list(db: RawDb, request: ApiRequest) -> list[tuple[Any, ...]]:
    """The anonymous page (raw_product_list), then what pricing it for the buyer reads:
    the token's user, the company, its price lists, and the variants of the page with
    base prices, entries and tiers. Returns the rows read."""
    rows = raw_product_list(db, request)
    channel_id = raw_channel(db, request.channel)
    digest = hashlib.sha256((request.token or "").encode()).hexdigest()
    token = db.one(
        f"SELECT t.user_id, t.expires_at, u.is_active FROM {_t(ApiToken)} t "
        f"JOIN {_t(User)} u ON u.id = t.user_id WHERE t.digest = %s",
        [digest],
    )
    if token is None:
        raise LookupError("token")
    company = db.one(
        f"SELECT c.id, c.customer_group_id, c.country, c.vat_number, c.tax_status, "
        f"c.vies_status FROM {_t(CompanyMember)} m JOIN {_t(Company)} c ON c.id = m.company_id "
        f"WHERE m.user_id = %s AND c.is_active",
        [token[0]],
    )
    if company is None:
        raise LookupError("company")
    now = db.now()
    lists = db.rows(
        f"SELECT id, code, company_id, allows_promotions FROM {_t(PriceList)} "
        f"WHERE (company_id = %s OR customer_group_id = %s) AND channel_id = %s "
        f"AND is_active AND (valid_from IS NULL OR valid_from <= %s) "
        f"AND (valid_until IS NULL OR valid_until > %s) ORDER BY priority DESC, id",
        [company[0], company[1], channel_id, now, now],
    )
    product_ids = [row[0] for row in rows]
    if not product_ids:
        return rows
    list_ids = [row[0] for row in lists]
    where = f"v.product_id IN ({', '.join(['%s'] * len(product_ids))})"
    return [
        *rows,
        *lists,
        *db.rows(
            _rows_sql(db.vendor, len(list_ids), where),
            [channel_id, channel_id, *list_ids, *product_ids],
        ),
    ]


def coverage(db: RawDb, scenario: Scenario, buyers: Sequence[Buyer]) -> dict[str, Any]:
    """How many variants of the pages a buyer is sent for are priced by its contract list
    (and with tiers), over the scenario's requests."""
    contract_of = {b.token: b.contract_id for b in buyers}
    variants = entries = tiered = 0
    for request in scenario.requests:
        product_ids = [row[0] for row in raw_product_list(db, request)]
        if not product_ids:
            continue
        found = (
            ProductVariant.objects.filter(product_id__in=product_ids)
            .values_list("id", flat=True)
            .count()
        )
        contract = PriceListEntry.objects.filter(
            price_list_id=contract_of[request.token or ""], variant__product_id__in=product_ids
        )
        variants += found
        entries += contract.count()
        tiered += contract.filter(tiers__isnull=False).distinct().count()
    return {"page_variants": variants, "contract_entries": entries, "with_tiers": tiered}


def breakdown(requests: Sequence[ApiRequest]) -> dict[str, float]:
    """bench.profile.breakdown with each request's own headers (its bearer token)."""
    client = Client()
    totals, sqls = [], []
    for request in requests:
        client.get(request.path, headers=request.headers)  # warm
    for request in requests:
        timer = _SqlTimer()
        with connection.execute_wrapper(timer):
            t0 = time.perf_counter()
            client.get(request.path, headers=request.headers)
            totals.append(time.perf_counter() - t0)
        sqls.append(timer.seconds)
    total, sql = statistics.median(totals), statistics.median(sqls)
    return {"total_median_s": total, "sql_median_s": sql, "python_median_s": total - sql}


def versus_anonymous(results: dict[str, Any]) -> dict[str, Any]:
    """Queries of the buyer's page against the anonymous one (warm and cold cache); the
    statements reading the bearer token are authentication, not pricing."""
    anonymous, company = results["product_list_pro"], results["product_list_company"]
    token_table = _t(ApiToken)
    out: dict[str, Any] = {}
    for key, statements in (("queries", "statements"), ("queries_cold_cache", "statements_cold_cache")):  # fmt: skip
        extra = company[key] - anonymous[key]
        auth = sum(token_table in s for s in company[statements])
        out[key] = {"anonymous": anonymous[key], "company": company[key], "extra": extra,
                    "authentication": auth, "pricing": extra - auth}  # fmt: skip
    return out


def paired_pass(server: Any, anonymous: Scenario, company: Scenario, count: int) -> dict[str, Any]:
    """Each page anonymous then for its buyer, alternately, at concurrency 1: gunicorn's
    times of the two halves (its log is in request order), their medians and ratio."""
    pairs = list(zip(anonymous.requests[:count], company.requests[:count], strict=True))
    requests = [r.http for pair in pairs for r in pair]
    start = server.log_position()
    result = run_load(host=server.host, port=server.port, requests=requests, concurrency=1,
                      duration=120, max_requests=len(requests))  # fmt: skip
    time.sleep(0.3)
    logged = server.logged_requests(start)
    anon = [x.seconds for x in logged[0::2] if x.status == 200]
    buyer = [x.seconds for x in logged[1::2] if x.status == 200]
    anon_median = statistics.median(anon) if anon else 0.0
    buyer_median = statistics.median(buyer) if buyer else 0.0
    return {
        "pairs": len(pairs),
        "errors": result.errors,
        "anonymous_median_s": anon_median,
        "anonymous_p95_s": percentile(anon, 95),
        "company_median_s": buyer_median,
        "company_p95_s": percentile(buyer, 95),
        "ratio": buyer_median / anon_median if anon_median else None,
    }


# -- batch pricing ---------------------------------------------------------------------------


def batch_lines(buyer: Buyer, *, n: int = BATCH_LINES, seed: int = 5) -> list[tuple[str, int]]:
    """`n` (sku, quantity) lines: 70% priced by the buyer's contract (quantities that hit
    its tiers, in its "sold by" multiples), the rest anywhere in the catalog."""
    rng = random.Random(seed)
    contract = list(
        PriceListEntry.objects.filter(price_list_id=buyer.contract_id)
        .order_by("id")
        .values_list("variant__sku", "min_quantity", "increment")
    )
    skus = list(ProductVariant.objects.order_by("id").values_list("sku", flat=True))
    in_contract = int(n * 0.7) if contract else 0

    def pick(pool: Sequence[Any], k: int) -> list[Any]:
        return rng.sample(pool, k) if k <= len(pool) else rng.choices(pool, k=k)

    lines = []
    for sku, minimum, increment in pick(contract, in_contract):
        quantity = max(minimum, rng.choice((1, 2, 4, 10, 12, 25, 50, 60)))
        lines.append((sku, -(-quantity // increment) * increment))
    lines += [(sku, rng.choice((1, 1, 2, 3, 5, 10))) for sku in pick(skus, n - in_contract)]
    rng.shuffle(lines)
    return lines


def raw_price_rows(db: RawDb, ctx: PricingContext, skus: Sequence[str]) -> int:
    """The same rows as the loader, read by hand-written SQL (one statement for all SKUs on
    PostgreSQL, chunks of 900 elsewhere), fetched, nothing built. Returns the row count."""
    lists = list(ctx.list_ids)
    wanted = sorted(set(skus))
    if db.vendor == "postgresql":
        sql = _rows_sql(db.vendor, len(lists), "v.sku = ANY(%s)")
        return len(db.rows(sql, [ctx.channel_id, ctx.channel_id, *lists, wanted]))
    count = 0
    for start in range(0, len(wanted), 900):
        chunk = wanted[start : start + 900]
        where = f"v.sku IN ({', '.join(['%s'] * len(chunk))})"
        count += len(db.rows(_rows_sql(db.vendor, len(lists), where),
                             [ctx.channel_id, ctx.channel_id, *lists, *chunk]))  # fmt: skip
    return count


def _best(fn: Any, repeat: int) -> tuple[float, Any]:
    best, value = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - t0)
    return best, value


def _rule_kind(line: PricedLine) -> str:
    return line.problem or line.rule.split(":", 1)[0]


def batch_pricing(db: RawDb, buyer: Buyer, *, n: int = BATCH_LINES, repeat: int = 5) -> dict[str, Any]:  # fmt: skip
    """In-process: the pricing context of a key account, the load of `n` lines' rows, the
    pricing once loaded (best of `repeat`), and the raw SQL read of the same rows."""
    user = User.objects.get(pk=buyer.user_id)
    channel = Channel.objects.get(code=PRO)
    lines = batch_lines(buyer, n=n)
    skus = [sku for sku, _quantity in lines]
    t0 = time.perf_counter()
    ctx = pricing_context(channel=channel, user=user)
    context_s = time.perf_counter() - t0
    timer = _SqlTimer()
    with connection.execute_wrapper(timer):
        first_load_s, rows = _best(lambda: rows_by_sku(ctx, skus), 1)
    load_s, rows = _best(lambda: rows_by_sku(ctx, skus), max(1, repeat - 2))
    pairs: list[tuple[VariantRow | None, int]] = [(rows.get(s), q) for s, q in lines]
    price_s, priced = _best(lambda: price_rows(ctx=ctx, rows=pairs), repeat)
    raw_rows = raw_price_rows(db, ctx, skus)  # warms the buffers as the first load did
    raw_s, _count = _best(lambda: raw_price_rows(db, ctx, skus), max(1, repeat - 2))
    kinds: dict[str, int] = {}
    for line in priced:
        kinds[_rule_kind(line)] = kinds.get(_rule_kind(line), 0) + 1
    return {
        "title": f"Batch pricing of {n:,} lines, in-process",
        "lines": len(lines),
        "distinct_skus": len(set(skus)),
        "company_id": buyer.company_id,
        "price_lists": list(ctx.list_ids),
        "promotions": [p.code for p in ctx.promotions],
        "treatment": str(ctx.treatment.value),
        "context_s": context_s,
        "load_first_s": first_load_s,
        "load_best_s": load_s,
        "load_queries": timer.queries,
        "loaded_variants": len(rows),
        "raw_sql_rows": raw_rows,
        "raw_sql_best_s": raw_s,
        "price_best_s": price_s,
        "repeat": repeat,
        "lines_per_s": len(lines) / price_s if price_s else 0.0,
        "load_lines_per_s": len(lines) / load_s if load_s else 0.0,
        "raw_sql_lines_per_s": len(lines) / raw_s if raw_s else 0.0,
        "load_and_price_lines_per_s": len(lines) / (load_s + price_s),
        "rules": dict(sorted(kinds.items())),
    }


def profile_batch(buyer: Buyer, *, n: int = BATCH_LINES, top: int = 30) -> str:
    user = User.objects.get(pk=buyer.user_id)
    ctx = pricing_context(channel=Channel.objects.get(code=PRO), user=user)
    lines = batch_lines(buyer, n=n)
    rows = rows_by_sku(ctx, [sku for sku, _q in lines])
    pairs = [(rows.get(s), q) for s, q in lines]
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(3):
        price_rows(ctx=ctx, rows=pairs)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    out.write(f"price_rows of {len(lines):,} lines, 3 times\n\n== by own time ==\n")
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


def profile_listing(requests: Sequence[ApiRequest], *, top: int = 35) -> str:
    """cProfile of the requests with their headers (bench.profile.profile sends none)."""
    client = Client()
    for request in requests[:10]:
        client.get(request.path, headers=request.headers)
    profiler = cProfile.Profile()
    profiler.enable()
    for request in requests:
        client.get(request.path, headers=request.headers)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    out.write(f"{len(requests)} requests\n\n== by cumulative time ==\n")
    stats.sort_stats("cumulative").print_stats(top)
    out.write("\n== by own time ==\n")
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


def record(result: PricingGenerateResult, path: Any) -> dict[str, Any]:
    """The generation record: written after a real generation, read back when skipped."""
    if result.skipped:
        saved = json.loads(path.read_text()) if path.exists() else {}
        return {**saved, "skipped": True}
    saved = {
        "companies": result.companies,
        "seconds": round(result.seconds, 2),
        "at": timezone.now().isoformat(timespec="seconds"),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(saved, indent=2))
    return {**saved, "skipped": False}
