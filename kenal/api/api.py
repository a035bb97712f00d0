"""Kenal's JSON API, version 1: one NinjaAPI gathering each app's router."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from kenal.agreements.api import router as agreements_router
from kenal.api.auth import TokenRateThrottle, api_auth
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
    throttle=[TokenRateThrottle()],
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


# Pydantic's messages are English only; each common kind of error gets ours, with the
# figures pydantic gives in its context (a length, a bound, the choices).
PYDANTIC_MESSAGES = {
    "missing": gettext_lazy("This field is required."),
    "extra_forbidden": gettext_lazy("There is no such field."),
    "int_parsing": gettext_lazy("Enter a whole number."),
    "int_type": gettext_lazy("Enter a whole number."),
    "int_from_float": gettext_lazy("Enter a whole number."),
    "float_parsing": gettext_lazy("Enter a number."),
    "decimal_parsing": gettext_lazy("Enter a number."),
    "decimal_type": gettext_lazy("Enter a number."),
    "bool_parsing": gettext_lazy("Enter true or false."),
    "bool_type": gettext_lazy("Enter true or false."),
    "string_type": gettext_lazy("Enter text."),
    "date_parsing": gettext_lazy("Enter a date as YYYY-MM-DD."),
    "date_from_datetime_parsing": gettext_lazy("Enter a date as YYYY-MM-DD."),
    "date_type": gettext_lazy("Enter a date as YYYY-MM-DD."),
    "datetime_parsing": gettext_lazy("Enter a date and time as YYYY-MM-DDTHH:MM:SS+07:00."),
    "datetime_from_date_parsing": gettext_lazy("Enter a date and time as YYYY-MM-DDTHH:MM:SS+07:00."),
    "datetime_type": gettext_lazy("Enter a date and time as YYYY-MM-DDTHH:MM:SS+07:00."),
    "uuid_parsing": gettext_lazy("Enter a valid UUID."),
    "list_type": gettext_lazy("Enter a list."),
    "dict_type": gettext_lazy("Enter an object."),
    "model_type": gettext_lazy("Enter an object."),
    "model_attributes_type": gettext_lazy("Enter an object."),
    "json_invalid": gettext_lazy("The body is not valid JSON."),
    "value_error": gettext_lazy("This value is not valid."),
    "string_too_long": gettext_lazy("Enter at most %(max_length)s characters."),
    "string_too_short": gettext_lazy("Enter at least %(min_length)s characters."),
    "too_long": gettext_lazy("Give at most %(max_length)s items."),
    "too_short": gettext_lazy("Give at least %(min_length)s items."),
    "greater_than": gettext_lazy("Enter a number greater than %(gt)s."),
    "greater_than_equal": gettext_lazy("Enter a number of at least %(ge)s."),
    "less_than": gettext_lazy("Enter a number less than %(lt)s."),
    "less_than_equal": gettext_lazy("Enter a number of at most %(le)s."),
    "literal_error": gettext_lazy("Choose one of: %(expected)s."),
    "enum": gettext_lazy("Choose one of: %(expected)s."),
    "decimal_max_places": gettext_lazy("Enter at most %(decimal_places)s decimal places."),
    "decimal_max_digits": gettext_lazy("Enter at most %(max_digits)s digits."),
}


def _message(error: dict) -> str:
    template = PYDANTIC_MESSAGES.get(error.get("type", ""))
    if template is None:
        return error.get("msg", "")
    context = error.get("ctx") or {}
    try:
        return str(template) % context if "%(" in str(template) else str(template)
    except (KeyError, TypeError, ValueError):
        return error.get("msg", "")


def _location(loc: list[str]) -> str:
    """Where the error is, as the client wrote it: ``contacts[0].value`` inside the body,
    the parameter's name in the query or the path; ``__all__`` for the body as a whole."""
    if loc[:1] == ["body"]:
        loc = loc[2:]
    elif loc[:1] in (["query"], ["path"], ["header"], ["cookie"], ["form"]):
        loc = loc[1:]
    out = ""
    for part in loc:
        out += f"[{part}]" if part.isdigit() else (f".{part}" if out else part)
    return out or "__all__"


@api.exception_handler(NinjaValidationError)
def on_malformed(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    """Input that does not fit the schema, in the same shape as the services' errors."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        field = _location([str(part) for part in error.get("loc", ())])
        errors.setdefault(field, []).append(_message(error))
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


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """ninja's own refusals (a body it cannot parse, a session call without its CSRF
    token) are English; say them in the client's language, as the other errors are."""
    detail = str(exc)
    if exc.status_code == 400 and detail.startswith("Cannot parse request body"):
        detail = _("The body is not valid JSON.")
    elif exc.status_code == 403 and detail == "CSRF check Failed":
        detail = _("The CSRF check failed: a signed-in browser sends the csrftoken cookie's value as the X-CSRFToken header.")
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


@api.exception_handler(Throttled)
def on_throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    """The operation adds Retry-After, in seconds, to this answer."""
    return api.create_response(
        request, {"detail": _("Too many requests with this token; wait a little and try again.")}, status=429
    )
