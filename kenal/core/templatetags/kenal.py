"""Template helpers available in every template (registered as builtins)."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils import translation

from kenal.core.money import format_money

register = template.Library()


@register.filter
def money(amount: Decimal | None, currency: str = "IDR") -> str:
    return format_money(amount, currency or "IDR", translation.get_language() or "id")
