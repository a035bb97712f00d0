from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def party_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("parties")
