"""Recording an interaction by hand: what a user types when a customer called or
walked in. The service keeps the rules and reclassifies the party."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kenal.interactions.models import Channel, Direction, InteractionKind


class InteractionForm(forms.Form):
    occurred_at = forms.DateTimeField(
        label=_("When"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices)
    kind = forms.ChoiceField(label=_("Kind"), choices=InteractionKind.choices, initial=InteractionKind.MESSAGE)
    body = forms.CharField(label=_("Text"), required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 4}))

    @classmethod
    def initial_now(cls) -> dict:
        return {"occurred_at": timezone.localtime().replace(second=0, microsecond=0), "direction": Direction.INBOUND}

    @classmethod
    def initial_for(cls, interaction) -> dict:
        return {
            "occurred_at": timezone.localtime(interaction.occurred_at).replace(second=0, microsecond=0),
            "channel": interaction.channel, "direction": interaction.direction, "kind": interaction.kind,
            "body": interaction.body,
        }

    def clean_occurred_at(self):
        when = self.cleaned_data["occurred_at"]
        # A few minutes of slack for a clock that runs ahead of the server's.
        if when > timezone.now() + timedelta(minutes=5):
            raise forms.ValidationError(_("An interaction cannot be in the future."))
        return when
