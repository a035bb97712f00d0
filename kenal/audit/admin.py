from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from kenal.audit.models import AuditEvent
from kenal.audit.services import audit_record


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


class AuditedDeletionMixin:
    """For a ModelAdmin whose records matter to the business: deleting one, alone or by
    the bulk action, writes an audit row in the same transaction."""

    def audit_snapshot(self, obj: models.Model) -> dict[str, Any]:
        return {"name": str(obj)}

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        with transaction.atomic():
            self._audit_deletion(request, obj)
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        with transaction.atomic():
            for obj in queryset:
                self._audit_deletion(request, obj)
            super().delete_queryset(request, queryset)

    def _audit_deletion(self, request: HttpRequest, obj: models.Model) -> None:
        audit_record(
            actor=request.user, action=f"{obj._meta.model_name}.delete", target=obj, changes=self.audit_snapshot(obj)
        )
