"""Which VAT applies to a sale (comptoir.taxes.rules.tax_treatment) and its legal mention."""

from __future__ import annotations

import pytest
from django.utils import translation

from comptoir.taxes.rules import EU_MEMBER_STATES, LEGAL_MENTIONS, Treatment, tax_treatment

D = Treatment.DOMESTIC
DEST = Treatment.DESTINATION
RC = Treatment.REVERSE_CHARGE
EXP = Treatment.EXPORT
EX = Treatment.EXEMPT


@pytest.mark.parametrize(
    ("destination", "buyer_country", "vat_valid", "exempt", "expected"),
    [
        # Consumers in the EU: the seller's rates at home, the destination's elsewhere (OSS).
        ("FR", None, False, False, D),
        ("BE", None, False, False, DEST),
        ("DE", None, False, False, DEST),
        ("GR", None, False, False, DEST),
        # Businesses in the EU: reverse charge only with a valid number of another state.
        ("BE", "BE", True, False, RC),
        ("DE", "DE", True, False, RC),
        ("BE", "BE", False, False, DEST),
        ("FR", "FR", True, False, D),
        ("FR", "FR", False, False, D),
        # Outside the EU: an export whoever buys.
        ("CH", None, False, False, EXP),
        ("GB", None, False, False, EXP),
        ("US", None, False, False, EXP),
        ("CH", "CH", True, False, EXP),
        ("GB", "GB", True, False, EXP),
        ("US", "US", False, False, EXP),
        ("US", "BE", True, False, EXP),
        # An exempt buyer (diplomatic mission, international body) is exempt anywhere.
        ("FR", "FR", False, True, EX),
        ("BE", "BE", True, True, EX),
        ("US", None, False, True, EX),
    ],
)
def test_french_seller(
    destination: str,
    buyer_country: str | None,
    vat_valid: bool,
    exempt: bool,
    expected: Treatment,
) -> None:
    treatment = tax_treatment(
        seller_country="FR",
        destination_country=destination,
        buyer_country=buyer_country,
        buyer_vat_valid=vat_valid,
        buyer_exempt=exempt,
    )

    assert treatment is expected


@pytest.mark.parametrize(
    ("seller", "destination", "buyer_country", "vat_valid", "expected"),
    [
        # A Belgian seller: Belgium is home, France is another member state.
        ("BE", "BE", None, False, D),
        ("BE", "FR", None, False, DEST),
        ("BE", "FR", "FR", True, RC),
        ("BE", "BE", "BE", True, D),
        # A seller outside the EU: its own country is domestic; anything it ships abroad is
        # an export on its invoice (import VAT is the buyer's, or IOSS's).
        ("CH", "CH", None, False, D),
        ("CH", "CH", "CH", True, D),
        ("CH", "FR", None, False, EXP),
        ("CH", "FR", "FR", True, EXP),
        ("GB", "GB", None, False, D),
    ],
)
def test_other_sellers(
    seller: str, destination: str, buyer_country: str | None, vat_valid: bool, expected: Treatment
) -> None:
    treatment = tax_treatment(
        seller_country=seller,
        destination_country=destination,
        buyer_country=buyer_country,
        buyer_vat_valid=vat_valid,
    )

    assert treatment is expected


def test_non_eu_seller_shipping_to_another_non_eu_country_is_an_export() -> None:
    assert tax_treatment(seller_country="CH", destination_country="US") is EXP


def test_goods_delivered_at_home_to_a_foreign_company_are_domestic() -> None:
    treatment = tax_treatment(
        seller_country="FR", destination_country="FR", buyer_country="BE", buyer_vat_valid=True
    )

    assert treatment is D


def test_an_exempt_buyer_is_exempt_whoever_sells() -> None:
    assert tax_treatment(seller_country="CH", destination_country="FR", buyer_exempt=True) is EX


def test_zero_rated_treatments() -> None:
    assert {t for t in Treatment if t.zero_rated} == {RC, EXP, EX}


def test_member_states() -> None:
    assert len(EU_MEMBER_STATES) == 27
    assert {"FR", "BE", "DE", "GR", "HR", "IE"} <= EU_MEMBER_STATES
    assert not {"GB", "CH", "NO", "EL", "US", "XI"} & EU_MEMBER_STATES


def test_every_zero_rated_treatment_has_a_legal_mention_in_english() -> None:
    with translation.override("en"):
        mentions = {t: str(LEGAL_MENTIONS[t]) for t in Treatment if t.zero_rated}

    assert set(LEGAL_MENTIONS) == {RC, EXP, EX}
    assert mentions[RC].startswith("Reverse charge")
    assert "Article 196 of Directive 2006/112/EC" in mentions[RC]
    assert "Article 146 of Directive 2006/112/EC" in mentions[EXP]
    assert "exempt" in mentions[EX]


def test_every_legal_mention_has_a_french_text() -> None:
    for treatment, mention in LEGAL_MENTIONS.items():
        with translation.override("fr"):
            french = str(mention)
        with translation.override("en"):
            english = str(mention)
        assert french, treatment
        assert french != english, treatment
        assert "2006/112" in french or treatment is EX


def test_a_company_registered_only_at_home_pays_home_vat_abroad() -> None:
    # Not a distance sale (the buyer is a business) and no exemption (its VAT number is
    # from the seller's own country): French VAT.
    treatment = tax_treatment(
        seller_country="FR", destination_country="BE", buyer_country="FR", buyer_vat_valid=True
    )
    assert treatment is D


def test_monaco_is_in_the_french_vat_area() -> None:
    assert tax_treatment(seller_country="FR", destination_country="MC") is D
