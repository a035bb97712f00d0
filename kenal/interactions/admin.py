from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from kenal.interactions.models import Interaction


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin):
    """Read-only: interactions arrive from the channels and imports, keyed by
    ``source_key`` so a re-sent message is not recorded twice; a hand-made one would
    have no such key."""

    list_display = ("occurred_at", "party", "channel", "direction", "kind")
    list_filter = ("channel", "direction", "kind")
    search_fields = ("=party__external_id", "party__name", "=source_key")
    list_select_related = ("party",)
    date_hierarchy = "occurred_at"
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Interaction | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Interaction | None = None) -> bool:
        return False
