"""Agreement forms: a new proposal, a correction, one side's signature, and an early
end."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kenal.agreements.models import Agreement, ServiceKind
from kenal.agreements.services import AgreementData, Side, agreement_data_of
from kenal.commerce.forms import CurrencyField

DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
MOMENT = {"widget": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")}


class AgreementForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    service_kind = forms.ChoiceField(
        label=_("Service kind"), choices=ServiceKind.choices, initial=ServiceKind.PROFESSIONAL_SERVICE
    )
    tier = forms.CharField(label=_("Tier"), max_length=64, required=False)
    starts_on = forms.DateField(label=_("Starts on"), **DATE)
    ends_on = forms.DateField(label=_("Ends on"), required=False, **DATE)
    value = forms.DecimalField(label=_("Value"), required=False, min_value=0, max_digits=16, decimal_places=2)
    currency = CurrencyField()
    auto_renew = forms.BooleanField(label=_("Renews automatically"), required=False)

    def agreement_data(self) -> AgreementData:
        return AgreementData(**self.cleaned_data)


class AgreementEditForm(AgreementForm):
    """Correcting an agreement: its terms, and when each side signed (empty: not yet)."""

    signed_by_provider_at = forms.DateTimeField(label=_("Signed by us"), required=False, **MOMENT)
    signed_by_client_at = forms.DateTimeField(label=_("Signed by the client"), required=False, **MOMENT)

    @classmethod
    def initial_for(cls, agreement: Agreement) -> dict:
        initial = {name: getattr(agreement, name) for name in cls.base_fields}
        for name in ("signed_by_provider_at", "signed_by_client_at"):
            if initial[name] is not None:
                initial[name] = timezone.localtime(initial[name]).replace(second=0, microsecond=0)
        return initial

    def agreement_data_for(self, agreement: Agreement) -> AgreementData:
        """The agreement's values with this form's changes; what the form does not show
        (external id, termination, CSM) stays as it is."""
        data = agreement_data_of(agreement)
        for name, value in self.cleaned_data.items():
            setattr(data, name, value)
        return data


class TerminateForm(forms.Form):
    terminated_on = forms.DateField(
        label=_("Terminated on"), help_text=_("The first day it no longer applies."), **DATE
    )


class SignForm(forms.Form):
    side = forms.ChoiceField(choices=[(Side.PROVIDER, _("Us")), (Side.CLIENT, _("The client"))])
