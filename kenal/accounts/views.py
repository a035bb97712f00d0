"""The signed-in user's own settings."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from kenal.accounts.services import user_language_set


@login_not_required
@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    """Keep the chosen interface language on the user (so it follows them to any
    browser) and in Django's language cookie, then go back where they were. The login
    page offers it too, before anyone is signed in: then only the cookie keeps it."""
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        next_url = resolve_url(settings.LOGIN_REDIRECT_URL)
    response = HttpResponseRedirect(next_url)
    language = request.POST.get("language", "")
    if language in dict(settings.LANGUAGES) and translation.check_for_language(language):
        if request.user.is_authenticated:
            user_language_set(user=request.user, language=language)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, language,
            max_age=settings.LANGUAGE_COOKIE_AGE, path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN, secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY, samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    return response
