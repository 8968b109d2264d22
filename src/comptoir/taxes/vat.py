"""VAT numbers and French company identifiers: normalisation, format and checksum checks
(python-stdnum), and the check of a VAT number against the EU's VIES service.

Pure: no database and no other commerce domain. Callers (companies) decide when to check;
`vies_check` is an outbound call and belongs in a worker, never on a request's path.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from http.client import HTTPException
from typing import Any, Final, Literal
from urllib.parse import quote

from django.utils.translation import gettext as _
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError as StdnumValidationError
from stdnum.fr import siren as fr_siren
from stdnum.fr import siret as fr_siret

from comptoir.core.errors import InvalidInput
from comptoir.taxes.rules import EU_MEMBER_STATES

logger = logging.getLogger(__name__)

# The prefix of a VAT number differs from the ISO 3166 code of its country for Greece (EL)
# and Northern Ireland (XI, a United Kingdom number known to VIES for goods).
VAT_PREFIXES: Final[dict[str, str]] = {
    **{country: country for country in EU_MEMBER_STATES},
    "GR": "EL",
    "GB": "XI",
}
# Longer input is not a VAT number (the longest, Dutch, has 14 characters): refused before
# any parsing.
_MAX_INPUT = 40

# VIES answers
ViesStatusName = Literal["valid", "invalid", "unavailable"]
_VIES_INVALID: Final = frozenset({"INVALID", "INVALID_INPUT"})
_VIES_MAX_BYTES: Final = 64 * 1024
_VIES_UNDISCLOSED: Final = frozenset({"", "---"})


def _invalid(code: str, field: str, message: str) -> InvalidInput:
    return InvalidInput(message, code=code, errors={field: [message]})


def vat_prefix(country: str) -> str | None:
    """The VAT number prefix of an ISO 3166 country code ("GR" -> "EL"), None when the
    country has no VAT number VIES knows."""
    return VAT_PREFIXES.get(country.upper())


def vat_number_clean(number: str, *, country: str | None = None) -> str:
    """The VAT number in its compact form with its country prefix ("fr 40 303 265 045" ->
    "FR40303265045", Greek numbers prefixed EL), or "" for an empty number.

    The format and the check digits are verified (python-stdnum). With `country`, the number
    must be one of that country (an EL number for GR). Raises InvalidInput
    INVALID_VAT_NUMBER, errors on `vat_number`, otherwise.
    """
    if not number.strip():
        return ""
    if len(number) > _MAX_INPUT:
        raise _invalid("INVALID_VAT_NUMBER", "vat_number", _("This is not a valid EU VAT number."))
    try:
        compact = str(eu_vat.validate(number))
    except (StdnumValidationError, UnicodeError):
        raise _invalid(
            "INVALID_VAT_NUMBER",
            "vat_number",
            _(
                "This is not a valid EU VAT number: check its country prefix, its length and "
                "its digits."
            ),
        ) from None
    if compact.startswith("GR"):
        compact = "EL" + compact[2:]
    if country is not None:
        expected = vat_prefix(country)
        if expected is None:
            raise _invalid(
                "INVALID_VAT_NUMBER",
                "vat_number",
                _("VAT numbers are checked for EU member states only, not for %(country)s.")
                % {"country": country.upper()[:2]},
            )
        if compact[:2] != expected:
            raise _invalid(
                "INVALID_VAT_NUMBER",
                "vat_number",
                _("A VAT number of %(country)s starts with %(prefix)s.")
                % {"country": country.upper(), "prefix": expected},
            )
    return compact


def siren_clean(value: str) -> str:
    """The 9 digits of a SIREN ("303 265 045" -> "303265045"), "" for an empty value.
    Raises InvalidInput INVALID_SIREN (bad length, not digits, bad Luhn key)."""
    if not value.strip():
        return ""
    try:
        return str(fr_siren.validate(value[:_MAX_INPUT]))
    except (StdnumValidationError, UnicodeError):
        raise _invalid(
            "INVALID_SIREN", "siren", _("A SIREN has 9 digits with a valid check digit.")
        ) from None


def siret_clean(value: str, *, siren: str = "") -> str:
    """The 14 digits of a SIRET, "" for an empty value. With `siren`, the SIRET must start
    with it (an establishment of that company). Raises InvalidInput INVALID_SIRET."""
    if not value.strip():
        return ""
    try:
        siret = str(fr_siret.validate(value[:_MAX_INPUT]))
    except (StdnumValidationError, UnicodeError):
        raise _invalid(
            "INVALID_SIRET", "siret", _("A SIRET has 14 digits with a valid check digit.")
        ) from None
    if siren and not siret.startswith(siren):
        raise _invalid(
            "INVALID_SIRET", "siret", _("The SIRET must start with the company's SIREN.")
        )
    return siret


# --- VIES ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ViesResult:
    """What VIES said about `vat_number`: "valid", "invalid" (unknown to VIES) or
    "unavailable" (VIES or the member state's service could not answer: try again later).
    `name` and `address` are those VIES registered, "" when it does not disclose them."""

    status: ViesStatusName
    name: str = ""
    address: str = ""
    vat_number: str = ""


def _text(value: Any) -> str:
    text = value.strip() if isinstance(value, str) else ""
    return "" if text in _VIES_UNDISCLOSED else text


def _unavailable(number: str, reason: str) -> ViesResult:
    # The number is a public business identifier; logged so that an outage is visible.
    logger.warning("VIES check of %s unavailable: %s", number, reason)
    return ViesResult(status="unavailable", vat_number=number)


def vies_result_from_json(number: str, data: Any) -> ViesResult:
    """Read a VIES REST answer (`isValid`, `userError`, `name`, `address`)."""
    if not isinstance(data, dict) or not isinstance(data.get("isValid"), bool):
        return _unavailable(number, "unexpected answer")
    error = data.get("userError")
    error = error.strip().upper() if isinstance(error, str) else ""
    if data["isValid"]:
        return ViesResult(
            status="valid",
            name=_text(data.get("name")),
            address=_text(data.get("address")),
            vat_number=number,
        )
    if error in ("", *_VIES_INVALID):
        return ViesResult(status="invalid", vat_number=number)
    return _unavailable(number, error[:50])


def vies_check(number: str, *, base_url: str, timeout: float) -> ViesResult:
    """Ask VIES (its REST API at `base_url`) whether `number`, a VAT number as
    `vat_number_clean` returns it, is registered: `GET {base_url}/ms/{CC}/vat/{digits}`.

    Never raises for VIES' sake: a network error, a timeout (`timeout` seconds for the
    connection and for each read), an HTTP error, an unreadable answer or an error VIES
    reports (member state unavailable, too many requests...) is an "unavailable" result,
    logged. An invalid `number` (not prefixed with two letters) is an "invalid" result.
    """
    number = number.strip().upper()
    prefix, digits = number[:2], number[2:]
    if len(number) < 4 or not prefix.isascii() or not prefix.isalpha():
        return ViesResult(status="invalid", vat_number=number)
    url = f"{base_url.rstrip('/')}/ms/{quote(prefix, safe='')}/vat/{quote(digits, safe='')}"
    try:
        request = urllib.request.Request(  # noqa: S310 - our setting, https in production
            url, headers={"Accept": "application/json", "User-Agent": "Comptoir VIES check"}
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            body = response.read(_VIES_MAX_BYTES + 1)
    except urllib.error.HTTPError as exc:
        exc.close()
        return _unavailable(number, f"HTTP {exc.code}")
    except (OSError, HTTPException, ValueError) as exc:  # URLError, timeouts, bad URL
        return _unavailable(number, type(exc).__name__)
    if len(body) > _VIES_MAX_BYTES:
        return _unavailable(number, "answer too large")
    try:
        data = json.loads(body)
    except ValueError:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return _unavailable(number, "answer is not JSON")
    return vies_result_from_json(number, data)
