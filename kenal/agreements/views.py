"""Agreements from the party page: a new proposal, each side's signature, a correction
and an early end. The services reclassify the party, so the page shows its new
relationship right after."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kenal.agreements.access import agreement_for_user, agreement_party_for_user
from kenal.agreements.forms import AgreementEditForm, AgreementForm, SignForm, TerminateForm
from kenal.agreements.models import Agreement
from kenal.agreements.services import agreement_create, agreement_sign, agreement_terminate, agreement_update


def _add_service_errors(form, error: ValidationError) -> None:
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@require_http_methods(["GET", "POST"])
def agreement_new(request: HttpRequest, pk: int) -> HttpResponse:
    party = agreement_party_for_user(request.user, pk)
    form = AgreementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            agreement_create(actor=request.user, party=party, data=form.agreement_data())
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, _("The proposal was recorded; it makes a client once both sides sign."))
            return redirect("parties:detail", pk=party.pk)
    status = 400 if form.errors else 200
    return render(request, "agreements/agreement_form.html", {"form": form, "party": party}, status=status)


@require_http_methods(["POST"])
def agreement_sign_view(request: HttpRequest, pk: int, agreement_pk: int) -> HttpResponse:
    party = agreement_party_for_user(request.user, pk)
    agreement = Agreement.objects.filter(pk=agreement_pk, party=party).first()
    if agreement is None:
        raise Http404
    form = SignForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Choose who signs: the provider or the client."))
        agreement_sign(actor=request.user, agreement=agreement, side=form.cleaned_data["side"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The signature was recorded."))
    return redirect("parties:detail", pk=party.pk)


@require_http_methods(["GET", "POST"])
def agreement_edit(request: HttpRequest, pk: int, agreement_pk: int) -> HttpResponse:
    agreement = agreement_for_user(request.user, pk, agreement_pk)
    if request.method == "POST":
        form = AgreementEditForm(request.POST)
        if form.is_valid():
            try:
                agreement_update(actor=request.user, agreement=agreement, data=form.agreement_data_for(agreement))
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(request, _("The agreement was saved."))
                return redirect("parties:detail", pk=pk)
    else:
        form = AgreementEditForm(initial=AgreementEditForm.initial_for(agreement))
    status = 400 if form.errors else 200
    context = {"form": form, "party": agreement.party, "agreement": agreement}
    return render(request, "agreements/agreement_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
def agreement_terminate_view(request: HttpRequest, pk: int, agreement_pk: int) -> HttpResponse:
    agreement = agreement_for_user(request.user, pk, agreement_pk)
    if request.method == "POST":
        form = TerminateForm(request.POST)
        if form.is_valid():
            try:
                agreement_terminate(actor=request.user, agreement=agreement, on=form.cleaned_data["terminated_on"])
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(request, _("The agreement was terminated."))
                return redirect("parties:detail", pk=pk)
    else:
        form = TerminateForm(initial={"terminated_on": agreement.terminated_on or timezone.localdate()})
    status = 400 if form.errors else 200
    context = {"form": form, "party": agreement.party, "agreement": agreement}
    return render(request, "agreements/agreement_terminate.html", context, status=status)
