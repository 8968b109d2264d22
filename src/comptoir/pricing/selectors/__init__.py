"""Reads of prices: the price engine's entry points (context, listing, product, lines)."""
