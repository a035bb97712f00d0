"""``fact|may_correct:user``: whether the party page offers to edit, cancel or delete
an order, interaction or agreement, by the same rules the views enforce (each app's
``access.py``)."""

from __future__ import annotations

from typing import Any

from django import template

from kenal.agreements.access import agreement_may_correct
from kenal.agreements.models import Agreement
from kenal.commerce.access import order_may_correct
from kenal.commerce.models import Order
from kenal.interactions.access import interaction_may_correct
from kenal.interactions.models import Interaction

register = template.Library()


@register.filter
def may_correct(fact: Any, user: Any) -> bool:
    if isinstance(fact, Order):
        return order_may_correct(user, fact)
    if isinstance(fact, Interaction):
        return interaction_may_correct(user, fact)
    if isinstance(fact, Agreement):
        return agreement_may_correct(user, fact)
    return False
