"""Back-office for price lists: pages load, saves go through the services (same refusals as
the API, shown on the form, nothing saved), every write appears once in the list's history,
and the CSV import/export pages work with errors listed per line."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from comptoir.accounts.tests.factories import StaffFactory
from comptoir.catalog.tests.factories import ProductVariantFactory
from comptoir.channels.tests.factories import ChannelFactory
from comptoir.companies.tests.factories import CompanyFactory, CustomerGroupFactory
from comptoir.pricing import services
from comptoir.pricing.models import PriceList, PriceListEntry, PriceTier
from comptoir.pricing.tests.factories import PriceListFactory

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def user() -> Any:
    return StaffFactory.create()


@pytest.fixture
def staff(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


@pytest.fixture
def price_list() -> PriceList:
    return PriceListFactory.create(code="pro", name="Pro")


def management(prefix: str, rows: list[dict[str, Any]], initial: int = 0) -> dict[str, Any]:
    data: dict[str, Any] = {
        f"{prefix}-TOTAL_FORMS": len(rows),
        f"{prefix}-INITIAL_FORMS": initial,
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 1000,
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{key}": value for key, value in row.items()})
    return data


def list_post(channel: Any, **changes: Any) -> dict[str, Any]:
    return {
        "code": "contrat",
        "name": "Contrat",
        "channel": channel.pk,
        "currency": "",
        "company": "",
        "customer_group": "",
        "valid_from_0": "",
        "valid_from_1": "",
        "valid_until_0": "",
        "valid_until_1": "",
        "is_active": "on",
        "allows_promotions": "on",
        "priority": 0,
        "external_ref": "",
        "metadata": "{}",
        **changes,
    }


def test_pages_load(staff: Client, price_list: PriceList) -> None:
    ProductVariantFactory.create(sku="A-1")
    entry = services.price_list_entry_set(
        price_list=price_list, sku="A-1", unit_price="10", tiers=[(10, "9")]
    )
    for url in (
        reverse("admin:pricing_pricelist_changelist"),
        reverse("admin:pricing_pricelist_changelist") + "?owner=company&is_active__exact=1",
        reverse("admin:pricing_pricelist_changelist") + "?q=pro",
        reverse("admin:pricing_pricelist_add"),
        reverse("admin:pricing_pricelist_change", args=[price_list.pk]),
        reverse("admin:pricing_pricelist_history", args=[price_list.pk]),
        reverse("admin:pricing_pricelist_import", args=[price_list.pk]),
        reverse("admin:pricing_pricelistentry_changelist"),
        reverse("admin:pricing_pricelistentry_changelist")
        + f"?price_list__id__exact={price_list.pk}",
        reverse("admin:pricing_pricelistentry_changelist") + "?q=A-1",
        reverse("admin:pricing_pricelistentry_add"),
        reverse("admin:pricing_pricelistentry_change", args=[entry.pk]),
    ):
        response = staff.get(url)
        assert response.status_code == 200, url
    change = staff.get(reverse("admin:pricing_pricelist_change", args=[price_list.pk]))
    assert reverse("admin:pricing_pricelist_import", args=[price_list.pk]) in change.text
    assert reverse("admin:pricing_pricelist_export", args=[price_list.pk]) in change.text


def test_autocomplete_for_company_group_and_variant(staff: Client, price_list: PriceList) -> None:
    CompanyFactory.create(legal_name="Atelier Martin SARL")
    ProductVariantFactory.create(sku="VIS-4X40")
    url = reverse("admin:autocomplete")
    company = staff.get(
        url,
        {
            "term": "Martin",
            "app_label": "pricing",
            "model_name": "pricelist",
            "field_name": "company",
        },
    )
    assert [r["text"] for r in company.json()["results"]] == ["Atelier Martin SARL"]
    variant = staff.get(
        url,
        {
            "term": "VIS",
            "app_label": "pricing",
            "model_name": "pricelistentry",
            "field_name": "variant",
        },
    )
    assert len(variant.json()["results"]) == 1


def test_add_goes_through_the_service_and_logs_once(staff: Client, user: Any) -> None:
    channel = ChannelFactory.create()
    group = CustomerGroupFactory.create()
    response = staff.post(
        reverse("admin:pricing_pricelist_add"), list_post(channel, customer_group=group.pk)
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    price_list = PriceList.objects.get()
    assert (price_list.currency, price_list.customer_group) == ("EUR", group)
    assert list(LogEntry.objects.values_list("user", "action_flag", "object_id")) == [
        (user.pk, ADDITION, str(price_list.pk))
    ]
    response = staff.post(
        reverse("admin:pricing_pricelist_change", args=[price_list.pk]),
        list_post(channel, name="Contrat 2026", customer_group=group.pk, currency="EUR"),
    )
    assert response.status_code == 302
    assert PriceList.objects.get().name == "Contrat 2026"
    assert LogEntry.objects.filter(action_flag=CHANGE).count() == 1


@pytest.mark.parametrize(
    ("changes", "text"),
    [
        ({"currency": "CHF"}, "must be the channel"),
        ({"both": True}, "not to both"),
        (
            {
                "valid_from_0": "2026-02-01",
                "valid_from_1": "00:00:00",
                "valid_until_0": "2026-01-01",
                "valid_until_1": "00:00:00",
            },
            "must come after its start",
        ),
        ({"code": "pro"}, "already"),
    ],
)
def test_bad_list_is_shown_on_the_form_and_nothing_saved(
    staff: Client, price_list: PriceList, changes: dict[str, Any], text: str
) -> None:
    channel = ChannelFactory.create()
    if changes.pop("both", False):
        changes.update(
            company=CompanyFactory.create().pk, customer_group=CustomerGroupFactory.create().pk
        )
    response = staff.post(
        reverse("admin:pricing_pricelist_add"),
        list_post(channel, **changes),
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 200
    assert text in response.text
    assert PriceList.objects.count() == 1
    assert LogEntry.objects.count() == 0


def test_delete_goes_through_the_service(staff: Client, price_list: PriceList, user: Any) -> None:
    url = reverse("admin:pricing_pricelist_delete", args=[price_list.pk])
    response = staff.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not PriceList.objects.exists()
    assert LogEntry.objects.get().action_flag == 3


def entry_post(
    price_list: PriceList, variant: Any, tiers: list[dict[str, Any]], **changes: Any
) -> dict[str, Any]:
    return {
        "price_list": price_list.pk,
        "variant": variant.pk,
        "unit_price": "12.50",
        "min_quantity": 1,
        "max_quantity": "",
        "increment": 1,
        **management("tiers", tiers),
        **changes,
    }


def test_entry_with_tiers_is_saved_by_the_service(
    staff: Client, price_list: PriceList, user: Any
) -> None:
    variant = ProductVariantFactory.create(sku="A-1")
    response = staff.post(
        reverse("admin:pricing_pricelistentry_add"),
        entry_post(
            price_list,
            variant,
            [
                {"min_quantity": 50, "unit_price": "10.80"},
                {"min_quantity": 10, "unit_price": "11.90"},
                {"min_quantity": "", "unit_price": ""},
            ],
        ),
    )
    assert response.status_code == 302, response.text
    entry = PriceListEntry.objects.get()
    assert entry.unit_price == D("12.50")
    assert list(entry.tiers.order_by("min_quantity").values_list("min_quantity", "unit_price")) == [
        (10, D("11.90")),
        (50, D("10.80")),
    ]
    [log] = LogEntry.objects.all()
    assert (log.user, log.object_id, log.content_type_id) == (
        user,
        str(price_list.pk),
        ContentType.objects.get_for_model(PriceList).pk,
    )

    tiers = list(entry.tiers.order_by("min_quantity"))
    change = {
        "unit_price": "12.00",
        "min_quantity": 1,
        "max_quantity": "",
        "increment": 1,
        **management(
            "tiers",
            [
                {"id": tiers[0].pk, "entry": entry.pk, "min_quantity": 10, "unit_price": "11.50"},
                {
                    "id": tiers[1].pk,
                    "entry": entry.pk,
                    "min_quantity": 50,
                    "unit_price": "10.80",
                    "DELETE": "on",
                },
            ],
            initial=2,
        ),
    }
    response = staff.post(reverse("admin:pricing_pricelistentry_change", args=[entry.pk]), change)
    assert response.status_code == 302, response.text
    assert list(PriceTier.objects.values_list("min_quantity", "unit_price")) == [(10, D("11.50"))]
    assert PriceListEntry.objects.get().unit_price == D("12.00")
    assert LogEntry.objects.count() == 2

    history = staff.get(
        reverse("admin:pricing_pricelist_history", args=[price_list.pk]),
        headers={"Accept-Language": "en"},
    )
    assert "A-1: 12.00 EUR; 10+: 11.50" in history.text


def test_bad_tiers_are_shown_and_nothing_saved(staff: Client, price_list: PriceList) -> None:
    variant = ProductVariantFactory.create(sku="A-1")
    response = staff.post(
        reverse("admin:pricing_pricelistentry_add"),
        entry_post(price_list, variant, [{"min_quantity": 10, "unit_price": "13.00"}]),
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 200
    assert "a volume tier must lower the price" in response.text
    response = staff.post(
        reverse("admin:pricing_pricelistentry_add"),
        entry_post(price_list, variant, [], min_quantity=4, increment=6),
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 200
    assert "must be a multiple of" in response.text
    assert not PriceListEntry.objects.exists()
    assert LogEntry.objects.count() == 0


def test_entry_delete_goes_through_the_service(staff: Client, price_list: PriceList) -> None:
    ProductVariantFactory.create(sku="A-1")
    entry = services.price_list_entry_set(price_list=price_list, sku="A-1", unit_price="10")
    response = staff.post(
        reverse("admin:pricing_pricelistentry_delete", args=[entry.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not PriceListEntry.objects.exists()
    assert LogEntry.objects.count() == 1


def test_import_page_imports_and_lists_bad_lines(
    staff: Client, price_list: PriceList, user: Any
) -> None:
    ProductVariantFactory.create(sku="A-1")
    url = reverse("admin:pricing_pricelist_import", args=[price_list.pk])
    bad = SimpleUploadedFile("p.csv", b"sku,unit_price\nA-1,0\nNOPE,2\n", "text/csv")
    response = staff.post(url, {"file": bad}, headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert "line 2: A price must be more than zero (got 0)." in response.text
    assert "line 3: Unknown SKU: NOPE." in response.text
    assert not PriceListEntry.objects.exists()

    good = SimpleUploadedFile(
        "p.csv", b"sku,unit_price,tier_quantities,tier_prices\nA-1,2,10,1.5\n"
    )
    response = staff.post(url, {"file": good}, follow=True, headers={"Accept-Language": "en"})
    assert response.redirect_chain[-1][0] == reverse(
        "admin:pricing_pricelist_change", args=[price_list.pk]
    )
    assert "Imported: 1 created, 0 changed, 0 deleted, 0 unchanged." in response.text
    assert PriceTier.objects.get().unit_price == D("1.50")
    assert LogEntry.objects.get().user == user

    export = staff.get(reverse("admin:pricing_pricelist_export", args=[price_list.pk]))
    assert export["Content-Type"] == "text/csv; charset=utf-8"
    assert export.content.decode().splitlines()[1] == "A-1,2.00,1,,1,10,1.50"


def test_import_and_export_need_permissions(client: Client, price_list: PriceList) -> None:
    viewer = StaffFactory.create(is_superuser=False)
    viewer.user_permissions.add(Permission.objects.get(codename="view_pricelist"))
    client.force_login(viewer)
    assert (
        client.get(reverse("admin:pricing_pricelist_export", args=[price_list.pk])).status_code
        == 200
    )
    response = client.get(reverse("admin:pricing_pricelist_import", args=[price_list.pk]))
    assert response.status_code == 403
