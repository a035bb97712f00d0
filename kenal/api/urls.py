"""The API's URLs, mounted at /api/v1/.

LoginRequiredMiddleware would send an API client without a session to the login page;
the operations authenticate themselves (token or session, deny by default) and must
answer 401 JSON instead, so they are marked login_not_required here.

The OpenAPI document and the interactive documentation are public, as most APIs' are:
they describe the operations and hold no data, and client generators and testing
tools read them without credentials. Every operation they describe still needs a
token or a session. The docs page needs no CSP exemption: ninja's template loads
Swagger UI from our own /static/, passes its settings as a JSON data block (not a
script) and starts it from a static file, and Swagger UI sets styles through the DOM,
which style-src 'self' allows."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern

from kenal.api.api import api

app_name = "api"


def _patterns() -> list[URLPattern]:
    patterns, _app_name, _namespace = api.urls
    return [
        URLPattern(pattern.pattern, login_not_required(pattern.callback), pattern.default_args, pattern.name)
        for pattern in patterns
    ]


urlpatterns = _patterns()
