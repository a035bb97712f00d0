"""Classification screens: the profile section of a party page (refreshed by htmx
after an override), overrides, and the settings page with the recompute's progress.
Each view checks access first, reads through display/selectors and writes through
services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kenal.classification.access import classification_access, party_profile_for_user
from kenal.classification.actions import settings_update
from kenal.classification.display import profile_context, recompute_progress
from kenal.classification.forms import ClassificationSettingsForm, OverrideForm
from kenal.classification.models import ProfileOverride
from kenal.classification.selectors import classification_settings_current
from kenal.classification.services import override_create, override_withdraw
from kenal.parties.models import Party

PROFILE_TEMPLATE = "classification/party_profile.html"


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _profile_response(request: HttpRequest, party: Party, *, form: OverrideForm | None = None,
                      status: int = 200) -> HttpResponse:
    context = {"party": party, **profile_context(party=party, user=request.user, form=form)}
    template = f"{PROFILE_TEMPLATE}#profile" if _is_htmx(request) else PROFILE_TEMPLATE
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_http_methods(["GET"])
def party_profile(request: HttpRequest, pk: int) -> HttpResponse:
    """The profile section; with ``field`` the override form offers that field's values
    (the form asks for them when its field changes)."""
    party = party_profile_for_user(request.user, pk)
    field = request.GET.get("field")
    form = OverrideForm(field=field) if field else None
    return _profile_response(request, party, form=form)


@require_http_methods(["POST"])
def override_new(request: HttpRequest, pk: int) -> HttpResponse:
    party = party_profile_for_user(request.user, pk, manage=True)
    form = OverrideForm(request.POST)
    if form.is_valid():
        try:
            override_create(actor=request.user, party=party, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
    if form.errors:
        return _profile_response(request, party, form=form, status=422 if _is_htmx(request) else 400)
    if _is_htmx(request):
        return _profile_response(request, party)
    messages.success(request, _("The override was saved."))
    return redirect("parties:detail", pk=party.pk)


@require_http_methods(["POST"])
def override_withdraw_view(request: HttpRequest, pk: int, override_pk: int) -> HttpResponse:
    party = party_profile_for_user(request.user, pk, manage=True)
    override = get_object_or_404(ProfileOverride, pk=override_pk, party=party, withdrawn_at__isnull=True)
    override_withdraw(actor=request.user, override=override)
    if _is_htmx(request):
        return _profile_response(request, party)
    messages.success(request, _("The override was withdrawn; the rules decide again."))
    return redirect("parties:detail", pk=party.pk)


@require_http_methods(["GET", "POST"])
def settings_edit(request: HttpRequest) -> HttpResponse:
    classification_access(request.user, manage=True)
    form = ClassificationSettingsForm(request.POST or None, instance=classification_settings_current())
    if request.method == "POST":
        if form.is_valid():
            settings_update(actor=request.user, values=form.cleaned_data)
            messages.success(request, _("The settings were saved. Every party is being reclassified."))
            return redirect("classification:settings")
        status = 400
    else:
        status = 200
    return render(request, "classification/settings.html",
                  {"form": form, "progress": recompute_progress()}, status=status)


@require_http_methods(["GET"])
def settings_status(request: HttpRequest) -> HttpResponse:
    classification_access(request.user, manage=True)
    return render(request, "classification/settings.html#status", {"progress": recompute_progress()})
