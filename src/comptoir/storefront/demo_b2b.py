"""The demo's B2B life (`comptoir demo`, idempotent): what Atelier Martin and Bois & Co
need for the portal to show the whole business path.

- Atelier Martin: its buyer holds the buyer role, the director stays administrator; an
  approval rule sends the buyer's orders above 1,000 EUR HT to the director; the company
  buys on account on Net 30 with a 20,000 EUR credit limit; the shop's administrator is its
  account manager; two past orders were invoiced (one paid); a quote is open (negotiated
  and sent by the staff, waiting for the buyer's answer).
- Bois & Co (Belgium, reverse charge): on account on Net 45.
- The document library: general terms for every business customer, Atelier Martin's
  framework contract, a technical sheet of the cordless drill.

Everything goes through the services, as an operator would.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Final

from django.contrib.auth import get_user_model
from django.utils import timezone

from comptoir.accounts.services import address_create, address_values
from comptoir.approvals import services as approvals
from comptoir.approvals.models import ApprovalRule
from comptoir.cart import services as cart_services
from comptoir.catalog.demo.media import pdf_sheet
from comptoir.catalog.models import Product
from comptoir.channels.models import Channel
from comptoir.checkout import services as checkout_services
from comptoir.companies import services as companies
from comptoir.companies.models import Company, CompanyMember
from comptoir.documents import services as library
from comptoir.documents.models import LibraryDocument
from comptoir.inventory.selectors import available_quantities
from comptoir.invoicing import services as invoicing
from comptoir.invoicing.models import BillingAccount, PaymentTerms
from comptoir.orders.models import Order
from comptoir.pricing.models import PriceListEntry
from comptoir.quotes import services as quotes
from comptoir.quotes.models import Quote

logger = logging.getLogger(__name__)
Log = Callable[[str], object]

B2B: Final = "comptoir-pro"
ADMIN: Final = "admin@comptoir.test"
MARTIN: Final = "Atelier Martin SARL"
BOIS: Final = "Bois & Co SRL"
BUYER: Final = "acheteur@atelier-martin.fr"
APPROVER: Final = "direction@atelier-martin.fr"
CONTRACT: Final = "contrat-atelier-martin"
RULE_NAME: Final = "Commandes de plus de 1 000 € HT"
APPROVAL_THRESHOLD: Final = Decimal("1000.00")
MARTIN_ADDRESS: Final[dict[str, Any]] = {
    "first_name": "Julien",
    "last_name": "Martin",
    "company_name": MARTIN,
    "street_address_1": "14 rue des Artisans",
    "postal_code": "69007",
    "city": "Lyon",
    "country": "FR",
}


def _quiet(message: str) -> None:
    del message


def _user(email: str) -> Any:
    return get_user_model().objects.filter(email=email).first()


def _roles(company: Company, log: Log) -> None:
    """The buyer holds the buyer role; the director stays the company's administrator (who
    also approves: the approval rule names him)."""
    member = CompanyMember.objects.filter(company=company, user__email=BUYER).first()
    if member is None or (member.role.code or "") == "buyer":
        return
    role = companies.role_builtin(company=company, code="buyer")
    companies.company_member_update(member=member, role=role)
    log(f"{company.legal_name}: {BUYER} holds the buyer role.")


def _account_manager(company: Company) -> None:
    admin = _user(ADMIN)
    if admin is not None and company.account_manager_id is None:
        companies.company_update(company=company, account_manager=admin)


def _assisted_shopping(company: Company, log: Log) -> None:
    """The company allows its account manager (the demo admin) to shop on behalf of its
    members (Shop as... on its admin page; docs/companies.md)."""
    if not company.allow_assisted_shopping:
        companies.company_update(company=company, allow_assisted_shopping=True)
        log(f"{company.legal_name}: assisted shopping allowed.")


def _billing(company: Company, *, terms: str, limit: Decimal, log: Log) -> None:
    if BillingAccount.objects.filter(company=company, on_account_allowed=True).exists():
        return
    if not PaymentTerms.objects.filter(code=terms).exists():  # seeded by a migration
        logger.warning("demo: no payment terms %s, %s does not buy on account", terms, company)
        return
    invoicing.billing_account_set(
        company=company,
        actor=_user(ADMIN),
        terms=terms,
        credit_limit=limit,
        on_account_allowed=True,
        note="Démo",
    )
    log(f"{company.legal_name}: payment on account, {terms}, credit limit {limit} EUR.")


def _approval_rule(company: Company, log: Log) -> None:
    if ApprovalRule.objects.filter(company=company, name=RULE_NAME).exists():
        return
    director = CompanyMember.objects.filter(company=company, user__email=APPROVER).first()
    if director is None:
        return
    buyer_role = companies.role_builtin(company=company, code="buyer")
    approver_role = companies.role_builtin(company=company, code="approver")
    approvals.rule_create(
        company=company,
        name=RULE_NAME,
        condition="order_total",
        threshold=APPROVAL_THRESHOLD,
        role_ids=[buyer_role.pk],
        # The director (administrator), or anyone given the approver role later.
        levels=[{"role_id": approver_role.pk, "member_ids": [director.pk]}],
    )
    log(f"{company.legal_name}: the buyer's orders above 1,000 EUR HT need approval.")


def _contract_skus(count: int, channel: Channel) -> list[tuple[str, int]]:
    """(SKU, a quantity its rules allow) of the contract's first entries with ample stock
    in `channel` (ten times that quantity free)."""
    entries = list(
        PriceListEntry.objects.filter(price_list__code=CONTRACT, max_quantity__isnull=True)
        .select_related("variant")
        .order_by("variant__sku")
    )
    free = available_quantities(variant_ids=[e.variant_id for e in entries], channel=channel)
    chosen = []
    for entry in entries:
        wanted = max(entry.min_quantity, 2)
        quantity = -(-wanted // entry.increment) * entry.increment
        if free.get(entry.variant_id, 0) >= 10 * quantity:
            chosen.append((str(entry.variant.sku), quantity))
        if len(chosen) == count:
            break
    return chosen


def _buyer_address(buyer: Any) -> Any:
    return buyer.addresses.order_by("id").first() or address_create(user=buyer, **MARTIN_ADDRESS)


def _past_orders(company: Company, log: Log) -> None:
    """Two orders on account under the approval threshold, invoiced; the older one paid."""
    buyer = _user(BUYER)
    channel = Channel.objects.filter(code=B2B).first()
    if buyer is None or channel is None:
        return
    if Order.objects.filter(company=company, payment_method="on_account").exists():
        return
    if not BillingAccount.objects.filter(company=company, on_account_allowed=True).exists():
        return
    skus = _contract_skus(4, channel)
    if len(skus) < 4:
        return  # a demo loaded with --products: the contract is too small
    address = _buyer_address(buyer)
    for index, lines in enumerate((skus[:2], skus[2:])):
        cart = cart_services.cart_create(channel=channel, language="fr", email=BUYER)
        for sku, quantity in lines:
            cart_services.line_add(cart=cart, sku=sku, quantity=quantity, user=buyer)
        cart_services.addresses_set(
            cart=cart, shipping_address_id=address.pk, same_as_shipping=True, user=buyer
        )
        cart_services.shipping_method_set(cart=cart, code="messagerie", user=buyer)
        status, body = checkout_services.checkout_place(
            token=cart.token,
            user=buyer,
            idempotency_key=f"demo-martin-order-{index}",
            body={"payment_method": "on_account", "po_number": f"BC-2026-{41 + index:03d}"},
        )
        if status != 201:
            logger.warning("demo: Atelier Martin's order was not placed: %s", body)
            return
        order = Order.objects.get(number=body["order"]["number"])
        invoice = invoicing.invoice_issue_for_order(order=order, actor=_user(ADMIN))
        if index == 0:
            invoicing.payment_record(
                company=company,
                amount=invoice.total_gross,
                received_on=timezone.localdate(),
                reference=f"VIR-{invoice.number}",
                invoice=invoice.number,
                actor=_user(ADMIN),
            )
        log(f"Atelier Martin: order {order.number} on account, invoice {invoice.number}.")


def _open_quote(company: Company, log: Log) -> None:
    """A quote the buyer requested and the staff negotiated (5 % off, shipping offered) and
    sent: it waits for the buyer's answer."""
    buyer = _user(BUYER)
    admin = _user(ADMIN)
    channel = Channel.objects.filter(code=B2B).first()
    if buyer is None or admin is None or channel is None:
        return
    if Quote.objects.filter(company=company).exists():
        return
    skus = _contract_skus(6, channel)[4:]
    if len(skus) < 2:
        return
    address = _buyer_address(buyer)
    quote = quotes.quote_request(
        user=buyer,
        company=company,
        channel=channel,
        lines=[{"sku": sku, "quantity": quantity * 10} for sku, quantity in skus],
        comment="Chantier de la rue Garibaldi : quel prix pour ces quantités ?",
        shipping_address=address_values(address),
    )
    quotes.quote_submit(quote=quote, user=buyer)
    quotes.quote_update(
        quote=quote,
        actor=admin,
        changes={"discount_percent": Decimal("5"), "shipping_method": "messagerie"},
    )
    quotes.quote_update(quote=quote, actor=admin, changes={"shipping_price": Decimal("0")})
    quotes.quote_send(
        quote=quote,
        actor=admin,
        comment="Remise de 5 % sur les quantités demandées, livraison offerte.",
    )
    log(f"Atelier Martin: quote {quote.number} sent, waiting for the buyer.")


def _library(martin: Company, log: Log) -> None:
    if LibraryDocument.objects.exists():
        return
    drill = Product.objects.filter(slug__contains="perceuse").order_by("id").first()
    documents = [
        (
            "Conditions générales de vente professionnelles",
            "contract",
            None,
            None,
            "Paiement à 30 jours, pénalités de retard et indemnité forfaitaire de 40 €.",
        ),
        (
            "Contrat cadre Atelier Martin 2026",
            "contract",
            martin,
            None,
            "Prix négociés, paliers par quantité, conditions de livraison.",
        ),
        (
            "Fiche technique — perceuse-visseuse 18 V",
            "technical_sheet",
            None,
            drill,
            "Couple, vitesse, autonomie, accessoires fournis.",
        ),
    ]
    for title, kind, company, product, body in documents:
        library.library_document_add(
            title=title,
            kind=kind,
            file=pdf_sheet(title, "Comptoir", [body], footer="Document de démonstration"),
            filename=f"{title[:40]}.pdf",
            company=company,
            product=product,
            created_by=_user(ADMIN),
        )
    log(f"Document library: {len(documents)} documents.")


def demo_b2b_load(*, log: Log = _quiet) -> None:
    martin = Company.objects.filter(legal_name=MARTIN).first()
    bois = Company.objects.filter(legal_name=BOIS).first()
    if martin is None:
        return
    _roles(martin, log)
    _account_manager(martin)
    _assisted_shopping(martin, log)
    _billing(martin, terms="net-30", limit=Decimal("20000.00"), log=log)
    if bois is not None:
        _account_manager(bois)
        _billing(bois, terms="net-45", limit=Decimal("10000.00"), log=log)
    _past_orders(martin, log)
    _approval_rule(martin, log)
    _open_quote(martin, log)
    _library(martin, log)
