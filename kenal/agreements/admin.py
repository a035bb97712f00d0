from __future__ import annotations

from dataclasses import fields
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kenal.agreements.models import Agreement
from kenal.agreements.services import (
    AgreementData,
    agreement_check,
    agreement_create,
    agreement_delete,
    agreement_update,
)
from kenal.audit.admin import ServiceDeletionMixin

DATA_FIELDS = [spec.name for spec in fields(AgreementData)]


class AgreementAdminForm(forms.ModelForm):
    """The admin's form for an agreement; the agreement services check it before the
    admin saves, so their messages show next to the fields."""

    class Meta:
        model = Agreement
        fields = ["party", *DATA_FIELDS]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            agreement_check(data=_data(cleaned), agreement=self.instance if self.instance.pk else None)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        return cleaned


def _data(cleaned: dict[str, Any]) -> AgreementData:
    values = {name: cleaned.get(name) for name in DATA_FIELDS}
    for name in ("tier", "billing_period"):
        values[name] = values[name] or ""
    values["external_id"] = values["external_id"] or None
    return AgreementData(**values)


@admin.register(Agreement)
class AgreementAdmin(ServiceDeletionMixin, admin.ModelAdmin):
    """Agreements decide who is a client: every save and delete here goes through the
    agreement services, audited, and the party is reclassified at once (a termination
    entered here ends the client relationship on the spot, not at the nightly run)."""

    form = AgreementAdminForm
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

    def get_readonly_fields(self, request: HttpRequest, obj: Agreement | None = None) -> tuple[str, ...]:
        # An agreement stays with its party; a new one is made for another party.
        return ("party",) if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: Agreement, form: forms.ModelForm, change: bool) -> None:
        data = _data(form.cleaned_data)
        if change:
            agreement_update(actor=request.user, agreement=Agreement.objects.get(pk=obj.pk), data=data)
        else:
            obj.pk = agreement_create(actor=request.user, party=form.cleaned_data["party"], data=data).pk

    def delete_service(self, *, actor: Any, obj: Agreement) -> None:
        agreement_delete(actor=actor, agreement=obj)
