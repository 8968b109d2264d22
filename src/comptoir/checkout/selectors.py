"""Selectors of checkout (see docs/checkout.md)."""
