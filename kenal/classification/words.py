"""Small pieces of wording shared by the reasons and the next best actions: how long
ago, how soon, a date, a duration, a label. They are worded in the reader's language
when called, never when imported."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kenal.interactions.models import Channel
from kenal.parties.models import Scope

EPOCH = date(1970, 1, 1)


def day_number(day: date) -> int:
    """Days since 1970-01-01: how the engine and the stored facts count days."""
    return (day - EPOCH).days


def minus(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a - b


def type_label(value: str | None) -> str:
    return str(dict(Scope.choices).get(value or "", value or ""))


def channel_label(code: str | None) -> str:
    return str(dict(Channel.choices).get(code or "", code or ""))


def ago(days: int) -> str:
    """How long ago, as a person says it: "today", "yesterday", "3 days ago"."""
    if days == 0:
        return _("today")
    if days == 1:
        return _("yesterday")
    return ngettext("%(days)d day ago", "%(days)d days ago", days) % {"days": days}


def days(count: int) -> str:
    return ngettext("%(days)d day", "%(days)d days", count) % {"days": count}


def in_days(count: int) -> str:
    """How soon: "today", "tomorrow", "in 3 days"."""
    if count == 0:
        return _("today")
    if count == 1:
        return _("tomorrow")
    return ngettext("in %(days)d day", "in %(days)d days", count) % {"days": count}


def calendar_day(day: int, today: int | None) -> str:
    """A day number as a person writes the date: "29 Nov", with the year when it is
    not the year of ``today``."""
    when = EPOCH + timedelta(days=day)
    this_year = today is not None and (EPOCH + timedelta(days=today)).year == when.year
    return dateformat.format(when, "j M" if this_year else "j M Y")


def duration(minutes: int) -> str:
    hours, rest = divmod(int(minutes), 60)
    return _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": rest}
