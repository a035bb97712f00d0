"""Lookups an import checks its rows against, loaded once per file."""

from __future__ import annotations

from kenal.accounts.models import User
from kenal.agreements.models import Agreement
from kenal.parties.models import Party


def party_keys() -> dict[str, tuple[int, str]]:
    """Every party with an external id: external id -> (id, kind)."""
    rows = Party.objects.exclude(external_id=None).order_by().values_list("external_id", "pk", "kind")
    return {external_id: (pk, kind) for external_id, pk, kind in rows.iterator(chunk_size=20_000)}


def agreement_keys() -> dict[str, int]:
    rows = Agreement.objects.exclude(external_id=None).order_by().values_list("external_id", "pk")
    return dict(rows.iterator(chunk_size=20_000))


def user_keys() -> dict[str, int | None]:
    """Username -> id, and lower-cased email -> id (None when several users share it)."""
    keys: dict[str, int | None] = {}
    by_email: dict[str, int | None] = {}
    for pk, username, email in User.objects.order_by().values_list("pk", "username", "email"):
        keys[username] = pk
        if email:
            address = email.lower()
            by_email[address] = None if address in by_email else pk
    return {**by_email, **keys}
