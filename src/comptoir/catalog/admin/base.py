"""Admin plumbing of the catalog: comptoir.core.service_admin, re-exported."""

from __future__ import annotations

from comptoir.core.service_admin import (
    SAVE_ERROR,
    SaveErrorMixin,
    ServiceAdmin,
    ServiceForm,
    ServiceInline,
    add_domain_error,
    adopt,
    delete_selected_through_services,
    fresh,
    read_upload,
)

__all__ = [
    "SAVE_ERROR",
    "SaveErrorMixin",
    "ServiceAdmin",
    "ServiceForm",
    "ServiceInline",
    "add_domain_error",
    "adopt",
    "delete_selected_through_services",
    "fresh",
    "read_upload",
]
