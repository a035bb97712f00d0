"""Reads of the audit trail."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models

from kenal.audit.models import AuditEvent


def audit_recorded_by(*, user: Any, targets: Iterable[models.Model], action: str) -> set[Any]:
    """The primary keys of those ``targets`` (all of one model) that ``user`` recorded:
    the actor of their ``action`` event (``order.create``, say). Facts keep no author
    column: the audit trail is the record of who entered them. One query."""
    targets = list(targets)
    if not targets or user is None or not user.is_authenticated:
        return set()
    by_key = {str(target.pk): target.pk for target in targets}
    found = AuditEvent.objects.filter(
        target_type=targets[0]._meta.label_lower, target_id__in=list(by_key), action=action, actor=user
    ).values_list("target_id", flat=True)
    return {by_key[key] for key in found}
