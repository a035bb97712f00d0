"""Reasons and next best actions, rendered in the reader's language.

The engine stores the facts that decided each result; explain.py picks the reasons
with their numbers, and the words are chosen here, at display time, from the rules'
own wording (rules.py), so a reason reads in Bahasa Indonesia for one user and in
English for another, and a wording fix needs no recompute."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from kenal.classification import rules
from kenal.classification.models import OverrideField, Relationship
from kenal.classification.words import type_label


def _override_value(field: str, value: str) -> str:
    if field == "relationship":
        return str(dict(Relationship.choices).get(value, value))
    if field == "customer_type":
        return type_label(value)
    return _("on") if value == "true" else _("off")


def _override_field(field: str) -> str:
    name = field.removeprefix("characteristic:")
    entry = next((c for c in rules.CHARACTERISTICS if c.name == name), None)
    if field.startswith("characteristic:") and entry is not None:
        return str(entry.label)
    return str(dict(OverrideField.choices).get(field, field))


def _override(p: dict[str, Any]) -> str:
    return _("%(what)s set to %(value)s by %(user)s: %(reason)s") % {
        "what": _override_field(p["field"]),
        "value": _override_value(p["field"], p["value"]),
        "user": p["user"],
        "reason": p["reason"],
    }


def reason_text(reason: dict[str, Any]) -> str:
    code = reason.get("code", "")
    render = _override if code == "override" else rules.reason_words().get(code)
    return render(reason.get("params") or {}) if render else str(code)


def reasons_text(reasons: Iterable[dict[str, Any]]) -> list[str]:
    return [reason_text(reason) for reason in reasons]


def next_best_action_text(code: str, params: dict[str, Any] | None = None) -> str:
    action = rules.action(code)
    return action.words(params or {}) if action else ""
