"""Staff users and their personal API tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kenal.accounts.models import ApiToken, User, hash_token
from kenal.audit.services import audit_record

# Recording every use would turn each API read into a write; once a minute is enough
# to tell a token in use from a forgotten one.
LAST_USED_RESOLUTION = timedelta(minutes=1)
HINT_LENGTH = 12


@transaction.atomic
def user_create(
    *, actor: Any | None, username: str, role: str, password: str | None = None, email: str = "",
    first_name: str = "", last_name: str = "", is_staff: bool = False, is_superuser: bool = False,
) -> User:
    """A staff user. Without a password the account cannot sign in until one is set."""
    user = User.objects.create_user(
        username=username, email=email, password=password, first_name=first_name, last_name=last_name,
        role=role, is_staff=is_staff, is_superuser=is_superuser,
    )
    audit_record(actor=actor, action="user.create", target=user, changes={"username": username, "role": role})
    return user


def user_language_set(*, user: User, language: str) -> None:
    """The user's own interface language. A preference, not business data: no audit row."""
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language


@transaction.atomic
def token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for ``user`` and return it with the raw value, which is never
    stored and so can only be shown this once."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Give the token a name, to recognise it later.")]})
    max_length = ApiToken._meta.get_field("name").max_length
    if len(name) > max_length:
        raise ValidationError(
            {"name": [_("A name has at most %(count)d characters.") % {"count": max_length}]}
        )
    raw = ApiToken.new_raw()
    token = ApiToken.objects.create(user=user, name=name, token_hash=hash_token(raw), hint=raw[:HINT_LENGTH])
    audit_record(actor=user, action="api_token.create", target=token, changes={"name": name, "hint": token.hint})
    return token, raw


@transaction.atomic
def token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    """Revoke a token for good; revoking one already revoked changes nothing."""
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(actor=actor, action="api_token.revoke", target=token, changes={"name": token.name, "hint": token.hint})
    return token


def token_authenticate(*, raw: str) -> User | None:
    """The active user owning this unrevoked token, or None."""
    if not raw or not raw.startswith(ApiToken.PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
