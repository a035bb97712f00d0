from __future__ import annotations

from typing import Any

from django.db import models

from kenal.audit.models import AuditEvent


def audit_record(*, actor: Any | None, action: str, target: models.Model, changes: dict[str, Any] | None = None) -> AuditEvent:
    """Call inside the transaction of the change it records."""
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=user,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        changes=changes or {},
    )
