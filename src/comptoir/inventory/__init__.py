"""Inventory: warehouses, stock per variant per warehouse, the stock movement ledger and
allocation across warehouses by priority."""
