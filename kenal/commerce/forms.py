"""Recording and correcting an order by hand: a header and its lines. Products are
picked from the catalogue; a new one is made only when its line says so. The service
computes the order's summary from the lines and reclassifies the buyer and the
consumers."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from babel.numbers import get_currency_name
from django import forms
from django.conf import settings
from django.urls import reverse_lazy
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kenal.commerce.models import LineStatus, Order, Product, ProductKind
from kenal.commerce.services import LineData, line_problems
from kenal.core.money import CURRENCIES
from kenal.parties.forms import PartyRefField, party_ref

LINE_ROWS = 3


def currency_choices() -> list[tuple[str, str]]:
    """Every ISO 4217 currency, named in the user's language; the business's own
    currency (rupiah by default) first, the rest by code."""
    locale = translation.get_language() or "id"
    first = settings.KENAL_DEFAULT_CURRENCY
    codes = [first, *sorted(code for code in CURRENCIES if code != first)]
    return [(code, f"{code} · {get_currency_name(code, locale=locale)}") for code in codes]


class CurrencyField(forms.ChoiceField):
    def __init__(self, **kwargs) -> None:
        super().__init__(label=_("Currency"), choices=currency_choices, initial=settings.KENAL_DEFAULT_CURRENCY,
                         **kwargs)


class OrderForm(forms.Form):
    occurred_at = forms.DateTimeField(
        label=_("When"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    external_id = forms.CharField(
        label=_("Order number"), max_length=100, required=False,
        help_text=_("Leave empty to get the next number (ORD-000123)."),
    )
    channel = forms.CharField(label=_("Channel"), max_length=32, required=False)
    currency = CurrencyField()

    @classmethod
    def initial_now(cls) -> dict:
        return {"occurred_at": timezone.localtime().replace(second=0, microsecond=0)}

    @classmethod
    def initial_for(cls, order: Order) -> dict:
        return {
            "occurred_at": timezone.localtime(order.occurred_at).replace(second=0, microsecond=0),
            "external_id": order.external_id, "channel": order.channel, "currency": order.currency,
        }

    def clean_occurred_at(self):
        when = self.cleaned_data["occurred_at"]
        # A few minutes of slack for a clock that runs ahead of the server's.
        if when > timezone.now() + timedelta(minutes=5):
            raise forms.ValidationError(_("An order cannot be in the future."))
        return when


class ProductRefField(forms.CharField):
    """A product of the catalogue, by its code. While typing, htmx fills a shared
    datalist with matching products (code, name, last price); without JavaScript the
    datalist holds the latest products from the start."""

    def __init__(self, **kwargs) -> None:
        super().__init__(max_length=100, **kwargs)
        self.widget.attrs.update({
            "list": "product-options",
            "autocomplete": "off",
            "hx-get": reverse_lazy("commerce:product-options"),
            "hx-trigger": "input changed delay:300ms, focus once",
            "hx-target": "#product-options",
        })


class LineForm(forms.Form):
    product = ProductRefField(label=_("Product"), help_text=_("Type a code or a name, then pick from the list."))
    new_product = forms.BooleanField(label=_("New product"), required=False,
                                     help_text=_("Add it to the catalogue with this code."))
    new_product_name = forms.CharField(label=_("Name of the new product"), max_length=200, required=False)
    new_product_kind = forms.ChoiceField(label=_("Kind of the new product"), choices=ProductKind.choices,
                                         initial=ProductKind.GOODS)
    quantity = forms.DecimalField(label=_("Quantity"), min_value=Decimal("0.001"), max_digits=12, decimal_places=3,
                                  initial=1)
    unit_price = forms.DecimalField(label=_("Unit price"), min_value=0, max_digits=16, decimal_places=2)
    discount = forms.DecimalField(label=_("Discount"), min_value=0, max_digits=16, decimal_places=2, required=False)
    promo_code = forms.CharField(label=_("Promo code"), max_length=64, required=False)
    consumer = PartyRefField(label=_("Used by"), help_text=_("Only when someone else uses it."))
    status = forms.ChoiceField(label=_("Status"), choices=LineStatus.choices, initial=LineStatus.PAID)

    @property
    def number(self) -> int:
        """The line's number as the page shows it (its formset prefix ends in its index)."""
        index = (self.prefix or "").rsplit("-", 1)[-1]
        return int(index) + 1 if index.isdigit() else 1

    def _line_error(self, field: str, problem: str) -> None:
        self.add_error(field, gettext("Line %(number)d: %(problem)s.") % {"number": self.number, "problem": problem})

    def clean(self) -> dict:
        data = super().clean()
        sku = (data.get("product") or "").strip()
        if sku:
            exists = Product.objects.filter(sku=sku).exists()
            if data.get("new_product"):
                if exists:
                    self._line_error("product", gettext(
                        "a product with the code “%(sku)s” already exists; pick it from the list") % {"sku": sku})
                if not (data.get("new_product_name") or "").strip():
                    self._line_error("new_product_name", gettext("write the name of the new product"))
            elif not exists:
                self._line_error("product", gettext(
                    "no product has the code “%(sku)s”; pick one from the list or mark it as a new product"
                ) % {"sku": sku})
        quantity, price = data.get("quantity"), data.get("unit_price")
        if quantity is not None and price is not None:
            # The one line rule of the services; what it adds once the discount counts
            # is about the discount, and is shown on that field.
            discount = data.get("discount") or Decimal(0)
            without = set(line_problems(quantity=quantity, unit_price=price, discount=Decimal(0)))
            for problem in line_problems(quantity=quantity, unit_price=price, discount=discount):
                self._line_error("discount" if problem not in without else "quantity", problem)
        return data

    def line_data(self) -> LineData:
        data = self.cleaned_data
        return LineData(
            sku=data["product"].strip(), quantity=data["quantity"], unit_price=data["unit_price"],
            discount=data.get("discount") or Decimal(0), promo_code=data.get("promo_code", ""),
            consumer=data.get("consumer"), status=data["status"],
            new_product_name=data["new_product_name"].strip() if data.get("new_product") else "",
            new_product_kind=data.get("new_product_kind") or ProductKind.GOODS,
        )

    @classmethod
    def initial_for_lines(cls, order: Order) -> list[dict]:
        return [
            {
                "product": line.product.sku, "quantity": _plain(line.quantity), "unit_price": _plain(line.unit_price),
                "discount": _plain(line.discount) or None, "promo_code": line.promo_code,
                "consumer": party_ref(line.consumer), "status": line.status,
            }
            for line in order.lines.select_related("product", "consumer").order_by("line_no")
        ]


def _plain(amount: Decimal) -> Decimal:
    """An amount without the trailing zeros of its column (``1``, not ``1.000``, which
    an Indonesian reads as a thousand)."""
    return amount.quantize(Decimal(1)) if amount == amount.to_integral_value() else amount.normalize()


class BaseLineFormSet(forms.BaseFormSet):
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this line")

    def lines(self) -> list[LineData]:
        """The lines to save: every filled form that is not marked for removal."""
        return [form.line_data() for form in self.forms if form.cleaned_data and not self._should_delete_form(form)]


LineFormSet = forms.formset_factory(
    LineForm, formset=BaseLineFormSet, extra=LINE_ROWS, min_num=1, validate_min=True, can_delete=True,
    can_delete_extra=False,
)
EditLineFormSet = forms.formset_factory(
    LineForm, formset=BaseLineFormSet, extra=1, min_num=1, validate_min=True, can_delete=True,
    can_delete_extra=False,
)


class ProductForm(forms.Form):
    sku = forms.CharField(label=_("Code (SKU)"), max_length=100)
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=ProductKind.choices, initial=ProductKind.GOODS)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True,
                                help_text=_("Inactive products are no longer offered on the order form."))

    @classmethod
    def initial_for(cls, product: Product) -> dict:
        return {"sku": product.sku, "name": product.name, "kind": product.kind, "active": product.active}

    def add_service_errors(self, error) -> None:
        for field, messages in error.message_dict.items():
            self.add_error(field if field in self.fields else None, messages)


class ProductSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
