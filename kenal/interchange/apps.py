from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InterchangeConfig(AppConfig):
    name = "kenal.interchange"
    label = "interchange"
    verbose_name = _("Interchange")
