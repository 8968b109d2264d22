from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WishlistsConfig(AppConfig):
    name = "comptoir.wishlists"
    label = "wishlists"
    verbose_name = _("Wishlists")
