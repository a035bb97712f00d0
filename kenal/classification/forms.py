"""Forms of the classification screens. The services keep the rules; these parse
input and put the services' errors back on the fields."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from kenal.classification.models import Characteristic, ClassificationSettings, OverrideField, Relationship
from kenal.parties.models import Scope

CHARACTERISTIC_VALUES = [("true", _("Holds")), ("false", _("Does not hold"))]


def value_choices(field: str) -> list[tuple[str, str]]:
    """What a result may be set to, with its label in the reader's language."""
    if field == OverrideField.RELATIONSHIP:
        return list(Relationship.choices)
    if field == OverrideField.CUSTOMER_TYPE:
        return list(Scope.choices)
    return list(CHARACTERISTIC_VALUES)


class OverrideForm(forms.Form):
    """The value's choices follow the chosen field: the page asks for them again
    when the field changes, and a value that does not fit the field is refused."""

    field = forms.ChoiceField(label=_("What"), choices=[
        (OverrideField.RELATIONSHIP, OverrideField.RELATIONSHIP.label),
        (OverrideField.CUSTOMER_TYPE, OverrideField.CUSTOMER_TYPE.label),
        (_("Characteristic"), [(value, label) for value, label in OverrideField.choices
                               if value.startswith("characteristic:")]),
    ])
    value = forms.ChoiceField(
        label=_("Set to"), error_messages={"invalid_choice": _("This value does not fit what you override.")},
    )
    reason = forms.CharField(
        label=_("Why"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept with the override and shown as its reason."),
        error_messages={"required": _("Write why you override the result.")},
    )

    def __init__(self, *args, field: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        chosen = self.data.get("field") if self.is_bound else field
        if chosen not in OverrideField.values:
            chosen = OverrideField.RELATIONSHIP
        self.initial.setdefault("field", chosen)
        self.fields["value"].choices = value_choices(chosen)

    def add_service_errors(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                self.add_error(name if name in self.fields else None, messages)
        else:
            self.add_error(None, error.messages)


SHARE_FIELDS = ("thrifty_share", "intermediate_share", "top_revenue_share")
PROFILE_HELP = _(
    "Another profile moves the thresholds still at the old profile's defaults to the new one's; "
    "those you set yourself stay."
)

# The settings page's sections, in order; together they are every editable field.
SETTINGS_GROUPS = [
    (_("Business"), ["profile"]),
    (_("Characteristics"), [
        "new_days", "potential_days", "impulsive_hours", "thrifty_min_orders", "thrifty_share",
        "loyal_min_orders", "loyal_span_days", "loyal_recent_days", "loyal_agreement_days", "growing_min_orders",
    ]),
    (_("Customer type"), ["intermediate_min_units", "intermediate_share"]),
    (_("Next best actions"), [
        "top_revenue_share", "top_tiers", "renewal_window_days", "checkin_days", "winback_days",
    ]),
]


def plain_number(number: Any) -> str:
    """A number as a person types it in the reader's language: ``12`` rather than
    ``12.000``, ``0,5`` in Indonesian and ``0.5`` in English."""
    text = format(Decimal(str(number)).normalize(), "f")
    return text.replace(".", formats.get_format("DECIMAL_SEPARATOR"))


class LocalDecimalField(forms.DecimalField):
    """A decimal typed with the reader's decimal mark (a comma in Indonesian; a dot
    is read as one too) and shown without trailing zeros."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("localize", True)
        super().__init__(**kwargs)
        self.widget.attrs["inputmode"] = "decimal"

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            return plain_number(value)
        return value


class PercentField(LocalDecimalField):
    """A share kept as a fraction between 0 and 1, read and written as a percentage:
    0.5 is shown as ``50 %``, and ``50``, ``50 %`` or ``12,5`` are accepted."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=0, max_value=100, **kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            return f"{plain_number(Decimal(str(value)) * 100)} %"
        return value

    def to_python(self, value: Any) -> Decimal | None:
        if isinstance(value, str):
            value = value.strip().removesuffix("%").strip()
        return super().to_python(value)

    def clean(self, value: Any) -> float | None:
        percent = super().clean(value)
        return None if percent is None else float(percent / 100)


class ClassificationSettingsForm(forms.ModelForm):
    """The business profile and every threshold. Shares are percentages between 0 and
    100 (kept as fractions); counts of days, hours and orders are whole numbers of at
    least 1; numbers are typed and shown in the reader's language."""

    class Meta:
        model = ClassificationSettings
        fields = [name for _legend, names in SETTINGS_GROUPS for name in names]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["profile"].help_text = PROFILE_HELP
        # Django's own validators: their messages are already in both languages.
        for name in SHARE_FIELDS:
            model_field = self.fields[name]
            self.fields[name] = PercentField(
                label=model_field.label, help_text=_("In percent: 50 is half."), required=model_field.required,
            )
        for form_field in self.fields.values():
            if isinstance(form_field, forms.IntegerField) and not isinstance(form_field, forms.DecimalField):
                form_field.validators.append(MinValueValidator(1))
                form_field.widget.attrs["min"] = "1"
        units = self.fields["intermediate_min_units"]
        self.fields["intermediate_min_units"] = LocalDecimalField(
            label=units.label, help_text=units.help_text, required=units.required,
            max_digits=units.max_digits, decimal_places=units.decimal_places,
        )

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(legend, [self[name] for name in names]) for legend, names in SETTINGS_GROUPS]

    def clean_intermediate_min_units(self):
        units = self.cleaned_data["intermediate_min_units"]
        if units is not None and units <= 0:
            raise ValidationError(_("Enter a number of units above 0."))
        return units


class ProfileFilterForm(forms.Form):
    """The party list's filters on the classification, read from the query string."""

    relationship = forms.ChoiceField(
        label=_("Relationship"), required=False, choices=[("", _("All relationships")), *Relationship.choices]
    )
    customer_type = forms.ChoiceField(
        label=_("Customer type"), required=False, choices=[("", _("All customer types")), *Scope.choices]
    )
    characteristic = forms.ChoiceField(
        label=_("Characteristic"), required=False, choices=[("", _("Any characteristic")), *Characteristic.choices]
    )

    def filter_arguments(self) -> dict[str, str]:
        data = self.cleaned_data if self.is_valid() else {}
        return {name: data.get(name, "") for name in ("relationship", "customer_type", "characteristic")}
