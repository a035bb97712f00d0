"""Every error under /api/ is JSON, also the ones Django or ninja answer in plain text
(a method the path does not take, a request Django refuses before any view runs)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


def _detail(response: HttpResponse, method: str) -> str:
    status = response.status_code
    if status == 405:
        return _("This address does not take %(method)s; it takes %(allowed)s.") % {
            "method": method, "allowed": response.get("Allow", ""),
        }
    known = {
        400: _("The request is not valid."),
        401: _("Send a valid API token: Authorization: Bearer <token>."),
        403: _("You may not do this."),
        404: _("Not found."),
        413: _("The request is too large."),
    }
    if status in known:
        return known[status]
    if status >= 500:
        return _("Something went wrong on our side; please try again later.")
    return _("The request failed (HTTP %(status)d).") % {"status": status}


class ApiErrorsAsJsonMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not request.path.startswith(API_PREFIX)
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        answer = JsonResponse({"detail": _detail(response, request.method or "")}, status=response.status_code)
        for header in ("Allow", "Retry-After", "WWW-Authenticate"):
            if header in response:
                answer[header] = response[header]
        return answer
