"""The API's URLs, mounted at /api/v1/.

LoginRequiredMiddleware would send an API client without a session to the login page;
the operations authenticate themselves (token or session, deny by default) and must
answer 401 JSON instead, so they are marked login_not_required here."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern
from ninja.errors import AuthenticationError

from kenal.api.api import api, on_unauthenticated
from kenal.api.auth import api_auth

app_name = "api"


def _api_auth_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The OpenAPI schema holds no data, but it maps the whole API, and Kenal denies by
    default: it needs the same token or session as the operations. Tools that generate
    clients from it can send the Authorization header."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not any(auth(request) is not None for auth in api_auth):
            return on_unauthenticated(request, AuthenticationError())
        return view(request, *args, **kwargs)

    return wrapped


def _patterns() -> list[URLPattern]:
    """The docs page (openapi-view) stays behind the login middleware: it is for
    signed-in staff, and the login redirect is what a browser should get. It needs no
    CSP exemption: ninja's template loads Swagger UI from our own /static/, passes its
    settings as a JSON data block (not a script) and starts it from a static file, and
    Swagger UI sets styles through the DOM, which style-src 'self' allows."""
    patterns, _app_name, _namespace = api.urls
    out = []
    for pattern in patterns:
        view = pattern.callback
        if pattern.name == "openapi-json":
            view = login_not_required(_api_auth_required(view))
        elif pattern.name != "openapi-view":
            view = login_not_required(view)
        out.append(URLPattern(pattern.pattern, view, pattern.default_args, pattern.name))
    return out


urlpatterns = _patterns()
