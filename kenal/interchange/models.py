from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    PARTIES = "parties", _("Parties")
    ORDERS = "orders", _("Orders")
    AGREEMENTS = "agreements", _("Agreements")
    INTERACTIONS = "interactions", _("Interactions")


class ImportRun(models.Model):
    """One import that was written: which file and what it changed. An import touches
    up to millions of rows, so the audit trail records the run, not each row."""

    kind = models.CharField(_("kind"), max_length=16, choices=ImportKind.choices)
    file_name = models.CharField(_("file"), max_length=255)
    rows = models.PositiveIntegerField(_("rows"))
    created = models.PositiveIntegerField(_("created"))
    updated = models.PositiveIntegerField(_("updated"))
    unchanged = models.PositiveIntegerField(_("unchanged"))
    deleted = models.PositiveIntegerField(_("deleted"), default=0)
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name}"
