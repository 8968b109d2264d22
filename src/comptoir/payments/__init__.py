"""Payments: a small provider interface (test card gateway, Stripe, bank transfer, payment on account) and a transaction ledger per payment."""
