"""Cross-domain infrastructure rows: the transactional outbox and idempotency records."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxEvent(models.Model):
    """A fact written in the same transaction as the state change it describes.

    A worker delivers it (emails, webhooks, index updates) after the commit; delivery is
    at-least-once: `delivered_at` is set only after every handler of the topic succeeded.
    A failed delivery is retried with backoff (`available_at`); a worker claims an event by
    setting `claimed_until` (a lease), so no row lock is held during the external call.
    """

    topic = models.CharField(_("topic"), max_length=100)
    aggregate = models.CharField(_("aggregate"), max_length=50, blank=True)
    aggregate_id = models.CharField(_("aggregate id"), max_length=64, blank=True)
    payload = models.JSONField(_("payload"), default=dict)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    available_at = models.DateTimeField(_("available at"), default=timezone.now)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("outbox event")
        verbose_name_plural = _("outbox events")
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["available_at", "id"],
                condition=Q(delivered_at__isnull=True),
                name="core_outbox_pending",
            ),
            models.Index(fields=["aggregate", "aggregate_id"], name="core_outbox_aggregate"),
        ]

    def __str__(self) -> str:
        return f"{self.topic} #{self.pk}"


class IdempotencyState(models.TextChoices):
    STARTED = "started", _("Started")
    COMPLETED = "completed", _("Completed")


class IdempotencyRecord(models.Model):
    """The first response to a retry-safe write, replayed for the same key and body.

    `scope` names the operation and its owner (e.g. "checkout:<cart token>"), so one key
    never collides across callers. `request_hash` is a digest of the canonical body: the
    same key with another body is a 409. A STARTED record whose `locked_until` is past was
    abandoned by a crashed request and may be taken over.
    """

    scope = models.CharField(_("scope"), max_length=120)
    key = models.CharField(_("key"), max_length=255)
    request_hash = models.CharField(_("request hash"), max_length=64)
    state = models.CharField(
        _("state"), max_length=12, choices=IdempotencyState.choices, default="started"
    )
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    response_body = models.JSONField(_("response body"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="core_idempotency_scope_key")
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"
