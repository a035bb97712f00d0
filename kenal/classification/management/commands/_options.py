"""Option parsing shared by the classification commands."""

from __future__ import annotations

from datetime import date

from django.core.management.base import CommandError
from django.utils.translation import gettext as _


def parse_as_of(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            _("--as-of must be a date written YYYY-MM-DD, e.g. 2026-03-01; got “%(value)s”.") % {"value": value}
        ) from None
