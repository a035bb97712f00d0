"""The signed-in user's personal API tokens: list, create (shown once), revoke."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from kenal.accounts.models import ApiToken
from kenal.accounts.services import token_create, token_revoke


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"), max_length=100,
        help_text=gettext_lazy("Where the token is used, e.g. “accounting export”."),
    )


# The raw value of a token just made waits here for the page after the redirect, which
# takes it out: it lives in the server-side session for one request, never in a URL.
NEW_TOKEN_SESSION_KEY = "kenal_new_api_token"


@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    """GET lists the user's tokens; POST creates one and redirects (POST/redirect/GET),
    so reloading the page cannot create a second token. The page after the redirect
    shows the raw value once: it is not stored, so coming back cannot show it again."""
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, raw_token = token_create(user=request.user, name=form.cleaned_data["name"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Token “%(name)s” created.") % {"name": token.name})
            request.session[NEW_TOKEN_SESSION_KEY] = raw_token
            return redirect("account-tokens")
    raw_token = request.session.pop(NEW_TOKEN_SESSION_KEY, None) if request.method == "GET" else None
    tokens = ApiToken.objects.filter(user=request.user)
    return render(request, "accounts/tokens.html", {"form": form, "tokens": tokens, "raw_token": raw_token})


@require_POST
def token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    token_revoke(actor=request.user, token=token)
    messages.success(request, _("Token “%(name)s” revoked; it no longer works.") % {"name": token.name})
    return redirect("account-tokens")
