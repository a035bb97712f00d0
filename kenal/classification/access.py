"""Who may see and change classification results and settings. Every classification
view calls one of these first; anything not explicitly allowed is denied."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from kenal.parties.access import parties_access, party_for_user
from kenal.parties.models import Party


def may_manage(user: Any) -> bool:
    """Managers (and administrators) correct results and change the thresholds."""
    return bool(user is not None and user.is_authenticated and user.is_active and getattr(user, "is_manager", False))


def classification_access(user: Any, *, manage: bool = False) -> None:
    """Everyone who may see parties sees their classification; only managers change
    it or its settings."""
    parties_access(user)
    if manage and not may_manage(user):
        raise PermissionDenied


def party_profile_for_user(user: Any, pk: int, *, manage: bool = False) -> Party:
    """The party whose profile the user may see (or, with ``manage``, override)."""
    classification_access(user, manage=manage)
    return party_for_user(user, pk)
