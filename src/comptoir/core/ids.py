"""Identifiers a stranger must not guess (carts, guest orders, download links)."""

import secrets


def new_token() -> str:
    """256 random bits, URL-safe (43 characters)."""
    return secrets.token_urlsafe(32)
