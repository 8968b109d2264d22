"""Checkout: turns a cart into a placed order, idempotently, reserving stock and charging through a payment provider without holding a lock during the call."""
