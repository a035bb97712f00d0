"""A profile's reasons and next-best-action numbers, built from the facts a run stored
with it by the rules of rules.py. The history of changes keeps what these gave for
the run's results, so profiles and history give the same reasons in the same way.

Days are counted from ``facts_day``, so "last order 12 days ago" is as of the day the
profile was last computed for."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.apps import apps

from kenal.classification import rules
from kenal.classification.words import day_number


def latest_full_run() -> Any:
    # Looked up by name: the models read their profiles' reasons from here.
    run = apps.get_model("classification", "ClassificationRun")
    return run.objects.filter(full=True).order_by("-finished_at", "-id").first()


def facts_day(profile: Any) -> date:
    """The day a profile's numbers hold as of. A full run leaves a profile that came
    out the same as it was, so that is the later of the profile's own day and the last
    full run's. Readers of many profiles set ``run_as_of`` on each to spare a query."""
    run_as_of = getattr(profile, "run_as_of", _UNKNOWN)
    if run_as_of is _UNKNOWN:
        run = latest_full_run()
        run_as_of = profile.run_as_of = run.as_of if run is not None else None
    return profile.as_of if run_as_of is None or run_as_of < profile.as_of else run_as_of


_UNKNOWN: Any = object()


def override_reasons(profile: Any) -> list[dict[str, Any]]:
    """The active overrides' reasons, in a fixed order (the database joins them in any)."""
    found = json.loads(f"[{profile.override_reasons}]") if profile.override_reasons else []
    return sorted(found, key=lambda reason: reason["params"]["field"])


def profile_reasons(profile: Any, today: int | None = None) -> list[dict[str, Any]]:
    """One {"code", "params"} per fact that decided something, then the overrides'.
    ``profile`` is a stored profile or a row with its column names; ``today``: the
    day number the facts hold as of, when the reader knows it (an export as of a
    day, a run); else ``facts_day``."""
    overrides = override_reasons(profile)
    by_hand = {reason["params"]["field"] for reason in overrides}
    today = day_number(facts_day(profile)) if today is None else today
    reasons: list[dict[str, Any]] = []
    for overridden_by, given, candidates in rules.explained():
        if overridden_by in by_hand or not given(profile):
            continue
        for reason in candidates:
            if reason.shown(profile):
                reasons.append({"code": reason.code, "params": reason.params(profile, today)})
    return reasons + overrides


def next_best_action_params(profile: Any, today: int | None = None) -> dict[str, Any]:
    today = day_number(facts_day(profile)) if today is None else today
    action = rules.action(profile.next_best_action)
    return action.params(profile, today) if action is not None else {}
