"""Reads of classification settings and results, shared by the web UI, the API and
the commands."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from kenal.classification.models import ClassificationSettings, PartyProfile


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
