from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest

from kenal.audit.admin import ServiceDeletionMixin
from kenal.interactions.models import Interaction
from kenal.interactions.services import interaction_delete, interaction_update

EDITABLE = ("occurred_at", "channel", "direction", "kind", "body")


@admin.register(Interaction)
class InteractionAdmin(ServiceDeletionMixin, admin.ModelAdmin):
    """Interactions arrive from the channels and imports, keyed by ``source_key`` so a
    re-sent message is not recorded twice; one made here would have no such key, so
    none is added here. Corrections and deletions go through the services, which
    audit them and reclassify the party at once."""

    list_display = ("occurred_at", "party", "channel", "direction", "kind")
    list_filter = ("channel", "direction", "kind")
    search_fields = ("=party__external_id", "party__name", "=source_key")
    list_select_related = ("party",)
    date_hierarchy = "occurred_at"
    show_full_result_count = False
    fields = ("party", "source_key", *EDITABLE)
    readonly_fields = ("party", "source_key")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Interaction, form: ModelForm, change: bool) -> None:
        stored = Interaction.objects.get(pk=obj.pk)
        interaction_update(actor=request.user, interaction=stored,
                           **{name: form.cleaned_data[name] for name in EDITABLE})

    def delete_service(self, *, actor: Any, obj: Interaction) -> None:
        interaction_delete(actor=actor, interaction=obj)
