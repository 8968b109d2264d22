"""Regressions found by fuzzing the promotions API and services: numbers JSON does not have
in a body, text no column can hold in coupon lookups, a code or external reference taken
between the uniqueness check and the save, and messages left untranslated. Each is a 4xx
with a stable code that changes nothing, never a 500."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError

from comptoir.channels.models import Channel
from comptoir.core.errors import Conflict, InvalidInput
from comptoir.promotions import services
from comptoir.promotions.models import Coupon, CouponRedemption, Promotion
from comptoir.promotions.selectors.cart import cart_promotions
from comptoir.promotions.services import promotions as promotion_services
from comptoir.promotions.tests.conftest import Api, problem
from comptoir.promotions.tests.factories import CouponFactory, PromotionFactory

pytestmark = pytest.mark.django_db

NUL = "ETE\x002030"
SURROGATE = "ETE\ud8002030"
CREATE = (
    '{"code": "pm", "name": "n", "kind": "catalog", "reward_type": "percentage", '
    '"reward_value": "5"}'
)


def raw(body: dict[str, Any], number: str) -> str:
    """`body` as JSON text with its "N" values replaced by `number` (NaN, 1e400...)."""
    return json.dumps(body).replace('"N"', number)


def snapshot() -> list[tuple[Any, ...]]:
    return [
        *Promotion.objects.order_by("pk").values_list("code", "name", "external_ref", "metadata"),
        *Coupon.objects.order_by("pk").values_list("code", "times_used", "is_active"),
        *CouponRedemption.objects.order_by("pk").values_list("order_reference", "email"),
    ]


# --- numbers JSON does not have ---------------------------------------------------------------


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_metadata_with_a_number_json_does_not_allow_is_a_400(api: Api, number: str) -> None:
    promotion = PromotionFactory.create(code="ete")
    before = snapshot()

    create = json.loads(CREATE) | {"metadata": {"k": "N"}}

    created = api.post("promotions", raw(create, number))
    changed = api.patch(f"promotions/{promotion.pk}", raw({"metadata": {"k": "N"}}, number))

    problem(created, 400, "BAD_REQUEST")
    problem(changed, 400, "BAD_REQUEST")
    assert snapshot() == before


# --- text no column can hold in coupon lookups ------------------------------------------------


@pytest.mark.parametrize("code", ["%00", "ETE%002030"])
def test_a_coupon_code_with_a_nul_is_not_found(api: Api, code: str) -> None:
    CouponFactory.create(code="ETE2030")
    before = snapshot()

    problem(api.get(f"coupons/{code}"), 404, "COUPON_NOT_FOUND")
    problem(api.patch(f"coupons/{code}", {"is_active": False}), 404, "COUPON_NOT_FOUND")
    problem(api.delete(f"coupons/{code}"), 404, "COUPON_NOT_FOUND")
    assert snapshot() == before


@pytest.mark.parametrize("code", [NUL, SURROGATE, "\x00"])
def test_unstorable_coupon_codes_are_ignored_by_cart_promotions(
    channel: Channel, code: str
) -> None:
    CouponFactory.create(code="ETE2030", promotion__code="ete")

    found = cart_promotions(
        channel_id=channel.pk, customer_group_id=None, coupon_codes=[code, "ete2030"]
    )

    assert [p.code for p in found] == ["ete"]
    assert cart_promotions(channel_id=channel.pk, customer_group_id=None, coupon_codes=[code]) == []


@pytest.mark.parametrize("text", ["a\x00b@example.fr", "a\ud800b@example.fr"])
def test_a_coupon_check_with_an_unstorable_email_counts_no_use(channel: Channel, text: str) -> None:
    CouponFactory.create(code="ETE2030", per_customer_limit=1)

    coupon = services.coupon_check(
        code="ETE2030", channel=channel, subtotal=Decimal("100"), email=text
    )

    assert coupon.code == "ETE2030"


@pytest.mark.parametrize("reference", ["CMD\x001", "CMD\ud8001"])
def test_an_unstorable_order_reference_is_refused_or_ignored(
    channel: Channel, reference: str
) -> None:
    CouponFactory.create(code="ETE2030")
    before = snapshot()

    with pytest.raises(InvalidInput) as caught:
        services.coupon_redeem(
            code="ETE2030",
            order_reference=reference,
            email="lea@example.fr",
            subtotal=Decimal("100"),
            channel=channel,
        )

    assert caught.value.code == "INVALID_INPUT"
    assert services.coupon_release(code="ETE2030", order_reference=reference) is False
    assert snapshot() == before


# --- a code or reference taken between the check and the save --------------------------------


@pytest.fixture
def taken_meanwhile(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Have another request store a rival promotion with the given fields after the
    uniqueness checks of the next create or update, before its save (in `validate`, which
    runs after them)."""

    def arrange(**rival: Any) -> None:
        validate = promotion_services.validate

        def validated(instance: Any, **kwargs: Any) -> None:
            validate(instance, **kwargs)
            fields = {"code": "rival", "name": "Rival", "kind": "catalog"} | rival
            Promotion.objects.bulk_create(
                [Promotion(reward_type="percentage", reward_value=Decimal(5), **fields)]
            )

        monkeypatch.setattr(promotion_services, "validate", validated)

    return arrange


@pytest.mark.parametrize(
    ("rival", "code"),
    [({"code": "ete"}, "PROMOTION_CODE_TAKEN"), ({"external_ref": "R1"}, "EXTERNAL_REF_TAKEN")],
)
def test_create_racing_another_is_a_conflict(
    taken_meanwhile: Callable[..., None], rival: dict[str, Any], code: str
) -> None:
    taken_meanwhile(**rival)

    with pytest.raises(Conflict) as caught:
        services.promotion_create(
            code="ete",
            name="Été",
            kind="catalog",
            reward_type="percentage",
            reward_value=Decimal(10),
            external_ref="R1",
        )

    assert caught.value.code == code
    # The rival was stored in the service's transaction (one connection here): gone with it.
    assert not Promotion.objects.exists()


def test_update_racing_another_is_a_conflict_and_leaves_the_promotion_as_it_was(
    taken_meanwhile: Callable[..., None],
) -> None:
    promotion = PromotionFactory.create(code="ete", name="Été")
    taken_meanwhile(code="hiver")

    with pytest.raises(Conflict) as caught:
        services.promotion_update(promotion=promotion, code="hiver", name="Hiver")

    assert caught.value.code == "PROMOTION_CODE_TAKEN"
    assert (promotion.code, promotion.name) == ("ete", "Été")
    assert list(Promotion.objects.values_list("code", "name")) == [("ete", "Été")]


def test_api_create_racing_another_is_a_409(api: Api, taken_meanwhile: Callable[..., None]) -> None:
    taken_meanwhile(code="pm")

    response = api.post("promotions", CREATE)

    problem(response, 409, "PROMOTION_CODE_TAKEN")
    assert not Promotion.objects.exists()


def test_another_integrity_error_is_not_a_conflict(monkeypatch: pytest.MonkeyPatch) -> None:
    promotion = PromotionFactory.create(code="ete", name="Été")

    def save(self: Promotion, *args: Any, **kwargs: Any) -> None:
        raise IntegrityError("CHECK constraint failed: promotions_promotion_something")

    monkeypatch.setattr(Promotion, "save", save)

    with pytest.raises(IntegrityError):
        services.promotion_update(promotion=promotion, name="Autre")
    assert promotion.name == "Été"


# --- translations -----------------------------------------------------------------------------


def test_an_unknown_kind_is_refused_in_the_callers_language(api: Api) -> None:
    french = problem(api.get("promotions", {"kind": "autre"}), 400, "INVALID_INPUT")
    english = api.client.get(
        "/api/v1/admin/promotions",
        {"kind": "autre"},
        headers={**api.headers, "Accept-Language": "en"},
    ).json()

    assert (english["detail"], english["errors"]) == (
        "Unknown kind.",
        {"kind": ["Use catalog or cart."]},
    )
    assert (french["detail"], french["errors"]) == (
        "Type inconnu.",
        {"kind": ["Utilisez catalog ou cart."]},
    )
