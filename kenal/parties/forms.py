"""Forms for the party screens. They only parse and show input; every rule about what
a party may be lives in kenal.parties.services, whose errors land back on the fields."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from kenal.parties.contacts import normalize_contact, phone_national
from kenal.parties.models import PHONE_KINDS, ContactKind, Language, Party, PartyKind, Scope
from kenal.parties.services import PartyData


class PartyFilterForm(forms.Form):
    """The party list's search, kind filter and page position, read from the query
    string. Filters by relationship, customer type and characteristic are read beside
    it by kenal.classification.forms.ProfileFilterForm, which owns those results."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *PartyKind.choices])
    after = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def search_arguments(self) -> dict[str, str]:
        data = self.cleaned_data if self.is_valid() else {}
        return {"query": data.get("q", ""), "kind": data.get("kind", "")}


# Several values of one kind may be given at once, separated by commas or new lines.
_SEPARATORS = re.compile(r"[,\n]+")

CONTACT_FIELDS: dict[str, ContactKind] = {f"contact_{kind.value}": kind for kind in ContactKind}


class ContactsField(forms.CharField):
    """Comma-separated contact values of one kind, each checked with the same
    normaliser the service stores them with, so a bad value is shown on its own field."""

    def __init__(self, *, kind: ContactKind, **kwargs) -> None:
        self.kind = kind
        super().__init__(required=False, max_length=2000, **kwargs)

    def clean(self, value: str) -> list[str]:
        text = super().clean(value)
        raws = [raw.strip() for raw in _SEPARATORS.split(text) if raw.strip()]
        errors: list[str] = []
        for raw in raws:
            try:
                normalize_contact(self.kind, raw)
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise ValidationError(errors)
        return raws


def party_ref(party: Party | None) -> str:
    """How PartyRefField shows a party: its external id, or ``#<id>`` without one."""
    if party is None:
        return ""
    return party.external_id or f"#{party.pk}"


class PartyRefField(forms.CharField):
    """Another party, chosen by its external id (or ``#<id>`` for one without). While
    typing, htmx fills a shared datalist with matching parties."""

    def __init__(self, **kwargs) -> None:
        super().__init__(max_length=100, required=False, **kwargs)
        self.widget.attrs.update({
            "list": "party-options",
            "autocomplete": "off",
            "hx-get": reverse_lazy("parties:options"),
            "hx-trigger": "input changed delay:300ms",
            "hx-target": "#party-options",
        })

    def clean(self, value: str) -> Party | None:
        text = super().clean(value).strip()
        if not text:
            return None
        if text.startswith("#") and text[1:].isdigit():
            party = Party.objects.filter(pk=int(text[1:])).first()
        else:
            party = Party.objects.filter(external_id=text).first()
        if party is None:
            raise ValidationError(_("No party has the external id “%(value)s”."), params={"value": text})
        return party


_CONTACT_HELP = {
    ContactKind.PHONE: _("Any common format: 0812-3456-7890, +62 812 3456 7890, 62812…"),
    ContactKind.WHATSAPP: _("Any common format: 0812-3456-7890, +62 812 3456 7890, 62812…"),
    ContactKind.TELEGRAM: _("A username, with or without @, or a numeric chat id."),
    ContactKind.INSTAGRAM: _("A username, with or without @."),
}


class PartyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=PartyKind.choices, initial=PartyKind.PERSON)
    external_id = forms.CharField(
        label=_("External id"), max_length=100, required=False,
        help_text=_("The business's own key for this party, used by imports."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=[("", _("Unknown")), *Language.choices], required=False)
    scope = forms.ChoiceField(
        label=_("Customer type"), choices=[("", _("Let Kenal infer it")), *Scope.choices], required=False,
        help_text=_("Set only when known for sure; otherwise Kenal infers it."),
    )
    objects_to_profiling = forms.BooleanField(
        label=_("Objects to profiling"), required=False,
        help_text=_("The party asked not to be profiled: no characteristics and no inferred type."),
    )
    first_contact_at = forms.DateTimeField(
        label=_("First contact"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    member_of = PartyRefField(
        label=_("Member of"),
        help_text=_("The external id of the organisation this party belongs to."),
    )
    referred_by = PartyRefField(
        label=_("Referred by"),
        help_text=_("The external id of the party who referred this one."),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Personal notes: what matters to them."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, kind in CONTACT_FIELDS.items():
            self.fields[name] = ContactsField(
                kind=kind, label=kind.label,
                help_text=_CONTACT_HELP.get(kind, _("Separate several with commas.")),
            )

    @classmethod
    def initial_for(cls, party: Party) -> dict[str, object]:
        initial: dict[str, object] = {
            "name": party.name,
            "kind": party.kind,
            "external_id": party.external_id or "",
            "language": party.language,
            "scope": party.scope,
            "objects_to_profiling": party.objects_to_profiling,
            "first_contact_at": party.first_contact_at,
            "member_of": party_ref(party.member_of),
            "referred_by": party_ref(party.referred_by),
            "notes": party.notes,
        }
        # Phones as the party page shows them (0812-3456-7890); saved again, they are
        # stored in the same E.164 form.
        for name, kind in CONTACT_FIELDS.items():
            values = [phone_national(c.value) if kind in PHONE_KINDS else c.value
                      for c in party.contact_points.all() if c.kind == kind]
            initial[name] = ", ".join(values)
        return initial

    def contact_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in CONTACT_FIELDS]

    def party_data(self) -> PartyData:
        data = self.cleaned_data
        return PartyData(
            name=data["name"],
            kind=data["kind"],
            external_id=data["external_id"].strip() or None,
            language=data["language"],
            scope=data["scope"],
            objects_to_profiling=data["objects_to_profiling"],
            first_contact_at=data["first_contact_at"],
            referred_by=data["referred_by"],
            member_of=data["member_of"],
            notes=data["notes"],
            contacts=[(kind.value, raw) for name, kind in CONTACT_FIELDS.items() for raw in data[name]],
        )

    def add_service_errors(self, error: ValidationError) -> None:
        """Put the service's errors on the matching fields; the rest above the form."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for field, messages in error.message_dict.items():
            self.add_error(field if field in self.fields else None, messages)
