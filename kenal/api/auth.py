"""How API clients prove who they are: a personal token, or the browser's session."""

from __future__ import annotations

import hashlib
import threading
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth
from ninja.throttling import SimpleRateThrottle

from kenal.accounts.services import token_authenticate


class TokenAuth(HttpBearer):
    """``Authorization: Bearer knl_...`` with a personal API token."""

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        user = token_authenticate(raw=token)
        if user is None:
            return None
        request.api_token_digest = hashlib.sha256(token.encode()).hexdigest()
        asked = "HTTP_ACCEPT_LANGUAGE" in request.META
        if not asked and user.language and translation.check_for_language(user.language):
            # A client that names no language gets its token's user's; the language
            # middleware cannot know that user. Accept-Language, when sent, wins.
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


class TokenRateThrottle(SimpleRateThrottle):
    """At most KENAL_API_RATE calls (``120/min`` by default) per token, or per user for a
    signed-in browser. Counts live in Django's cache, the process's memory unless
    CACHES names a shared one. The rate is read on each call, so a changed setting
    applies at once."""

    scope = "token"
    _PER_CALL = frozenset({"key", "history", "now", "rate", "num_requests", "duration"})

    def __init__(self) -> None:
        # ninja's throttles keep the call being checked on the instance (key, history,
        # now) between allow_request() and wait(); one instance serves every thread of
        # the server, so that state is kept per thread.
        self._call = threading.local()
        super().__init__(rate=settings.KENAL_API_RATE)

    def __getattr__(self, name: str) -> Any:
        if name in self._PER_CALL:
            return getattr(self.__dict__["_call"], name)
        raise AttributeError(name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self._PER_CALL:
            setattr(self._call, name, value)
        else:
            super().__setattr__(name, value)

    def allow_request(self, request: HttpRequest) -> bool:
        self.rate = settings.KENAL_API_RATE
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request: HttpRequest) -> str | None:
        digest = getattr(request, "api_token_digest", None)
        if digest is not None:
            ident = f"token-{digest}"
        elif getattr(request, "auth", None) is not None:
            ident = f"user-{request.auth.pk}"
        else:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ident}


api_auth = [TokenAuth(), SessionAuth()]
