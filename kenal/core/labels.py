"""Words for the codes Kenal stores as plain text (an order's channel, an agreement's
tier, a background task's status), so a page never shows ``whatsapp`` or ``READY``.
A code that is not listed here was typed by someone (a marketplace's name, a tier of
their own) and is shown as written."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kenal.interactions.models import Channel

# Interactions' channels, and the places an order is also taken.
CHANNELS: dict[str, Promise] = {
    **dict(Channel.choices),
    "store": _("Store"),
    "web": _("Website"),
    "office": _("Office"),
    "marketplace": _("Marketplace"),
}

TIERS: dict[str, Promise] = {
    "basic": _("Basic"),
    "standard": _("Standard"),
    "premium": _("Premium"),
    "enterprise": _("Enterprise"),
}

# django-tasks' statuses, which it names only in English.
TASK_STATUSES: dict[str, Promise] = {
    "READY": _("Waiting"),
    "RUNNING": _("Running"),
    "FAILED": _("Failed"),
    "SUCCESSFUL": _("Done"),
}

VOCABULARIES: dict[str, dict[str, Promise]] = {
    "channel": CHANNELS,
    "tier": TIERS,
    "task_status": TASK_STATUSES,
}


def code_label(vocabulary: str, code: str | None) -> str:
    """The label of ``code`` in the reader's language; an unknown code as written."""
    if not code:
        return ""
    words = VOCABULARIES[vocabulary]
    label = words.get(code) or words.get(code.strip().lower())
    return str(label) if label is not None else code
