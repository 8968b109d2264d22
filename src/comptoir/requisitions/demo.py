"""The demo's requisition list (`comptoir demo`): Atelier Martin's buyer keeps a shared
"monthly restock" list of four products of the company's contract, in quantities its rules
allow, so the portal shows a list to add to the cart in one go. Idempotent."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from django.contrib.auth import get_user_model
from django.db import transaction

from comptoir.pricing.models import PriceListEntry
from comptoir.requisitions import services
from comptoir.requisitions.models import RequisitionList

BUYER: Final = "acheteur@atelier-martin.fr"
LIST_NAME: Final = "Réassort mensuel de l'atelier"
CONTRACT: Final = "contrat-atelier-martin"
LINES: Final = 4

Log = Callable[[str], None]


def _quantity(entry: PriceListEntry) -> int:
    """At least 5, from the entry's minimum, in multiples of its increment."""
    wanted = max(entry.min_quantity, 5)
    return -(-wanted // entry.increment) * entry.increment


def demo_requisitions_load(*, log: Log = lambda message: None) -> None:
    """Create the demo list when the buyer and the contract exist and the list does not."""
    buyer = get_user_model().objects.filter(email=BUYER).first()
    if buyer is None or RequisitionList.objects.filter(owner=buyer, name=LIST_NAME).exists():
        return
    entries = list(
        PriceListEntry.objects.filter(price_list__code=CONTRACT, max_quantity__isnull=True)
        .select_related("variant")
        .order_by("variant__sku")[:LINES]
    )
    if not entries:
        return
    with transaction.atomic():
        rlist = services.requisition_list_create(user=buyer, name=LIST_NAME, shared=True)
        for entry in entries:
            services.requisition_line_add(
                user=buyer, list_id=rlist.pk, sku=entry.variant.sku, quantity=_quantity(entry)
            )
    log(f"Requisition list: “{LIST_NAME}” ({len(entries)} lines).")
