from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kenal.agreements.models import Agreement
from kenal.audit.admin import AuditedDeletionMixin
from kenal.audit.services import audit_record


def _plain(value: Any) -> Any:
    """A value the audit trail's JSON can hold."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


@admin.register(Agreement)
class AgreementAdmin(AuditedDeletionMixin, admin.ModelAdmin):
    list_display = ("title", "party", "starts_on", "ends_on", "terminated_on", "signed", "csm")
    list_filter = ("service_kind", "auto_renew", "billing_period", "currency")
    search_fields = ("title", "=external_id", "=party__external_id", "party__name")
    list_select_related = ("party", "csm")
    autocomplete_fields = ("party", "csm")
    date_hierarchy = "starts_on"
    show_full_result_count = False

    @admin.display(boolean=True, description=_("signed by both sides"))
    def signed(self, agreement: Agreement) -> bool:
        return agreement.is_signed

    def save_model(self, request: HttpRequest, obj: Agreement, form: forms.ModelForm, change: bool) -> None:
        """Agreements decide who is a client, so a change made here is audited like one
        made anywhere else (the admin saves inside a transaction)."""
        super().save_model(request, obj, form, change)
        changes = {name: _plain(form.cleaned_data.get(name)) for name in form.changed_data}
        audit_record(
            actor=request.user, action="agreement.update" if change else "agreement.create", target=obj, changes=changes
        )

    def audit_snapshot(self, obj: Agreement) -> dict[str, Any]:
        return {"title": obj.title, "party": obj.party_id}
