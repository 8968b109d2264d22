"""Approval rules of a company, per-buyer budgets, and the orders waiting for approval
(docs/approvals.md).

An `OrderApproval` keeps the order exactly as the buyer reviewed it at checkout (the
checkout's frozen `draft`, prices of that moment) and the approver levels it needs, copied
from the rules that applied: later rule changes never alter a pending approval."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from comptoir.companies.models import Company, CompanyMember, CompanyRole


class Condition(models.TextChoices):
    ORDER_TOTAL = "order_total", _("Order total (HT) above")
    SKU_COUNT = "sku_count", _("Number of SKUs above")
    CATEGORY = "category", _("Contains a category")
    SHIPPING = "shipping", _("Shipping cost (HT) above")


class ApprovalRule(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="approval_rules")
    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)
    condition = models.CharField(_("condition"), max_length=20, choices=Condition.choices)
    # An amount (order_total, shipping) or a count (sku_count); null for category.
    threshold = models.DecimalField(
        _("threshold"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    # A catalog category (its subcategories too); the id only: companies sit below catalog.
    category_id = models.PositiveBigIntegerField(_("category"), null=True, blank=True)
    # The buyers' roles it applies to; none: every buyer.
    roles = models.ManyToManyField(CompanyRole, blank=True, related_name="approval_rules")
    # Ordered approver levels, each [{"role_id": int | null, "member_ids": [int]}]: the
    # members of that role, or the members listed, may approve at that level.
    levels = models.JSONField(_("approver levels"), default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("approval rule")
        verbose_name_plural = _("approval rules")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class BudgetPeriod(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class BuyerBudget(models.Model):
    """What a member may order (HT) per period without approval."""

    member = models.OneToOneField(CompanyMember, on_delete=models.CASCADE, related_name="budget")
    period = models.CharField(_("period"), max_length=10, choices=BudgetPeriod.choices)
    amount = models.DecimalField(_("amount (HT)"), max_digits=12, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("buyer budget")
        verbose_name_plural = _("buyer budgets")

    def __str__(self) -> str:
        return f"{self.member_id}: {self.amount}/{self.period}"


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class OrderApproval(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="approvals")
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="order_approvals"
    )
    checkout_ref = models.CharField(max_length=64, unique=True)
    status = models.CharField(
        max_length=10, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING
    )
    # The checkout's frozen order (checkout.services._draft_data) and request.
    draft = models.JSONField()
    request = models.JSONField(default=dict)
    currency = models.CharField(max_length=3)
    total_net = models.DecimalField(max_digits=12, decimal_places=2)
    total_gross = models.DecimalField(max_digits=12, decimal_places=2)
    # Why: [{"kind": "rule"|"budget", "name": ...}]; levels: see ApprovalRule.levels,
    # each with its "name" (the rule's) or {"any_approver": true} for a budget.
    reasons = models.JSONField(default=list)
    levels = models.JSONField(default=list)
    current_level = models.PositiveSmallIntegerField(default=0)
    order = models.OneToOneField(
        "orders.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="approval"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("order approval")
        verbose_name_plural = _("order approvals")
        ordering = ["-id"]
        indexes = [models.Index(fields=["company", "status"], name="approvals_company_status")]

    def __str__(self) -> str:
        return f"approval #{self.pk}"


class Decision(models.TextChoices):
    APPROVE = "approve", _("Approved")
    REJECT = "reject", _("Rejected")


class ApprovalDecision(models.Model):
    approval = models.ForeignKey(OrderApproval, on_delete=models.CASCADE, related_name="decisions")
    level = models.PositiveSmallIntegerField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    comment = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            # One decision per level: two approvers at once make one (the race test).
            models.UniqueConstraint(fields=["approval", "level"], name="approvals_one_per_level")
        ]

    def __str__(self) -> str:
        return f"{self.decision} #{self.approval_id}@{self.level}"
