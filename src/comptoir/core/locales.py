"""The Babel locale of each shop language, for formatting money and dates (and for
`og:locale`): French of France ("1 240,90 €"), British English ("€1,240.90")."""

from __future__ import annotations

from typing import Final

BABEL_LOCALES: Final = {"fr": "fr_FR", "en": "en_GB"}


def babel_locale(language: str) -> str:
    """The Babel locale of `language` ("fr" -> "fr_FR"); another code is used as it is."""
    return BABEL_LOCALES.get(language, language)
