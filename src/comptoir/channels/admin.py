from django.contrib import admin

from comptoir.channels.models import Channel


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "code",
        "currency",
        "default_language",
        "price_display",
        "is_b2b",
        "is_active",
    ]
    list_filter = ["price_display", "is_b2b", "is_active", "currency"]
    search_fields = ["name", "code"]
