from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartiesConfig(AppConfig):
    name = "kenal.parties"
    label = "parties"
    verbose_name = _("Parties")
