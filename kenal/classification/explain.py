"""A profile's reasons and next-best-action numbers, built from the facts the engine
stored with it. The rules mirror ``_Run.reasons_sql`` in engine.py, which writes the
same reasons into the history of changes; a test holds the two to one another.

Days are counted from ``facts_day``, so "last order 12 days ago" is as of the day the
profile was last computed for."""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kenal.classification.models import ClassificationRun, PartyProfile


def latest_full_run() -> ClassificationRun | None:
    from kenal.classification.models import ClassificationRun

    return ClassificationRun.objects.filter(full=True).order_by("-finished_at", "-id").first()


def facts_day(profile: PartyProfile) -> date:
    """The day a profile's numbers hold as of. A full run leaves a profile that came
    out the same as it was, so that is the later of the profile's own day and the last
    full run's. Readers of many profiles set ``run_as_of`` on each to spare a query."""
    run_as_of = getattr(profile, "run_as_of", _UNKNOWN)
    if run_as_of is _UNKNOWN:
        run = latest_full_run()
        run_as_of = profile.run_as_of = run.as_of if run is not None else None
    return profile.as_of if run_as_of is None or run_as_of < profile.as_of else run_as_of


_UNKNOWN: Any = object()


def _day(profile: PartyProfile) -> int:
    from kenal.classification.engine import day_number

    return day_number(facts_day(profile))


def _minus(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a - b


def override_reasons(profile: PartyProfile) -> list[dict[str, Any]]:
    """The active overrides' reasons, in a fixed order (the database joins them in any)."""
    found = json.loads(f"[{profile.override_reasons}]") if profile.override_reasons else []
    return sorted(found, key=lambda reason: reason["params"]["field"])


def profile_reasons(profile: PartyProfile, today: int | None = None) -> list[dict[str, Any]]:
    """One {"code", "params"} per fact that decided something, then the overrides'.
    ``today``: the day number the facts hold as of, when the reader knows it (an
    export as of a day); else ``facts_day``."""
    overrides = override_reasons(profile)
    by_hand = {reason["params"]["field"] for reason in overrides}
    today = _day(profile) if today is None else today
    reasons: list[dict[str, Any]] = []

    def add(code: str, **params: Any) -> None:
        reasons.append({"code": code, "params": params})

    if "relationship" not in by_hand:
        if profile.is_client:
            add("client_agreement", agreements=profile.agreements_active)
        if profile.paid_orders > 0:
            add("customer_orders", orders=profile.paid_orders)
        if profile.agreements_former > 0:
            add("former_client", days=_minus(today, profile.former_end_day))
        if profile.is_consumer:
            add("consumer_uses", lines=profile.products_used)
        if profile.is_prospect:
            add("prospect_nothing_yet")
    if "customer_type" not in by_hand and profile.customer_type is not None:
        if profile.type_set_on_party:
            add("type_explicit", type=profile.customer_type)
        elif profile.customer_type == "intermediate":
            add("type_intermediate", bulk=profile.bulk_orders, orders=profile.paid_orders,
                units=profile.intermediate_min_units)
        elif profile.customer_type == "external":
            add("type_default")
    if profile.other_currency_orders > 0:
        add("revenue_other_currency", orders=profile.other_currency_orders)
    if profile.objects_to_profiling:
        add("objects_to_profiling")

    def computed(name: str) -> bool:
        return getattr(profile, name) and f"characteristic:{name}" not in by_hand

    if computed("potential"):
        add("potential", interactions=profile.inbound_recent, days=profile.potential_days)
    if computed("new"):
        add("new", days=_minus(today, profile.first_paid_day))
    if computed("impulsive"):
        add("impulsive", minutes=profile.minutes_to_first_order)
    if computed("thrifty"):
        add("thrifty", promo=profile.promo_orders, orders=profile.paid_orders)
    if computed("loyal") and profile.loyal_by_orders:
        add("loyal_orders", orders=profile.paid_orders, span=_minus(profile.last_order_day, profile.first_order_day),
            last=_minus(today, profile.last_order_day))
    if computed("loyal") and profile.loyal_by_agreements:
        since = _minus(today, profile.covered_since_day)
        add("loyal_agreements", days=None if since is None else since + 1)
    if computed("growing"):
        add("growing", referred=profile.referred)
    return reasons + overrides


def next_best_action_params(profile: PartyProfile, today: int | None = None) -> dict[str, Any]:
    today = _day(profile) if today is None else today
    action = profile.next_best_action
    if action == "renewal_talk":
        return {"days": _minus(profile.agreement_end_day, today)}
    if action in ("csm_checkin", "nothing_client"):
        return {"days": _minus(today, profile.last_interaction_day)}
    if action in ("win_back", "nothing_customer"):
        return {"days": _minus(today, profile.last_paid_day)}
    if action == "answer":
        return {
            "name": _addressed_as(profile), "kind": profile.question_kind, "channel": profile.question_channel,
            "day": profile.question_day, "today": today,
        }
    return {}


def _addressed_as(profile: PartyProfile) -> str:
    """How a person calls the party: a person by the first word of their name ("Siti"),
    an organisation by its whole name. Readers of many profiles set ``party_name`` and
    ``party_kind`` on each to spare a query."""
    name = getattr(profile, "party_name", None)
    kind = getattr(profile, "party_kind", None)
    if name is None:
        name, kind = profile.party.name, profile.party.kind
    name = (name or "").strip()
    return name.split()[0] if kind == "person" and name else name

