from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "kenal.api"
    label = "kenal_api"
    verbose_name = _("API")
