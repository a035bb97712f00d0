"""Interactions from the party page (record, correct, delete): access first, then the
services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kenal.interactions.access import interaction_for_user
from kenal.interactions.forms import InteractionForm
from kenal.interactions.services import interaction_create, interaction_delete, interaction_update
from kenal.parties.access import party_for_user


@require_http_methods(["GET", "POST"])
def interaction_new(request: HttpRequest, pk: int) -> HttpResponse:
    party = party_for_user(request.user, pk, write=True)
    if request.method == "POST":
        form = InteractionForm(request.POST)
        if form.is_valid():
            try:
                interaction_create(actor=request.user, party=party, **form.cleaned_data)
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("The interaction was recorded."))
                return redirect("parties:detail", pk=party.pk)
    else:
        form = InteractionForm(initial=InteractionForm.initial_now())
    status = 400 if form.errors else 200
    return render(request, "interactions/interaction_form.html", {"form": form, "party": party}, status=status)


@require_http_methods(["GET", "POST"])
def interaction_edit(request: HttpRequest, pk: int, interaction_pk: int) -> HttpResponse:
    interaction = interaction_for_user(request.user, pk, interaction_pk)
    party = interaction.party
    if request.method == "POST":
        form = InteractionForm(request.POST)
        if form.is_valid():
            try:
                interaction_update(actor=request.user, interaction=interaction, **form.cleaned_data)
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("The interaction was saved."))
                return redirect("parties:detail", pk=party.pk)
    else:
        form = InteractionForm(initial=InteractionForm.initial_for(interaction))
    status = 400 if form.errors else 200
    context = {"form": form, "party": party, "interaction": interaction}
    return render(request, "interactions/interaction_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
def interaction_delete_view(request: HttpRequest, pk: int, interaction_pk: int) -> HttpResponse:
    """A page that asks first; the POST deletes."""
    interaction = interaction_for_user(request.user, pk, interaction_pk)
    if request.method == "POST":
        interaction_delete(actor=request.user, interaction=interaction)
        messages.success(request, _("The interaction was deleted."))
        return redirect("parties:detail", pk=pk)
    return render(request, "interactions/interaction_delete.html", {"interaction": interaction, "party": interaction.party})
