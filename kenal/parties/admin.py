from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kenal.audit.admin import ServiceDeletionMixin
from kenal.parties.models import ContactPoint, Party
from kenal.parties.selectors import party_search
from kenal.parties.services import SCALAR_FIELDS, PartyData, party_create, party_delete, party_update


class ContactPointInline(admin.TabularInline):
    """Shown, not edited: contact points are changed on the party's page in Kenal or
    through the API, which normalise them (phones to E.164) and audit the change."""

    model = ContactPoint
    fields = ("kind", "value")
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PartyAdminForm(forms.ModelForm):
    class Meta:
        model = Party
        fields = SCALAR_FIELDS

    def clean(self) -> dict[str, Any]:
        # The party services refuse these too, but only after the form is accepted,
        # when the admin can no longer show the message next to the field.
        cleaned = super().clean()
        pk = self.instance.pk
        if pk is not None:
            if cleaned.get("referred_by") is not None and cleaned["referred_by"].pk == pk:
                self.add_error("referred_by", _("A party cannot refer itself."))
            if cleaned.get("member_of") is not None and cleaned["member_of"].pk == pk:
                self.add_error("member_of", _("A party cannot be a member of itself."))
        return cleaned


@admin.register(Party)
class PartyAdmin(ServiceDeletionMixin, admin.ModelAdmin):
    form = PartyAdminForm
    list_display = ("name", "kind", "external_id", "scope", "language", "created_at")
    list_filter = ("kind", "scope", "language", "objects_to_profiling")
    # Searched through party_search (see get_search_results): names, external ids, and
    # contact points written any common way.
    search_fields = ("name",)
    autocomplete_fields = ("referred_by", "member_of")
    inlines = (ContactPointInline,)
    # Counting 100k+ parties on every page view is what makes a big admin slow.
    show_full_result_count = False

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Party], search_term: str
    ) -> tuple[QuerySet[Party], bool]:
        if not search_term.strip():
            return queryset, False
        return queryset.filter(pk__in=party_search(query=search_term).values("pk")), False

    def save_model(self, request: HttpRequest, obj: Party, form: PartyAdminForm, change: bool) -> None:
        """Through the party services, like every other change to a party, so the audit
        trail has it; the contact points stay as they are."""
        if change:
            party = Party.objects.get(pk=obj.pk)
            contacts = [(point.kind, point.value) for point in party.contact_points.all()]
            data = PartyData(**{name: form.cleaned_data[name] for name in SCALAR_FIELDS}, contacts=contacts)
            party_update(actor=request.user, party=party, data=data)
        else:
            data = PartyData(**{name: form.cleaned_data[name] for name in SCALAR_FIELDS})
            obj.pk = party_create(actor=request.user, data=data).pk

    def delete_service(self, *, actor: Any, obj: Party) -> None:
        party_delete(actor=actor, party=obj)
