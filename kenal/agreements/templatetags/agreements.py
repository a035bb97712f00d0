"""``user|may_handle_agreements``: whether to offer agreement buttons, by the same
rule the agreement views enforce."""

from __future__ import annotations

from typing import Any

from django import template

from kenal.agreements.views import AGREEMENT_ROLES

register = template.Library()


@register.filter
def may_handle_agreements(user: Any) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.role in AGREEMENT_ROLES))
