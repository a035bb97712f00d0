from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartiesConfig(AppConfig):
    name = "kenal.parties"
    label = "parties"
    verbose_name = _("Parties")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from kenal.parties.search import add_sqlite_functions

        # SQLite's triggers fold names for the search text with the same Python
        # function that folds what a person types.
        connection_created.connect(add_sqlite_functions, dispatch_uid="kenal_party_search_fold")
