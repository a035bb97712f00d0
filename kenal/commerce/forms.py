"""Recording an order by hand: a header and a few lines. The service computes the
order's summary from the lines and reclassifies the buyer and the consumers."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kenal.commerce.models import LineStatus
from kenal.commerce.services import LineData
from kenal.parties.forms import PartyRefField

LINE_ROWS = 3


class OrderForm(forms.Form):
    occurred_at = forms.DateTimeField(
        label=_("When"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    external_id = forms.CharField(
        label=_("Order id"), max_length=100, required=False, help_text=_("Leave empty to have one made up.")
    )
    channel = forms.CharField(label=_("Channel"), max_length=32, required=False)

    @classmethod
    def initial_now(cls) -> dict:
        return {"occurred_at": timezone.localtime().replace(second=0, microsecond=0)}

    def clean_occurred_at(self):
        when = self.cleaned_data["occurred_at"]
        # A few minutes of slack for a clock that runs ahead of the server's.
        if when > timezone.now() + timedelta(minutes=5):
            raise forms.ValidationError(_("An order cannot be in the future."))
        return when


class LineForm(forms.Form):
    sku = forms.CharField(label=_("Product (SKU)"), max_length=100)
    quantity = forms.DecimalField(label=_("Quantity"), min_value=Decimal("0.001"), max_digits=12, decimal_places=3,
                                  initial=1)
    unit_price = forms.DecimalField(label=_("Unit price"), min_value=0, max_digits=16, decimal_places=2)
    discount = forms.DecimalField(label=_("Discount"), min_value=0, max_digits=16, decimal_places=2, required=False)
    promo_code = forms.CharField(label=_("Promo code"), max_length=64, required=False)
    consumer = PartyRefField(label=_("Used by"), help_text=_("Only when someone else uses it."))
    status = forms.ChoiceField(label=_("Status"), choices=LineStatus.choices, initial=LineStatus.PAID)

    def line_data(self) -> LineData:
        data = self.cleaned_data
        return LineData(
            sku=data["sku"], quantity=data["quantity"], unit_price=data["unit_price"],
            discount=data.get("discount") or Decimal(0), promo_code=data.get("promo_code", ""),
            consumer=data.get("consumer"), status=data["status"],
        )


LineFormSet = forms.formset_factory(LineForm, extra=LINE_ROWS, min_num=1, validate_min=True)
