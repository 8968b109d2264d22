"""Reads of requisition lists, scoped to the caller: a member sees the lists of their
company that they own or that are shared; anything else (another company's list, a
colleague's personal list, a list that does not exist) is the same 404
REQUISITION_LIST_NOT_FOUND. Callers of no company get 404 NOT_A_COMPANY_MEMBER."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Final

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from comptoir.catalog.models import ProductTranslation
from comptoir.catalog.selectors import BASE_LANGUAGE, normalize_language
from comptoir.companies.models import Company
from comptoir.companies.selectors import member_can, member_company
from comptoir.core.errors import NotFound
from comptoir.core.pagination import PageRequest
from comptoir.requisitions.models import RequisitionList, RequisitionListLine

MAX_ID: Final = 2**63 - 1
SHARE: Final = "requisitions.share"


@dataclass(frozen=True, slots=True)
class ListSummary:
    id: int
    name: str
    shared: bool
    owner_id: int
    owner_name: str
    line_count: int
    # The caller may rename it, change its lines, share or delete it.
    editable: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ListLineEntry:
    id: int
    variant_id: int
    sku: str
    product_slug: str
    product_name: str
    variant_name: str
    quantity: int
    note: str


@dataclass(frozen=True, slots=True)
class ListDetail:
    summary: ListSummary
    lines: tuple[ListLineEntry, ...]


def not_found() -> NotFound:
    return NotFound(_("Requisition list not found."), code="REQUISITION_LIST_NOT_FOUND")


def _visible(user: Any, company: Company) -> QuerySet[RequisitionList]:
    return RequisitionList.objects.filter(
        Q(owner_id=user.pk) | Q(shared=True), company_id=company.pk
    )


def may_edit(user: Any, rlist: RequisitionList, *, share: bool | None = None) -> bool:
    """Whether `user` (who sees `rlist`) may change it: their personal list, or a shared
    one when their role holds `requisitions.share` (`share`: that answer, if known)."""
    if not rlist.shared:
        return bool(rlist.owner_id == user.pk)
    return member_can(user, SHARE) if share is None else share


def _owner_name(rlist: RequisitionList) -> str:
    owner = rlist.owner
    return owner.get_full_name() or owner.email


def _summary(rlist: RequisitionList, user: Any, share: bool) -> ListSummary:
    return ListSummary(
        id=rlist.pk,
        name=rlist.name,
        shared=rlist.shared,
        owner_id=rlist.owner_id,
        owner_name=_owner_name(rlist),
        line_count=getattr(rlist, "line_count", 0),
        editable=may_edit(user, rlist, share=share),
        created_at=rlist.created_at,
        updated_at=rlist.updated_at,
    )


def requisition_lists_page(*, user: Any, page: PageRequest) -> tuple[list[ListSummary], int]:
    """The lists the caller sees, by name, with their line counts: 3 queries (membership,
    count, page) and one for the role's permission."""
    company = member_company(user)
    rows = _visible(user, company)
    count = rows.count()
    found = list(
        rows.select_related("owner")
        .annotate(line_count=Count("lines"))
        .order_by("name", "id")[page.offset : page.offset + page.page_size]
    )
    share = member_can(user, SHARE) if any(r.shared for r in found) else False
    return [_summary(r, user, share) for r in found], count


def requisition_list_get(*, user: Any, list_id: int, for_update: bool = False) -> RequisitionList:
    """One list the caller sees (see the module docstring); `for_update`: its row locked
    until the transaction ends (call inside one)."""
    company = member_company(user)
    if isinstance(list_id, bool) or not isinstance(list_id, int) or not 0 < list_id <= MAX_ID:
        raise not_found()
    rows = _visible(user, company).filter(pk=list_id)
    if for_update:
        rows = rows.select_for_update()
    found = rows.select_related("owner").first()
    if found is None:
        raise not_found()
    return found


def _entries(rlist: RequisitionList, language: str) -> tuple[ListLineEntry, ...]:
    lang = normalize_language(language)
    rows = RequisitionListLine.objects.filter(requisition_list_id=rlist.pk).select_related(
        "variant__product"
    )
    if lang != BASE_LANGUAGE:
        rows = rows.annotate(
            tr_name=Subquery(
                ProductTranslation.objects.filter(
                    product_id=OuterRef("variant__product_id"), language=lang
                ).values("name")[:1]
            )
        )
    return tuple(
        ListLineEntry(
            id=line.pk,
            variant_id=line.variant_id,
            sku=line.variant.sku,
            product_slug=line.variant.product.slug,
            product_name=getattr(line, "tr_name", None) or line.variant.product.name,
            variant_name=line.variant.label(lang),
            quantity=line.quantity,
            note=line.note,
        )
        for line in rows.order_by("id")
    )


def requisition_list_detail(*, user: Any, list_id: int, language: str = "fr") -> ListDetail:
    """A list the caller sees with its lines (names in `language`): 4 queries whatever the
    number of lines (membership, the list, its lines, the role's permission)."""
    rlist = requisition_list_get(user=user, list_id=list_id)
    lines = _entries(rlist, language)
    share = member_can(user, SHARE) if rlist.shared else False
    summary = _summary(rlist, user, share)
    return ListDetail(summary=replace(summary, line_count=len(lines)), lines=lines)
