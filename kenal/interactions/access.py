"""Who may correct interactions. An interaction recorded by mistake may be edited or
deleted by a manager or administrator, or by the staff member who recorded it by
hand, while they may still write parties. Messages that arrived from a channel or an
import have no recorder: managers alone correct them. Everything else is denied."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from kenal.audit.selectors import audit_recorded_by
from kenal.interactions.models import Interaction
from kenal.parties.access import parties_access


def interactions_may_correct(user: Any, interactions: Iterable[Interaction]) -> set[int]:
    """The ids of those interactions the user may correct (one query at most)."""
    interactions = list(interactions)
    try:
        parties_access(user, write=True)
    except PermissionDenied:
        return set()
    if user.is_manager:
        return {interaction.pk for interaction in interactions}
    return audit_recorded_by(user=user, targets=interactions, action="interaction.create")


def interaction_may_correct(user: Any, interaction: Interaction) -> bool:
    return interaction.pk in interactions_may_correct(user, [interaction])


def interaction_for_user(user: Any, pk: int, interaction_pk: int) -> Interaction:
    parties_access(user, write=True)
    interaction = Interaction.objects.select_related("party").filter(pk=interaction_pk, party_id=pk).first()
    if interaction is None:
        raise Http404
    if not interaction_may_correct(user, interaction):
        raise PermissionDenied
    return interaction
