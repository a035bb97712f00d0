"""Agreement forms: a new proposal, and one side's signature."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kenal.agreements.models import ServiceKind
from kenal.agreements.services import AgreementData, Side


class AgreementForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    service_kind = forms.ChoiceField(
        label=_("Service kind"), choices=ServiceKind.choices, initial=ServiceKind.PROFESSIONAL_SERVICE
    )
    tier = forms.CharField(label=_("Tier"), max_length=64, required=False)
    starts_on = forms.DateField(label=_("Starts on"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Ends on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    value = forms.DecimalField(label=_("Value"), required=False, min_value=0, max_digits=16, decimal_places=2)
    auto_renew = forms.BooleanField(label=_("Renews automatically"), required=False)

    def agreement_data(self) -> AgreementData:
        return AgreementData(**self.cleaned_data)


class SignForm(forms.Form):
    side = forms.ChoiceField(choices=[(Side.PROVIDER, _("Us")), (Side.CLIENT, _("The client"))])
