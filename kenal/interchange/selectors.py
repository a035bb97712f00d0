"""Lookups an import checks its rows against, loaded once per file."""

from __future__ import annotations

from kenal.accounts.models import User


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
