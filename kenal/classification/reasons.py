"""Reasons and next best actions, rendered in the reader's language.

The engine stores codes with the numbers that decided them; the words are chosen here,
at display time, so a reason reads in Bahasa Indonesia for one user and in English for
another, and a wording fix needs no recompute."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kenal.classification.models import OverrideField, Relationship
from kenal.interactions.models import Channel
from kenal.parties.models import Scope

EPOCH = date(1970, 1, 1)


def _type_label(value: str | None) -> str:
    return str(dict(Scope.choices).get(value or "", value or ""))


def _override_value(field: str, value: str) -> str:
    if field == "relationship":
        return str(dict(Relationship.choices).get(value, value))
    if field == "customer_type":
        return _type_label(value)
    return _("on") if value == "true" else _("off")


def _ago(days: int) -> str:
    """How long ago, as a person says it: "today", "yesterday", "3 days ago"."""
    if days == 0:
        return _("today")
    if days == 1:
        return _("yesterday")
    return ngettext("%(days)d day ago", "%(days)d days ago", days) % {"days": days}


def _days(days: int) -> str:
    return ngettext("%(days)d day", "%(days)d days", days) % {"days": days}


def _in_days(days: int) -> str:
    """How soon: "today", "tomorrow", "in 3 days"."""
    if days == 0:
        return _("today")
    if days == 1:
        return _("tomorrow")
    return ngettext("in %(days)d day", "in %(days)d days", days) % {"days": days}


def _calendar_day(day: int, today: int | None) -> str:
    """A day number as a person writes the date: "29 Nov", with the year when it is
    not the year of ``today``."""
    when = EPOCH + timedelta(days=day)
    this_year = today is not None and (EPOCH + timedelta(days=today)).year == when.year
    return dateformat.format(when, "j M" if this_year else "j M Y")


def _channel_label(code: str | None) -> str:
    return str(dict(Channel.choices).get(code or "", code or ""))


def _answer(p: dict[str, Any]) -> str:
    values = {"name": p["name"], "day": _calendar_day(p["day"], p.get("today")), "channel": _channel_label(p["channel"])}
    if p.get("kind") == "complaint":
        return _("Answer %(name)s’s complaint from %(day)s on %(channel)s.") % values
    return _("Answer %(name)s’s question from %(day)s on %(channel)s.") % values


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
    "former_client": lambda p: _("Customer: former client, whose last agreement ended %(when)s") % {
        "when": _ago(p["days"]),
    },
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
    "revenue_other_currency": lambda p: ngettext(
        "Revenue ranking in %(currency)s only: %(orders)d paid order of the last 12 months in another "
        "currency is left out",
        "Revenue ranking in %(currency)s only: %(orders)d paid orders of the last 12 months in other "
        "currencies are left out",
        p["orders"],
    ) % {**p, "currency": settings.KENAL_DEFAULT_CURRENCY},
    "objects_to_profiling": lambda p: _("Objects to profiling: no characteristics and no inferred type"),
    "potential": lambda p: _("Potential: %(messages)s %(window)s and nothing bought yet") % {
        "messages": ngettext(
            "%(count)d inbound message", "%(count)d inbound messages", p["interactions"]
        ) % {"count": p["interactions"]},
        "window": _("today") if p["days"] == 0 else ngettext(
            "in the last %(days)d day", "in the last %(days)d days", p["days"]
        ) % p,
    },
    "new": lambda p: _("New: first paid order %(when)s") % {"when": _ago(p["days"])},
    "impulsive": lambda p: _(
        "Impulsive: first paid order %(after)s after first contact, with no question in between"
    ) % {"after": _duration(p["minutes"])},
    "thrifty": lambda p: _("Thrifty: %(promo)d of %(orders)d paid orders used a promotion") % p,
    "loyal_orders": lambda p: _("Loyal: %(orders)s over %(span)s, the last one %(when)s") % {
        "orders": ngettext("%(count)d order", "%(count)d orders", p["orders"]) % {"count": p["orders"]},
        "span": _days(p["span"]),
        "when": _ago(p["last"]),
    },
    "loyal_agreements": lambda p: _("Loyal: covered by signed agreements for %(days)s without a gap") % {
        "days": _days(p["days"]),
    },
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


def _days_or(p: dict[str, Any], with_days: str, without: str, say: Callable[[int], str] = _ago) -> str:
    return with_days % {"when": say(p["days"])} if p.get("days") is not None else without


# In the order the engine tries them (engine.py, ``_Run._nba_rules``).
NEXT_BEST_ACTIONS: dict[str, Callable[[dict[str, Any]], str]] = {
    "answer": _answer,
    "assign_csm": lambda p: _("Assign a customer success manager to this client."),
    "renewal_talk": lambda p: _days_or(
        p, _("Start the renewal talk: the agreement ends %(when)s and does not renew by itself."),
        _("Start the renewal talk: the agreement does not renew by itself."), _in_days,
    ),
    "csm_checkin": lambda p: _days_or(
        p, _("Check in: the last contact with this client was %(when)s."),
        _("Check in: no contact with this client recorded yet."),
    ),
    "propose_client": lambda p: _("Propose a client engagement: a loyal customer of high value."),
    "win_back": lambda p: _days_or(
        p, _("Win them back: the last order was %(when)s."), _("Win them back: no order for over a year."),
    ),
    "onboarding": lambda p: _("Follow up on onboarding; expect and answer detailed questions."),
    "promotion": lambda p: _("Offer a promotion: a discount, cashback or a bundle."),
    "follow_up_strengths": lambda p: _("Follow up and present the product's strengths."),
    "referral_thanks": lambda p: _("Thank them and invite them to the referral programme."),
    "invite_register": lambda p: _("Invite them to register the product and give feedback."),
    "introduce": lambda p: _("Introduce yourself: nobody has written to this prospect yet."),
    "nothing_internal": lambda p: _("Nothing to do now: one of the business’s own branches."),
    "nothing_client": lambda p: _days_or(
        p, _("Nothing to do now: in touch %(when)s, with a manager and an agreement that runs on."),
        _("Nothing to do now: the client has a manager and an agreement that runs on."),
    ),
    "nothing_customer": lambda p: _days_or(
        p, _("Nothing to do now: the last order was %(when)s and no question is open."),
        _("Nothing to do now: no question is open."),
    ),
    "nothing_prospect": lambda p: _("Nothing to do now: you wrote last; wait for their reply."),
}


def next_best_action_text(code: str, params: dict[str, Any] | None = None) -> str:
    render = NEXT_BEST_ACTIONS.get(code)
    return render(params or {}) if render else ""
