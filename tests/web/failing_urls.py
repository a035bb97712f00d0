"""Kenal's URLs plus a page and an API address that fail, to see the 500 answers."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from kenal.urls import urlpatterns as kenal_urlpatterns


def fail(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


urlpatterns = [
    path("boom/", fail),
    path("api/v1/boom", fail),
    *kenal_urlpatterns,
]

handler500 = "kenal.errors.server_error"
