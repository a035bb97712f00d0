"""What someone sees after too many failed logins: the login page again, with a
message saying when they may try again (django-axes counts the failures)."""

from __future__ import annotations

import math

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import ngettext


class LockedOutLoginForm(AuthenticationForm):
    """The login form as it was filled in, refused with the lockout message without
    checking the password again (a check would count as one more failure)."""

    def __init__(self, request: HttpRequest, message: str, **kwargs) -> None:
        super().__init__(request, **kwargs)
        self.lockout_message = message

    def clean(self) -> dict:
        raise ValidationError(self.lockout_message, code="locked_out")


def login_locked_out(request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE. Each attempt during a lockout starts the wait again
    (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT), so it ends a full cool-off from now."""
    cool_off = get_cool_off(request)
    minutes = max(1, math.ceil(cool_off.total_seconds() / 60))
    until = timezone.localtime(timezone.now() + cool_off)
    message = ngettext(
        "Too many failed attempts to log in as this user from your address. Try again in %(minutes)d minute, after %(time)s.",
        "Too many failed attempts to log in as this user from your address. Try again in %(minutes)d minutes, after %(time)s.",
        minutes,
    ) % {"minutes": minutes, "time": formats.time_format(until, "TIME_FORMAT")}
    form = LockedOutLoginForm(request, message, data=request.POST)
    form.is_valid()
    response = render(
        request, "registration/login.html", {"form": form, "next": request.POST.get("next", "")},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
    response["Retry-After"] = str(math.ceil(cool_off.total_seconds()))
    return response


def client_address(request: HttpRequest) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the address lockouts are counted for. Behind
    KENAL_TRUSTED_PROXIES proxies, each appends the address it saw to X-Forwarded-For,
    so the client is the n-th entry from the right; whatever stands left of it the client
    wrote itself and is not believed. With no proxies (or a header too short to have
    come through them) the connection's own address is used."""
    proxies = settings.KENAL_TRUSTED_PROXIES
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")
