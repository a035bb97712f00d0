"""The page for a server error. Django's own handler renders templates/500.html without
the request, so the page would lack the signed-in header and its forms would lack their
CSRF token (the language switch would fail). It is rendered with the request here,
and without it only when that fails too (the database or the session may be what
broke). 400, 403 and 404 need nothing of this: Django renders their templates with the
request. Under /api/, kenal.api.middleware answers all of them in JSON."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader

logger = logging.getLogger(__name__)


def server_error(request: HttpRequest) -> HttpResponse:
    template = loader.get_template("500.html")
    try:
        return HttpResponseServerError(template.render({}, request))
    except Exception:  # noqa: BLE001 - the error page must not fail with what failed the page
        logger.exception("The error page could not be rendered with the request")
        return HttpResponseServerError(template.render())
