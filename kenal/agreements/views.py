"""Agreements from the party page: a new proposal, and each side's signature. The
services reclassify the party, so the second signature shows it as a client."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kenal.accounts.models import Role
from kenal.agreements.forms import AgreementForm, SignForm
from kenal.agreements.models import Agreement
from kenal.agreements.services import agreement_create, agreement_sign
from kenal.parties.access import party_for_user
from kenal.parties.models import Party

# Agreements bind the business: the people who sell and keep clients handle them;
# support does not.
AGREEMENT_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.CSM, Role.SALES})


def agreement_party_for_user(user: Any, pk: int) -> Party:
    """The party whose agreements the user may write; PermissionDenied otherwise."""
    party = party_for_user(user, pk, write=True)
    if not (user.is_superuser or user.role in AGREEMENT_ROLES):
        raise PermissionDenied
    return party


@require_http_methods(["GET", "POST"])
def agreement_new(request: HttpRequest, pk: int) -> HttpResponse:
    party = agreement_party_for_user(request.user, pk)
    form = AgreementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            agreement_create(actor=request.user, party=party, data=form.agreement_data())
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
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
