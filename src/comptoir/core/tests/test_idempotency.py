"""Idempotency keys: the first response is stored and replayed; another body is a 409; a
running request is waited for; a crashed one is taken over after its lease."""

from __future__ import annotations

import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from comptoir.core import idempotency
from comptoir.core.errors import Conflict, InvalidInput
from comptoir.core.idempotency import claim, complete, key_check, release, request_hash
from comptoir.core.models import IdempotencyRecord, IdempotencyState

pytestmark = pytest.mark.django_db

SCOPE = "checkout:cart-token"
HASH = request_hash({"payment_method": "card"})


# --- key_check, request_hash ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("a", "a"),
        (" 4f0c1d9e-key ", "4f0c1d9e-key"),
        ("k" * 255, "k" * 255),
        ("with space~!{}", "with space~!{}"),
    ],
)
def test_key_check_accepts_1_to_255_printable_ascii(raw: str, key: str) -> None:
    assert key_check(raw) == key


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_key_check_requires_a_key(raw: str | None) -> None:
    with pytest.raises(InvalidInput) as caught:
        key_check(raw)

    assert caught.value.code == "IDEMPOTENCY_KEY_REQUIRED"
    assert caught.value.errors == {"Idempotency-Key": [caught.value.detail]}


@pytest.mark.parametrize("raw", ["k" * 256, "clé", "tab\tkey", "nul\x00", "new\nline", "😀"])
def test_key_check_refuses_other_keys(raw: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        key_check(raw)

    assert caught.value.code == "IDEMPOTENCY_KEY_INVALID"
    assert caught.value.status == 400


def test_request_hash_is_canonical() -> None:
    first = request_hash({"b": [1, {"y": 2, "x": Decimal("19.90")}], "a": "é"})
    same = request_hash({"a": "é", "b": [1, {"x": Decimal("19.90"), "y": 2}]})

    assert first == same
    assert len(first) == 64
    assert first != request_hash({"a": "é", "b": [1, {"x": "19.9", "y": 2}]})


# --- claim, complete, release --------------------------------------------------------------


def test_first_claim_owns_a_started_record_with_a_lease() -> None:
    before = timezone.now()

    claimed = claim(scope=SCOPE, key="k1", request_hash=HASH, lease_seconds=60)

    assert claimed.replay is None
    record = claimed.record
    assert record is not None
    stored = IdempotencyRecord.objects.get(pk=record.pk)
    assert (stored.scope, stored.key, stored.request_hash) == (SCOPE, "k1", HASH)
    assert stored.state == IdempotencyState.STARTED
    assert stored.locked_until is not None
    assert (
        before + timedelta(seconds=60)
        <= stored.locked_until
        <= timezone.now() + timedelta(seconds=60)
    )


def test_completed_key_is_replayed_with_the_first_response() -> None:
    record = claim(scope=SCOPE, key="k1", request_hash=HASH).record
    assert record is not None
    with transaction.atomic():
        complete(record=record, status=201, body={"number": "BF-000001", "total": Decimal("19.90")})

    again = claim(scope=SCOPE, key="k1", request_hash=HASH)

    assert again.record is None
    assert again.replay == (201, {"number": "BF-000001", "total": "19.90"})
    assert IdempotencyRecord.objects.count() == 1


def test_same_key_in_another_scope_is_another_record() -> None:
    first = claim(scope="checkout:a", key="k1", request_hash=HASH)
    second = claim(scope="checkout:b", key="k1", request_hash=HASH)

    assert first.record is not None
    assert second.record is not None
    assert first.record.pk != second.record.pk


@pytest.mark.parametrize("state", ["started", "completed"])
def test_same_key_with_another_body_is_a_conflict(state: str) -> None:
    record = claim(scope=SCOPE, key="k1", request_hash=HASH).record
    assert record is not None
    if state == "completed":
        complete(record=record, status=201, body={})

    with pytest.raises(Conflict) as caught:
        claim(scope=SCOPE, key="k1", request_hash=request_hash({"payment_method": "transfer"}))

    assert (caught.value.status, caught.value.code) == (409, "IDEMPOTENCY_KEY_REUSED")


def test_key_still_running_after_the_wait_is_a_conflict() -> None:
    claim(scope=SCOPE, key="k1", request_hash=HASH, lease_seconds=60)
    started = time.monotonic()

    with pytest.raises(Conflict) as caught:
        claim(scope=SCOPE, key="k1", request_hash=HASH, wait_seconds=0.2)

    assert caught.value.code == "IDEMPOTENCY_IN_PROGRESS"
    assert 0.2 <= time.monotonic() - started < 5


def test_abandoned_record_is_taken_over_and_its_first_owner_can_no_longer_complete() -> None:
    crashed = claim(scope=SCOPE, key="k1", request_hash=HASH, lease_seconds=60).record
    assert crashed is not None
    IdempotencyRecord.objects.filter(pk=crashed.pk).update(
        locked_until=timezone.now() - timedelta(seconds=1)
    )
    crashed.refresh_from_db()

    retry = claim(scope=SCOPE, key="k1", request_hash=HASH, wait_seconds=0)

    assert retry.record is not None
    assert retry.record.pk == crashed.pk
    assert retry.record.locked_until is not None
    assert retry.record.locked_until > timezone.now()
    # The first request wakes up: its result no longer counts, and it cannot release.
    with pytest.raises(Conflict) as caught, transaction.atomic():
        complete(record=crashed, status=201, body={"number": "late"})
    assert caught.value.code == "IDEMPOTENCY_IN_PROGRESS"
    assert release(record=crashed) is False
    # The new owner completes.
    complete(record=retry.record, status=201, body={"number": "BF-000002"})
    assert claim(scope=SCOPE, key="k1", request_hash=HASH).replay == (201, {"number": "BF-000002"})


def test_released_key_may_run_again() -> None:
    record = claim(scope=SCOPE, key="k1", request_hash=HASH).record
    assert record is not None

    assert release(record=record) is True

    assert not IdempotencyRecord.objects.exists()
    again = claim(scope=SCOPE, key="k1", request_hash=request_hash({"other": "body"}))
    assert again.record is not None


def test_completed_record_is_not_released() -> None:
    record = claim(scope=SCOPE, key="k1", request_hash=HASH).record
    assert record is not None
    complete(record=record, status=200, body={"ok": True})

    assert release(record=record) is False
    assert claim(scope=SCOPE, key="k1", request_hash=HASH).replay == (200, {"ok": True})


def test_complete_rolled_back_with_the_callers_transaction_leaves_the_key_running() -> None:
    record = claim(scope=SCOPE, key="k1", request_hash=HASH).record
    assert record is not None

    def final_transaction_fails() -> None:
        with transaction.atomic():
            complete(record=record, status=201, body={})
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        final_transaction_fails()

    stored = IdempotencyRecord.objects.get(pk=record.pk)
    assert (stored.state, stored.response_status) == (IdempotencyState.STARTED, None)


def test_purge_keeps_recent_and_running_records() -> None:
    now = timezone.now()
    old_done = claim(scope=SCOPE, key="old-done", request_hash=HASH).record
    claim(scope=SCOPE, key="old-running", request_hash=HASH)
    old_abandoned = claim(scope=SCOPE, key="old-abandoned", request_hash=HASH).record
    recent = claim(scope=SCOPE, key="recent", request_hash=HASH).record
    assert old_done is not None
    assert old_abandoned is not None
    assert recent is not None
    complete(record=old_done, status=201, body={})
    IdempotencyRecord.objects.exclude(pk=recent.pk).update(created_at=now - timedelta(days=8))
    IdempotencyRecord.objects.filter(pk=old_abandoned.pk).update(
        locked_until=now - timedelta(days=8)
    )

    assert idempotency.purge(older_than=timedelta(days=7), now=now) == 2

    assert set(IdempotencyRecord.objects.values_list("key", flat=True)) == {
        "old-running",
        "recent",
    }


def test_claim_outside_any_transaction_commits_the_record_at_once(
    transactional_db: None,
) -> None:
    assert not transaction.get_connection().in_atomic_block

    record = claim(scope=SCOPE, key="k1", request_hash=HASH).record

    assert record is not None
    with transaction.atomic():
        complete(record=record, status=201, body={"number": "BF-000003"})
    assert claim(scope=SCOPE, key="k1", request_hash=HASH).replay == (201, {"number": "BF-000003"})
