"""Schemas of the approvals API."""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema


class DecisionIn(Schema):
    comment: str = Field("", description="At most 1,000 characters.")


class BuyerOut(Schema):
    id: int
    email: str
    name: str


class ApprovalLineOut(Schema):
    sku: str
    name: str
    quantity: int
    unit_net: str
    total_net: str


class LevelOut(Schema):
    name: str
    role_id: int | None
    member_ids: list[int]
    any_approver: bool


class DecisionOut(Schema):
    level: int
    decision: str
    comment: str
    by: str
    at: str


class ApprovalOut(Schema):
    id: int
    status: str = Field(description="pending, approved or rejected.")
    company_id: int
    buyer: BuyerOut
    currency: str
    total_net: str
    total_gross: str
    lines: list[ApprovalLineOut]
    shipping_net: str
    po_number: str
    reasons: list[dict[str, Any]]
    levels: list[LevelOut]
    current_level: int
    approvers_now: list[str]
    can_act: bool
    decisions: list[DecisionOut]
    order_number: str | None
    created_at: str
    decided_at: str | None


class ApprovalListOut(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[ApprovalOut]


class LevelIn(Schema):
    role_id: int | None = None
    member_ids: list[int] = Field(default_factory=list)


class RuleIn(Schema):
    name: str
    condition: str = Field(description="order_total, sku_count, category or shipping.")
    threshold: str | None = Field(None, description="Amount HT, or a number of SKUs.")
    category_id: int | None = None
    role_ids: list[int] = Field(default_factory=list, description="None: every buyer.")
    levels: list[LevelIn]
    is_active: bool = True


class RulePatch(Schema):
    name: str | None = None
    condition: str | None = None
    threshold: str | None = None
    category_id: int | None = None
    role_ids: list[int] | None = None
    levels: list[LevelIn] | None = None
    is_active: bool | None = None


class RuleOut(Schema):
    id: int
    name: str
    is_active: bool
    condition: str
    threshold: str | None
    category_id: int | None
    role_ids: list[int]
    levels: list[dict[str, Any]]


class BudgetIn(Schema):
    period: str = Field(description="month, quarter or year.")
    amount: str = Field(description="HT.", examples=["2000.00"])


class BudgetOut(Schema):
    id: int
    member_id: int
    email: str
    period: str
    amount: str
