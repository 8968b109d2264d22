"""Price list services: exact values, every refusal with its code (nothing changed), and the
history written to the admin's LogEntry."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.utils import translation

from comptoir.accounts.tests.factories import StaffFactory
from comptoir.channels.tests.factories import B2BChannelFactory, ChannelFactory
from comptoir.companies.tests.factories import CompanyFactory, CustomerGroupFactory
from comptoir.core.errors import Conflict, DomainError, InvalidInput
from comptoir.pricing import services
from comptoir.pricing.models import PriceList, PriceListEntry, PriceTier
from comptoir.pricing.tests.factories import (
    PriceListEntryFactory,
    PriceListFactory,
    PriceTierFactory,
)

pytestmark = pytest.mark.django_db

JAN = datetime(2026, 1, 1, tzinfo=UTC)
DEC = datetime(2026, 12, 31, tzinfo=UTC)


def history(price_list: PriceList) -> list[LogEntry]:
    return list(
        LogEntry.objects.filter(
            object_id=str(price_list.pk), content_type__model="pricelist"
        ).order_by("pk")
    )


def test_create_stores_every_field_and_logs_the_addition() -> None:
    channel = B2BChannelFactory.create()
    company = CompanyFactory.create()
    user = StaffFactory.create()
    price_list = services.price_list_create(
        code="contrat-martin",
        name="Contrat Martin",
        channel=channel,
        company=company,
        valid_from=JAN,
        valid_until=DEC,
        allows_promotions=False,
        priority=5,
        external_ref="ERP-1",
        metadata={"erp": "sage"},
        actor=user,
    )
    stored = PriceList.objects.get(pk=price_list.pk)
    assert (stored.code, stored.name, stored.channel, stored.currency) == (
        "contrat-martin",
        "Contrat Martin",
        channel,
        "EUR",
    )
    assert (stored.company, stored.customer_group) == (company, None)
    assert (stored.valid_from, stored.valid_until) == (JAN, DEC)
    assert (stored.is_active, stored.allows_promotions, stored.priority) == (True, False, 5)
    assert (stored.external_ref, stored.metadata) == ("ERP-1", {"erp": "sage"})
    [entry] = history(stored)
    assert (entry.user, entry.action_flag, entry.object_repr) == (user, ADDITION, "Contrat Martin")
    with translation.override("en"):
        assert entry.get_change_message() == "Added."


def test_create_without_actor_logs_nothing() -> None:
    price_list = services.price_list_create(code="a", name="A", channel=ChannelFactory.create())
    assert history(price_list) == []


def test_group_list() -> None:
    group = CustomerGroupFactory.create()
    price_list = services.price_list_create(
        code="g", name="G", channel=ChannelFactory.create(), customer_group=group, currency="EUR"
    )
    assert price_list.customer_group == group


@pytest.mark.parametrize(
    ("changes", "error", "code", "field"),
    [
        ({"currency": "USD"}, InvalidInput, "CURRENCY_MISMATCH", "currency"),
        ({"currency": "eur"}, InvalidInput, "CURRENCY_MISMATCH", "currency"),
        ({"both": True}, InvalidInput, "INVALID_PRICE_LIST", "company"),
        ({"valid_from": DEC, "valid_until": JAN}, InvalidInput, "INVALID_DATES", "valid_until"),
        ({"valid_from": JAN, "valid_until": JAN}, InvalidInput, "INVALID_DATES", "valid_until"),
        ({"code": "taken"}, Conflict, "PRICE_LIST_CODE_TAKEN", "code"),
        ({"external_ref": "REF"}, Conflict, "EXTERNAL_REF_TAKEN", "external_ref"),
        ({"code": "pas un slug"}, InvalidInput, "INVALID_INPUT", "code"),
        ({"name": ""}, InvalidInput, "INVALID_INPUT", "name"),
        ({"name": "a\x00b"}, InvalidInput, "INVALID_TEXT", "name"),
        ({"metadata": {"k": "\x00"}}, InvalidInput, "INVALID_TEXT", "metadata"),
        ({"priority": 10**7}, InvalidInput, "INVALID_INPUT", "priority"),
    ],
)
def test_create_refuses_bad_input(
    changes: dict[str, Any], error: type[DomainError], code: str, field: str
) -> None:
    PriceListFactory.create(code="taken", external_ref="REF")
    user = StaffFactory.create()
    kwargs: dict[str, Any] = {"code": "new", "name": "New", "channel": ChannelFactory.create()}
    if changes.pop("both", False):
        kwargs.update(company=CompanyFactory.create(), customer_group=CustomerGroupFactory.create())
    kwargs.update(changes)
    with pytest.raises(error) as caught:
        services.price_list_create(**kwargs, actor=user)
    assert caught.value.code == code
    assert field in caught.value.errors
    assert PriceList.objects.count() == 1
    assert LogEntry.objects.count() == 0


def test_update_changes_fields_and_logs_them() -> None:
    price_list = PriceListFactory.create(code="old", name="Old")
    user = StaffFactory.create()
    updated = services.price_list_update(
        price_list=price_list, code="new", name="New", priority=3, valid_until=DEC, actor=user
    )
    stored = PriceList.objects.get(pk=price_list.pk)
    assert updated is price_list
    assert (stored.code, stored.name, stored.priority, stored.valid_until) == (
        "new",
        "New",
        3,
        DEC,
    )
    [entry] = history(stored)
    assert (entry.user, entry.action_flag) == (user, CHANGE)
    with translation.override("en"):
        assert entry.get_change_message() == "Changed code, name, valid until and priority."


def test_update_with_nothing_changed_logs_nothing() -> None:
    price_list = PriceListFactory.create(name="Same")
    services.price_list_update(price_list=price_list, name="Same", actor=StaffFactory.create())
    assert history(price_list) == []


def test_update_moves_a_list_to_another_channel_with_its_currency() -> None:
    price_list = PriceListFactory.create()
    swiss = ChannelFactory.create(code="suisse", currency="CHF")
    with pytest.raises(InvalidInput) as caught:
        services.price_list_update(price_list=price_list, channel=swiss)
    assert caught.value.code == "CURRENCY_MISMATCH"
    assert price_list.channel != swiss
    services.price_list_update(price_list=price_list, channel=swiss, currency="CHF")
    assert PriceList.objects.get(pk=price_list.pk).currency == "CHF"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"code": "taken"}, "PRICE_LIST_CODE_TAKEN"),
        ({"currency": "USD"}, "CURRENCY_MISMATCH"),
        ({"valid_until": datetime(2025, 1, 1, tzinfo=UTC)}, "INVALID_DATES"),
        ({"customer_group": "group"}, "INVALID_PRICE_LIST"),
        ({"name": "x\x00"}, "INVALID_TEXT"),
    ],
)
def test_update_refuses_bad_input_and_leaves_the_list_as_it_was(
    changes: dict[str, Any], code: str
) -> None:
    PriceListFactory.create(code="taken")
    company = CompanyFactory.create()
    price_list = PriceListFactory.create(code="mine", name="Mine", company=company, valid_from=JAN)
    if changes.get("customer_group") == "group":
        changes["customer_group"] = CustomerGroupFactory.create()
    with pytest.raises(DomainError) as caught:
        services.price_list_update(price_list=price_list, actor=StaffFactory.create(), **changes)
    assert caught.value.code == code
    assert (price_list.code, price_list.name, price_list.currency) == ("mine", "Mine", "EUR")
    assert (price_list.customer_group, price_list.valid_until) == (None, None)
    stored = PriceList.objects.get(pk=price_list.pk)
    assert (stored.code, stored.name, stored.customer_group, stored.valid_until) == (
        "mine",
        "Mine",
        None,
        None,
    )
    assert LogEntry.objects.count() == 0


def test_update_clears_owner_and_external_ref() -> None:
    price_list = PriceListFactory.create(company=CompanyFactory.create(), external_ref="R")
    services.price_list_update(price_list=price_list, company=None, external_ref="")
    stored = PriceList.objects.get(pk=price_list.pk)
    assert (stored.company, stored.external_ref) == (None, None)


def test_delete_removes_entries_and_tiers_and_logs_the_deletion() -> None:
    tier = PriceTierFactory.create()
    price_list = tier.entry.price_list
    pk = price_list.pk
    user = StaffFactory.create()
    services.price_list_delete(price_list=price_list, actor=user)
    assert not PriceList.objects.filter(pk=pk).exists()
    assert (PriceListEntry.objects.count(), PriceTier.objects.count()) == (0, 0)
    entry = LogEntry.objects.get()
    assert (entry.object_id, entry.action_flag, entry.user) == (str(pk), DELETION, user)


def test_entry_factory_defaults() -> None:
    entry = PriceListEntryFactory.create()
    assert entry.unit_price == Decimal("10.00")
