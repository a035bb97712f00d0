"""Template helpers available in every template (registered as builtins).

Dates have one style across the app, written as a person writes them:
``{{ moment|when }}`` gives ``29 Nov 2026 14.05`` in Indonesian (a dot between hours
and minutes, as Indonesians write the time) and ``29 Nov 2026, 14:05`` in English,
in the business's time zone; ``{{ day|day }}`` gives ``29 Nov 2026`` in both."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django import template
from django.utils import dateformat, translation

from kenal.core.labels import code_label
from kenal.core.money import format_money
from kenal.parties.contacts import phone_national
from kenal.parties.models import PHONE_KINDS, ContactKind

register = template.Library()

DAY_FORMAT = "j M Y"
MOMENT_FORMATS = {"id": "j M Y H.i", "en": "j M Y, H:i"}


@register.filter
def money(amount: Decimal | None, currency: str = "IDR") -> str:
    return format_money(amount, currency or "IDR", translation.get_language() or "id")


@register.filter
def label(code: str | None, vocabulary: str) -> str:
    """``{{ order.channel|label:"channel" }}``: a stored code in the reader's words
    (vocabularies: channel, tier, task_status)."""
    return code_label(vocabulary, code)


@register.filter(expects_localtime=True)
def when(moment: datetime | None) -> str:
    if not moment:
        return ""
    if not isinstance(moment, datetime):
        return day(moment)
    language = (translation.get_language() or "id").split("-")[0]
    return dateformat.format(moment, MOMENT_FORMATS.get(language, MOMENT_FORMATS["en"]))


@register.filter(expects_localtime=True)
def day(value: date | datetime | None) -> str:
    if not value:
        return ""
    return dateformat.format(value, DAY_FORMAT)


@register.filter
def phone(e164: str | None) -> str:
    """A stored E.164 number as written at home: ``0812-2226-9572``."""
    return phone_national(e164) if e164 else ""


def _handle_url(kind: str, handle: str) -> str:
    if kind == ContactKind.TELEGRAM:
        # A numeric id is a chat the API reported, not a public name: no profile page.
        return "" if handle.isdigit() else f"https://t.me/{handle}"
    if kind == ContactKind.INSTAGRAM:
        return f"https://www.instagram.com/{handle}/"
    if kind == ContactKind.LINE:
        return f"https://line.me/R/ti/p/~{handle}"
    if kind == ContactKind.FACEBOOK:
        return f"https://www.facebook.com/{handle}"
    return ""


@register.filter
def contact_href(point) -> str:
    """Where a contact point leads: ``tel:+62…``, ``https://wa.me/62…``, ``mailto:…``
    or the handle's profile page; empty when there is none."""
    kind, value = point.kind, point.value
    if kind == ContactKind.PHONE:
        return f"tel:{value}"
    if kind == ContactKind.WHATSAPP:
        return f"https://wa.me/{value.removeprefix('+')}"
    if kind == ContactKind.EMAIL:
        return f"mailto:{value}"
    return _handle_url(kind, value)


@register.filter
def contact_text(point) -> str:
    """A contact point's value as a person reads it: phones in the national format."""
    return phone_national(point.value) if point.kind in PHONE_KINDS else point.value
