"""Coupon services: creation and batches, the check at cart time (every refusal code, in
order) and the redemption at order placement (counted once, idempotent per order,
released on cancellation)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from comptoir.accounts.tests.factories import UserFactory
from comptoir.channels.models import Channel
from comptoir.channels.tests.factories import ChannelFactory
from comptoir.companies.tests.factories import CustomerGroupFactory
from comptoir.core.errors import Conflict, InvalidInput
from comptoir.promotions import services
from comptoir.promotions.models import Coupon, CouponRedemption
from comptoir.promotions.tests.factories import (
    CartPromotionFactory,
    CouponFactory,
    CouponPromotionFactory,
    PromotionFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2030, 6, 15, 12, tzinfo=UTC)
DAY = timedelta(days=1)


# --- creation -----------------------------------------------------------------------------


def test_create_normalises_the_code() -> None:
    promotion = CouponPromotionFactory.create()
    coupon = services.coupon_create(
        promotion=promotion,
        code="  ete-2030 ",
        usage_limit=100,
        per_customer_limit=1,
        min_subtotal=Decimal("30.00"),
    )
    coupon.refresh_from_db()
    assert (coupon.code, coupon.usage_limit, coupon.per_customer_limit, coupon.times_used) == (
        "ETE-2030",
        100,
        1,
        0,
    )
    assert coupon.min_subtotal == Decimal("30.00")


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"code": "AB"}, "INVALID_COUPON_CODE"),
        ({"code": "A" * 41}, "INVALID_COUPON_CODE"),
        ({"code": "ÉTÉ2030"}, "INVALID_COUPON_CODE"),
        ({"code": "ETE 2030"}, "INVALID_COUPON_CODE"),
        ({"usage_limit": 0}, "INVALID_INPUT"),
        ({"per_customer_limit": 0}, "INVALID_INPUT"),
        ({"min_subtotal": Decimal("0")}, "INVALID_INPUT"),
        ({"valid_from": NOW, "valid_until": NOW}, "INVALID_DATES"),
    ],
)
def test_create_refuses_bad_input(fields: dict[str, Any], code: str) -> None:
    promotion = CouponPromotionFactory.create()
    with pytest.raises(InvalidInput) as caught:
        services.coupon_create(promotion=promotion, **({"code": "ETE2030"} | fields))
    assert caught.value.code == code
    assert not Coupon.objects.exists()


def test_only_cart_promotions_that_need_a_code_take_coupons() -> None:
    for promotion in (PromotionFactory.create(), CartPromotionFactory.create()):
        with pytest.raises(InvalidInput) as caught:
            services.coupon_create(promotion=promotion, code="ETE2030")
        assert caught.value.code == "COUPON_NOT_ALLOWED"
        with pytest.raises(InvalidInput) as caught:
            services.coupons_generate(promotion=promotion, count=2)
        assert caught.value.code == "COUPON_NOT_ALLOWED"
    assert not Coupon.objects.exists()


def test_a_taken_code_is_409_whatever_its_case() -> None:
    coupon = CouponFactory.create(code="ETE2030")
    with pytest.raises(Conflict) as caught:
        services.coupon_create(promotion=coupon.promotion, code="ete2030")
    assert caught.value.code == "COUPON_CODE_TAKEN"
    assert Coupon.objects.count() == 1


def test_generate_a_batch_of_single_use_codes() -> None:
    promotion = CouponPromotionFactory.create()
    CouponFactory.create(promotion=promotion, code="OTHER-1")
    batch = services.coupons_generate(promotion=promotion, count=250, prefix="noel-", length=8)
    assert len(batch.codes) == len(set(batch.codes)) == 250
    assert batch.codes == sorted(batch.codes)
    for code in batch.codes:
        assert code.startswith("NOEL-")
        assert len(code) == 13
        assert set(code[5:]) <= set(services.ALPHABET)
    rows = Coupon.objects.filter(batch=batch.batch)
    assert rows.count() == 250
    assert set(rows.values_list("usage_limit", "per_customer_limit", "times_used")) == {(1, 1, 0)}
    assert sorted(rows.values_list("code", flat=True)) == batch.codes


def test_the_alphabet_has_no_ambiguous_characters() -> None:
    assert not set("0O1IL5S2Z8B") & set(services.ALPHABET)


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"count": 0}, "INVALID_INPUT"),
        ({"count": 10_001}, "INVALID_INPUT"),
        ({"count": 2, "prefix": "bad prefix"}, "INVALID_COUPON_CODE"),
        ({"count": 2, "prefix": "P" * 21}, "INVALID_COUPON_CODE"),
        ({"count": 2, "length": 5}, "INVALID_INPUT"),
        ({"count": 2, "length": 33}, "INVALID_INPUT"),
        ({"count": 2, "prefix": "P" * 20, "length": 21}, "INVALID_INPUT"),
        ({"count": 2, "usage_limit": 0}, "INVALID_INPUT"),
    ],
)
def test_generate_refuses_bad_input(fields: dict[str, Any], code: str) -> None:
    promotion = CouponPromotionFactory.create()
    with pytest.raises(InvalidInput) as caught:
        services.coupons_generate(promotion=promotion, **fields)
    assert caught.value.code == code
    assert not Coupon.objects.exists()


def test_update_and_delete() -> None:
    coupon = CouponFactory.create(usage_limit=10, times_used=3)
    services.coupon_update(coupon=coupon, usage_limit=5, is_active=False)
    coupon.refresh_from_db()
    assert (coupon.usage_limit, coupon.is_active, coupon.times_used) == (5, False, 3)
    with pytest.raises(InvalidInput) as caught:
        services.coupon_update(coupon=coupon, usage_limit=2)
    assert caught.value.code == "COUPON_LIMIT_BELOW_USAGE"
    with pytest.raises(InvalidInput) as caught:
        services.coupon_update(coupon=coupon, valid_from=NOW, valid_until=NOW - DAY)
    assert caught.value.code == "INVALID_DATES"
    coupon.refresh_from_db()
    assert (coupon.usage_limit, coupon.valid_from) == (5, None)
    services.coupon_delete(coupon=coupon)
    assert not Coupon.objects.exists()


# --- check --------------------------------------------------------------------------------


def check(code: str, channel: Channel, subtotal: str = "100.00", **kwargs: Any) -> Any:
    return services.coupon_check(
        code=code, channel=channel, subtotal=Decimal(subtotal), now=NOW, **kwargs
    )


def refused(code: str, channel: Channel, subtotal: str = "100.00", **kwargs: Any) -> str:
    with pytest.raises(InvalidInput) as caught:
        check(code, channel, subtotal, **kwargs)
    return caught.value.code


def test_check_returns_a_usable_coupon_case_insensitive(channel: Channel) -> None:
    coupon = CouponFactory.create(code="ETE2030", usage_limit=2)
    assert check(" ete2030 ", channel) == coupon


def test_check_refusals(channel: Channel) -> None:
    group = CustomerGroupFactory.create()
    assert refused("INCONNU", channel) == "COUPON_NOT_FOUND"
    assert refused("x", channel) == "COUPON_NOT_FOUND"
    CouponFactory.create(code="OFF1", is_active=False)
    assert refused("OFF1", channel) == "COUPON_EXPIRED"
    CouponFactory.create(code="OFF2", promotion__is_active=False)
    assert refused("OFF2", channel) == "COUPON_EXPIRED"
    CouponFactory.create(code="SOON1", valid_from=NOW + DAY)
    assert refused("SOON1", channel) == "COUPON_NOT_STARTED"
    CouponFactory.create(code="SOON2", promotion__starts_at=NOW + DAY)
    assert refused("SOON2", channel) == "COUPON_NOT_STARTED"
    CouponFactory.create(code="PAST1", valid_until=NOW)
    assert refused("PAST1", channel) == "COUPON_EXPIRED"
    CouponFactory.create(code="PAST2", promotion__ends_at=NOW - DAY)
    assert refused("PAST2", channel) == "COUPON_EXPIRED"
    other = ChannelFactory.create(code="pro")
    elsewhere = CouponFactory.create(code="PRO1")
    elsewhere.promotion.channels.set([other])
    assert refused("PRO1", channel) == "COUPON_NOT_APPLICABLE"
    assert check("PRO1", other) == elsewhere
    swiss = CouponFactory.create(
        code="CHF1",
        promotion__reward_type="fixed",
        promotion__reward_value=Decimal("5"),
        promotion__currency="CHF",
    )
    assert refused("CHF1", channel) == "COUPON_NOT_APPLICABLE"
    grouped = CouponFactory.create(code="GRP1")
    grouped.promotion.customer_groups.set([group])
    assert refused("GRP1", channel) == "COUPON_NOT_APPLICABLE"
    assert refused("GRP1", channel, customer_group_id=group.pk + 1) == "COUPON_NOT_APPLICABLE"
    assert check("GRP1", channel, customer_group_id=group.pk) == grouped
    CouponFactory.create(code="FULL1", usage_limit=3, times_used=3)
    assert refused("FULL1", channel) == "COUPON_EXHAUSTED"
    CouponFactory.create(code="MIN1", min_subtotal=Decimal("50.00"))
    assert refused("MIN1", channel, "49.99") == "COUPON_MIN_AMOUNT"
    assert check("MIN1", channel, "50.00").code == "MIN1"
    CouponFactory.create(code="MIN2", promotion__min_subtotal=Decimal("80.00"))
    assert refused("MIN2", channel, "79.99") == "COUPON_MIN_AMOUNT"
    assert swiss.times_used == 0


def test_check_counts_customer_uses_by_user_or_email(channel: Channel) -> None:
    user = UserFactory.create(email="lea@example.fr")
    CouponFactory.create(code="ONCE", per_customer_limit=1)
    services.coupon_redeem(
        code="ONCE",
        order_reference="CMD-1",
        email="Lea@Example.fr",
        subtotal=Decimal("10"),
        channel=channel,
        user=user,
    )
    assert refused("ONCE", channel, user=user) == "COUPON_CUSTOMER_LIMIT"
    assert refused("ONCE", channel, email="LEA@example.fr ") == "COUPON_CUSTOMER_LIMIT"
    assert check("ONCE", channel, email="paul@example.fr").code == "ONCE"
    assert check("ONCE", channel, user=UserFactory.create()).code == "ONCE"


# --- redeem and release -------------------------------------------------------------------


def redeem(code: str, order: str, channel: Channel, **kwargs: Any) -> CouponRedemption:
    fields: dict[str, Any] = {"email": "lea@example.fr", "subtotal": Decimal("100")} | kwargs
    return services.coupon_redeem(code=code, order_reference=order, channel=channel, **fields)


def test_redeem_counts_one_use_and_is_idempotent_per_order(channel: Channel) -> None:
    user = UserFactory.create()
    coupon = CouponFactory.create(code="ETE2030", usage_limit=2)
    first = redeem("ete2030", "CMD-1", channel, user=user, email=" Lea@Example.FR")
    again = redeem("ETE2030", "CMD-1", channel, user=user)
    coupon.refresh_from_db()
    assert again.pk == first.pk
    assert coupon.times_used == 1
    assert (first.email, first.user, first.order_reference) == ("lea@example.fr", user, "CMD-1")
    redeem("ETE2030", "CMD-2", channel, email="paul@example.fr")
    with pytest.raises(InvalidInput) as caught:
        redeem("ETE2030", "CMD-3", channel, email="marc@example.fr")
    assert caught.value.code == "COUPON_EXHAUSTED"
    coupon.refresh_from_db()
    assert coupon.times_used == 2
    assert CouponRedemption.objects.count() == 2
    # A replay of an order already counted still returns its redemption once used up.
    assert redeem("ETE2030", "CMD-2", channel).order_reference == "CMD-2"


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"subtotal": Decimal("9.99")}, "COUPON_MIN_AMOUNT"),
        ({"email": "not an email"}, "INVALID_INPUT"),
        ({"now": NOW + 400 * DAY}, "COUPON_EXPIRED"),
    ],
)
def test_redeem_refuses_and_counts_nothing(
    channel: Channel, fields: dict[str, Any], code: str
) -> None:
    coupon = CouponFactory.create(code="ETE2030", min_subtotal=Decimal("10"), valid_until=NOW + DAY)
    with pytest.raises(InvalidInput) as caught:
        redeem("ETE2030", "CMD-1", channel, **({"now": NOW} | fields))
    assert caught.value.code == code
    coupon.refresh_from_db()
    assert coupon.times_used == 0
    assert not CouponRedemption.objects.exists()


def test_redeem_unknown_code_and_missing_order(channel: Channel) -> None:
    with pytest.raises(InvalidInput) as caught:
        redeem("INCONNU", "CMD-1", channel)
    assert caught.value.code == "COUPON_NOT_FOUND"
    CouponFactory.create(code="ETE2030")
    with pytest.raises(InvalidInput) as caught:
        redeem("ETE2030", "", channel)
    assert caught.value.code == "INVALID_INPUT"


def test_per_customer_limit_at_redeem(channel: Channel) -> None:
    CouponFactory.create(code="TWICE", per_customer_limit=2)
    redeem("TWICE", "CMD-1", channel)
    redeem("TWICE", "CMD-2", channel)
    with pytest.raises(InvalidInput) as caught:
        redeem("TWICE", "CMD-3", channel)
    assert caught.value.code == "COUPON_CUSTOMER_LIMIT"
    assert Coupon.objects.get().times_used == 2


def test_release_gives_the_use_back_once(channel: Channel) -> None:
    coupon = CouponFactory.create(code="ETE2030", usage_limit=1)
    redeem("ETE2030", "CMD-1", channel)
    assert services.coupon_release(code="ete2030", order_reference="CMD-1") is True
    assert services.coupon_release(code="ETE2030", order_reference="CMD-1") is False
    assert services.coupon_release(code="INCONNU", order_reference="CMD-1") is False
    coupon.refresh_from_db()
    assert coupon.times_used == 0
    assert not CouponRedemption.objects.exists()
    redeem("ETE2030", "CMD-2", channel)
    coupon.refresh_from_db()
    assert coupon.times_used == 1


def test_a_used_coupon_cannot_be_deleted(channel: Channel) -> None:
    coupon = CouponFactory.create(code="ETE2030")
    redeem("ETE2030", "CMD-1", channel)
    with pytest.raises(Conflict) as caught:
        services.coupon_delete(coupon=coupon)
    assert caught.value.code == "COUPON_IN_USE"
    assert Coupon.objects.filter(pk=coupon.pk).exists()


def test_per_customer_limit_counts_the_accounts_email_too(channel: Channel) -> None:
    CouponFactory.create(code="ONCE", per_customer_limit=1)
    lea = UserFactory.create(email="lea@example.fr")
    # Léa orders with her work address while signed in...
    redeem("ONCE", "CMD-1", channel, user=lea, email="travail@example.fr")
    # ...then as a guest with her account's address: the same customer.
    with pytest.raises(InvalidInput) as caught:
        redeem("ONCE", "CMD-2", channel, email="LEA@example.fr")
    assert caught.value.code == "COUPON_CUSTOMER_LIMIT"
    # A guest first, then the account whose email it is.
    CouponFactory.create(code="ONCE2", per_customer_limit=1)
    redeem("ONCE2", "CMD-3", channel, email="paul@example.fr")
    paul = UserFactory.create(email="paul@example.fr")
    with pytest.raises(InvalidInput) as caught:
        redeem("ONCE2", "CMD-4", channel, user=paul, email="autre@example.fr")
    assert caught.value.code == "COUPON_CUSTOMER_LIMIT"
    assert Coupon.objects.get(code="ONCE2").times_used == 1
