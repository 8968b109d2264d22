"""Which VAT applies to a sale: the treatment (domestic, another member state's rate,
intra-EU reverse charge, export, exempt buyer) and the legal mention that goes with it."""

from __future__ import annotations

from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# The 27 member states (ISO 3166 codes; Greece is GR here, EL only in VAT numbers).
EU_MEMBER_STATES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    ]
)


class Treatment(StrEnum):
    DOMESTIC = "domestic"  # seller's country, seller's rates
    DESTINATION = "destination"  # EU distance sale to a consumer: destination rates (OSS)
    REVERSE_CHARGE = "reverse_charge"  # intra-EU B2B: 0 %, the buyer self-assesses
    EXPORT = "export"  # outside the EU: 0 %
    EXEMPT = "exempt"  # buyer exempt from VAT: 0 %

    @property
    def zero_rated(self) -> bool:
        return self in (Treatment.REVERSE_CHARGE, Treatment.EXPORT, Treatment.EXEMPT)


LEGAL_MENTIONS: dict[Treatment, Promise] = {
    Treatment.REVERSE_CHARGE: _(
        "Reverse charge: VAT to be accounted for by the customer "
        "(Article 196 of Directive 2006/112/EC)."
    ),
    Treatment.EXPORT: _(
        "VAT exempt: export of goods outside the European Union "
        "(Article 146 of Directive 2006/112/EC)."
    ),
    Treatment.EXEMPT: _("VAT exempt: the customer is exempt from VAT."),
}


# Territories inside another country's VAT area: Monaco is taxed as France.
VAT_AREA = {"MC": "FR"}


def vat_area(country: str) -> str:
    """The country whose VAT applies in `country` (Monaco -> France)."""
    return VAT_AREA.get(country, country)


def tax_treatment(
    *,
    seller_country: str,
    destination_country: str,
    buyer_country: str | None = None,
    buyer_vat_valid: bool = False,
    buyer_exempt: bool = False,
) -> Treatment:
    """The treatment of a sale shipped to `destination_country`.

    A business buyer registered for VAT in another member state (`buyer_vat_valid`, its
    number checked) buys under reverse charge when the goods go to an EU country; goods
    leaving the EU are an export whoever buys them.
    """
    seller_country = vat_area(seller_country)
    destination_country = vat_area(destination_country)
    buyer_country = vat_area(buyer_country) if buyer_country else buyer_country
    if buyer_exempt:
        return Treatment.EXEMPT
    if destination_country == seller_country:
        return Treatment.DOMESTIC
    if seller_country not in EU_MEMBER_STATES or destination_country not in EU_MEMBER_STATES:
        # Goods leave the seller's customs territory: an export, whoever buys them.
        return Treatment.EXPORT
    # Goods dispatched to another member state (art. 138 of Directive 2006/112/EC): exempt
    # for a buyer identified for VAT in a member state other than the seller's, who
    # self-assesses; otherwise taxed at the destination's rates (distance sales, OSS).
    if buyer_vat_valid and buyer_country in EU_MEMBER_STATES:
        if buyer_country != seller_country:
            return Treatment.REVERSE_CHARGE
        # A business identified for VAT only in the seller's country is not a consumer:
        # no distance sale, the seller's VAT applies.
        return Treatment.DOMESTIC
    return Treatment.DESTINATION
