"""Shipping: zones (countries served per channel) and shipping methods (flat rate, weight brackets, free over a threshold, pick-up in store) with their taxed price."""
