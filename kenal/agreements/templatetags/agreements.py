"""``user|may_handle_agreements``: whether to offer agreement buttons, by the same
rule the agreement views enforce."""

from __future__ import annotations

from typing import Any

from django import template

from kenal.agreements.access import agreements_allowed

register = template.Library()


@register.filter
def may_handle_agreements(user: Any) -> bool:
    return agreements_allowed(user)
