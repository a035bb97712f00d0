"""Who may handle agreements. Agreements bind the business: the people who sell and
keep clients (administrators, managers, CSMs, sales) record proposals and
signatures; support does not. Correcting one (its dates, its signatures) or
terminating it is for a manager or administrator, or for the person among those
roles who recorded it. Everything else is denied."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from kenal.accounts.models import Role
from kenal.agreements.models import Agreement
from kenal.audit.selectors import audit_recorded_by
from kenal.parties.access import party_for_user
from kenal.parties.models import Party

AGREEMENT_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.CSM, Role.SALES})


def agreements_allowed(user: Any) -> bool:
    return bool(
        user is not None and user.is_authenticated and user.is_active
        and (user.is_superuser or user.role in AGREEMENT_ROLES)
    )


def agreement_party_for_user(user: Any, pk: int) -> Party:
    """The party whose agreements the user may write; PermissionDenied otherwise."""
    party = party_for_user(user, pk, write=True)
    if not agreements_allowed(user):
        raise PermissionDenied
    return party


def agreements_may_correct(user: Any, agreements: Iterable[Agreement]) -> set[int]:
    """The ids of those agreements the user may correct (one query at most)."""
    agreements = list(agreements)
    if not agreements_allowed(user):
        return set()
    if user.is_manager:
        return {agreement.pk for agreement in agreements}
    return audit_recorded_by(user=user, targets=agreements, action="agreement.create")


def agreement_may_correct(user: Any, agreement: Agreement) -> bool:
    return agreement.pk in agreements_may_correct(user, [agreement])


def agreement_for_user(user: Any, pk: int, agreement_pk: int) -> Agreement:
    agreement_party_for_user(user, pk)
    agreement = Agreement.objects.select_related("party").filter(pk=agreement_pk, party_id=pk).first()
    if agreement is None:
        raise Http404
    if not agreement_may_correct(user, agreement):
        raise PermissionDenied
    return agreement
