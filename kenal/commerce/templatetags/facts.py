"""``{% correctable entries user as correctable %}``: which facts of a page of the
party's timeline the user may edit, cancel or delete, by the same rules the views
enforce (each app's ``access.py``), in at most one query per kind of fact. The
template then asks ``{% if order.pk in correctable.order %}``."""

from __future__ import annotations

from typing import Any

from django import template

from kenal.agreements.access import agreements_may_correct
from kenal.commerce.access import orders_may_correct
from kenal.interactions.access import interactions_may_correct

register = template.Library()

RULES = {"order": orders_may_correct, "interaction": interactions_may_correct, "agreement": agreements_may_correct}


@register.simple_tag
def correctable(entries: Any, user: Any) -> dict[str, set[int]]:
    by_kind: dict[str, list[Any]] = {kind: [] for kind in RULES}
    for entry in entries:
        if entry.kind in by_kind:
            by_kind[entry.kind].append(entry.item)
    return {kind: RULES[kind](user, items) if items else set() for kind, items in by_kind.items()}
