"""Kenal's JSON API, version 1: one NinjaAPI gathering each app's router."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError

from kenal.agreements.api import router as agreements_router
from kenal.api.auth import api_auth
from kenal.commerce.api import router as commerce_router
from kenal.interactions.api import router as interactions_router
from kenal.parties.api import router as parties_router

DESCRIPTION = gettext_lazy("""
Every call needs a personal API token, made on the *API tokens* page of your account
and sent as `Authorization: Bearer <token>`; in the browser, your signed-in session
works too (unsafe methods then need the `X-CSRFToken` header).

Lists are paginated with `?limit=` (default 50, at most 500) and `?offset=`, and answer
`{"items": [...], "count": <total>}`; to go through a large list, narrow it with its
filters rather than paging far. Money is a string with two decimals, in the
record's `currency`. Invalid input is answered with 422 and
`{"detail": "...", "errors": {"<field>": ["<message>", ...]}}`.
""")

api = NinjaAPI(
    title="Kenal API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=api_auth,
)

api.add_router("/parties", parties_router, tags=["parties"])
api.add_router("/orders", commerce_router, tags=["orders"])
api.add_router("/agreements", agreements_router, tags=["agreements"])
api.add_router("/interactions", interactions_router, tags=["interactions"])


def _field_errors(request: HttpRequest, errors: dict[str, list[str]]) -> HttpResponse:
    return api.create_response(
        request, {"detail": _("The data is not valid."), "errors": errors}, status=422
    )


@api.exception_handler(DjangoValidationError)
def on_invalid(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    """What the services reject, keyed by field as they raise it."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return _field_errors(request, errors)


def _common_message(error: dict) -> str:
    """Pydantic's messages are English only; the commonest ones get ours."""
    kind = error.get("type")
    if kind == "missing":
        return _("This field is required.")
    if kind == "extra_forbidden":
        return _("There is no such field.")
    return error.get("msg", "")


@api.exception_handler(NinjaValidationError)
def on_malformed(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    """Input that does not fit the schema, in the same shape as the services' errors:
    the field is the path inside the body or the query parameter's name."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        loc = [str(part) for part in error.get("loc", ())]
        # ("body", "payload", "contacts", "0", "value") -> "contacts.0.value"
        if loc[:1] == ["body"]:
            loc = loc[2:]
        elif loc[:1] in (["query"], ["path"]):
            loc = loc[1:]
        field = ".".join(loc) or "__all__"
        errors.setdefault(field, []).append(_common_message(error))
    return _field_errors(request, errors)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(
        request, {"detail": _("Send a valid API token: Authorization: Bearer <token>.")}, status=401
    )
    response["WWW-Authenticate"] = 'Bearer realm="kenal"'
    return response


@api.exception_handler(PermissionDenied)
def on_forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": _("You may not do this.")}, status=403)
