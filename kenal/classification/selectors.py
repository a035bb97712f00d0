"""Reads of classification settings and results, shared by the web UI, the API and
the commands."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone, translation

from kenal.classification.explain import latest_full_run
from kenal.classification.models import ClassificationSettings, PartyProfile
from kenal.classification.reasons import next_best_action_text, reasons_text


def classification_settings_current() -> ClassificationSettings:
    """The business's settings, or DOMAIN.md's defaults when none were saved."""
    return ClassificationSettings.objects.order_by("id").first() or ClassificationSettings()


def business_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def business_today() -> date:
    return timezone.now().astimezone(business_zone()).date()


def day_start(day: date) -> datetime:
    """The first instant of a calendar day in the business's time zone."""
    return datetime.combine(day, time.min, tzinfo=business_zone())


def day_end_exclusive(day: date) -> datetime:
    """The first instant after ``day``: everything before it is dated on or before it."""
    return day_start(day + timedelta(days=1))


def profile_list(*, relationship: str = "", characteristic: str = "") -> QuerySet[PartyProfile]:
    qs = PartyProfile.objects.select_related("party", "csm")
    if relationship:
        qs = qs.filter(relationship=relationship)
    if characteristic:
        qs = qs.filter(**{characteristic: True})
    return qs


EXPORT_FIELDS = [
    "external_id", "name", "relationship", "flags", "customer_type", "characteristics", "reasons", "csm",
    "next_best_action",
]


def party_export_rows(*, language: str) -> Iterator[dict[str, Any]]:
    """Every stored profile as an INTERCHANGE.md export row, texts in ``language``."""
    rows = (
        PartyProfile.objects.select_related("party", "csm")
        .order_by("party__external_id", "party_id")
        .iterator(chunk_size=5000)
    )
    run = latest_full_run()
    with translation.override(language):
        for profile in rows:
            profile.run_as_of = run.as_of if run is not None else None
            yield {
                "external_id": profile.party.external_id,
                "name": profile.party.name,
                "relationship": profile.relationship,
                "flags": profile.flags,
                "customer_type": profile.customer_type,
                "characteristics": profile.characteristics,
                "reasons": reasons_text(profile.reasons),
                "csm": profile.csm.username if profile.csm else None,
                "next_best_action": next_best_action_text(
                    profile.next_best_action, profile.next_best_action_params
                ) or None,
            }
