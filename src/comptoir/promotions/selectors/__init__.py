"""Reads of promotions: the active catalog promotions the price engine applies, and the
staff views of promotions and coupons."""
