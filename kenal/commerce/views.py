"""Recording an order from the party page: access first, then the service."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kenal.commerce.forms import LineFormSet, OrderForm
from kenal.commerce.services import order_create
from kenal.parties.access import party_for_user


@require_http_methods(["GET", "POST"])
def order_new(request: HttpRequest, pk: int) -> HttpResponse:
    party = party_for_user(request.user, pk, write=True)
    if request.method == "POST":
        form, lines = OrderForm(request.POST), LineFormSet(request.POST, prefix="lines")
        if form.is_valid() and lines.is_valid():
            try:
                order_create(
                    actor=request.user, buyer=party, occurred_at=form.cleaned_data["occurred_at"],
                    external_id=form.cleaned_data["external_id"], channel=form.cleaned_data["channel"],
                    lines=[line.line_data() for line in lines if line.has_changed()],
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("The order was recorded."))
                return redirect("parties:detail", pk=party.pk)
    else:
        form, lines = OrderForm(initial=OrderForm.initial_now()), LineFormSet(prefix="lines")
    status = 400 if form.errors or any(lines.errors) or lines.non_form_errors() else 200
    return render(request, "commerce/order_form.html", {"form": form, "lines": lines, "party": party}, status=status)
