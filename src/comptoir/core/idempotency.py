"""Idempotency keys for retry-safe writes (`Idempotency-Key` header): the first response to
a key is stored and replayed to every retry with the same body.

The caller's sequence (checkout is the model):

    key = key_check(request.headers.get("Idempotency-Key"))
    claimed = claim(scope=f"checkout:{token}", key=key, request_hash=request_hash(body))
    if claimed.replay:
        return claimed.replay                      # (status, body) of the first response
    try:
        ... work, committed in one or more transactions ...
        with transaction.atomic():                 # the final one
            ... last writes ...
            complete(record=claimed.record, status=201, body=response)
    except BaseException:
        release(record=claimed.record)             # a retry may run it again
        raise

- `claim()` inserts the record STARTED with a lease (`locked_until`) in its own transaction,
  so concurrent requests see it at once: call it outside any transaction (inside one, the
  insert is a savepoint that others see only at the caller's commit). For a key already
  there: another body is a 409 `IDEMPOTENCY_KEY_REUSED`; a completed record is replayed; a
  record another request is running is polled (every ~50 ms, at most `wait_seconds`), then
  replayed, else 409 `IDEMPOTENCY_IN_PROGRESS`; a record whose lease has passed (its request
  crashed) is taken over with a conditional UPDATE, so one request only gets it.
- The lease (`locked_until`) is the owner's identity: a takeover always sets a later time.
  `complete()` and `release()` change the record only while it still carries the lease the
  caller obtained; `complete()` raises a 409 when another request took the record over, so
  the caller's final transaction rolls back and only the new owner's result counts. Leases
  should therefore outlast the work (120 s by default).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.core.errors import Conflict, InvalidInput
from comptoir.core.models import IdempotencyRecord, IdempotencyState

HEADER = "Idempotency-Key"
KEY_MAX_LENGTH = 255
# The header as an OpenAPI parameter (`openapi_extra={"parameters": [OPENAPI_PARAMETER]}`).
OPENAPI_PARAMETER = {
    "in": "header",
    "name": HEADER,
    "required": True,
    "schema": {"type": "string", "maxLength": KEY_MAX_LENGTH},
}
POLL_SECONDS = 0.05


@dataclass(frozen=True, slots=True)
class Claim:
    """What `claim()` obtained: `replay`, the (status, body) of a finished first response to
    send again, or `record`, a STARTED record now owned by the caller. Exactly one is set."""

    record: IdempotencyRecord | None = None
    replay: tuple[int, dict[str, Any]] | None = None


def key_check(key: str | None) -> str:
    """The `Idempotency-Key` header's value, stripped: 1 to 255 printable ASCII characters.
    400 `IDEMPOTENCY_KEY_REQUIRED` when missing or blank, `IDEMPOTENCY_KEY_INVALID` otherwise."""
    key = (key or "").strip()
    if not key:
        message = _("This request needs an Idempotency-Key header.")
        raise InvalidInput(message, code="IDEMPOTENCY_KEY_REQUIRED", errors={HEADER: [message]})
    if len(key) > KEY_MAX_LENGTH or not all(" " <= char <= "~" for char in key):
        message = _("An Idempotency-Key has 1 to 255 printable ASCII characters.")
        raise InvalidInput(message, code="IDEMPOTENCY_KEY_INVALID", errors={HEADER: [message]})
    return key


def _canonical(value: Any) -> str:
    return json.dumps(
        value, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def request_hash(body: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the body as canonical JSON (sorted keys, no spaces), so the same
    fields in another order or spacing hash the same."""
    return hashlib.sha256(_canonical(dict(body)).encode()).hexdigest()


def claim(
    *,
    scope: str,
    key: str,
    request_hash: str,
    lease_seconds: float = 120,
    wait_seconds: float = 30,
) -> Claim:
    """Own the key for `scope`, or get the response to replay (see the module docstring).

    Raises Conflict (409) `IDEMPOTENCY_KEY_REUSED` when the key was used with another body,
    `IDEMPOTENCY_IN_PROGRESS` when another request still runs it after `wait_seconds`."""
    deadline = time.monotonic() + max(wait_seconds, 0)
    while True:
        now = timezone.now()
        lease = now + timedelta(seconds=lease_seconds)
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    scope=scope,
                    key=key,
                    request_hash=request_hash,
                    state=IdempotencyState.STARTED,
                    locked_until=lease,
                    created_at=now,
                )
            return Claim(record=record)
        except IntegrityError:
            pass
        existing = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
        if existing is None:  # released meanwhile: try the insert again
            continue
        if existing.request_hash != request_hash:
            raise Conflict(
                _("This Idempotency-Key was already used with another request body."),
                code="IDEMPOTENCY_KEY_REUSED",
            )
        if existing.state == IdempotencyState.COMPLETED:
            return Claim(replay=(existing.response_status or 200, existing.response_body or {}))
        if existing.locked_until is None or existing.locked_until <= now:
            taken = _take_over(existing, old=existing.locked_until, lease=lease)
            if taken is not None:
                return Claim(record=taken)
            continue
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise Conflict(
                _("A request with this Idempotency-Key is still running; retry later."),
                code="IDEMPOTENCY_IN_PROGRESS",
            )
        time.sleep(min(POLL_SECONDS, remaining))


def _take_over(
    record: IdempotencyRecord, *, old: datetime | None, lease: datetime
) -> IdempotencyRecord | None:
    """Take an abandoned STARTED record if no one else took it since it was read."""
    still = Q(locked_until=old) if old is not None else Q(locked_until__isnull=True)
    taken = IdempotencyRecord.objects.filter(
        still, pk=record.pk, state=IdempotencyState.STARTED
    ).update(locked_until=lease)
    if not taken:
        return None
    record.locked_until = lease
    return record


def complete(*, record: IdempotencyRecord, status: int, body: dict[str, Any]) -> None:
    """Store the response of the request that owns `record`; call it inside the caller's
    final transaction, so the response is stored if and only if the work commits.

    The body is stored as the API sends it (Decimals and dates as strings). Raises Conflict
    (409) `IDEMPOTENCY_IN_PROGRESS` when the record is no longer the caller's (its lease
    passed and another request took it over, or it was released): the caller's transaction
    must then roll back."""
    stored = json.loads(_canonical(body))
    done = IdempotencyRecord.objects.filter(
        pk=record.pk, state=IdempotencyState.STARTED, locked_until=record.locked_until
    ).update(
        state=IdempotencyState.COMPLETED,
        response_status=status,
        response_body=stored,
        locked_until=None,
    )
    if not done:
        raise Conflict(
            _("Another request with this Idempotency-Key took over; retry later."),
            code="IDEMPOTENCY_IN_PROGRESS",
        )
    record.state = IdempotencyState.COMPLETED
    record.response_status, record.response_body, record.locked_until = status, stored, None


def release(*, record: IdempotencyRecord) -> bool:
    """Forget a STARTED record the caller owns (its work failed), so that a retry with the
    same key runs again; True if it was deleted (False: completed, or taken over by another
    request, which then owns it)."""
    deleted, _rows = IdempotencyRecord.objects.filter(
        pk=record.pk, state=IdempotencyState.STARTED, locked_until=record.locked_until
    ).delete()
    return bool(deleted)


def purge(*, older_than: timedelta, now: datetime | None = None) -> int:
    """Delete records created more than `older_than` ago, except STARTED ones whose lease
    is still running; returns how many. A key is replayed only while its record exists."""
    moment = now or timezone.now()
    deleted, _rows = (
        IdempotencyRecord.objects.filter(created_at__lt=moment - older_than)
        .exclude(state=IdempotencyState.STARTED, locked_until__gt=moment)
        .delete()
    )
    return deleted


def run_once(
    *,
    key: str | None,
    scope: str,
    fingerprint: Mapping[str, Any],
    work: Callable[[], dict[str, Any]],
    status: int = 200,
) -> dict[str, Any]:
    """`work()` run at most once per `Idempotency-Key` for a retry-safe write whose key is
    optional (bulk additions to a cart, a reorder): without a key it simply runs; with
    one, the first answer (`status`, the body `work` returns) is stored in the same
    transaction as the work's writes and replayed to every retry with the same
    `fingerprint` (the request body); another body is a 409 IDEMPOTENCY_KEY_REUSED.
    Call it outside any transaction (see `claim`)."""
    if key is None:
        return work()
    claimed = claim(scope=scope, key=key_check(key), request_hash=request_hash(fingerprint))
    if claimed.replay is not None:
        return claimed.replay[1]
    assert claimed.record is not None
    try:
        with transaction.atomic():
            body = work()
            complete(record=claimed.record, status=status, body=body)
    except BaseException:
        release(record=claimed.record)
        raise
    return body
