"""How API clients prove who they are: a personal token, or the browser's session."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import translation
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from kenal.accounts.services import token_authenticate


class TokenAuth(HttpBearer):
    """``Authorization: Bearer knl_...`` with a personal API token."""

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        user = token_authenticate(raw=token)
        if user is not None and user.language and translation.check_for_language(user.language):
            # The session's language middleware cannot know a token's user; answer
            # messages in that user's language all the same.
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return user


class SessionAuth(NinjaSessionAuth):
    """The signed-in browser, with Django's CSRF check on unsafe methods.

    Without a signed-in session there is nothing for CSRF to protect, so the check is
    skipped and the client gets the same 401 as any unauthenticated call (ninja's own
    class would answer 403 "CSRF check Failed" to an anonymous POST)."""

    def __call__(self, request: HttpRequest) -> Any | None:
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)


api_auth = [TokenAuth(), SessionAuth()]
