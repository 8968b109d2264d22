"""Carts: anonymous (unguessable token) or a customer's, lines by SKU, saved-for-later, coupons, addresses and shipping choice; totals always recomputed by the price engine."""
