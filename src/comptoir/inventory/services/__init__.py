"""Writes of the inventory. Every service is keyword-only, atomic, and leaves nothing changed
when it raises. On-hand quantities change only here, with F() expressions on rows locked
through `comptoir.inventory.locks.stocks_for_update` (primary-key order), and every change
of on-hand quantity writes one StockMovement: `Stock.quantity` always equals the sum of its
movements. Allocation and reservation are not movements (they change `quantity_allocated`
only).

- warehouses.py: warehouse_create, warehouse_update
- stock.py: stock_receive, stock_return, stock_adjust, stock_adjust_at, stock_transfer,
  stock_threshold_set, product_backorders_set
- allocation.py: stock_allocate, stock_deallocate, stock_ship
- reservations.py: stock_reserve, reservation_commit, reservation_release,
  reservations_expire
- csv_import.py: stock_import_csv
"""

from comptoir.inventory.services._common import MAX_ON_HAND, MAX_QUANTITY
from comptoir.inventory.services.allocation import stock_allocate, stock_deallocate, stock_ship
from comptoir.inventory.services.csv_import import StockImportResult, stock_import_csv
from comptoir.inventory.services.reservations import (
    Reserved,
    reservation_commit,
    reservation_release,
    reservations_expire,
    stock_reserve,
)
from comptoir.inventory.services.stock import (
    product_backorders_set,
    stock_adjust,
    stock_adjust_at,
    stock_receive,
    stock_return,
    stock_threshold_set,
    stock_transfer,
)
from comptoir.inventory.services.warehouses import warehouse_create, warehouse_update

__all__ = [
    "MAX_ON_HAND",
    "MAX_QUANTITY",
    "Reserved",
    "StockImportResult",
    "product_backorders_set",
    "reservation_commit",
    "reservation_release",
    "reservations_expire",
    "stock_adjust",
    "stock_adjust_at",
    "stock_allocate",
    "stock_deallocate",
    "stock_import_csv",
    "stock_receive",
    "stock_reserve",
    "stock_return",
    "stock_ship",
    "stock_threshold_set",
    "stock_transfer",
    "warehouse_create",
    "warehouse_update",
]
