from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.db.models import QuerySet
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


class ServiceDeletionMixin:
    """For a ModelAdmin whose records matter to the business: deleting one, alone or by
    the bulk action, goes through the app's delete service, which audits it and
    reclassifies whom it touched at once, exactly as a deletion anywhere else.
    Subclasses name the service in ``delete_service(actor=..., obj=...)``."""

    def delete_service(self, *, actor: Any, obj: models.Model) -> None:
        raise NotImplementedError

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        self.delete_service(actor=request.user, obj=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        # One transaction: a bulk delete happens whole or not at all.
        with transaction.atomic():
            for obj in queryset:
                self.delete_service(actor=request.user, obj=obj)
