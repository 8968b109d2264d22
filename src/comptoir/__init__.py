"""Comptoir: one commerce engine for consumers and businesses."""
