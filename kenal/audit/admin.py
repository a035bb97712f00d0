from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from kenal.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit trail is evidence: it can be read here, never changed or deleted."""

    list_display = ("at", "actor", "action", "target_type", "target_id")
    list_filter = ("action", "target_type")
    search_fields = ("=target_id", "action", "actor__username")
    list_select_related = ("actor",)
    date_hierarchy = "at"
    # Counting millions of rows on every page view is what makes a big admin slow.
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False
