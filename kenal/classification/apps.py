from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClassificationConfig(AppConfig):
    name = "kenal.classification"
    label = "classification"
    verbose_name = _("Relationships and characteristics")
