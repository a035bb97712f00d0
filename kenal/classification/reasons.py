"""Reasons and next best actions, rendered in the reader's language.

The engine stores codes with the numbers that decided them; the words are chosen here,
at display time, so a reason reads in Bahasa Indonesia for one user and in English for
another, and a wording fix needs no recompute."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kenal.classification.models import OverrideField, Relationship
from kenal.parties.models import Scope


def _type_label(value: str | None) -> str:
    return str(dict(Scope.choices).get(value or "", value or ""))


def _override_value(field: str, value: str) -> str:
    if field == "relationship":
        return str(dict(Relationship.choices).get(value, value))
    if field == "customer_type":
        return _type_label(value)
    return _("on") if value == "true" else _("off")


def _duration(minutes: int) -> str:
    hours, rest = divmod(int(minutes), 60)
    return _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": rest}


REASONS: dict[str, Callable[[dict[str, Any]], str]] = {
    "client_agreement": lambda p: ngettext(
        "Client: party to %(agreements)d active agreement signed by both sides",
        "Client: party to %(agreements)d active agreements signed by both sides",
        p["agreements"],
    ) % p,
    "customer_orders": lambda p: ngettext(
        "Customer: %(orders)d paid order", "Customer: %(orders)d paid orders", p["orders"]
    ) % p,
    "former_client": lambda p: ngettext(
        "Customer: former client, whose last agreement ended %(days)d day ago",
        "Customer: former client, whose last agreement ended %(days)d days ago",
        p["days"],
    ) % p,
    "consumer_uses": lambda p: ngettext(
        "Consumer: uses %(lines)d product someone else paid for",
        "Consumer: uses %(lines)d products someone else paid for",
        p["lines"],
    ) % p,
    "prospect_nothing_yet": lambda p: _("Prospect: no active agreement, paid order or product in use yet"),
    "type_explicit": lambda p: _("Customer type %(type)s, set on the party") % {"type": _type_label(p["type"])},
    "type_intermediate": lambda p: _(
        "Intermediate: an organisation with %(bulk)d of %(orders)d paid orders holding a line of "
        "%(units)s or more units"
    ) % {**p, "units": f"{float(p['units']):g}"},
    "type_default": lambda p: _("External: the default customer type"),
    "objects_to_profiling": lambda p: _("Objects to profiling: no characteristics and no inferred type"),
    "potential": lambda p: ngettext(
        "Potential: %(interactions)d inbound message in the last %(days)d days and nothing bought yet",
        "Potential: %(interactions)d inbound messages in the last %(days)d days and nothing bought yet",
        p["interactions"],
    ) % p,
    "new": lambda p: ngettext(
        "New: first paid order %(days)d day ago", "New: first paid order %(days)d days ago", p["days"]
    ) % p,
    "impulsive": lambda p: _(
        "Impulsive: first paid order %(after)s after first contact, with no question in between"
    ) % {"after": _duration(p["minutes"])},
    "thrifty": lambda p: _("Thrifty: %(promo)d of %(orders)d paid orders used a promotion") % p,
    "loyal_orders": lambda p: _("Loyal: %(orders)d orders over %(span)d days, last %(last)d days ago") % p,
    "loyal_agreements": lambda p: _(
        "Loyal: covered by signed agreements for %(days)d days without a gap"
    ) % p,
    "growing": lambda p: ngettext(
        "Growing: referred %(referred)d party who buys", "Growing: referred %(referred)d parties who buy",
        p["referred"],
    ) % p,
    "override": lambda p: _("%(what)s set to %(value)s by %(user)s: %(reason)s") % {
        "what": dict(OverrideField.choices).get(p["field"], p["field"]),
        "value": _override_value(p["field"], p["value"]),
        "user": p["user"],
        "reason": p["reason"],
    },
}


def reason_text(reason: dict[str, Any]) -> str:
    render = REASONS.get(reason.get("code", ""))
    return render(reason.get("params") or {}) if render else str(reason.get("code", ""))


def reasons_text(reasons: Iterable[dict[str, Any]]) -> list[str]:
    return [reason_text(reason) for reason in reasons]


def _days_or(p: dict[str, Any], with_days: str, without: str) -> str:
    return with_days % p if p.get("days") is not None else without


NEXT_BEST_ACTIONS: dict[str, Callable[[dict[str, Any]], str]] = {
    "assign_csm": lambda p: _("Assign a customer success manager to this client."),
    "renewal_talk": lambda p: _(
        "Start the renewal talk: the agreement ends in %(days)d days and does not renew by itself."
    ) % p,
    "csm_checkin": lambda p: _days_or(
        p, _("Check in: no contact with this client for %(days)d days."),
        _("Check in: no contact with this client recorded yet."),
    ),
    "propose_client": lambda p: _("Propose a client engagement: a loyal customer of high value."),
    "win_back": lambda p: _days_or(
        p, _("Win them back: no order for %(days)d days."), _("Win them back: no order for over a year."),
    ),
    "onboarding": lambda p: _("Follow up on onboarding; expect and answer detailed questions."),
    "promotion": lambda p: _("Offer a promotion: a discount, cashback or a bundle."),
    "follow_up_strengths": lambda p: _("Follow up and present the product's strengths."),
    "referral_thanks": lambda p: _("Thank them and invite them to the referral programme."),
    "invite_register": lambda p: _("Invite them to register the product and give feedback."),
}


def next_best_action_text(code: str, params: dict[str, Any] | None = None) -> str:
    render = NEXT_BEST_ACTIONS.get(code)
    return render(params or {}) if render else ""
