"""Reads of the audit trail."""

from __future__ import annotations

from typing import Any

from django.db import models

from kenal.audit.models import AuditEvent


def audit_recorded_by(*, user: Any, target: models.Model, action: str) -> bool:
    """Whether ``user`` is who recorded ``target`` (the actor of its ``action`` event,
    ``order.create`` say). Facts keep no author column: the audit trail is the record
    of who entered them."""
    if user is None or not user.is_authenticated:
        return False
    return AuditEvent.objects.filter(
        target_type=target._meta.label_lower, target_id=str(target.pk), action=action, actor=user
    ).exists()
