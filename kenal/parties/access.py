"""Who may see and change parties. Every party view calls these first; anything not
explicitly allowed is denied."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from kenal.accounts.models import Role
from kenal.parties.models import Party

# Every staff role works with parties day to day: sales and support meet new people
# first, so they must be able to record them, not only managers.
READ_ROLES = frozenset(Role.values)
WRITE_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.SALES, Role.SUPPORT, Role.CSM})


def parties_access(user: Any, *, write: bool = False) -> None:
    """Raise PermissionDenied unless the user may list (or, with ``write``, create)
    parties."""
    if user is None or not user.is_authenticated or not user.is_active:
        raise PermissionDenied
    if user.is_superuser:
        return
    allowed = WRITE_ROLES if write else READ_ROLES
    if user.role not in allowed:
        raise PermissionDenied


def party_for_user(user: Any, pk: int, *, write: bool = False) -> Party:
    """The party the user may see (or, with ``write``, change); 404 when it does not
    exist, PermissionDenied when the user may not."""
    parties_access(user, write=write)
    try:
        return Party.objects.select_related("member_of", "referred_by").get(pk=pk)
    except Party.DoesNotExist:
        raise Http404 from None
